"""The Python API, mirroring the command line: check, assemble, compare and variants."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from agreement_engine import __version__
from agreement_engine.answers import load
from agreement_engine.assemble import assemble as _assemble
from agreement_engine.compare import answer_changes, revision_date
from agreement_engine.errors import InvalidAnswersError, OutputError
from agreement_engine.findings import Finding, has_errors
from agreement_engine.library import Library, default_library
from agreement_engine.model import Agreement
from agreement_engine.resources import example_path
from agreement_engine.validate import validate
from agreement_engine.variants import options

Source = str | Path | dict[str, Any]


def check(source: Source) -> list[Finding]:
    """Return every finding for the answer set at ``source`` (a path) or ``source`` itself (a dict)."""
    if isinstance(source, dict):
        return validate(source)
    answers, findings = load(source)
    return findings if answers is None else validate(answers)


def assemble(source: Source, library: Library | None = None) -> Agreement:
    """Return the Agreement for the answer set at ``source``; raise InvalidAnswersError when invalid."""
    return _assemble(_answers(source), library)


def compare(old: Source, new: Source, output: str | Path, *, date: str | None = None,
            template: str | Path | None = None) -> Path:
    """Write the agreement of ``new`` against that of ``old`` as tracked changes to ``output`` (.docx).

    ``date`` (YYYY-MM-DD) dates every tracked change, so identical input gives identical bytes; by
    default it is the new answer set's signing date, else its start date. Nothing is written when
    either answer set is invalid (InvalidAnswersError).
    """
    from agreement_engine.word.redline import render_redline  # the Word stage loads only when a command writes Word

    sides = [_answers(source) for source in (old, new)]
    agreements = [_assemble(answers) for answers in sides]
    date = date or revision_date(sides[1])
    provenance = {"kind": "compare", "created": f"{date}T00:00:00Z", **_engine(),
                  "old": _source(sides[0], agreements[0]), "new": _source(sides[1], agreements[1])}
    names = tuple(f"antwoordenset {side}" if isinstance(source, dict) else Path(source).name
                  for side, source in (("A", old), ("B", new)))
    data = render_redline(*agreements, answer_changes(*sides), names=names, date=date, template=template,
                          provenance=provenance)
    return _atomic_write(Path(output), data)


def variants(topic: str, output: str | Path, source: Source | None = None, *,
             template: str | Path | None = None) -> Path:
    """Write every variant of ``topic`` side by side for the alliance of ``source`` to ``output`` (.docx).

    Without ``source`` the alliance is the founding story's example. An unknown topic is an EngineError
    that names the known ones.
    """
    from agreement_engine.word.variants import render_variants  # as in compare: Word only when needed

    answers = _answers(example_path() if source is None else source)
    found = options(answers, topic)
    agreement = _assemble(answers)
    provenance = {"kind": "variants", "topic": topic, **_engine(), **_source(answers, agreement)}
    data = render_variants(agreement, default_library().topics[topic], found, template=template,
                           provenance=provenance)
    return _atomic_write(Path(output), data)


def _answers(source: Source) -> dict[str, Any]:
    """Return the answer set at ``source`` (a path) or ``source`` itself; raise InvalidAnswersError when unreadable."""
    if isinstance(source, dict):
        return source
    answers, findings = load(source)
    if answers is None or has_errors(findings):
        raise InvalidAnswersError(findings)
    return answers


def _engine() -> dict[str, str]:
    return {"engine_version": __version__, "library_version": default_library().version}


def _source(answers: dict, agreement: Agreement) -> dict[str, Any]:
    """Return the provenance of one answer set: its hash and the clause, variant and version of every clause used."""
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {"answers_sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            "clauses": [{"id": c.clause_id, "variant": c.variant_id, "version": c.version,
                         "content_sha256": c.content_hash} for c in agreement.clauses]}


def _atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all: a temporary file in the same folder, then a rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError):
            reason = _WRITE_ERRORS.get(exc.errno, exc.strerror or str(exc))
            raise OutputError(f"{path}: kan niet worden geschreven: {reason}") from exc
        raise
    return path


_WRITE_ERRORS = {errno.ENOENT: "de map bestaat niet", errno.EACCES: "geen schrijfrechten in deze map",
                 errno.EISDIR: "dit is een map", errno.ENOSPC: "de schijf is vol", errno.EROFS: "alleen-lezen"}
