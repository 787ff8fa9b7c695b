"""A closed pipe on standard output (``| head``) ends every command quietly: no traceback, no internal error."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import EXAMPLES, installed_command

#: What Python says when an exception escapes; none of it may reach the user.
INTERNALS = ("Traceback", "interne fout", "Exception ignored", "BrokenPipeError", "Error")

ANSWERS = "".join(f"{line}\n" for line in ["Samen aan Tafel", "Samen eten in de wijk.", "", "2027-03-01"])


def commands(tmp_path) -> dict[str, list[str]]:
    document = tmp_path / "varianten.docx"
    return {
        "check": ["check", str(EXAMPLES / "dak-en-thuis.json")],
        "check-json": ["check", "--format", "json", str(EXAMPLES / "dak-en-thuis.json")],
        "variants": ["variants", "liability", str(EXAMPLES / "twee-partijen.json"), "-o", str(document)],
        "interview": ["interview", "-o", str(tmp_path / "antwoorden.json")],
        "library-list": ["library", "list"],
        "library-show": ["library", "show", "aansprakelijkheid"],
        "schema": ["schema"],
    }


NAMES = ["check", "check-json", "variants", "interview", "library-list", "library-show", "schema"]


def _quiet(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    assert not any(word in text for word in INTERNALS), text[-2000:]
    return text


@pytest.mark.parametrize("name", NAMES)
def test_a_pipe_closed_before_the_first_line_ends_quietly(tmp_path, name):
    """Nobody reads at all: the first write fails (EPIPE); the command stops without a word on stderr."""
    reader, writer = os.pipe()
    os.close(reader)
    process = subprocess.Popen([*installed_command(), *commands(tmp_path)[name]], stdin=subprocess.PIPE,
                               stdout=writer, stderr=subprocess.PIPE, env={**os.environ, "AGREEMENT_ENGINE_LANG": "nl"})
    os.close(writer)
    _out, stderr = process.communicate(input=ANSWERS.encode("utf-8"), timeout=120)
    assert _quiet(stderr) == ""
    assert process.returncode in (0, 1)  # 1: the output could not be written; never 2 nor a crash


@pytest.mark.parametrize("name", NAMES)
def test_piping_into_head_ends_quietly(tmp_path, name):
    """``agreement-engine ... | head -1``: head reads one line and goes; what the command writes after that
    fails whenever it comes, and the command ends quietly, with the file it wrote whole."""
    producer = subprocess.Popen([*installed_command(), *commands(tmp_path)[name]], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, "AGREEMENT_ENGINE_LANG": "nl"})
    head = subprocess.Popen(["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()  # only head reads it now: when head goes, the reading end is closed
    first, _unused = head.communicate(timeout=120)
    _out, stderr = producer.communicate(input=ANSWERS.encode("utf-8"), timeout=120)
    assert first.strip()
    _quiet(stderr)
    assert producer.returncode in (0, 1)
    for written in tmp_path.iterdir():  # whatever was written is whole: an answer set, a document
        assert not written.name.startswith(".agreement-engine-"), written
        if written.suffix == ".json":
            json.loads(written.read_text(encoding="utf-8"))
