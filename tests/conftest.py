"""Shared fixtures: the example answer sets, a way to derive variations from them, the bad-input corpus and
a reader for generated documents."""
from __future__ import annotations

import atexit
import copy
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result
from hypothesis import settings
from lxml import etree

from agreement_engine.api import assemble
from agreement_engine.cli import main
from agreement_engine.i18n import language

#: Property tests draw the same examples on every run, so a green CI stays green; set HYPOTHESIS_PROFILE=explore
#: to draw new ones (and keep what fails in .hypothesis/) when hunting for bugs.
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"

#: Every process this test run starts inherits this mark in its environment, so that the check after the
#: suite finds this run's processes, and only them (other test runs on the same machine carry their own).
RUN_MARK = "AGREEMENT_ENGINE_TEST_RUN"
os.environ[RUN_MARK] = f"{os.getpid()}-{uuid.uuid4().hex}"

#: The compiled-library cache of this test run (agreement_engine.library_cache) lives in a temporary folder, never in
#: the user's home; every process the run starts inherits it, and it goes at the end of the run.
CACHE_HOME = tempfile.mkdtemp(prefix="agreement-engine-cache-")
os.environ["XDG_CACHE_HOME"] = CACHE_HOME
atexit.register(shutil.rmtree, CACHE_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def dutch(monkeypatch):
    """Pin the language to Dutch: the machine's LANG (often en_US.UTF-8) must not decide what tests see."""
    monkeypatch.setenv("AGREEMENT_ENGINE_LANG", "nl")
    with language("nl"):
        yield


# running the command line ------------------------------------------------------------------------------

def run(*args: str, input: str | bytes | None = None, color: bool = False,
        catch_exceptions: bool = False) -> Result:
    """Run ``agreement-engine ARGS`` in this process (click's CliRunner) and return its result: ``exit_code``,
    ``output``. ``input`` is standard input; ``color`` keeps escape sequences, as a terminal shows them. An
    exception the command does not handle fails the test with its traceback, unless ``catch_exceptions`` (then it
    is ``result.exception``)."""
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=catch_exceptions, color=color)


#: The command as a process of its own, from this checkout.
MODULE_COMMAND = (sys.executable, "-m", "agreement_engine")


def installed_command() -> list[str]:
    """Return the ``agreement-engine`` script pip installed, or the module command where there is none."""
    script = shutil.which("agreement-engine")
    return [script] if script else list(MODULE_COMMAND)


def run_process(*args: str, command: list[str] | tuple[str, ...] = MODULE_COMMAND,
                **options) -> subprocess.CompletedProcess:
    """Run ``python -m agreement_engine ARGS`` (or ``command``) as a process of its own, for what only a real
    process shows: its exit status and standard streams, bytes on standard input, a memory limit. ``options``
    go to subprocess.run; output is captured as text and the exit status is not checked unless they say so."""
    return subprocess.run([*command, *args], **{"capture_output": True, "text": True, "check": False, **options})


def example(name: str) -> dict:
    """Return a fresh copy of the example answer set ``examples/<name>.json``."""
    with (EXAMPLES / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


#: Changes that set a generated value: a text repeated N times (a megabyte without a megabyte of data file)
#: and N lists nested in each other.
_GENERATED = {"fill": lambda text, times: text * times, "nest": _nested}


def apply_changes(answers: dict, changes: list) -> dict:
    """Return ``answers`` with changes applied to a copy.

    A change is ``["set", path, value]``, ``["remove", path]``, ``["fill", path, text, times]`` or
    ``["nest", path, depth]``.
    """
    result = copy.deepcopy(answers)
    for change in changes:
        op, path = change[0], change[1]
        parent = result
        for part in path[:-1]:
            parent = parent[part]
        if op in _GENERATED:
            op, change = "set", ["set", path, _GENERATED[op](*change[2:])]
        if op == "set":
            if isinstance(parent, list) and path[-1] == len(parent):
                parent.append(change[2])
            else:
                parent[path[-1]] = change[2]
        elif op == "remove":
            del parent[path[-1]]
        else:
            raise ValueError(f"unknown change {op!r}")
    return result


def variation(base: str, *changes: list) -> dict:
    """Return the example ``base`` with ``changes`` applied."""
    return apply_changes(example(base), list(changes))


@pytest.fixture(params=sorted(p.stem for p in EXAMPLES.glob("*.json")))
def example_name(request) -> str:
    """Each example answer set by name."""
    return request.param


@dataclass(frozen=True)
class BadCase:
    """One input of the corpus and the finding it must give: tests/data/bad/<code>@<case>.json holds
    {base, changes, path} applied to an example; tests/data/raw/<code>@<case>.json is the file itself, found at "$"."""

    name: str
    code: str
    path: str
    source: Path

    @property
    def is_raw(self) -> bool:
        """Return whether the case is a file as it stands rather than a change to an example."""
        return self.source.parent.name == "raw"

    def answers(self) -> dict:
        """Return the answer set of a data case (an example with the case's changes)."""
        spec = json.loads(self.source.read_text(encoding="utf-8"))
        return apply_changes(example(spec["base"]), spec["changes"])

    def write(self, folder: Path) -> Path:
        """Write the case as an answer-set file in ``folder`` and return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{self.name}.json"
        if self.is_raw:
            target.write_bytes(self.source.read_bytes())
        else:
            target.write_text(json.dumps(self.answers()), encoding="utf-8")  # \u escapes keep lone surrogates
        return target


def _bad_case(source: Path) -> BadCase:
    name = source.name.removesuffix(".json")
    path = "$" if source.parent.name == "raw" else json.loads(source.read_text(encoding="utf-8"))["path"]
    return BadCase(name, name.split("@")[0], path, source)


#: Every case of the corpus, data cases first.
CORPUS = [_bad_case(p) for folder in ("bad", "raw") for p in sorted((DATA / folder).glob("*.json"))]


def docx_text(data: bytes) -> str:
    """Return the text python-docx reads in a document: body, tables and every header and footer."""
    document = docx.Document(io.BytesIO(data))
    texts = []

    def collect(container) -> None:
        texts.extend(p.text for p in container.paragraphs)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    collect(cell)

    collect(document)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            collect(part)
    return "\n".join(texts)


# reading WordprocessingML back ------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def w(tag: str) -> str:
    """Return the Clark name of a tag in the main WordprocessingML namespace."""
    return f"{{{W}}}{tag}"


def visible_text(paragraph: etree._Element, *, deleted: bool = False) -> str:
    """Return what a reader sees in a paragraph: text and field results, never field codes.

    With ``deleted`` the text of tracked deletions counts too (a redline before accepting or rejecting). A field
    may span paragraphs (a table of contents): its end in a later paragraph closes nothing there.
    """
    tags = (w("fldChar"), w("t"), w("tab")) + ((w("delText"),) if deleted else ())
    out, fields = [], []
    for node in paragraph.iter(*tags):
        if node.tag == w("fldChar"):
            kind = node.get(w("fldCharType"))
            if kind == "begin":
                fields.append("code")
            elif kind == "separate" and fields:
                fields[-1] = "result"
            elif kind == "end" and fields:
                fields.pop()
        elif all(state == "result" for state in fields):
            out.append("\t" if node.tag == w("tab") else node.text or "")
    return "".join(out)


# processes: no test leaves one behind --------------------------------------------------------------------

PROC = Path("/proc")
#: multiprocessing's own helpers, which end with the interpreter that started them.
_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


def _stat(pid: int) -> tuple[str, int, int] | None:
    """Return (state, parent pid, start time) of process ``pid`` from /proc, or None when there is none."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def _running(pid: int, started: int | None = None) -> bool:
    """Return whether ``pid`` is a live process (not a zombie), the one that started at ``started`` if given."""
    info = _stat(pid)
    return info is not None and info[0] not in "ZX" and (started is None or info[2] == started)


def _pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def children(pid: int) -> list[int]:
    """Return the live child processes of ``pid``."""
    return [child for child in _pids() if (info := _stat(child)) and info[1] == pid and info[0] not in "ZX"]


def leftover_processes() -> list[int]:
    """Return the live processes of this test run other than pytest itself: those below it in the process
    tree, and those carrying this run's mark (a worker whose batch died is no longer below pytest)."""
    mark = f"{RUN_MARK}={os.environ[RUN_MARK]}".encode()
    me = os.getpid()
    parents = {pid: info[1] for pid in _pids() if (info := _stat(pid)) and info[0] not in "ZX"}
    found = []
    for pid in parents:
        if pid == me:
            continue
        ancestor, below = parents.get(pid), False
        for _step in range(64):
            if ancestor in (None, 0, 1):
                break
            if ancestor == me:
                below = True
                break
            ancestor = parents.get(ancestor)
        try:
            environ = (PROC / str(pid) / "environ").read_bytes().split(b"\0")
            command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if (below or mark in environ) and not any(helper in command for helper in _HELPERS):
            found.append(pid)
    return found


class Exits:
    """Watch processes end without sleeping: a pidfd per process becomes readable when it has ended.

    Open it while the processes still live (before killing their parent): a pidfd names one process, never
    a later one that got the same number.
    """

    def __init__(self, pids: list[int]) -> None:
        self.watched: dict[int, tuple[int, int]] = {}
        for pid in pids:
            info = _stat(pid)
            try:
                fd = os.pidfd_open(pid)
            except ProcessLookupError:
                continue
            if info is not None:
                self.watched[pid] = (fd, info[2])
            else:
                os.close(fd)

    def alive(self) -> list[int]:
        """Return the watched processes /proc still shows running."""
        return [pid for pid, (_fd, started) in self.watched.items() if _running(pid, started)]

    def wait(self, timeout: float) -> list[int]:
        """Wait until every watched process has ended or ``timeout`` seconds passed; return those still alive."""
        deadline = time.monotonic() + timeout
        try:
            while (alive := self.alive()) and (left := deadline - time.monotonic()) > 0:
                select.select([self.watched[pid][0] for pid in alive], [], [], left)  # wakes when one ends
            return self.alive()
        finally:
            for fd, _started in self.watched.values():
                os.close(fd)
            self.watched.clear()


@pytest.fixture(scope="session", autouse=True)
def no_process_left():
    """After the suite, no process this test run started may still run: a batch's workers, LibreOffice, ...

    Each one found is named, then ended (it is this run's own: below pytest or carrying its mark).
    """
    yield
    if not PROC.is_dir() or not hasattr(os, "pidfd_open"):
        return
    left = Exits(leftover_processes()).wait(timeout=15)
    if left:
        described = []
        for pid in left:
            try:
                command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                command = "?"
            described.append(f"{pid}: {command.strip()}")
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        pytest.fail("processes left running after the suite:\n" + "\n".join(described), pytrace=False)


class BatchChild:
    """``agreement-engine batch ARGS`` in a process of its own that tells the test, on a pipe, each input
    it finishes, so a test waits for progress instead of sleeping (see tests/batch_child.py).

    With ``hang_on`` the input whose alliance name starts with it never finishes: its worker waits for ever,
    as on a named pipe. What the batch prints goes to a file: a pipe would be held open by its workers.
    """

    def __init__(self, *args: str, hang_on: str | None = None) -> None:
        read, write = os.pipe()
        self._printed = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent / "batch_child.py"), *args],
            stdout=self._printed, stderr=subprocess.STDOUT, pass_fds=(write,),
            env={**os.environ, "BATCH_PROGRESS_FD": str(write), "BATCH_HANG_ON": hang_on or ""})
        os.close(write)
        self._pipe: int | None = read
        self._buffer = b""
        self.finished: list[str] = []

    def wait_for(self, count: int, status: str | None = None, timeout: float = 120) -> None:
        """Wait until ``count`` inputs are finished (with ``status`` if given: "rendered", "skipped", ...);
        fail when the batch ends first or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout

        def done() -> int:
            return sum(1 for line in self.finished if status is None or line.split(" ", 1)[0] == status)

        while done() < count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._pipe], [], [], left)[0]:
                raise AssertionError(f"only {done()} of {count} inputs finished in {timeout} s")
            chunk = os.read(self._pipe, 65536)
            if not chunk:
                raise AssertionError(f"the batch ended after {done()} inputs, before {count}")
            self._buffer += chunk
            *lines, self._buffer = self._buffer.split(b"\n")
            self.finished += [line.decode("utf-8", "replace") for line in lines]

    def workers(self) -> list[int]:
        """Return the batch's worker processes."""
        return children(self.process.pid)

    def end(self, signum: int, timeout: float = 60) -> tuple[int | None, str]:
        """Send ``signum`` to the batch (not to its workers); return its exit code (None when it did not end
        within ``timeout`` seconds) and what it printed."""
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        self._printed.seek(0)
        return code, self._printed.read().decode("utf-8", "replace")

    def close(self) -> None:
        """Kill the batch if it still runs (a failed test) and close the pipe."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._printed.close()
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


@pytest.fixture
def batch_child():
    """Start batches as in a terminal, each told about with a pipe (BatchChild); every one ends with the test."""
    started: list[BatchChild] = []

    def start(*args: str, hang_on: str | None = None) -> BatchChild:
        started.append(BatchChild(*args, hang_on=hang_on))
        return started[-1]

    yield start
    for child in started:
        child.close()


def agreement_text(answers: dict) -> str:
    """Return the whole text of the agreement assembled from ``answers``: paragraphs, then annexes."""
    agreement = assemble(answers)
    return "\n".join(p.text for p in agreement.paragraphs()) + "\n" + agreement.text


def article_text(answers: dict, clause_id: str) -> str:
    """Return the text of one article (its members and their items) of the agreement made from ``answers``."""
    found = next(a for a in assemble(answers).articles if a.clause_id == clause_id)
    return "\n".join(m.body.text + "\n" + "\n".join(i.text for i in m.items) for m in found.members)


def member_text(answers: dict, label: str) -> str:
    """Return the text of the member with ``label`` (and its items); LookupError when no member has it."""
    for a in assemble(answers).articles:
        for m in a.members:
            if m.label == label:
                return m.body.text + "\n" + "\n".join(i.text for i in m.items)
    raise LookupError(label)
