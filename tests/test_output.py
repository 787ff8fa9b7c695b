"""The output stage: slugs, atomic writes, provenance and manifests, and the render and explain commands."""
from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from conftest import EXAMPLES, example, run

from agreement_engine import output
from agreement_engine.api import render, render_document
from agreement_engine.errors import OutputError
from agreement_engine.word import read_provenance


def write_answers(folder: Path, answers: dict, name: str = "a.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize(("text", "expected"), [
    ("Alliantie Dak en Thuis", "alliantie-dak-en-thuis"),
    ("Zorg & Welzijn (Utrecht) – Concept 2", "zorg-welzijn-utrecht-concept-2"),
    ("Coöperatie Ærø Straße", "cooperatie-aero-strasse"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", "overeenkomst"),
    ("/", "overeenkomst"),
    ("C:\\Windows\\x", "c-windows-x"),
    ("{{ 7*7 }}", "7-7"),
    ("北京", "overeenkomst"),
    ("nul", "nul-overeenkomst"),
    ("a" * 200, "a" * 60),
    ("x" * 59 + " yz", "x" * 59),
])
def test_slug_is_a_safe_file_name(text, expected):
    assert output.slug(text) == expected


def test_default_name_is_the_alliance_and_version_label():
    assert output.output_name(example("dak-en-thuis")) == "alliantie-dak-en-thuis-concept-2"
    answers = example("twee-partijen")
    answers["document"].pop("version_label", None)
    assert output.output_name(answers) == output.slug(answers["alliance"]["name"])


def test_answers_hash_ignores_key_order_and_spacing():
    answers = example("twee-partijen")
    reordered = json.loads(json.dumps(answers, sort_keys=True, indent=4))
    assert output.answers_hash(answers) == output.answers_hash(dict(reversed(list(reordered.items()))))
    answers["alliance"]["name"] += "."
    assert output.answers_hash(answers) != output.answers_hash(reordered)


def test_atomic_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "sub" / "x.docx"
    output.atomic_write(target, b"first")
    output.atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert files_in(tmp_path) == ["x.docx"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~output._UMASK)


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "de schijf is vol"),
                                              (errno.EACCES, "geen schrijfrechten"),
                                              (errno.EROFS, "alleen-lezen")])
def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, code, reason):
    target = tmp_path / "x.docx"
    target.write_bytes(b"old")

    def fail(_fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output.os, "fsync", fail)
    with pytest.raises(OutputError, match=reason):
        output.atomic_write(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert files_in(tmp_path) == ["x.docx"]


def test_interrupted_write_leaves_no_temporary(tmp_path, monkeypatch):
    def interrupt(_src, _dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        output.atomic_write(tmp_path / "x.docx", b"data")
    assert files_in(tmp_path) == []


def test_unwritable_folder_is_an_output_error(tmp_path):
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    with pytest.raises(OutputError, match="bestand/x.docx: kan niet worden geschreven"):
        output.atomic_write(blocker / "x.docx", b"data")


def test_provenance_names_engine_answers_template_library_and_every_clause():
    rendered = render_document(EXAMPLES / "dak-en-thuis.json")
    origin = rendered.provenance
    assert origin["engine"] == "agreement-engine" and origin["engine_version"]
    assert origin["answers_sha256"] == output.answers_hash(example("dak-en-thuis"))
    assert len(origin["template_sha256"]) == len(origin["library_sha256"]) == 64
    ids = [c["id"] for c in origin["clauses"]]
    assert ids[0] == "comparitie" and ids[-1] == "ondertekening" and len(ids) == len(set(ids))
    assert all(set(c) == {"id", "variant", "version", "status", "sha256", "article"} for c in origin["clauses"])
    numbered = [c["article"] for c in origin["clauses"] if c["article"] is not None]
    assert numbered == list(range(1, len(numbered) + 1))
    assert read_provenance(rendered.docx) == origin


def _json_module(content) -> bytes:
    return (json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.json")))
def test_the_manifest_is_written_as_json_writes_it_byte_for_byte(tmp_path, name):
    result = render(EXAMPLES / f"{name}.json", tmp_path / "x.docx")
    written = result.manifest.read_bytes()
    assert written == _json_module(json.loads(written))


_JSON_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | _JSON_TEXT,
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
                     max_leaves=20)


@given(_JSON)
def test_indented_json_writes_the_bytes_of_json_dumps(content):
    assert output.indented_json(content) == _json_module(content)


@pytest.mark.parametrize("content", [{1: "a"}, [2 ** 70], ("a", "b"), {"x": [1.5, float("inf")]},
                                     {"z": "\x00\x1f\x7f\u2028\ufeff\U0001f600", "a": {}, "m": []}])
def test_indented_json_falls_back_to_json_for_what_orjson_writes_otherwise(content):
    assert output.indented_json(content) == _json_module(content)


def test_render_writes_document_and_manifest_to_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("render", str(EXAMPLES / "dak-en-thuis.json"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "output"
    assert files_in(folder) == ["alliantie-dak-en-thuis-concept-2.docx",
                                "alliantie-dak-en-thuis-concept-2.manifest.json"]
    assert "document:  output/alliantie-dak-en-thuis-concept-2.docx" in result.output
    assert "insolvency.gemeente_excluded" in result.output  # the info finding is still shown
    data = (folder / "alliantie-dak-en-thuis-concept-2.docx").read_bytes()
    manifest = json.loads((folder / "alliantie-dak-en-thuis-concept-2.manifest.json").read_text("utf-8"))
    assert manifest["document"] == "alliantie-dak-en-thuis-concept-2.docx"
    assert manifest["document_sha256"] == hashlib.sha256(data).hexdigest()
    assert [f["code"] for f in manifest["findings"]] == ["insolvency.gemeente_excluded"]
    origin = read_provenance(data)
    assert {k: v for k, v in manifest.items() if k in origin} == origin
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "Stichting Onder Dak" in text


def test_render_is_byte_identical_across_runs_and_folders(tmp_path):
    first, second = render(EXAMPLES / "twee-partijen.json", tmp_path / "a" / "x.docx"), \
        render(EXAMPLES / "twee-partijen.json", tmp_path / "b" / "x.docx")
    assert first.document.read_bytes() == second.document.read_bytes()
    assert first.manifest.read_bytes() == second.manifest.read_bytes()


def test_render_to_a_named_file_or_folder(tmp_path):
    assert run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path / "mijn.docx")).exit_code == 0
    assert run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path)).exit_code == 0
    name = output.output_name(example("twee-partijen"))
    assert files_in(tmp_path) == sorted(["mijn.docx", "mijn.manifest.json", f"{name}.docx",
                                         f"{name}.manifest.json"])


@pytest.mark.parametrize("folder", ["nieuw/", "nieuw/diep/"])
def test_render_to_a_new_folder_makes_it_as_batch_does(tmp_path, folder):
    """A name that ends in a slash is a folder, made when it does not exist yet (issue 18, point 4)."""
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path) + "/" + folder)
    assert result.exit_code == 0, result.output
    name = output.output_name(example("twee-partijen"))
    assert files_in(tmp_path / folder) == [f"{name}.docx", f"{name}.manifest.json"]
    docx.Document(str(tmp_path / folder / f"{name}.docx"))  # a whole document, not a half-written one


def test_render_to_a_name_without_docx_nor_slash_is_refused_with_the_way_out(tmp_path):
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path / "nieuw"))
    assert result.exit_code == 2 and "naam die op / eindigt" in " ".join(result.output.split())
    assert files_in(tmp_path) == []


def test_invalid_answers_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    answers = example("dak-en-thuis")
    answers["parties"][1]["kvk"] = "123"
    result = run("render", str(write_answers(tmp_path, answers)), "-o", str(tmp_path / "uit" / "x.docx"))
    assert result.exit_code == 1
    assert "ongeldig (1 fout, 1 opmerking)" in result.output and "$.parties[1].kvk" in result.output
    assert "niets geschreven" in result.output and "Traceback" not in result.output
    assert files_in(tmp_path) == ["a.json"]


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "x.pdf"], "moet op .docx eindigen"),
    (["--template", "bestaat-niet.docx"], "bestand niet gevonden"),
    (["--kleur"], "Onbekende optie"),
])
def test_render_usage_errors_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run("render", str(EXAMPLES / "twee-partijen.json"), *args)
    assert result.exit_code == 2 and message in result.output
    assert files_in(tmp_path) == []


def test_pdf_without_libreoffice_says_so_and_keeps_the_docx(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "soffice", lambda: None)
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path / "x.docx"), "--pdf")
    assert result.exit_code == 1
    assert "LibreOffice (soffice) is niet geïnstalleerd" in result.output
    assert "het .docx-bestand is wel geschreven" in result.output
    assert files_in(tmp_path) == ["x.docx", "x.manifest.json"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_is_written_beside_the_docx(tmp_path):
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path / "x.docx"), "--pdf")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
    assert files_in(tmp_path) == ["x.docx", "x.manifest.json", "x.pdf"]


def test_explain_prints_the_provenance(tmp_path):
    rendered = render(EXAMPLES / "dak-en-thuis.json", tmp_path / "x.docx")
    result = run("explain", str(rendered.document))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Alliantieovereenkomst Dak en Thuis"
    origin = read_provenance(rendered.document)
    assert f"sha256 {origin['answers_sha256']}" in result.output
    for clause in origin["clauses"]:
        row = next(line.split() for line in lines if f" {clause['id']} " in f" {line} ")
        assert row[:4] == [str(clause["article"] or "-"), clause["id"], clause["variant"], clause["version"]]
    as_json = json.loads(run("explain", str(rendered.document), "--format", "json").output)
    drift = as_json.pop("drift")  # the check against the manifest beside it (tests/test_drift.py)
    assert as_json == origin and drift["unchanged"] is True


def test_explain_refuses_files_without_provenance(tmp_path):
    plain = tmp_path / "plain.docx"
    docx.Document().save(plain)
    (tmp_path / "tekst.docx").write_text("geen zip")
    for path in (plain, tmp_path / "tekst.docx"):
        result = run("explain", str(path))
        assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bevat geen herkomstgegevens" in run("explain", str(plain)).output
    assert run("explain", str(tmp_path / "weg.docx")).exit_code == 2


# overwriting, long names and the manifest ---------------------------------------------------------------

def test_render_replaces_its_own_unchanged_document(tmp_path):
    target = tmp_path / "x.docx"
    for _ in range(2):
        result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(target))
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("situation", ["edited", "not the engine's", "manifest lost"])
def test_render_never_overwrites_a_document_it_did_not_write_unchanged(tmp_path, situation):
    target = tmp_path / "x.docx"
    if situation == "not the engine's":
        target.write_bytes(b"het concept van de advocaat")
    else:
        assert run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(target)).exit_code == 0
        if situation == "edited":
            document = docx.Document(target)
            document.add_paragraph("Toegevoegd door de advocaat.")
            document.save(target)
        else:
            output.manifest_path(target).unlink()
    before = target.read_bytes()
    result = run("render", str(EXAMPLES / "dak-en-thuis.json"), "-o", str(target))
    assert result.exit_code == 2, result.output
    assert "bestaat al en is niet ongewijzigd door de engine geschreven" in result.output and "--force" in result.output
    assert target.read_bytes() == before
    forced = run("render", str(EXAMPLES / "dak-en-thuis.json"), "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert "Dak en Thuis" in read_provenance(target)["title"]
    copy = tmp_path / "x.edited-1.docx"
    assert copy.read_bytes() == before and str(copy) in forced.output  # --force kept the lawyer's draft first
    assert output.manifest_path(copy).exists() == (situation == "edited")
    again = run("render", str(EXAMPLES / "dak-en-thuis.json"), "-o", str(target), "--force")
    assert again.exit_code == 0 and not (tmp_path / "x.edited-2.docx").exists()  # unchanged: nothing to keep


def test_a_document_that_already_holds_what_render_writes_is_replaced_without_force(tmp_path):
    target = tmp_path / "x.docx"
    assert run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(target)).exit_code == 0
    output.manifest_path(target).unlink()  # as if a run stopped between writing the document and its manifest
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert output.manifest_path(target).exists() and files_in(tmp_path) == ["x.docx", "x.manifest.json"]


def test_the_default_output_is_protected_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("render", str(EXAMPLES / "twee-partijen.json")).exit_code == 0
    written = next((tmp_path / "output").glob("*.docx"))
    written.write_bytes(written.read_bytes() + b"\0")
    assert run("render", str(EXAMPLES / "twee-partijen.json")).exit_code == 2


@pytest.mark.parametrize("where", ["-o file", "-o folder", "input", "--template", "explain"])
def test_a_name_longer_than_the_file_system_allows_is_a_clear_error(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    long = "a" * 300
    example = str(EXAMPLES / "twee-partijen.json")
    args = {"-o file": ["render", example, "-o", f"{long}.docx"],
            "-o folder": ["render", example, "-o", f"{long}/x.docx"],
            "input": ["check", f"{long}.json"],
            "--template": ["render", example, "--template", f"{long}.docx"],
            "explain": ["explain", f"{long}.docx"]}[where]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "interne fout" not in result.output
    assert "te lang" in result.output
    assert files_in(tmp_path) == []


def test_a_manifest_name_that_is_too_long_writes_nothing(tmp_path):
    name = "b" * 245 + ".docx"  # the document's name fits, "<stem>.manifest.json" does not
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path / name))
    assert result.exit_code == 1, result.output
    assert "manifest.json: kan niet worden geschreven: de naam" in result.output
    assert files_in(tmp_path) == []


def test_when_the_manifest_cannot_be_written_no_document_stays_behind(tmp_path, monkeypatch):
    real = output.os.fsync
    calls = []

    def fail_second(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(output.os, "fsync", fail_second)
    result = run("render", str(EXAMPLES / "twee-partijen.json"), "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 1
    assert "x.manifest.json: kan niet worden geschreven: de schijf is vol" in result.output
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("command", ["render", "compare", "variants"])
def test_an_empty_output_name_is_refused(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    example = str(EXAMPLES / "twee-partijen.json")
    args = {"render": ["render", example], "compare": ["compare", example, example],
            "variants": ["variants", "disputes", example]}[command]
    result = run(*args, "-o", "")
    assert result.exit_code == 2 and "lege naam voor het uitvoerbestand" in result.output
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("command", ["compare", "variants"])
def test_compare_and_variants_want_a_docx_and_keep_an_existing_file(tmp_path, command):
    example = str(EXAMPLES / "twee-partijen.json")
    args = {"compare": ["compare", example, example], "variants": ["variants", "disputes", example]}[command]
    result = run(*args, "-o", str(tmp_path / "redline"))
    assert result.exit_code == 2 and "moet op .docx eindigen" in result.output
    existing = tmp_path / "bestaat.docx"
    existing.write_bytes(b"werk van iemand")
    result = run(*args, "-o", str(existing))
    assert result.exit_code == 2 and "bestaat al" in result.output and existing.read_bytes() == b"werk van iemand"
    assert run(*args, "-o", str(existing), "--force").exit_code == 0
    assert existing.read_bytes().startswith(b"PK")
