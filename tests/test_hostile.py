"""Hostile input for the commands that read files: special files, crafted documents for explain, hostile
templates. Every case ends in a clear Dutch message and exit code 1 or 2, never in an internal error, never in
a wait for ever and never in unbounded memory."""
from __future__ import annotations

import os
import resource
import subprocess
import time

import pytest
from conftest import EXAMPLES, run, run_process
from hostile import DOCUMENTS, TEMPLATES


INTERNAL = "interne fout"


def assert_clear(result, fragment: str | None, codes=(1, 2)) -> None:
    assert result.exit_code in codes, result.output
    assert INTERNAL not in result.output and "Traceback" not in result.output, result.output
    if fragment:
        assert fragment in result.output, result.output


# point 6: special files --------------------------------------------------------------------------------

def _limited_memory() -> None:  # in the child: a runaway read ends in MemoryError, not in a swapping machine
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))


def run_limited(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the command in a child with 2 GB of memory; a command that waits for ever fails the test on the timeout."""
    return run_process(*args, timeout=timeout, preexec_fn=_limited_memory, stdin=subprocess.DEVNULL,
                       env={**os.environ, "AGREEMENT_ENGINE_LANG": "nl"})


@pytest.fixture()
def fifo(tmp_path):
    path = tmp_path / "pijp.json"
    os.mkfifo(path)
    return path


def _commands(special: str, tmp_path) -> dict[str, list[str]]:
    example = str(EXAMPLES / "twee-partijen.json")
    return {
        "check": ["check", special],
        "render": ["render", special, "-o", str(tmp_path / "uit.docx")],
        "render --template": ["render", example, "--template", special, "-o", str(tmp_path / "uit.docx")],
        "explain": ["explain", special],
        "interview --resume": ["interview", "--resume", special, "-o", str(tmp_path / "nieuw.json")],
    }


@pytest.mark.parametrize("command", ["check", "render", "render --template", "explain", "interview --resume"])
def test_a_named_pipe_is_refused_at_once(fifo, tmp_path, command):
    started = time.monotonic()
    result = run_limited(*_commands(str(fifo), tmp_path)[command])
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "pijp (FIFO), geen gewoon bestand" in result.stdout + result.stderr
    assert INTERNAL not in result.stdout + result.stderr
    assert time.monotonic() - started < 30
    assert not (tmp_path / "uit.docx").exists()


@pytest.mark.parametrize("command", ["check", "render", "render --template", "explain", "interview --resume"])
def test_a_device_is_refused_without_reading_it(tmp_path, command):
    result = run_limited(*_commands("/dev/zero", tmp_path)[command])
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "/dev/zero is een apparaat, geen gewoon bestand" in result.stdout + result.stderr


def test_an_answer_set_above_the_limit_is_refused(tmp_path):
    path = tmp_path / "groot.json"
    path.write_bytes(b'{"a": "' + b"x" * (8 * 1024 * 1024) + b'"}')
    result = run("check", str(path))
    assert_clear(result, "input.too_large")
    assert "groter dan 8 MiB" in result.output


def test_the_api_reports_special_files_as_findings(fifo):
    from agreement_engine.api import check
    assert [f.code for f in check(fifo)] == ["input.not_regular_file"]
    assert [f.code for f in check("/dev/zero")] == ["input.not_regular_file"]


# point 7: crafted documents for explain ------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(DOCUMENTS), ids=str)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_crafted_document_is_refused_clearly(tmp_path, case, fmt):
    build, fragment = DOCUMENTS[case]
    path = tmp_path / "document.docx"
    path.write_bytes(build())
    result = run("explain", str(path), "--format", fmt)
    if fragment is None:
        assert result.exit_code == 0, result.output
    else:
        assert_clear(result, fragment, codes=(1,))
        assert str(path) in result.output


def test_explain_prints_no_escape_sequences(tmp_path):
    from hostile import _escaped_title
    path = tmp_path / "document.docx"
    path.write_bytes(_escaped_title())
    for fmt in ("text", "json"):
        result = run("explain", str(path), "--format", fmt)
        assert result.exit_code == 0, result.output
        assert all(ch.isprintable() or ch == "\n" for ch in result.output), repr(result.output)
        assert "\\u001b]0;gekaapt\\u0007" in result.output and "\\u202eTitel" in result.output


def test_a_provenance_bomb_is_read_in_bounded_memory(tmp_path):
    from hostile import _bomb
    path = tmp_path / "bom.docx"
    path.write_bytes(_bomb())
    result = run_limited("explain", str(path))
    assert result.returncode == 1 and "groter dan 1 MiB" in result.stdout + result.stderr
    # the child's peak memory: far below the 64 MiB the part unpacks to, on top of the interpreter
    usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert usage < 400 * 1024, usage  # kilobytes on Linux


# point 8: hostile templates ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(TEMPLATES), ids=str)
def test_a_hostile_template_is_refused_with_file_and_part(tmp_path, case):
    build, fragment = TEMPLATES[case]
    template = tmp_path / "sjabloon.docx"
    template.write_bytes(build())
    target = tmp_path / "uit.docx"
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "--template", str(template), "-o", str(target))
    if fragment is None:  # a template Word would open: it renders
        assert result.exit_code == 0, result.output
        assert target.is_file()
        return
    assert_clear(result, fragment, codes=(1,))
    assert f"{template}: " in result.output
    assert not target.exists()


def test_malformed_xml_names_part_line_and_column(tmp_path):
    from hostile import with_part
    template = tmp_path / "sjabloon.docx"
    template.write_bytes(with_part("word/styles.xml", b'<?xml version="1.0"?>\n<styles>\n  <a></b>\n</styles>'))
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "--template", str(template), "-o",
                 str(tmp_path / "uit.docx"))
    assert_clear(result, "het onderdeel word/styles.xml is geen geldige XML (regel 3, kolom", codes=(1,))


def test_template_errors_speak_english_under_lang_en(tmp_path):
    from hostile import with_part
    template = tmp_path / "sjabloon.docx"
    template.write_bytes(with_part("word/document.xml", b"<w:document"))
    result = run("--lang", "en", "render", str(EXAMPLES / "twee-partijen.json"), "--template", str(template),
                 "-o", str(tmp_path / "uit.docx"))
    assert_clear(result, "the part word/document.xml is not valid XML (line 1, column", codes=(1,))
