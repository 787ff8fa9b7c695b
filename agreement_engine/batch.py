"""The overnight batch: many answer sets to a folder of agreements, a report and a portfolio overview.

A batch finds its inputs (files, folders, globs), gives each a unique output name, skips those whose
document is up to date (same answers, library, template and engine, checked against the manifest), renders
the rest in N worker processes that load the library and the template once, and writes
``batch-report.json`` and ``choices.csv``. One bad or crashing input never stops the others; every file
is written atomically, so an interrupted batch leaves only whole documents and resumes where it stopped.
"""
from __future__ import annotations

import csv
import gc
import glob
import hashlib
import io
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agreement_engine import __version__, output
from agreement_engine.answers import load
from agreement_engine.api import render_document, write
from agreement_engine.errors import EngineError, InvalidAnswersError, OutputError
from agreement_engine.findings import Finding, Severity, make_finding
from agreement_engine.i18n import _
from agreement_engine.library import Library, default_library
from agreement_engine.word import template_hash

REPORT = "batch-report.json"
CHOICES = "choices.csv"
#: Statuses of one input: made now, already up to date, refused for its content, or failed to render.
RENDERED, SKIPPED, INVALID, FAILED = "rendered", "skipped", "invalid", "failed"


@dataclass
class Item:
    """One input of a batch and what became of it (one row of the report)."""

    input: str
    name: str
    status: str = ""
    output: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    choices: dict[str, str] = field(default_factory=dict)

    def report(self) -> dict[str, Any]:
        """Return the report row: the item without its choices (those go to choices.csv)."""
        row = asdict(self)
        del row["choices"]
        return row


@dataclass(frozen=True)
class Summary:
    """The outcome of a batch: every item in input order, the output folder and the wall-clock time."""

    items: list[Item]
    out_dir: Path
    seconds: float

    def count(self, status: str) -> int:
        """Return how many items ended with ``status``."""
        return sum(1 for item in self.items if item.status == status)

    @property
    def ok(self) -> bool:
        """Return whether every input has an up-to-date document."""
        return all(item.status in (RENDERED, SKIPPED) for item in self.items)


def find_inputs(patterns: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Return the answer sets named by ``patterns`` (files, folders, globs), sorted and without doubles.

    Also return the patterns that matched nothing. A folder contributes its ``*.json`` files and those of
    its subfolders; a folder or a pattern never contributes the manifests and reports a batch writes itself.
    """
    found: dict[Path, None] = {}
    unmatched = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            matches = [p for p in sorted(path.rglob("*.json")) if _answer_set_name(p)]
        elif path.is_file():
            matches = [path]
        else:
            matches = [Path(p) for p in sorted(glob.glob(pattern, recursive=True))
                       if Path(p).is_file() and _answer_set_name(Path(p))]
        if not matches:
            unmatched.append(pattern)
        for match in matches:
            found.setdefault(match, None)
    return sorted(found, key=lambda p: str(p)), unmatched


def _answer_set_name(path: Path) -> bool:
    """Return whether a file found in a folder or by a pattern may be an answer set (not a batch's own output)."""
    return not path.name.endswith(".manifest.json") and path.name != REPORT


def output_names(inputs: list[Path]) -> list[str]:
    """Return a unique output name per input: the slug of its file name, with -2, -3 for later doubles.

    >>> output_names([Path("a/Zorg.json"), Path("b/zorg.json"), Path("c/zorg-2.json")])
    ['zorg', 'zorg-2', 'zorg-2-2']
    """
    used: set[str] = set()
    names = []
    for path in inputs:
        base = output.slug(path.stem)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        names.append(name)
    return names


def _fingerprint(template: str | Path | None, library: Library) -> dict[str, str]:
    return {"engine_version": __version__, "template_sha256": template_hash(template),
            "library_sha256": library.content_hash}


def _read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def up_to_date(source: Path, document: Path, fingerprint: dict[str, str]) -> dict | None:
    """Return the manifest of ``document`` if it was made from these answers, library, template and engine.

    The document must exist with the hash the manifest records, so a document replaced or damaged since is
    made again. Return None when the document has to be (re)made.
    """
    recorded = _read_manifest(output.manifest_path(document))
    if recorded is None or any(recorded.get(key) != value for key, value in fingerprint.items()):
        return None
    answers, _ = load(source)
    if answers is None or recorded.get("answers_sha256") != output.answers_hash(answers):
        return None
    try:
        digest = hashlib.sha256(document.read_bytes()).hexdigest()
    except OSError:
        return None
    return recorded if recorded.get("document_sha256") == digest else None


def choices_of(clauses: Iterable[dict[str, Any]], library: Library) -> dict[str, str]:
    """Return topic -> chosen variant from a provenance clause list."""
    topics = {clause.id: clause.topic for clause in library.clauses if clause.topic}
    return {topics[c["id"]]: c["variant"] for c in clauses if c.get("id") in topics}


def _findings(findings: list[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]


def process(source: str, document: str, template: str | None) -> dict[str, Any]:
    """Render one answer set to ``document`` (and its manifest); return the outcome, never raise.

    Runs in a worker process; the library and the template are loaded once per process and kept.
    """
    started = time.perf_counter()
    library = default_library()
    result: dict[str, Any] = {"status": FAILED, "findings": [], "choices": {}, "output": None}
    try:
        answers, findings = load(source)
        if answers is None:
            result.update(status=INVALID, findings=_findings(findings))
        else:
            rendered = render_document(answers, template=template, library=library)
            write(rendered, Path(document))
            result.update(status=RENDERED, output=document, findings=_findings(rendered.findings),
                          choices=choices_of(rendered.provenance["clauses"], library))
    except InvalidAnswersError as exc:
        result.update(status=INVALID, findings=_findings(exc.findings))
    except EngineError as exc:
        result["findings"] = [_failure(str(exc))]
    except Exception as exc:  # noqa: BLE001 - one broken input must never stop the batch
        result["findings"] = [_failure(_("interne fout ({error})").format(error=f"{type(exc).__name__}: {exc}"))]
    result["seconds"] = round(time.perf_counter() - started, 4)
    return result


def _failure(message: str) -> dict[str, Any]:
    return {"code": "batch.failed", "severity": Severity.ERROR.value, "path": "$", "message": message}


def _worker_start() -> None:
    """Prepare a worker: leave Ctrl-C to the parent (which lets running items finish), load the library.

    A forked worker inherits the command line's SIGTERM handler, which turns the signal into Ctrl-C; a
    worker terminated by the pool (or by hand) must simply end, so the pool sees a crash and retries.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    default_library()


def _pool(jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start)


Job = tuple[int, str, str]


def _run_parallel(work: list[Job], template: str | None, jobs: int) -> Iterator[tuple[int, dict]]:
    """Yield (index, outcome) as workers finish.

    If an input crashes its worker process (and with it the pool), the inputs that were in progress are
    retried one per process, so only the culprit fails; the rest continue in a fresh pool.
    """
    in_flight: list[Job] = []
    unsent: list[Job] = []
    finished = 0
    with _pool(jobs) as pool:
        queue = iter(work)
        futures: dict[Future, Job] = {}

        def fill() -> bool:
            """Keep 2 * jobs inputs submitted; return False when the pool broke (the input goes back)."""
            while len(futures) < 2 * jobs and (job := next(queue, None)) is not None:
                try:
                    futures[pool.submit(process, job[1], job[2], template)] = job
                except BrokenProcessPool:
                    unsent.append(job)
                    return False
            return True

        intact = fill()
        while futures and intact:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                job = futures.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    in_flight.append(job)
                    continue
                finished += 1
                yield job[0], outcome
            intact = not in_flight and fill()
        in_flight.extend(futures.values())
    rest = unsent + list(queue)
    for job in sorted(in_flight):
        yield _run_alone(job, template)
    if rest and not finished and not in_flight:  # a pool that breaks before any work: do it here instead
        yield from ((index, process(source, document, template)) for index, source, document in rest)
    elif rest:
        yield from _run_parallel(rest, template, jobs)


def _run_alone(job: Job, template: str | None) -> tuple[int, dict]:
    with _pool(1) as pool:
        try:
            return job[0], pool.submit(process, job[1], job[2], template).result()
        except BrokenProcessPool:
            pass
    return job[0], {"status": FAILED, "output": None, "choices": {}, "seconds": 0.0,
                    "findings": [_failure(_("de verwerking van deze antwoordenset brak onverwacht af"))]}


@contextmanager
def _batch_memory() -> Iterator[None]:
    """Tune the garbage collector for a run of documents, in this process and the workers it forks.

    A document makes tens of thousands of short-lived objects and no cycles worth collecting early, so the
    youngest generation is collected less often; what is loaded already (library, template, compiled
    clauses) is frozen, so collections do not walk it and forked workers do not copy its pages by touching
    it. Both are undone afterwards.
    """
    thresholds = gc.get_threshold()
    frozen_by_host = gc.get_freeze_count() > 0
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_by_host:  # a program that froze its own objects keeps them frozen
            gc.unfreeze()


def remove_stale_temporaries(out_dir: Path) -> int:
    """Remove the temporary files a killed batch left in ``out_dir`` (the engine's own only); return how many.

    Two batches must not write into the same folder at the same time: one would remove the other's.
    """
    stale = [p for p in out_dir.glob(f"{output.TEMPORARY_PREFIX}*{output.TEMPORARY_SUFFIX}") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def run(patterns: Iterable[str], out_dir: str | Path, *, jobs: int | None = None, force: bool = False,
        template: str | Path | None = None,
        progress: Callable[[Item], None] | None = None) -> Summary:
    """Render every answer set named by ``patterns`` into ``out_dir``; return the summary.

    ``jobs`` worker processes (default: the machine's cores; 1 renders in this process). ``progress`` is
    called once per finished item. The report and choices.csv are written at the end, atomically.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    jobs = max(1, jobs or os.cpu_count() or 1)
    template = str(template) if template is not None else None
    library = default_library()
    fingerprint = _fingerprint(template, library)
    inputs, unmatched = find_inputs(patterns)
    items = [Item(str(pattern), "", status=INVALID,
                  findings=[make_finding("input.missing", "$", file=pattern).to_dict()])
             for pattern in unmatched]
    if inputs:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(_("{folder}: de uitvoermap kan niet worden gemaakt: {reason}").format(
                folder=out_dir, reason=output.reason(exc))) from exc
        remove_stale_temporaries(out_dir)
    work = []
    for path, name in zip(inputs, output_names(inputs)):
        item = Item(str(path), name)
        items.append(item)
        document = out_dir / f"{name}.docx"
        recorded = None if force else up_to_date(path, document, fingerprint)
        if recorded is not None:
            item.status, item.output = SKIPPED, str(document)
            item.findings = recorded.get("findings", [])
            item.choices = choices_of(recorded.get("clauses", []), library)
            if progress:
                progress(item)
        else:
            work.append((len(items) - 1, str(path), str(document)))
    with _batch_memory():
        outcomes = (((index, process(source, document, template)) for index, source, document in work)
                    if jobs == 1 or len(work) <= 1 else _run_parallel(work, template, jobs))
        for index, outcome in outcomes:
            item = items[index]
            item.status, item.output = outcome["status"], outcome["output"]
            item.findings, item.seconds, item.choices = outcome["findings"], outcome["seconds"], outcome["choices"]
            if progress:
                progress(item)
    summary = Summary(items, out_dir, round(time.perf_counter() - started, 3))
    if inputs:
        output.atomic_write(out_dir / REPORT, report(summary))
        output.atomic_write(out_dir / CHOICES, choices_csv(summary, library))
    return summary


def report(summary: Summary) -> bytes:
    """Return ``batch-report.json``: the counts, and per input its status, output, findings and time."""
    content = {
        "engine_version": __version__,
        "seconds": summary.seconds,
        "counts": {status: summary.count(status) for status in (RENDERED, SKIPPED, INVALID, FAILED)},
        "items": [item.report() for item in summary.items],
    }
    # a file name that is not UTF-8 (kept by Python as surrogates) is written as \udcXX, not refused
    return (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode("utf-8", "backslashreplace")


def choices_csv(summary: Summary, library: Library) -> bytes:
    """Return ``choices.csv``: one row per alliance with a document, one column per topic of the library.

    A cell holds the variant chosen for that topic (empty when the agreement has no such clause). The file
    is UTF-8 with a byte-order mark and CRLF line ends, so that Excel opens it with the accents intact.
    """
    topics = list(library.topics)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["invoer", "document", *(f"{library.topics[t]} ({t})" for t in topics)])
    for item in summary.items:
        if item.status in (RENDERED, SKIPPED):
            writer.writerow([item.input, Path(item.output or "").name, *(item.choices.get(t, "") for t in topics)])
    return buffer.getvalue().encode("utf-8-sig", "backslashreplace")
