"""The overnight batch: many answer sets to a folder of agreements, a report and a portfolio overview.

A batch finds its inputs (files, folders, globs), gives each a unique output name, skips those whose
document is up to date (same answers, library, template and engine, checked against the manifest), renders
the rest in N worker processes that load the library and the template once, and writes
a report per run (``batch-report-<time>.json`` and the morning report ``batch-report-<time>.xlsx``, the
latest also as ``batch-report.json`` and ``batch-report.xlsx``) and ``choices.csv``. A portfolio workbook
(.xlsx, see :mod:`agreement_engine.portfolio`) is an input too: each of its alliances is one answer set. One bad or crashing input never stops the others; every file is written atomically, so an
interrupted batch leaves only whole documents and resumes where it stopped. The workers never outlive the
batch: they die with it on any signal, ``kill -9`` included.
"""
from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import gc
import glob
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agreement_engine import morning, output, portfolio
from agreement_engine.version import __version__
from agreement_engine.answers import load
from agreement_engine.api import DOCUMENT_LANGUAGE, render_document, write
from agreement_engine.errors import EngineError, InvalidAnswersError, OutputError
from agreement_engine.files import kind_of
from agreement_engine.findings import Finding, Severity, make_finding
from agreement_engine.i18n import N_, _, get_language, language
from agreement_engine.library import Library, default_library
from agreement_engine.portfolio import cell_of
from agreement_engine.word import template_hash

try:
    import fcntl
except ImportError:  # Windows: no locks on temporary files, so a cleanup there may remove a live one
    fcntl = None  # type: ignore[assignment]

#: The report of the latest run; every run also keeps its own, named after its start (UTC, to the microsecond).
REPORT = "batch-report.json"
RUN_REPORT_PREFIX, RUN_REPORT_FORMAT = "batch-report-", "%Y%m%d-%H%M%S-%f"
#: The morning report of the latest run (a workbook with a row per alliance); every run keeps its own too.
MORNING_REPORT = "batch-report.xlsx"
#: A portfolio workbook given as input: its alliances are answer sets.
WORKBOOK_SUFFIX = ".xlsx"
#: The report speaks the language of the documents and manifests, whatever the command line speaks.
REPORT_LANGUAGE = DOCUMENT_LANGUAGE
CHOICES = "choices.csv"
#: The separator of choices.csv: Dutch Excel expects a semicolon (the comma is the decimal sign there).
CSV_SEPARATOR = ";"
#: Statuses of one input: made now, already up to date, refused for its content, failed to render, or left
#: alone because its document was edited by hand since the engine wrote it (``--force`` keeps a copy and redoes it).
RENDERED, SKIPPED, INVALID, FAILED, EDITED = "rendered", "skipped", "invalid", "failed", "edited"
STATUSES = (RENDERED, SKIPPED, INVALID, FAILED, EDITED)
#: A status in words (message ids).
STATUS_WORDS = {RENDERED: N_("gemaakt"), SKIPPED: N_("overgeslagen (actueel)"), INVALID: N_("ongeldig"),
                FAILED: N_("mislukt"), EDITED: N_("bewerkt (blijft staan)")}


#: Worker processes beyond twice the processor cores only cost memory: rendering keeps a core busy.
JOBS_PER_CORE = 2


@dataclass
class BatchItem:
    """One input of a batch and what became of it (one row of the report).

    ``findings`` speak the language of the command line (to show); ``recorded`` are the same findings in
    the report's language (Dutch), as the report and the manifests hold them. ``kept`` is the copy of an
    edited document that ``--force`` made before replacing it. ``alliance`` is the name of the alliance, when
    the input has one.
    """

    input: str
    name: str
    status: str = ""
    output: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    choices: dict[str, str] = field(default_factory=dict)
    recorded: list[dict[str, Any]] = field(default_factory=list)
    kept: str | None = None
    alliance: str = ""

    def report(self) -> dict[str, Any]:
        """Return the report row: the item with its findings in Dutch, without its choices (see choices.csv);
        ``kept`` only when a copy was kept."""
        row = asdict(self)
        del row["choices"]
        row["findings"] = row.pop("recorded")
        if row["kept"] is None:
            del row["kept"]
        return row


@dataclass(frozen=True)
class Summary:
    """The outcome of a batch: every item in input order, the output folder and the wall-clock time.

    ``jobs`` is the number of worker processes used; ``report`` (this run's report), ``morning`` (this run's
    morning report) and ``choices`` are the files written, and ``problems`` says what could not be written,
    in the command line's language.
    """

    items: list[BatchItem]
    out_dir: Path
    seconds: float
    jobs: int = 1
    report: Path | None = None
    choices: Path | None = None
    problems: list[str] = field(default_factory=list)
    morning: Path | None = None

    def count(self, status: str) -> int:
        """Return how many items ended with ``status``."""
        return sum(1 for item in self.items if item.status == status)

    @property
    def ok(self) -> bool:
        """Return whether every input has an up-to-date document."""
        return all(item.status in (RENDERED, SKIPPED) for item in self.items)


@dataclass(frozen=True)
class Inputs:
    """What the patterns of a batch name: answer-set files (each once), patterns that matched nothing, and
    the paths that are no regular file (a pipe, a device, a socket), each with what it is."""

    files: list[Path]
    unmatched: list[str]
    special: list[tuple[str, str]]


def find_inputs(patterns: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Return the answer sets named by ``patterns`` (files, folders, globs), sorted and without doubles.

    Also return the patterns that matched nothing. See :func:`scan_inputs`, which also says what is refused.
    """
    found = scan_inputs(patterns)
    return found.files, found.unmatched


def scan_inputs(patterns: Iterable[str]) -> Inputs:
    """Return the inputs named by ``patterns`` (files, folders, globs).

    A folder contributes its ``*.json`` files and those of its subfolders; a portfolio workbook (``.xlsx``)
    is taken when it is named, by itself or by a pattern. A folder or a pattern never contributes the
    manifests and reports a batch writes itself. Symbolic links to folders are not followed
    inside a folder or a ``**`` pattern (a link loop would otherwise repeat the same files), and one file is
    taken once however it is named (``..``, a symbolic link): the first name it is given counts (patterns
    in order, the files of a folder or pattern sorted). Only regular files are read; a pipe, device or
    socket is listed in ``special`` without being opened (a pipe would make the batch wait for ever).
    """
    found: dict[str, Path] = {}
    special: dict[str, tuple[str, str]] = {}
    unmatched = []
    for pattern in patterns:
        path = Path(pattern)
        mode = _mode(path)
        if mode is not None and stat.S_ISDIR(mode):
            matches = [p for p in path.rglob("*.json") if _answer_set_name(p)]
        elif mode is not None:
            matches = [path]
        else:
            matches = [p for p in _glob(pattern) if _answer_set_name(p)]
        matches = [p for p in matches if not _is_folder(p)]
        if not matches:
            unmatched.append(pattern)
        for match in sorted(matches, key=str):
            key = os.path.realpath(match)
            kind = _special_kind(match)
            if kind is None:
                found.setdefault(key, match)
            else:
                special.setdefault(key, (str(match), kind))
    return Inputs(sorted(found.values(), key=str), unmatched, sorted(special.values()))


def _mode(path: Path) -> int | None:
    """Return the file mode of what ``path`` names (links followed), or None when there is nothing."""
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return None


def _is_folder(path: Path) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def _special_kind(path: Path) -> str | None:
    """Return what ``path`` is when it is not a regular file ("een pijp (FIFO)"), or None for a regular file.

    A dangling link or an unreadable entry is left to the reader, which says why it cannot be read.
    """
    mode = _mode(path)
    if mode is None or stat.S_ISREG(mode):
        return None
    return kind_of(mode)


def _glob(pattern: str) -> list[Path]:
    """Return what ``pattern`` matches; ``**`` descends into subfolders but never through a symbolic link.

    (``glob.glob`` follows links, so a link to its own folder gave one file 41 times.)
    """
    path = Path(pattern)
    anchor = Path(path.anchor) if path.is_absolute() else Path(".")
    relative = str(path.relative_to(path.anchor)) if path.is_absolute() else pattern
    try:
        return list(anchor.glob(relative)) if relative not in ("", ".") else []
    except (ValueError, NotImplementedError):  # a pattern pathlib refuses ("a**b"): glob reads it as "a*b"
        return [Path(p) for p in glob.glob(pattern)]
    except OSError:
        return []


def _answer_set_name(path: Path) -> bool:
    """Return whether a file found in a folder or by a pattern may be an answer set (not a batch's own output)."""
    name = path.name
    return not (name.endswith(".manifest.json") or name in (REPORT, MORNING_REPORT)
                or (name.startswith(RUN_REPORT_PREFIX) and name.endswith((".json", WORKBOOK_SUFFIX))))


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


def up_to_date(source: Path | dict, document: Path, fingerprint: dict[str, str]) -> dict | None:
    """Return the manifest of ``document`` if it was made from these answers, library, template and engine.

    ``source`` is the answer set's file or the answer set itself (an alliance of a workbook). The document
    must exist with the hash the manifest records, so a document replaced or damaged since is made again.
    Return None when the document has to be (re)made.
    """
    recorded = output.unchanged_manifest(document)
    if recorded is None or any(recorded.get(key) != value for key, value in fingerprint.items()):
        return None
    answers, _ = (source, []) if isinstance(source, dict) else load(source)
    if answers is None or recorded.get("answers_sha256") != output.answers_hash(answers):
        return None
    return recorded


def choices_of(clauses: Iterable[dict[str, Any]], library: Library) -> dict[str, str]:
    """Return topic -> chosen variant from a provenance clause list."""
    topics = {clause.id: clause.topic for clause in library.clauses if clause.topic}
    return {topics[c["id"]]: c["variant"] for c in clauses if c.get("id") in topics}


def _findings(findings: list[Finding], language: str | None = None) -> list[dict[str, Any]]:
    return [f.to_dict(language) for f in findings]


def process(source: str | dict, document: str, template: str | None, force: bool = False) -> dict[str, Any]:
    """Render one answer set (a file, or the answers themselves) to ``document``; return the outcome, never raise.

    A document edited by hand since the engine wrote it is left alone (status ``edited``), unless ``force``:
    then it is first kept as ``<name>.edited-<n>.docx``. Runs in a worker process; the library and the
    template are loaded once per process and kept. The outcome's ``findings`` speak the current language, its
    ``recorded`` findings the report's (Dutch).
    """
    started = time.perf_counter()
    result = _attempt(source, document, template, force)
    if get_language() == REPORT_LANGUAGE or "recorded" in result:
        result.setdefault("recorded", result["findings"])
    else:  # a failure's message once more, in Dutch (nothing was written, so this writes at most what was due)
        with language(REPORT_LANGUAGE):
            dutch = _attempt(source, document, template, force)
        if dutch["status"] == RENDERED:
            result = dutch  # a write that failed and then succeeded: the document is there now
        result["recorded"] = dutch.get("recorded", dutch["findings"])
    result["seconds"] = round(time.perf_counter() - started, 4)
    return result


def alliance_name(answers: Any) -> str:
    """Return the name of the alliance of an answer set, or "" when it has none."""
    alliance = answers.get("alliance") if isinstance(answers, dict) else None
    name = alliance.get("name") if isinstance(alliance, dict) else None
    return " ".join(name.split()) if isinstance(name, str) else ""


def _attempt(source: str | dict, document: str, template: str | None, force: bool = False) -> dict[str, Any]:
    library = default_library()
    result: dict[str, Any] = {"status": FAILED, "findings": [], "choices": {}, "output": None, "kept": None}
    try:
        answers, findings = (source, []) if isinstance(source, dict) else load(source)
        result["alliance"] = alliance_name(answers)
        if answers is None:
            result.update(status=INVALID, findings=_findings(findings),
                          recorded=_findings(findings, REPORT_LANGUAGE))
        else:
            rendered = render_document(answers, template=template, library=library)
            _exit_if_orphaned()
            if output.edited(Path(document), rendered.docx):
                if not force:
                    result.update(status=EDITED, output=document, findings=[_edited(document)])
                    with language(REPORT_LANGUAGE):
                        result["recorded"] = [_edited(document)]
                    return result
                result["kept"] = str(output.keep_copy(Path(document)))
            write(rendered, Path(document))
            result.update(status=RENDERED, output=document, findings=_findings(rendered.findings),
                          recorded=rendered.recorded, choices=choices_of(rendered.provenance["clauses"], library))
    except InvalidAnswersError as exc:
        result.update(status=INVALID, findings=_findings(exc.findings),
                      recorded=_findings(exc.findings, REPORT_LANGUAGE))
    except EngineError as exc:
        result["findings"] = [_failure(str(exc))]
    except Exception as exc:  # noqa: BLE001 - one broken input must never stop the batch
        result["findings"] = [_failure(_("interne fout ({error})").format(error=f"{type(exc).__name__}: {exc}"))]
    return result


def _failure(message: str, code: str = "batch.failed") -> dict[str, Any]:
    return {"code": code, "severity": Severity.ERROR.value, "path": "$", "message": message}


def _edited(document: str) -> dict[str, Any]:
    """Return the finding of a document left alone because it was edited since the engine wrote it."""
    path = Path(document)
    copy = output.EDITED_COPY.format(stem=path.stem, n=1, suffix=path.suffix)
    return {"code": "batch.edited", "severity": Severity.WARNING.value, "path": "$",
            "message": _("{file} is bewerkt sinds de engine het schreef en blijft staan; --force bewaart het als "
                         "{copy} en maakt het opnieuw").format(file=path.name, copy=copy)}


#: In a worker: the process id of the batch that started it (None in the batch itself).
_parent: int | None = None
#: prctl(2) option: the signal the kernel sends this process when the thread that made it ends.
_PR_SET_PDEATHSIG = 1


def _worker_start(parent: int) -> None:
    """Prepare a worker: die with the batch, leave Ctrl-C to the batch, load the library.

    The batch ends its workers itself on SIGINT, SIGTERM and SIGHUP; should it be killed (``kill -9``) the
    kernel ends them (Linux: PR_SET_PDEATHSIG), and elsewhere a watchdog thread does as soon as it notices.
    If the batch died before the worker got this far, the worker ends at once. A forked worker inherits the
    batch's signal handlers, which turn the signal into Ctrl-C; a worker terminated by the pool (or by hand)
    must simply end, so the pool sees a crash and retries.
    """
    global _parent
    _parent = parent
    if not _kernel_ends_us_with_parent():
        threading.Thread(target=_watch_parent, name="batch-watchdog", daemon=True).start()
    _exit_if_orphaned()  # the parent died before the kernel was told: nobody would end this worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # a signal the batch ignores (nohup) the worker ignores too
        if hasattr(signal, name) and signal.getsignal(getattr(signal, name)) is not signal.SIG_IGN:
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    default_library()


def _kernel_ends_us_with_parent() -> bool:
    """Ask the kernel to kill this process when its parent ends (Linux); return whether it agreed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _exit_if_orphaned() -> None:
    """End this worker at once when the batch that started it is gone; it must write nothing more."""
    if _parent is not None and os.getppid() != _parent:
        os._exit(1)


def _watch_parent() -> None:
    while True:
        _exit_if_orphaned()
        time.sleep(0.5)


def _pool(jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start,
                               initargs=(os.getpid(),))


@contextmanager
def _workers(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """Run a pool of ``jobs`` workers; on any interruption end them at once instead of waiting for them.

    Waiting would let them write on after the batch was stopped, and wait for ever on one that hangs.
    """
    pool = _pool(jobs)
    try:
        yield pool
        pool.shutdown(wait=True)
    except BaseException:
        _terminate(pool)
        raise


def _terminate(pool: ProcessPoolExecutor) -> None:
    """End every worker of ``pool`` now (SIGTERM, then SIGKILL for any still there after 5 seconds)."""
    blocked = _block_signals()
    try:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process_ in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process_.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        sentinels = {}
        for process_ in processes:
            with contextlib.suppress(ValueError, AttributeError):
                sentinels[process_.sentinel] = process_
        deadline = time.monotonic() + 5
        while sentinels and (left := deadline - time.monotonic()) > 0:
            for ready in multiprocessing.connection.wait(list(sentinels), left):
                sentinels.pop(ready)
        for process_ in sentinels.values():  # not ended yet, so its process id is still its own
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process_.kill()
        # Let the pool's manager thread finish closing its wake-up pipe now that its workers are gone. Left
        # running, it races the interpreter's exit hook of concurrent.futures, which then writes to the pipe
        # being closed and prints a traceback ("Bad file descriptor") after "batch afgebroken".
        manager = getattr(pool, "_executor_manager_thread", None)
        if manager is not None and manager.is_alive():
            manager.join(timeout=5)
    finally:
        _unblock_signals(blocked)


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _block_signals() -> set | None:
    """Hold back a second Ctrl-C or SIGTERM while the workers are ended, so none is left behind."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


def _unblock_signals(previous: set | None) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Interrupted(KeyboardInterrupt):
    """Raised in the batch when SIGTERM or SIGHUP asks it to stop (Ctrl-C raises KeyboardInterrupt)."""


def _stop(signum: int, _frame) -> None:
    raise Interrupted(signum)


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into Interrupted while the batch runs (in the main thread only).

    A signal that is ignored stays ignored: a batch started with ``nohup`` survives closing the terminal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [name for name in ("SIGTERM", "SIGHUP")
             if hasattr(signal, name) and signal.getsignal(getattr(signal, name)) is not signal.SIG_IGN]
    previous = {name: signal.signal(getattr(signal, name), _stop) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler if handler is not None else signal.SIG_DFL)


Job = tuple[int, str | dict, str, bool]  # index, answer set (file or answers), document, force


def _run_parallel(work: list[Job], template: str | None, jobs: int) -> Iterator[tuple[int, dict]]:
    """Yield (index, outcome) as workers finish.

    If an input crashes its worker process (and with it the pool), the inputs that were in progress are
    retried one per process, so only the culprit fails; the rest continue in a fresh pool.
    """
    in_flight: list[Job] = []
    unsent: list[Job] = []
    finished = 0
    with _workers(jobs) as pool:
        queue = iter(work)
        futures: dict[Future, Job] = {}

        def fill() -> bool:
            """Keep 2 * jobs inputs submitted; return False when the pool broke (the input goes back)."""
            while len(futures) < 2 * jobs and (job := next(queue, None)) is not None:
                try:
                    futures[pool.submit(process, job[1], job[2], template, job[3])] = job
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
        yield from ((index, process(source, document, template, force)) for index, source, document, force in rest)
    elif rest:
        yield from _run_parallel(rest, template, jobs)


def _run_alone(job: Job, template: str | None) -> tuple[int, dict]:
    with _workers(1) as pool:
        try:
            return job[0], pool.submit(process, job[1], job[2], template, job[3]).result()
        except BrokenProcessPool:
            pass
    failure = [_failure(_("de verwerking van deze antwoordenset brak onverwacht af"))]
    with language(REPORT_LANGUAGE):
        recorded = [_failure(_("de verwerking van deze antwoordenset brak onverwacht af"))]
    return job[0], {"status": FAILED, "output": None, "choices": {}, "seconds": 0.0, "findings": failure,
                    "recorded": recorded}


def worker_count(jobs: int | None, inputs: int) -> int:
    """Return how many worker processes render ``inputs`` documents when ``jobs`` are asked for.

    Never more than the inputs, nor than twice the processor cores (more only costs memory); at least one.

    >>> worker_count(200, 3)
    3
    >>> worker_count(1, 50)
    1
    """
    cores = os.cpu_count() or 1
    return max(1, min(jobs or cores, inputs, JOBS_PER_CORE * cores))


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

    A temporary file that is being written (by another batch or ``render`` in the same folder) is locked by
    its writer and left alone (on POSIX), so two batches may write into one folder at the same time.
    """
    removed = 0
    for path in out_dir.glob(f"{output.TEMPORARY_PREFIX}*{output.TEMPORARY_SUFFIX}"):
        removed += _remove_if_abandoned(path)
    return removed


def _remove_if_abandoned(path: Path) -> bool:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # its writer is at work
        if not os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False)):
            return False
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def run(patterns: Iterable[str], out_dir: str | Path, *, jobs: int | None = None, force: bool = False,
        template: str | Path | None = None, separator: str = CSV_SEPARATOR,
        progress: Callable[[BatchItem], None] | None = None) -> Summary:
    """Render every answer set named by ``patterns`` into ``out_dir``; return the summary.

    ``jobs`` worker processes (default: the machine's cores; never more than the documents to make nor than
    twice the cores; 1 renders in this process). ``progress`` is called once per finished item. The reports
    and choices.csv (its fields separated by ``separator``) are written at the end, atomically; one that cannot be written is named in the summary's
    ``problems`` (every document is there all the same). SIGTERM and SIGHUP stop the batch like Ctrl-C
    (KeyboardInterrupt): the workers are ended at once and their temporary files removed.
    """
    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    out_dir = Path(out_dir)
    template = str(template) if template is not None else None
    library = default_library()
    fingerprint = _fingerprint(template, library)
    found = scan_inputs(patterns)
    inputs = found.files
    items = [_refused(pattern, "input.missing", file=pattern) for pattern in found.unmatched]
    items += [_refused(path, "input.not_regular_file", file=path, kind=kind) for path, kind in found.special]
    if inputs:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(_("{folder}: de uitvoermap kan niet worden gemaakt: {reason}").format(
                folder=out_dir, reason=output.reason(exc))) from exc
        remove_stale_temporaries(out_dir)
    work = []
    workers = 0
    sources = _sources(inputs)
    cells: dict[int, Any] = {}  # item index -> the workbook alliance it came from, to place its findings
    with _stop_on_signals():
        try:
            for source, name in zip(sources, output_names([Path(s.stem) for s in sources])):
                item = BatchItem(source.label, name, alliance=source.alliance)
                items.append(item)
                if source.refused is not None:
                    item.status, item.findings, item.recorded = INVALID, *source.refused
                    if progress:
                        progress(item)
                    continue
                if source.workbook is not None:
                    cells[len(items) - 1] = source.workbook
                document = out_dir / f"{name}.docx"
                recorded = None if force else up_to_date(source.answers or source.path, document, fingerprint)
                if recorded is not None:
                    item.status, item.output = SKIPPED, str(document)
                    item.findings = item.recorded = recorded.get("findings", [])
                    item.choices = choices_of(recorded.get("clauses", []), library)
                    item.alliance = item.alliance or alliance_name(load(source.path)[0])
                    _place(item, cells.get(len(items) - 1))
                    if progress:
                        progress(item)
                else:
                    work.append((len(items) - 1, source.answers or str(source.path), str(document), force))
            workers = worker_count(jobs, len(work)) if work else 0
            with _batch_memory(), contextlib.closing(_outcomes(work, template, workers)) as outcomes:
                for index, outcome in outcomes:
                    item = items[index]
                    item.status, item.output = outcome["status"], outcome["output"]
                    item.findings, item.seconds, item.choices = (outcome["findings"], outcome["seconds"],
                                                                 outcome["choices"])
                    item.recorded = outcome.get("recorded", item.findings)
                    item.kept = outcome.get("kept")
                    item.alliance = outcome.get("alliance") or item.alliance
                    _place(item, cells.get(index))
                    if progress:
                        progress(item)
        except BaseException:
            if inputs:  # what the ended workers were writing
                remove_stale_temporaries(out_dir)
            raise
    summary = Summary(items, out_dir, round(time.perf_counter() - started, 3), jobs=workers)
    if inputs:
        summary = _write_reports(summary, library, started_at, separator)
    return summary


@dataclass(frozen=True)
class Source:
    """One answer set to make a document of: a file, or an alliance of a portfolio workbook.

    ``label`` names it in the report (a workbook's alliance as ``file#id``), ``stem`` gives the document its
    name; ``refused`` holds the findings (shown, recorded) of one that cannot be made at all.
    """

    label: str
    stem: str
    path: Path | None = None
    answers: dict | None = None
    alliance: str = ""
    workbook: Any = None
    refused: tuple[list, list] | None = None


def _sources(inputs: list[Path]) -> list[Source]:
    """Return the answer sets of ``inputs``: each file, and each alliance of each portfolio workbook."""
    sources = []
    for path in inputs:
        if path.suffix.lower() != WORKBOOK_SUFFIX:
            sources.append(Source(str(path), path.stem, path=path))
            continue
        try:
            alliances = portfolio.read_portfolio(path)
        except EngineError as exc:
            problems = getattr(exc, "problems", None)
            if problems:
                shown = [p.to_dict() for p in problems]
                recorded = [p.to_dict(REPORT_LANGUAGE) for p in problems]
            else:
                shown = [_failure(str(exc), "input.workbook")]
                with language(REPORT_LANGUAGE):  # the file's problem once more, in Dutch
                    try:
                        portfolio.read_portfolio(path)
                        recorded = shown
                    except EngineError as dutch:
                        recorded = [_failure(str(dutch), "input.workbook")]
            sources.append(Source(str(path), path.stem, refused=(shown, recorded)))
            continue
        for alliance in alliances:
            label = f"{path}#{alliance.id}"
            name = alliance_name(alliance.answers)
            if alliance.ok:
                sources.append(Source(label, alliance.id, answers=alliance.answers, alliance=name,
                                      workbook=alliance))
            else:
                sources.append(Source(label, alliance.id, alliance=name, refused=(
                    [p.to_dict() for p in alliance.problems],
                    [p.to_dict(REPORT_LANGUAGE) for p in alliance.problems])))
    return sources


def _place(item: BatchItem, alliance: Any) -> None:
    """Add to each finding of a workbook's alliance the cell it concerns (``where``)."""
    if alliance is None:
        return

    for findings, language_ in ((item.findings, None), (item.recorded, REPORT_LANGUAGE)):
        for finding in findings:
            where = cell_of(alliance, finding.get("path", "$"))
            if language_ is None:
                finding.setdefault("where", str(where))
            else:
                with language(language_):
                    finding.setdefault("where", str(where))


def _outcomes(work: list[Job], template: str | None, workers: int) -> Iterator[tuple[int, dict]]:
    if workers <= 1:
        for index, source, document, force in work:
            yield index, process(source, document, template, force)
    else:
        yield from _run_parallel(work, template, workers)


def _refused(path: str, code: str, **values: Any) -> BatchItem:
    """Return the item of an input that is not read at all: its finding shown, and recorded in Dutch."""
    shown = make_finding(code, "$", **values).to_dict()
    with language(REPORT_LANGUAGE):
        if "kind" in values:  # what the file is, in Dutch too
            values["kind"] = _special_kind(Path(path)) or values["kind"]
        recorded = make_finding(code, "$", **values).to_dict()
    return BatchItem(str(path), "", status=INVALID, findings=[shown], recorded=[recorded])


def run_report_name(started: dt.datetime, suffix: str = ".json") -> str:
    """Return the name of the report (or with ``suffix`` ".xlsx" the morning report) of the run that started
    at ``started`` (UTC).

    >>> run_report_name(dt.datetime(2026, 11, 29, 20, 1, 2, 345678, tzinfo=dt.timezone.utc))
    'batch-report-20261129-200102-345678.json'
    """
    return f"{RUN_REPORT_PREFIX}{started.astimezone(dt.timezone.utc).strftime(RUN_REPORT_FORMAT)}{suffix}"


def _write_reports(summary: Summary, library: Library, started: dt.datetime, separator: str) -> Summary:
    """Write this run's report and morning report, batch-report.json and .xlsx (the same) and choices.csv;
    return the summary with the run's reports, or with what could not be written."""
    while any((summary.out_dir / run_report_name(started, suffix)).exists() for suffix in (".json", ".xlsx")):
        started += dt.timedelta(microseconds=1)  # a run in the same microsecond
    own: Path | None = summary.out_dir / run_report_name(started)
    data = report(summary, started=started, name=own.name)
    problems = []
    try:
        output.atomic_write(own, data)
        output.atomic_write(summary.out_dir / REPORT, data)
    except OutputError as exc:
        problems.append(str(exc))
        own = None
    morning_report: Path | None = summary.out_dir / run_report_name(started, WORKBOOK_SUFFIX)
    try:
        data = morning.workbook(summary.items, library, STATUS_WORDS, REPORT_LANGUAGE, summary.out_dir)
        output.atomic_write(morning_report, data)
        output.atomic_write(summary.out_dir / MORNING_REPORT, data)
    except OutputError as exc:
        problems.append(str(exc))
        morning_report = None
    choices: Path | None = summary.out_dir / CHOICES
    try:
        output.atomic_write(choices, choices_csv(summary, library, separator))
    except OutputError as exc:
        problems.append(str(exc))
        choices = None
    return Summary(summary.items, summary.out_dir, summary.seconds, jobs=summary.jobs, report=own,
                   choices=choices, problems=problems, morning=morning_report)


def report(summary: Summary, *, started: dt.datetime | None = None, name: str | None = None) -> bytes:
    """Return the report of a run: counts, and per input its status, output, findings (Dutch) and time.

    Codes and statuses are stable; messages are Dutch, as in the manifests, whatever the command line
    speaks. ``started`` and ``name`` (the run's own report file) are recorded when given.
    """
    content = {
        "engine_version": __version__,
        "language": REPORT_LANGUAGE,
        **({"started": started.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
            .replace("+00:00", "Z")} if started else {}),
        **({"report": name} if name else {}),
        "seconds": summary.seconds,
        "jobs": summary.jobs,
        "counts": {status: summary.count(status) for status in STATUSES},
        "items": [item.report() for item in summary.items],
    }
    # a file name that is not UTF-8 (kept by Python as surrogates) is written as \udcXX, not refused
    return (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode("utf-8", "backslashreplace")


def choices_csv(summary: Summary, library: Library, separator: str = CSV_SEPARATOR) -> bytes:
    """Return ``choices.csv``: one row per alliance with a document, one column per topic of the library.

    A cell holds the variant chosen for that topic (empty when the agreement has no such clause). The file
    is UTF-8 with a byte-order mark and CRLF line ends, so that Excel opens it with the accents intact, and
    its fields are separated by ``separator`` (a semicolon, as Dutch Excel expects; no "sep=" line, since
    Excel then ignores the byte-order mark).
    """
    topics = list(library.topics)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(["invoer", "document", *(f"{library.topics[t]} ({t})" for t in topics)])
    for item in summary.items:
        if item.status in (RENDERED, SKIPPED):
            writer.writerow([item.input, Path(item.output or "").name, *(item.choices.get(t, "") for t in topics)])
    return buffer.getvalue().encode("utf-8-sig", "backslashreplace")
