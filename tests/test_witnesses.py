"""Every variant of the clause library, generated from the library itself: its witness (clause YAML,
``witness``: an example with changes) is a valid answer set, selects that variant and shows its words; and
those words are that variant's own, absent when a sibling variant is chosen.

A new variant needs no edit here: its witness is the test (clause_library/README.md, "Witness").
"""
from __future__ import annotations

from functools import cache

import pytest
from conftest import example

from agreement_engine.api import assemble
from agreement_engine.library import Clause, Variant, default_library
from agreement_engine.model import Agreement
from agreement_engine.validate import validate

#: (clause, variant) for every variant the library writes out (a clause without variants has one text).
VARIANTS = [(clause.id, variant.id) for clause in default_library().clauses if "variants" in clause.lines
            for variant in clause.variants]


def _find(clause_id: str, variant_id: str) -> tuple[Clause, Variant]:
    clause = default_library().get(clause_id)
    return clause, next(v for v in clause.variants if v.id == variant_id)


def witness_answers(clause_id: str, variant_id: str) -> dict:
    """Return the answer set of a variant's witness: its example with its changes."""
    _clause, variant = _find(clause_id, variant_id)
    assert variant.witness is not None, f"{clause_id}/{variant_id} has no witness (library lint says so too)"
    return variant.witness.apply(example(variant.witness.base))


@cache
def witness_agreement(clause_id: str, variant_id: str) -> Agreement:
    """Return the agreement assembled from a variant's witness (once per test run)."""
    return assemble(witness_answers(clause_id, variant_id))


def clause_text(agreement: Agreement, clause: Clause) -> str:
    """Return what the clause contributes to the agreement: its article (title, members and items), or the
    comparitie, the recitals or the signature text for those kinds; empty when it is not included."""
    if clause.kind == "parties":
        paragraphs = agreement.comparitie + agreement.comparitie_closing
    elif clause.kind == "recitals":
        paragraphs = agreement.recitals
    elif clause.kind == "signature":
        paragraphs = (agreement.signature_intro,)
    else:
        found = [a for a in agreement.articles if a.clause_id == clause.id]
        if not found:
            return ""
        article = found[0]
        return "\n".join([article.title] + [m.body.text + "\n" + "\n".join(i.text for i in m.items)
                                            for m in article.members])
    return "\n".join(p.text for p in paragraphs)


def test_every_variant_is_generated():
    """The generated cases are the library's: a library without variants would make this file test nothing."""
    assert len(VARIANTS) >= 40 and ("aansprakelijkheid", "A3") in VARIANTS


@pytest.mark.parametrize("clause_id, variant_id", VARIANTS, ids=[f"{c}-{v}" for c, v in VARIANTS])
def test_witness_selects_its_variant_and_shows_its_words(clause_id, variant_id):
    clause, variant = _find(clause_id, variant_id)
    errors = [f"{f.code} {f.path}: {f.message}" for f in validate(witness_answers(clause_id, variant_id))
              if f.severity.value == "error"]
    assert errors == [], f"the witness of {clause_id}/{variant_id} is not a valid answer set"
    agreement = witness_agreement(clause_id, variant_id)
    chosen = {use.clause_id: use.variant_id for use in agreement.clauses}
    assert chosen.get(clause_id) == variant_id, f"the witness of {clause_id}/{variant_id} chooses {chosen.get(clause_id)}"
    assert variant.witness.shows, f"the witness of {clause_id}/{variant_id} names no words it shows"
    text = clause_text(agreement, clause)
    for words in variant.witness.shows:
        assert words in text, f"{clause_id}/{variant_id} does not show {words!r}"


@pytest.mark.parametrize("clause_id, variant_id", VARIANTS, ids=[f"{c}-{v}" for c, v in VARIANTS])
def test_the_words_a_variant_shows_are_its_own(clause_id, variant_id):
    """Words every variant shows would prove nothing: a sibling variant's witness must not show them."""
    clause, variant = _find(clause_id, variant_id)
    for sibling in clause.variants:
        if sibling.id == variant_id or sibling.witness is None:
            continue
        text = clause_text(witness_agreement(clause_id, sibling.id), clause)
        shared = [words for words in variant.witness.shows if words in text]
        assert shared == [], f"{clause_id}/{variant_id} shows words that {sibling.id} shows too: {shared}"
