"""The template context is defined once: the schema's sections plus the computed names of context.py."""
from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, docx_text, example, run

from agreement_engine.answers import normalize
from agreement_engine.assemble import build_context
from agreement_engine.context import COMPUTED, answer_sections
from agreement_engine.engine import Engine
from agreement_engine.errors import LibraryError
from agreement_engine.findings import has_errors
from agreement_engine.library import DirectoryLoader, default_library
from agreement_engine.resources import clause_library_dir, load_schema, schemas_dir


def _readme_names() -> tuple[set[str], set[str]]:
    """The names in the clause README's context table: the first row (the sections) and all of them."""
    text = (clause_library_dir() / "README.md").read_text(encoding="utf-8")
    table = text.split("Beschikbaar in iedere tekst en voorwaarde", 1)[1].split("\n\n", 2)[1]
    rows = [line.split("|")[1] for line in table.splitlines()[2:]]
    names = [set(re.findall(r"`(\w+)", row)) for row in rows]
    return names[0], set().union(*names)


def test_the_clause_readme_lists_every_section_of_the_schema():
    first_row, _ = _readme_names()
    assert first_row == set(answer_sections())


def test_the_clause_readme_lists_every_computed_name_and_nothing_else():
    _, every = _readme_names()
    assert every == set(answer_sections()) | set(COMPUTED)


def test_the_context_holds_every_section_and_every_computed_name():
    phrases = default_library().phrases_for("nl")
    context = build_context(normalize(example("dak-en-thuis"), phrases), phrases)
    assert set(context) == set(answer_sections()) | set(COMPUTED) - {"ref"}


def test_a_new_section_of_the_schema_is_a_section_without_further_edits():
    schema = copy.deepcopy(load_schema())
    schema["properties"]["training"] = {"type": "object", "properties": {"hours": {"type": "integer"}}}
    schema["properties"]["note"] = {"type": "string"}
    sections = answer_sections(schema)
    assert sections[-1] == "training"
    assert "note" not in sections and "language" not in sections and "$interview" not in sections


# a new section end to end: a copy of the library with its own schema, one clause more, no Python edited ------

EVALUATION_CLAUSE = """\
id: evaluatie
version: 1.0.0
status: approved
title: Evaluatie
position: 2260
parameters:
  - evaluation.moment
uses: [Overeenkomst, Partijen]
members:
  - text: >-
      Partijen evalueren de Overeenkomst {{ evaluation.moment }}.
"""


@pytest.fixture()
def evaluation_library(tmp_path) -> Path:
    """A copy of the library whose own schema adds a section ``evaluation`` that a new clause reads."""
    library = tmp_path / "bibliotheek"
    shutil.copytree(clause_library_dir(), library)
    schema = json.loads((schemas_dir() / "answer-set.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["evaluation"] = {
        "type": "object", "title": "Evaluatie", "additionalProperties": False,
        "properties": {"moment": {"type": "string", "title": "Moment van de evaluatie", "default": "na twee jaar"}}}
    (library / "schemas").mkdir()
    (library / "schemas" / "answer-set.schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2),
                                                                encoding="utf-8")
    (library / "clauses" / "2260-evaluatie.yaml").write_text(EVALUATION_CLAUSE, encoding="utf-8")
    return library


def test_a_new_section_needs_an_edit_in_the_schema_and_a_clause_only(evaluation_library, tmp_path):
    answers = {**example("dak-en-thuis"), "evaluation": {"moment": "ieder jaar in het eerste kwartaal"}}
    source = tmp_path / "met-evaluatie.json"
    source.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")

    linted = run("library", "lint", "--library", str(evaluation_library))
    assert linted.exit_code == 0, linted.output
    shown = run("library", "show", "evaluatie", "--library", str(evaluation_library))
    assert shown.exit_code == 0 and "parameters: evaluation.moment" in shown.output
    assert '"evaluation": {' in run("schema", "--library", str(evaluation_library)).output
    assert '"evaluation": {' not in run("schema").output
    assert run("check", str(source), "--library", str(evaluation_library)).exit_code == 0
    refused = run("check", str(source), "--format", "json")  # the shipped schema knows no such section
    assert refused.exit_code == 1 and '"$.evaluation"' in refused.output

    target = tmp_path / "met-evaluatie.docx"
    rendered = run("render", str(source), "-o", str(target), "--library", str(evaluation_library))
    assert rendered.exit_code == 0, rendered.output
    text = docx_text(target.read_bytes())
    assert "Partijen evalueren de Overeenkomst ieder jaar in het eerste kwartaal." in text
    assert "Evaluatie" in text

    engine = Engine(evaluation_library)
    without = engine.assemble(example("dak-en-thuis"))  # the schema's default fills the section
    assert "Partijen evalueren de Overeenkomst na twee jaar." in without.text
    errors = [(f.code, f.path) for f in engine.check({**answers, "evaluation": {"moment": 3}}) if has_errors([f])]
    assert errors == [("schema.type", "$.evaluation.moment")]
    assert "evaluatie" not in [a.clause_id for a in Engine().assemble(example("dak-en-thuis")).articles]


def test_a_library_schema_that_drops_a_field_of_the_shipped_one_is_refused_with_its_file(evaluation_library):
    path = evaluation_library / "schemas" / "answer-set.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    del schema["properties"]["withdrawal"]["properties"]["notice_months"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = run("library", "lint", "--library", str(evaluation_library))
    assert result.exit_code == 1
    assert result.output.startswith("schemas/answer-set.schema.json: ") and "withdrawal.notice_months" in result.output
    schema["properties"]["withdrawal"]["properties"]["notice_months"] = {"$ref": "#/$defs/maanden"}
    path.write_text(json.dumps(schema), encoding="utf-8")
    refused = run("check", str(EXAMPLES / "twee-partijen.json"), "--library", str(evaluation_library))
    assert refused.exit_code == 1 and "#/$defs/maanden" in refused.output
    path.write_text('{"properties": {\n  "x": ]\n}', encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        DirectoryLoader(evaluation_library).load()
    assert (caught.value.file, caught.value.line) == ("schemas/answer-set.schema.json", 2)
