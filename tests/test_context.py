"""The template context is defined once: the schema's sections plus the computed names of context.py."""
from __future__ import annotations

import copy
import re

from agreement_engine.assemble import build_context
from agreement_engine.context import COMPUTED, answer_sections
from agreement_engine.resources import clause_library_dir, load_schema
from agreement_engine.answers import normalize
from agreement_engine.library import default_library
from conftest import example


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
