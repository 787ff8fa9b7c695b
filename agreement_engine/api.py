"""The Python API, mirroring the command line: ``check`` an answer set, ``assemble`` its Agreement."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from agreement_engine.answers import load
from agreement_engine.assemble import assemble as _assemble
from agreement_engine.errors import InvalidAnswersError
from agreement_engine.findings import Finding, has_errors
from agreement_engine.library import Library
from agreement_engine.model import Agreement
from agreement_engine.validate import validate


def check(source: str | Path | dict[str, Any]) -> list[Finding]:
    """Return every finding for the answer set at ``source`` (a path) or ``source`` itself (a dict)."""
    if isinstance(source, dict):
        return validate(source)
    answers, findings = load(source)
    return findings if answers is None else validate(answers)


def assemble(source: str | Path | dict[str, Any], library: Library | None = None) -> Agreement:
    """Return the Agreement for the answer set at ``source``; raise InvalidAnswersError when invalid."""
    if isinstance(source, dict):
        return _assemble(source, library)
    answers, findings = load(source)
    if answers is None or has_errors(findings):
        raise InvalidAnswersError(findings)
    return _assemble(answers, library)
