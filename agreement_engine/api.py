"""The Python API, mirroring the command line: ``check`` an answer set from a file or a dict."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from agreement_engine.answers import load
from agreement_engine.findings import Finding
from agreement_engine.validate import validate


def check(source: str | Path | dict[str, Any]) -> list[Finding]:
    """Return every finding for the answer set at ``source`` (a path) or ``source`` itself (a dict)."""
    if isinstance(source, dict):
        return validate(source)
    answers, findings = load(source)
    return findings if answers is None else validate(answers)
