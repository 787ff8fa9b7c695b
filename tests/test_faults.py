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
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, example

from agreement_engine import output
from agreement_engine.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


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


def test_batch_killed_at_several_points_ends_complete(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    answers = example("twee-partijen")
    for n in range(30):
        answers["alliance"]["name"] = f"Samen aan Tafel {n}"
        (folder / f"a{n:02d}.json").write_text(json.dumps(answers), encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "agreement_engine", "batch", str(folder), "--out-dir", str(out), "--jobs", "2"]
    killed = 0
    for threshold in (3, 11, 19):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while (len(list(out.glob("*.manifest.json"))) < threshold and process.poll() is None
               and time.monotonic() < deadline):
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        killed += process.wait() == -signal.SIGKILL
        for manifest in out.glob("*.manifest.json"):  # what is recorded as done is whole
            record = json.loads(manifest.read_text("utf-8"))
            data = (out / record["document"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == record["document_sha256"]
        for document in out.glob("*.docx"):
            docx.Document(io.BytesIO(document.read_bytes()))
    assert killed >= 2, "the batch kept finishing before it could be killed"
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in out.glob("*.docx")) == [f"a{n:02d}.docx" for n in range(30)]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
