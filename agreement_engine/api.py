"""The Python API, mirroring the command line: ``check``, ``assemble``, ``render``, ``compare`` and ``variants``."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agreement_engine import output
from agreement_engine.answers import load
from agreement_engine.assemble import assemble_valid
from agreement_engine.compare import answer_changes, revision_date
from agreement_engine.errors import EngineError, InvalidAnswersError
from agreement_engine.findings import Finding, has_errors
from agreement_engine.i18n import _, get_language, language
from agreement_engine.library import Library, default_library
from agreement_engine.model import Agreement
from agreement_engine.resources import example_path
from agreement_engine.validate import validate
from agreement_engine.variants import options
from agreement_engine.word import render_docx, template_hash
from agreement_engine.word.template import load_template
from agreement_engine.word.redline import render_redline
from agreement_engine.word.variants_page import render_variants

Source = str | Path | dict[str, Any]

#: The language of everything written into a document or a manifest, whatever the command line speaks.
DOCUMENT_LANGUAGE = "nl"

#: Where ``render`` writes when no output path is given (relative to the working folder).
DEFAULT_OUT_DIR = Path("output")


@dataclass(frozen=True)
class Rendered:
    """One agreement rendered in memory: its default name, the .docx bytes, provenance and findings.

    ``findings`` speak the current language (to show); ``recorded`` are the same findings in Dutch, as
    plain data for the manifest, so that what is written never depends on the language of the command line.
    """

    name: str
    docx: bytes
    provenance: dict[str, Any]
    findings: list[Finding]
    recorded: list[dict[str, Any]]


@dataclass(frozen=True)
class RenderResult:
    """What ``render`` wrote: the .docx, its manifest, the PDF if asked, and the non-blocking findings."""

    document: Path
    manifest: Path
    pdf: Path | None
    findings: list[Finding]


def _answers(source: Source) -> tuple[dict[str, Any] | None, list[Finding]]:
    if isinstance(source, dict):
        return source, validate(source)
    answers, findings = load(source)
    return (None, findings) if answers is None else (answers, validate(answers))


def _valid(source: Source) -> tuple[dict[str, Any], list[Finding]]:
    """Return the answer set at ``source`` and its findings; raise InvalidAnswersError when it has errors."""
    answers, findings = _answers(source)
    if answers is None or has_errors(findings):
        raise InvalidAnswersError(findings)
    return answers, findings


def check(source: Source) -> list[Finding]:
    """Return every finding for the answer set at ``source`` (a path) or ``source`` itself (a dict)."""
    return _answers(source)[1]


def assemble(source: Source, library: Library | None = None) -> Agreement:
    """Return the Agreement for the answer set at ``source``; raise InvalidAnswersError when invalid."""
    return assemble_valid(_valid(source)[0], library)


def _provenance(answers: dict[str, Any], agreement: Agreement, library: Library,
                template: str | Path | None) -> dict[str, Any]:
    return output.provenance(agreement, answers_sha256=output.answers_hash(answers), library=library,
                             template_sha256=template_hash(template))


def render_document(source: Source, *, template: str | Path | None = None,
                    library: Library | None = None) -> Rendered:
    """Validate, assemble and render the answer set at ``source`` in memory; raise InvalidAnswersError."""
    answers, findings = _valid(source)
    library = library or default_library()
    load_template(template)  # a broken template is reported in the language of the caller, not of the document
    shown_in_dutch = get_language() == DOCUMENT_LANGUAGE
    with language(DOCUMENT_LANGUAGE):
        recorded = findings if shown_in_dutch else validate(answers)
        agreement = assemble_valid(answers, library)
        origin = _provenance(answers, agreement, library, template)
        data = render_docx(agreement, template, provenance=origin)
    return Rendered(output.output_name(answers), data, origin, findings, [f.to_dict() for f in recorded])


def write(rendered: Rendered, document: Path) -> Path:
    """Write ``rendered`` to ``document`` and its manifest beside it, each atomically; return the manifest.

    Both are on disk before either is renamed into place, the manifest last, so a manifest whose document
    hash matches means a complete document, and a failure (full disk, a name too long) leaves neither.
    """
    sidecar = output.manifest_path(document)
    output.atomic_write_all([(document, rendered.docx),
                             (sidecar, output.manifest(rendered.provenance, document=document,
                                                       document_bytes=rendered.docx,
                                                       findings=rendered.recorded))])
    return sidecar


def render(source: str | Path | dict[str, Any], target: str | Path | None = None, *,
           template: str | Path | None = None, pdf: bool = False, out_dir: str | Path = DEFAULT_OUT_DIR,
           library: Library | None = None, force: bool = False) -> RenderResult:
    """Render the answer set at ``source`` to ``target`` (default ``out_dir/<slug>.docx``) plus a manifest.

    Nothing is written when the answers are invalid (InvalidAnswersError). Each file is written atomically;
    the manifest comes last, so its presence means the document beside it is complete. With ``pdf`` a PDF
    is made from the written .docx by LibreOffice (OutputError when LibreOffice is missing or fails).
    An existing document is replaced only when the engine wrote it and it is unchanged since, or with ``force``
    (output.TargetExists otherwise).
    """
    rendered = render_document(source, template=template, library=library)
    document = Path(target) if target is not None else Path(out_dir) / f"{rendered.name}.docx"
    if output.name_problem(document) is None and document.is_dir():
        document = document / f"{rendered.name}.docx"
    output.check_target(document, force=force)
    sidecar = write(rendered, document)
    pdf_path = None
    if pdf:
        pdf_path = document.with_suffix(".pdf")
        output.write_pdf(document, pdf_path)
    return RenderResult(document, sidecar, pdf_path, rendered.findings)
def compare(old: Source, new: Source, target: str | Path, *, date: str | None = None,
            template: str | Path | None = None) -> Path:
    """Write the agreement of ``new`` against that of ``old`` as tracked changes to ``target`` (.docx).

    ``date`` (YYYY-MM-DD) dates every tracked change, so identical input gives identical bytes; by
    default it is the new answer set's signing date, else its start date. Nothing is written when
    either answer set is invalid (InvalidAnswersError).
    """
    library = default_library()
    sides = [_valid(source)[0] for source in (old, new)]
    load_template(template)
    date = _revision_date(date) if date else revision_date(sides[1])
    with language(DOCUMENT_LANGUAGE):
        agreements = [assemble_valid(answers, library) for answers in sides]
        provenance = {"kind": "compare", "created": f"{date}T00:00:00Z",
                      "old": _provenance(sides[0], agreements[0], library, template),
                      "new": _provenance(sides[1], agreements[1], library, template)}
        names = tuple(f"antwoordenset {side}" if isinstance(source, dict) else Path(source).name
                      for side, source in (("A", old), ("B", new)))
        data = render_redline(*agreements, answer_changes(*sides), names=names, date=date, template=template,
                              provenance=provenance)
    output.atomic_write(Path(target), data)
    return Path(target)


def variants(topic: str, target: str | Path, source: Source | None = None, *,
             template: str | Path | None = None) -> Path:
    """Write every variant of ``topic`` side by side for the alliance of ``source`` to ``target`` (.docx).

    Without ``source`` the alliance is the founding story's example. An unknown topic is an EngineError
    that names the known ones.
    """
    library = default_library()
    answers = _valid(example_path() if source is None else source)[0]
    load_template(template)
    with language(DOCUMENT_LANGUAGE):
        found = options(answers, topic)
        agreement = assemble_valid(answers, library)
        provenance = {"kind": "variants", "topic": topic, **_provenance(answers, agreement, library, template)}
        data = render_variants(agreement, library.topics[topic], found, template=template,
                               provenance=provenance)
    output.atomic_write(Path(target), data)
    return Path(target)


def _revision_date(date: str) -> str:
    """Return ``date`` if it is a calendar date written YYYY-MM-DD; raise EngineError otherwise."""
    try:
        valid = re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) is not None and bool(dt.date.fromisoformat(date))
    except ValueError:
        valid = False
    if not valid:
        raise EngineError(_("'{date}' is geen datum als JJJJ-MM-DD").format(date=date))
    return date
