"""Faults while writing: a full disk, an unwritable folder, and a batch killed again and again."""
from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import docx
import pytest
import conftest
from conftest import EXAMPLES, Exits, example, run, run_process

from agreement_engine import output


def everything_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def full_disk(monkeypatch):
    """Make every write fail with 'no space left on device' once some bytes have gone out."""
    def write(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fsync", lambda fd: write(fd, b""))


@pytest.mark.parametrize("command", ["render", "batch"])
def test_full_disk_is_a_clear_error_and_leaves_no_file(tmp_path, full_disk, command):
    out = tmp_path / "uit"
    args = (["render", str(EXAMPLES / "twee-partijen.json"), "-o", str(out / "x.docx")] if command == "render"
            else ["batch", str(EXAMPLES / "twee-partijen.json"), "--out-dir", str(out)])
    result = run(*args)
    assert result.exit_code == 1
    assert "de schijf is vol" in result.output and "Traceback" not in result.output
    assert everything_in(out) == []


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "geen-map"
    blocker.write_text("een bestand waar een map moest staan")
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(blocker / "x.docx"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{blocker / 'x.docx'}: kan niet worden geschreven" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "alleen-lezen"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(folder / "x.docx"))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1 and "geen schrijfrechten" in result.output
    assert everything_in(folder) == []


def test_batch_killed_at_several_points_ends_complete(tmp_path, batch_child):
    folder = tmp_path / "in"
    folder.mkdir()
    answers = example("twee-partijen")
    for n in range(30):
        answers["alliance"]["name"] = f"Samen aan Tafel {n}"
        (folder / f"a{n:02d}.json").write_text(json.dumps(answers), encoding="utf-8")
    out = tmp_path / "out"
    args = ["batch", str(folder), "--out-dir", str(out), "--jobs", "2"]
    killed = 0
    for new in (3, 8, 8):  # killed after 3, 11 and 19 documents (each run skips what the ones before made)
        child = batch_child(*args)
        child.wait_for(new, status="rendered")
        code, _printed = child.end(signal.SIGKILL)
        killed += code == -signal.SIGKILL
        for manifest in out.glob("*.manifest.json"):  # what is recorded as done is whole
            record = json.loads(manifest.read_text("utf-8"))
            data = (out / record["document"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == record["document_sha256"]
        for document in out.glob("*.docx"):
            docx.Document(io.BytesIO(document.read_bytes()))
    assert killed == 3, "the batch finished before it could be killed"
    result = run_process(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in out.glob("*.docx")) == [f"a{n:02d}.docx" for n in range(30)]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_temporary_file_removed_by_another_program_is_named_as_such(tmp_path, monkeypatch):
    out = tmp_path / "uit"
    flush = os.fsync

    def flush_then_lose_the_temporary(fd):  # as a second batch cleaning up the same folder once did
        flush(fd)
        for temporary in out.glob(f"{output.TEMPORARY_PREFIX}*"):
            temporary.unlink()

    monkeypatch.setattr(output.os, "fsync", flush_then_lose_the_temporary)
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(out / "x.docx"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "werd tijdens het schrijven door een ander programma verwijderd" in result.output
    assert "de map bestaat niet" not in result.output
    assert everything_in(out) == []


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="reads /proc and watches with a pidfd (Linux)")
def test_the_check_after_the_suite_finds_a_process_whose_parent_died():
    """The session fixture no_process_left relies on this: an orphan is no longer below pytest, its mark
    (the environment variable every process of this test run inherits) still gives it away."""
    script = ("import os, sys\n"
              "child = os.fork()\n"
              "if child:\n    print(child, flush=True)\n    os._exit(0)\n"
              "sys.stdin.read()\n")  # the orphan lives until the test closes its standard input
    middle = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    orphan = int(middle.stdout.readline())
    middle.stdout.close()
    assert middle.wait(timeout=60) == 0
    exits = Exits([orphan])
    try:
        found = conftest.leftover_processes()
        assert orphan in found and os.getpid() not in found and 1 not in found
    finally:
        middle.stdin.close()  # the orphan reads the end of its input and ends
    assert exits.wait(timeout=60) == []
    assert orphan not in conftest.leftover_processes()
