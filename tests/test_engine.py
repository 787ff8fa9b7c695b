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


def test_render_in_another_language_validates_once(validations, tmp_path):
    engine = Engine(interface_language="en")
    result = engine.render(example("dak-en-thuis"), tmp_path / "x.docx")
    assert list(validations.values()) == [1]
    assert result.findings[0].message.startswith("Party 6")
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["findings"][0]["message"].startswith("Partij 6")


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


def test_a_finding_carries_its_data_and_is_shown_in_any_language():
    from agreement_engine.findings import message
    finding = next(f for f in Engine().check(variation("dak-en-thuis", ["set", ["parties", 1, "kvk"], "12"]))
                   if f.code == "schema.pattern")
    assert finding.path == "$.parties[1].kvk" and finding.values["value"] == "12"
    assert message(finding, "nl").startswith("Partij 2 (") and "KvK-nummer" in message(finding, "nl")
    assert message(finding, "en").startswith("Party 2 (") and "Chamber of Commerce" in message(finding, "en")


def test_a_library_error_and_lint_share_one_located_problem():
    from agreement_engine.errors import LibraryError
    from agreement_engine.lint import lint

    files = {**DirectoryLoader().files(), "clauses/9999-kapot.yaml": "id: kapot\nversion: [1\n"}
    with pytest.raises(LibraryError) as caught:
        MemoryLoader(files).load()
    problem = caught.value.problem
    assert (problem.file, problem.clause, problem.line) == ("clauses/9999-kapot.yaml", None, 3)
    assert lint(MemoryLoader(files)) == [problem]
    assert str(caught.value) == f"clauses/9999-kapot.yaml:3: {problem.message}"


def test_the_names_that_are_defined_terms_are_those_of_the_engines_own_library():
    """A party may not be called by a term the agreement defines: the terms of the engine's library, not the
    installed one's."""
    files = DirectoryLoader().files()
    files["clauses/0300-meerjarenplan.yaml"] = files["clauses/0300-meerjarenplan.yaml"].replace(
        "term: Meerjarenplan", "term: Koersplan", 1)
    own = Engine(MemoryLoader(files))
    named = {name: variation("dak-en-thuis", ["set", ["parties", 1, "short_name"], name])
             for name in ("Koersplan", "Meerjarenplan")}

    def flagged(engine: Engine, name: str) -> bool:
        return any(f.code == "name.defined_term" and f.path == "$.parties[1].short_name"
                   for f in engine.check(named[name]))

    assert flagged(own, "Koersplan") and not flagged(own, "Meerjarenplan")
    assert flagged(Engine(), "Meerjarenplan") and not flagged(Engine(), "Koersplan")
