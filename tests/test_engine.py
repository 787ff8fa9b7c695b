"""The Engine: one library, template and pair of languages; each answer set read and validated once."""
from __future__ import annotations

import json
import sys
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import example, variation

from agreement_engine import Engine
from agreement_engine import validate as validation
from agreement_engine.cli import main
from agreement_engine.library import DirectoryLoader, MemoryLoader
from agreement_engine.resources import clause_library_dir


@pytest.fixture
def validations(monkeypatch) -> Counter:
    """Count every validation by the answer set validated (as canonical JSON), wherever it is called from."""
    counted: Counter = Counter()
    original = validation.validate

    def counting(answers, *args, **kwargs):
        counted[json.dumps(answers, sort_keys=True, default=str)] += 1
        return original(answers, *args, **kwargs)

    for module in list(sys.modules.values()):
        if module and module.__name__.startswith("agreement_engine") and getattr(module, "validate", None) is original:
            monkeypatch.setattr(module, "validate", counting)
    return counted


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path, name: str, answers: dict):
    path = tmp_path / name
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


def test_compare_validates_each_answer_set_once(validations, tmp_path):
    old = write(tmp_path, "a.json", example("dak-en-thuis"))
    new = write(tmp_path, "b.json", variation("dak-en-thuis", ["set", ["withdrawal", "notice_months"], 12]))
    result = run("compare", str(old), str(new), "-o", str(tmp_path / "r.docx"))
    assert result.exit_code == 0, result.output
    assert sorted(validations.values()) == [1, 1]


def test_variants_validates_the_answer_set_and_each_variant_once(validations, tmp_path):
    source = write(tmp_path, "a.json", example("dak-en-thuis"))
    result = run("variants", "withdrawal", str(source), "-o", str(tmp_path / "v.docx"))
    assert result.exit_code == 0, result.output
    assert validations[json.dumps(example("dak-en-thuis"), sort_keys=True)] == 1
    assert set(validations.values()) == {1}, "an answer set of a variant was validated twice"
    assert len(validations) > 1  # the variants' own answer sets were validated too


def test_an_engine_uses_its_own_library(tmp_path):
    files = DirectoryLoader().files()
    files["library.yaml"] = files["library.yaml"].replace("name:", "name: eigen-", 1)
    engine = Engine(MemoryLoader(files))
    assert engine.render_document(example("dak-en-thuis")).provenance["library"].startswith("eigen-")
    assert Engine(clause_library_dir()).library.content_hash == Engine().library.content_hash


def test_the_cli_renders_with_a_library_of_its_own(tmp_path):
    result = run("render", str(write(tmp_path, "a.json", example("twee-partijen"))), "-o", str(tmp_path / "x.docx"),
                 "--library", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "clausulebibliotheek niet leesbaar" in result.output
    result = run("render", str(tmp_path / "a.json"), "-o", str(tmp_path / "x.docx"), "--library",
                 str(clause_library_dir()))
    assert result.exit_code == 0, result.output
