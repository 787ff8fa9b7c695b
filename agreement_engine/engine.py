"""The Engine: one object that holds a library, a template and two languages and runs the pipeline with them.

Like Jinja's ``Environment``, an Engine is made once and then asked many times: it loads its clause library and
its Word template once, compiles every clause text once, and reads and validates each answer set once, however
many steps then use it (``compare`` validates its two answer sets once each, ``variants`` its one). The module
functions of :mod:`agreement_engine.api` are this class with the installed library and template.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager

from agreement_engine import lazy
from agreement_engine.answers import load, normalize
from agreement_engine.assemble import Prepared, assemble_valid, prepare
from agreement_engine.comfort import ComfortReport
from agreement_engine.comfort import check_findings as check_comfort
from agreement_engine.comfort import evaluate as evaluate_comfort
from agreement_engine.errors import EngineError, InvalidAnswersError
from agreement_engine.findings import Finding, has_errors
from agreement_engine.i18n import _, language
from agreement_engine.library import DirectoryLoader, Library, LibraryLoader, default_library, using_library
from agreement_engine.model import Agreement
from agreement_engine.resources import example_path, using_schema
from agreement_engine.templating import Templates
from agreement_engine.validate import validate, with_more

if TYPE_CHECKING:
    from agreement_engine.comfort_solve import SolveResult
    from agreement_engine.consequences import Consequences, Scenario
    from agreement_engine.word.template import HouseTemplate

# Loaded when a method first needs them, so that checking an answer set loads no Word code.
comfort_solve = lazy.module("agreement_engine.comfort_solve")
output = lazy.module("agreement_engine.output")  # writing files (subprocess, shutil): not for check
compare_stage = lazy.module("agreement_engine.compare")
consequences_stage = lazy.module("agreement_engine.consequences")
variant_options = lazy.module("agreement_engine.variant_options")
word = lazy.module("agreement_engine.word")
brief_page = lazy.module("agreement_engine.word.brief")
comfort_page = lazy.module("agreement_engine.word.comfort_page")
reader = lazy.module("agreement_engine.word.reader")
redline = lazy.module("agreement_engine.word.redline")
word_template = lazy.module("agreement_engine.word.template")
variants_page = lazy.module("agreement_engine.word.variants_page")

#: The language of everything written into a document or a manifest, whatever the command line speaks.
DOCUMENT_LANGUAGE = "nl"

#: Where ``render`` writes when no output path is given (relative to the working folder).
DEFAULT_OUT_DIR = Path("output")


@dataclass(frozen=True)
class Checked:
    """An answer set read and validated once: where it came from, the answers (None: unreadable), the findings.

    ``work`` keeps what an engine made of the answers (normalized, laid out, comfort evaluated) for the steps after
    the check; it is not part of the value, and it is used only while the answers are still what they were (see
    :meth:`Engine.prepared`).
    """

    source: str | Path | dict[str, Any]
    answers: dict[str, Any] | None
    findings: list[Finding]
    work: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and copy the checked answer set without ``work`` (it holds the engine)."""
        return {**self.__dict__, "work": {}}

    @property
    def valid(self) -> bool:
        """Return whether the answers can be assembled: read, and without a finding of severity error."""
        return self.answers is not None and not has_errors(self.findings)

    @property
    def name(self) -> str:
        """Return the file name of the answer set, or "antwoordenset" for one given as a dict."""
        return _("antwoordenset") if isinstance(self.source, dict) else Path(self.source).name


Source = str | Path | dict[str, Any] | Checked


@dataclass(frozen=True)
class Rendered:
    """One agreement rendered in memory: its default name, the .docx bytes, provenance and findings.

    ``findings`` speak the current language (to show); ``recorded`` are the same findings in the document's
    language, as plain data for the manifest, so that what is written never depends on the command line.
    ``articles`` is what the document says per article, for the manifest (see ``explain``).
    """

    name: str
    docx: bytes
    provenance: dict[str, Any]
    findings: list[Finding]
    recorded: list[dict[str, Any]]
    articles: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class RenderResult:
    """What ``render`` wrote: the .docx, its manifest, the PDF if asked, and the non-blocking findings.

    ``kept`` is the copy of an edited document that ``force`` replaced (``<name>.edited-<n>.docx``).
    """

    document: Path
    manifest: Path
    pdf: Path | None
    findings: list[Finding]
    kept: Path | None = None


class Engine:
    """Check, assemble and render answer sets with one clause library, one Word template and two languages.

    ``library`` is a :class:`~agreement_engine.library.Library`, a loader, or a folder (default: the installed
    library); ``template`` a .docx (default: the house template). ``document_language`` is the language of
    what is written into a document and its manifest; ``interface_language`` the language of findings and
    messages (default: whatever :mod:`agreement_engine.i18n` speaks at the moment of the call).

    A library that carries its own answer-set schema (``schemas/answer-set.schema.json`` in its folder) is
    checked, assembled and rendered with that schema: a section it adds is validated, filled with its defaults
    and available to the clauses, without a change to the engine.
    """

    def __init__(self, library: Library | LibraryLoader | str | Path | None = None,
                 template: str | Path | None = None, *, document_language: str = DOCUMENT_LANGUAGE,
                 interface_language: str | None = None, toc: bool | None = None) -> None:
        if isinstance(library, str | Path):
            library = DirectoryLoader(library)
        self._library_source = library
        self._library = library if isinstance(library, Library) else None
        self.template = template
        self._house: HouseTemplate | None = None
        self.document_language = document_language
        self.interface_language = interface_language
        #: A table of contents in rendered agreements: True always, False never, None above a page count.
        self.toc = toc
        #: Every clause text compiled once for this engine, per document language.
        self.templates: dict[str, Templates] = {}

    # --- what the engine holds ---------------------------------------------------------------------------

    @property
    def library(self) -> Library:
        """Return the clause library, loaded on first use (LibraryError when it is broken)."""
        if self._library is None:
            source = self._library_source
            self._library = default_library() if source is None else source.load()
        return self._library

    @property
    def house(self) -> HouseTemplate:
        """Return the Word template, read and compiled on first use (TemplateError when it is broken)."""
        if self._house is None:
            with self._interface_language():
                self._house = word_template.load_template(self.template)
        return self._house

    def topics(self) -> list[str]:
        """Return the topics that have a clause in this engine's library."""
        return variant_options.topics(self.library)

    def _interface_language(self) -> ContextManager[None]:
        return language(self.interface_language) if self.interface_language else nullcontext()

    @contextmanager
    def _speaking(self) -> Iterator[None]:
        """Speak the interface language, with the library's answer-set schema in use."""
        with using_schema(self.library.answer_schema), using_library(self.library), self._interface_language():
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Load the template in the interface language (its errors are the caller's), then write the document's,
        with the library's answer-set schema in use."""
        self.house  # noqa: B018 - a broken template is reported in the language of the caller
        with using_schema(self.library.answer_schema), using_library(self.library), language(self.document_language):
            yield

    # --- the pipeline ------------------------------------------------------------------------------------

    def read(self, source: Source) -> Checked:
        """Read and validate the answer set at ``source`` (a path or a dict); a Checked one is returned as is."""
        if isinstance(source, Checked):
            return source
        with self._speaking():
            answers, findings = (source, []) if isinstance(source, dict) else load(source)
            checked = Checked(source, answers, findings)
            if answers is not None:
                findings = validate(answers)
                checked = Checked(source, answers, findings)
                if isinstance(answers, dict):
                    more = check_comfort(answers, findings, self.library, report=lambda: self._comfort(checked))
                    checked = replace(checked, findings=with_more(findings, more))  # the same work
            return checked

    def prepared(self, checked: Checked) -> Prepared:
        """Return the answers of a valid ``checked`` made ready to assemble with this engine, made once and kept in
        ``checked.work``.

        What is kept is used only by this engine and only while the answers are what they were when it was made:
        an exact copy of them (pickled: types, order, every value) is compared first. An answer set that cannot
        be copied that way is prepared anew each time.
        """
        fingerprint = _fingerprint(checked.answers)
        kept = checked.work.get("prepared")
        if kept is not None and kept[0] is self and kept[1] == fingerprint:
            return kept[2]
        made = prepare(checked.answers, self.library, compiled=self.templates)
        if fingerprint is not None:
            checked.work["prepared"] = (self, fingerprint, made)
        return made

    def _comfort(self, checked: Checked) -> ComfortReport:
        """Return the comfort report of a valid ``checked``, made once per preparation and kept with it."""
        prepared = self.prepared(checked)
        kept = checked.work.get("comfort")
        if kept is not None and kept[0] is prepared:
            return kept[1]
        report = evaluate_comfort(checked.answers, self.library, compiled=self.templates, prepared=prepared)
        checked.work["comfort"] = (prepared, report)
        return report

    def _valid(self, source: Source) -> Checked:
        """Return the checked answer set at ``source``; raise InvalidAnswersError when it has errors."""
        checked = self.read(source)
        if not checked.valid:
            raise InvalidAnswersError(checked.findings)
        return checked

    def check(self, source: Source) -> list[Finding]:
        """Return every finding for the answer set at ``source`` (a path) or ``source`` itself (a dict)."""
        return self.read(source).findings

    def assemble(self, source: Source) -> Agreement:
        """Return the Agreement for the answer set at ``source``; raise InvalidAnswersError when invalid."""
        checked = self._valid(source)
        with self._speaking():
            return assemble_valid(checked.answers, self.library, compiled=self.templates,
                                  prepared=self.prepared(checked))

    def _provenance(self, answers: dict[str, Any], agreement: Agreement) -> dict[str, Any]:
        return output.provenance(agreement, answers_sha256=output.answers_hash(answers), library=self.library,
                                 template_sha256=word.template_hash(self.house))

    def render_document(self, source: Source) -> Rendered:
        """Validate, assemble and render the answer set at ``source`` in memory; raise InvalidAnswersError."""
        checked = self._valid(source)
        answers, findings = checked.answers, checked.findings
        with self._writing():
            agreement = assemble_valid(answers, self.library, compiled=self.templates, prepared=self.prepared(checked))
            origin = self._provenance(answers, agreement)
            data = word.render_docx(agreement, self.house, provenance=origin, toc=self.toc)
            articles = reader.written_articles(agreement)
        return Rendered(output.output_name(answers), data, origin, findings,
                        [f.to_dict(self.document_language) for f in findings], articles)

    def render(self, source: Source, target: str | Path | None = None, *, pdf: bool = False,
               out_dir: str | Path = DEFAULT_OUT_DIR, force: bool = False) -> RenderResult:
        """Render the answer set at ``source`` to ``target`` (default ``out_dir/<slug>.docx``) plus a manifest.

        A ``target`` that ends in a slash or is an existing folder is a folder: ``<slug>.docx`` goes in it, and a
        folder that does not exist yet is made.

        Nothing is written when the answers are invalid (InvalidAnswersError). Each file is written atomically;
        the manifest comes last, so its presence means the document beside it is complete. With ``pdf`` a PDF
        is made from the written .docx by LibreOffice (OutputError when LibreOffice is missing or fails).
        An existing document is replaced only when the engine wrote it and it is unchanged since, or with
        ``force`` (output.TargetExists otherwise), which first keeps an edited one as ``<name>.edited-<n>.docx``.
        """
        rendered = self.render_document(source)
        if target is None or output.names_folder(target):  # a folder that does not exist yet is made
            document = Path(out_dir if target is None else target) / f"{rendered.name}.docx"
        else:
            document = Path(target)
        output.check_target(document, force=force, data=rendered.docx)
        kept = output.keep_copy(document) if force and output.edited(document, rendered.docx) else None
        sidecar = write(rendered, document)
        pdf_path = None
        if pdf:
            pdf_path = document.with_suffix(".pdf")
            output.write_pdf(document, pdf_path)
        return RenderResult(document, sidecar, pdf_path, rendered.findings, kept)

    def compare(self, old: Source, new: Source, target: str | Path, *, date: str | None = None) -> Path:
        """Write the agreement of ``new`` against that of ``old`` as tracked changes to ``target`` (.docx).

        ``date`` (YYYY-MM-DD) dates every tracked change, so identical input gives identical bytes; by
        default it is the new answer set's signing date, else its start date. Nothing is written when
        either answer set is invalid (InvalidAnswersError).
        """
        sides = [self._valid(source) for source in (old, new)]
        answers = [side.answers for side in sides]
        self.house  # noqa: B018 - a broken template is reported before a wrong date, in the caller's language
        with self._speaking():
            date = _revision_date(date) if date else compare_stage.revision_date(answers[1])
        with self._writing():
            agreements = [assemble_valid(side.answers, self.library, compiled=self.templates,
                                         prepared=self.prepared(side)) for side in sides]
            provenance = {"kind": "compare", "created": f"{date}T00:00:00Z",
                          "old": self._provenance(answers[0], agreements[0]),
                          "new": self._provenance(answers[1], agreements[1])}
            phrase = agreements[1].phrases.text  # the redline speaks the language of the new agreement
            names = tuple(phrase("redline.answer_set", name=name) if isinstance(side.source, dict)
                          else Path(side.source).name for name, side in (("A", sides[0]), ("B", sides[1])))
            data = redline.render_redline(*agreements, compare_stage.answer_changes(*answers), names=names, date=date,
                                  template=self.house, provenance=provenance)
        output.atomic_write(Path(target), data)
        return Path(target)

    def variants(self, topic: str, target: str | Path, source: Source | None = None) -> Path:
        """Write every variant of ``topic`` side by side for the alliance of ``source`` to ``target`` (.docx).

        Without ``source`` the alliance is the founding story's example. An unknown topic is an EngineError
        that names the known ones.
        """
        checked = self._valid(example_path() if source is None else source)
        answers = checked.answers
        with self._writing():
            found = variant_options.options(answers, topic, self.library, compiled=self.templates)
            agreement = next((option.agreement for option in found if option.chosen), None) \
                or assemble_valid(answers, self.library, compiled=self.templates,
                                  prepared=self.prepared(checked))  # no variant applies here
            provenance = {"kind": "variants", "topic": topic, **self._provenance(answers, agreement)}
            data = variants_page.render_variants(agreement, self.library.topics[topic], found, template=self.house,
                                                 provenance=provenance,
                                                 comfort_met=self._musts_met if answers.get("comfort") else None)
        output.atomic_write(Path(target), data)
        return Path(target)

    def _musts_met(self, answers: dict) -> dict[str, bool]:
        """Return per party with comfort needs whether every must of it is met by ``answers`` (a variant's)."""
        try:
            report = evaluate_comfort(answers, self.library, compiled=self.templates)
        except EngineError:
            return {}  # a variant this library cannot assemble for the alliance says why in its own column
        return {p.id: all(n.met for n in p.needs if n.priority == "must") for p in report.parties if p.needs}

    def consequences(self, source: Source, scenario: Scenario | None = None) -> Consequences:
        """Return per party what the choices of the answer set at ``source`` mean for it, today and per variant."""
        return consequences_stage.consequences(self._valid(source).answers, scenario)

    def brief(self, source: Source, target: str | Path, scenario: Scenario | None = None) -> Path:
        """Write the board brief of the answer set at ``source`` to ``target`` (.docx): per party, in euros,
        what the choices mean for it. Nothing is written when the answers are invalid (InvalidAnswersError)."""
        checked = self._valid(source)
        answers = checked.answers
        with self._writing():
            agreement = assemble_valid(answers, self.library, compiled=self.templates, prepared=self.prepared(checked))
            result = consequences_stage.consequences(answers, scenario)
            provenance = {"kind": "consequences", **self._provenance(answers, agreement)}
            data = brief_page.render_brief(agreement, normalize(answers, agreement.phrases), result, template=self.house,
                                provenance=provenance)
        output.atomic_write(Path(target), data)
        return Path(target)

    def comfort(self, source: Source) -> ComfortReport:
        """Return every party's comfort for the answer set at ``source``: per need met or not, and where.

        Raise InvalidAnswersError when the answers have errors.
        """
        checked = self._valid(source)
        with self._writing():
            return self._comfort(checked)

    def comfort_overview(self, source: Source, target: str | Path) -> Path:
        """Write the comfort overview of the answer set at ``source`` to ``target`` (.docx)."""
        checked = self._valid(source)
        answers = checked.answers
        with self._writing():
            report = self._comfort(checked)
            agreement = assemble_valid(answers, self.library, compiled=self.templates, prepared=self.prepared(checked))
            provenance = {"kind": "comfort", **self._provenance(answers, agreement)}
            data = comfort_page.render_comfort(agreement, report, template=self.house, provenance=provenance)
        output.atomic_write(Path(target), data)
        return Path(target)

    def solve_comfort(self, source: Source, *, limit: int = 3) -> SolveResult:
        """Return the closest answer sets that meet every party's musts, or the needs that cannot hold together."""
        answers = self._valid(source).answers
        with self._speaking():
            return comfort_solve.solve(answers, self.library, limit=limit)


def write(rendered: Rendered, document: Path) -> Path:
    """Write ``rendered`` to ``document`` and its manifest beside it, each atomically; return the manifest.

    Both are on disk before either is renamed into place, the manifest last, so a manifest whose document
    hash matches means a complete document, and a failure (full disk, a name too long) leaves neither.
    """
    sidecar = output.manifest_path(document)
    output.atomic_write_all([(document, rendered.docx),
                             (sidecar, output.manifest(rendered.provenance, document=document,
                                                       document_bytes=rendered.docx,
                                                       findings=rendered.recorded, articles=rendered.articles))])
    return sidecar


def _fingerprint(answers: dict[str, Any]) -> bytes | None:
    """Return an exact copy of ``answers`` as bytes (equal bytes: equal values, types and order), or None."""
    try:
        return pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a value pickle cannot copy: no fingerprint, nothing kept
        return None


def _revision_date(date: str) -> str:
    """Return ``date`` if it is a calendar date written YYYY-MM-DD; raise EngineError otherwise."""
    try:
        valid = re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) is not None and bool(dt.date.fromisoformat(date))
    except ValueError:
        valid = False
    if not valid:
        raise EngineError(_("'{date}' is geen datum als JJJJ-MM-DD").format(date=date))
    return date
