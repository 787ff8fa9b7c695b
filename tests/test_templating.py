"""The render path's shortcuts give what Jinja gives: texts without template syntax, prepared contexts."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import example

from agreement_engine.answers import normalize
from agreement_engine.assemble import build_context, templates
from agreement_engine.errors import LibraryError
from agreement_engine.library import default_library
from agreement_engine.templating import Templates

#: Texts with whitespace Jinja treats in its own way (line ends, a trailing newline) and spaces an answer means.
PLAIN = ["Partijen komen overeen.", "  twee\r\nregels\rmet\n\n witruimte \n", "een\u00a0harde spatie\n",
         "%} en }} en #} zonder opening", "regelscheiding\u2028hier", "\t", "", "einde\n"]


def jinja(source: str, context: dict) -> str:
    """Render ``source`` the long way: Jinja's own Template.render, then the engine's whitespace rule."""
    t = Templates()
    return t.render("{{ '' }}" + source, context)  # a tag makes the text go through Jinja


@pytest.mark.parametrize("source", PLAIN)
def test_a_text_without_template_syntax_renders_as_jinja_renders_it(source):
    assert Templates().render(source, {}) == jinja(source, {})


@given(st.text(alphabet=st.characters(blacklist_characters="{", blacklist_categories=("Cs",)), max_size=40))
def test_any_text_without_a_brace_renders_as_jinja_renders_it(source):
    assert Templates().render(source, {}) == jinja(source, {})


def outcome(call):
    """Return what ``call`` returns, or the message it raises."""
    try:
        return call()
    except LibraryError as exc:
        return f"fout: {exc}"


@pytest.mark.parametrize("name", ["dak-en-thuis", "twee-partijen", "wijkteams-opdracht"])
def test_every_condition_of_the_library_holds_the_same_prepared_or_not(name):
    library = default_library()
    phrases = library.phrases_for("nl")
    context = build_context(normalize(example(name), phrases), phrases)
    t = templates("nl")
    prepared = t.prepare(context)
    checked = 0
    for clause in library.clauses:
        for variant in clause.variants:
            for expression in filter(None, [clause.include, variant.when, *(m.when for m in variant.members)]):
                assert outcome(lambda: t.evaluate(expression, prepared, prepared=True)) == \
                    outcome(lambda: t.evaluate(expression, context))
                checked += 1
    assert checked > 100


def test_a_template_variable_does_not_outlive_its_text():
    t = Templates()
    context = t.prepare({})
    assert t.render("{% set x = 'een' %}{{ x }}", context, prepared=True) == "een"
    with pytest.raises(LibraryError, match="'x' is undefined"):
        t.render("{{ x }}", context, prepared=True, clause="c", file="f.yaml", line=3)


def test_a_missing_value_in_a_prepared_condition_names_clause_file_and_line():
    t = Templates()
    with pytest.raises(LibraryError) as caught:
        t.evaluate("alliance.nope == 1", t.prepare({"alliance": {}}), prepared=True, clause="duur", file="duur.yaml",
                   line=7)
    assert (caught.value.clause, caught.value.file, caught.value.line) == ("duur", "duur.yaml", 7)
    assert "nope" in str(caught.value)
