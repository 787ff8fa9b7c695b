"""Comparing agreements on the model: alignment by identity, word diffs, the answers and articles that differ."""
from __future__ import annotations

import pytest
from conftest import example, variation

from agreement_engine.assemble import assemble
from agreement_engine.compare import (
    Change,
    Pair,
    align,
    answer_changes,
    article_changes,
    articles,
    members,
    paragraphs,
    revision_date,
    rows,
    words,
)
from agreement_engine.model import Paragraph, Ref, Term

BASE = "dak-en-thuis"


def accepted(pieces) -> str:
    return "".join(_text(s) for s, change in pieces if change is not Change.DELETED)


def rejected(pieces) -> str:
    return "".join(_text(s) for s, change in pieces if change is not Change.INSERTED)


def marked(pieces) -> str:
    """Show pieces as text with [-deleted-] and {+inserted+}, the way a reader of a redline sees them."""
    signs = {Change.SAME: "{}", Change.DELETED: "[-{}-]", Change.INSERTED: "{{+{}+}}"}
    return "".join(signs[change].format(_text(s)) for s, change in pieces)


def _text(segment) -> str:
    return segment.number if isinstance(segment, Ref) else segment.text if isinstance(segment, Term) else segment


@pytest.fixture(scope="module")
def base():
    return assemble(example(BASE))


# word diffs ----------------------------------------------------------------------------------------

WORDS = [
    ("zes (6) maanden", "twaalf (12) maanden", "[-zes-]{+twaalf+} ([-6-]{+12+}) maanden"),
    ("de overige Partijen gezamenlijk", "de andere Partij gezamenlijk",
     "de [-overige Partijen-]{+andere Partij+} gezamenlijk"),
    ("Dit lid vervalt.", "Dit lid vervalt niet.", "Dit lid vervalt{+ niet+}."),
    ("", "Nieuw.", "{+Nieuw.+}"),
    ("een bedrag van € 2.450.000,00 per jaar", "een bedrag van € 2.600.000,00 per jaar",
     "een bedrag van € [-2.450.000,00-]{+2.600.000,00+} per jaar"),
    ("Gelijk blijft gelijk.", "Gelijk blijft gelijk.", "Gelijk blijft gelijk."),
]


@pytest.mark.parametrize("old, new, shown", WORDS)
def test_words_mark_what_changed_word_by_word(old, new, shown):
    pieces = words(Paragraph((old,)), Paragraph((new,)))
    assert marked(pieces) == shown
    assert accepted(pieces) == new and rejected(pieces) == old


def test_a_reference_that_changed_number_is_deleted_and_inserted_whole():
    old = Paragraph(("zie artikel ", Ref("uittreding.opzegging", "16.2"), "."))
    new = Paragraph(("zie artikel ", Ref("uittreding.opzegging", "17.2"), "."))
    pieces = words(old, new)
    assert pieces == (("zie artikel ", Change.SAME), (Ref("uittreding.opzegging", "16.2"), Change.DELETED),
                      (Ref("uittreding.opzegging", "17.2"), Change.INSERTED), (".", Change.SAME))
    same = words(old, Paragraph(("zie ", "artikel ", Ref("uittreding.opzegging", "16.2"), ".")))
    assert all(change is Change.SAME for _, change in same)


def test_a_defined_term_keeps_its_kind_in_the_diff():
    pieces = words(Paragraph((Term("Penvoerder"), ": de Partij A")), Paragraph((Term("Penvoerder"), ": de Partij B")))
    assert pieces[0] == (Term("Penvoerder"), Change.SAME)
    assert marked(pieces) == "Penvoerder: de Partij [-A-]{+B+}"


def test_a_paragraph_on_one_side_only_is_inserted_or_deleted_whole():
    text = Paragraph(("a ", Ref("x", "1")))
    assert {c for _, c in words(None, text)} == {Change.INSERTED}
    assert {c for _, c in words(text, None)} == {Change.DELETED}


# alignment -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    ("abc", "abc", "a=a b=b c=c"),
    ("abc", "ac", "a=a b- c=c"),
    ("ac", "abc", "a=a +b c=c"),
    ("ab", "ba", "+b a=a b-"),
    ("", "ab", "+a +b"),
])
def test_align_keeps_reading_order(old, new, expected):
    def show(pair: Pair) -> str:
        return {Change.SAME: f"{pair.old}={pair.new}", Change.DELETED: f"{pair.old}-",
                Change.INSERTED: f"+{pair.new}"}[pair.change]
    assert " ".join(show(p) for p in align(old, new, key=str)) == expected


def test_similar_leftovers_pair_and_dissimilar_ones_stand_alone():
    old = [Paragraph(("De Partij zegt op met zes maanden.",)), Paragraph(("Geschillen gaan naar de rechter.",))]
    new = [Paragraph(("De Partij zegt op met twaalf maanden.",)), Paragraph(("Iets heel anders staat hier nu.",))]
    result = paragraphs(Pair(old, new))
    assert [(p.old is not None, p.new is not None) for p in result] == [(True, True), (True, False), (False, True)]


def test_rows_pair_by_first_cell_only_when_their_shape_fits():
    old = [("Partij", "Aandeel"), ("Stichting A", "50,00%"), ("Stichting B", "50,00%")]
    new = [("Partij", "Aandeel"), ("Stichting A", "60,00%"), ("Stichting B", "40,00%", "extra")]
    result = rows(Pair(old, new), cells=lambda r: [[c] for c in r])
    assert [p.change for p in result] == [Change.SAME, Change.SAME, Change.DELETED, Change.INSERTED]


def test_an_article_that_only_moved_number_is_the_same_article(base):
    covenant = assemble(variation(BASE, ["set", ["document", "kind"], "covenant"]))
    pairs = articles(Pair(base.articles, covenant.articles))
    assert [p.new.clause_id for p in pairs if p.change is Change.INSERTED] == ["karakter"]
    assert not [p for p in pairs if p.change is Change.DELETED]
    moved = [p for p in pairs if p.change is Change.SAME and p.old.number != p.new.number]
    assert len(moved) > 15
    changed = {c.title: c for c in article_changes(base, covenant)}
    for pair in moved:
        if pair.old.title not in changed:  # no text change at all: every member is the same text
            assert all(p.old.body == p.new.body for p in members(pair.map(lambda a: a.members)))
        else:  # a changed article names the renumbered references it shows, or what else changed
            assert changed[pair.old.title].number == pair.new.number
    assert changed["Karakter van dit convenant"].change is Change.INSERTED
    assert changed["Vrijwaring"].references_only


def test_members_of_another_variant_pair_by_label_then_by_likeness(base):
    own_acts = assemble(variation(BASE, ["set", ["liability", "model"], "own_acts"]))
    pair = Pair(base.article("aansprakelijkheid"), own_acts.article("aansprakelijkheid"))
    result = members(pair.map(lambda a: a.members))
    paired = [p for p in result if p.change is Change.SAME]
    assert {p.old.label for p in paired} >= {"aansprakelijkheid.regime", "aansprakelijkheid.beperking",
                                             "aansprakelijkheid.opzet"}
    assert any(p.old.key != p.new.key and p.old.label is None for p in paired)  # the same text, another variant
    assert [p.old.key for p in result if p.change is Change.DELETED] == ["aansprakelijkheid.gedeeld",
                                                                        "aansprakelijkheid.verhaal"]
    for p in paired:
        pieces = words(p.old.body, p.new.body)
        assert accepted(pieces) == p.new.body.text and rejected(pieces) == p.old.body.text


def test_article_changes_name_the_variant_and_what_disappeared(base):
    other = assemble(variation(BASE, ["set", ["liability", "model"], "own_acts"], ["set", ["conditions"], []]))
    changes = {c.title: c for c in article_changes(base, other)}
    liability = changes["Onderlinge aansprakelijkheid"]
    assert (liability.old_variant, liability.new_variant, liability.references_only) == ("A2", "A1", False)
    assert changes["Opschortende voorwaarden en garanties"].old_variant == "met_voorwaarden"
    assert article_changes(base, base) == []


# answers -------------------------------------------------------------------------------------------

ANSWERS = [
    ([["set", ["withdrawal", "notice_months"], 12]], [("$.withdrawal.notice_months", "6", "12")]),
    ([["set", ["withdrawal", "effective"], "any_date"]],
     [("$.withdrawal.effective", "Tegen het einde van een kalenderjaar", "Tegen iedere datum")]),
    ([["set", ["resources", "annual_budget"], 2500000.5]],
     [("$.resources.annual_budget", "€ 2.450.000,00", "€ 2.500.000,50")]),
    ([["set", ["resources", "shares", "dehaven"], 30], ["set", ["resources", "shares", "onderdak"], 28.33]],
     [("$.resources.shares.dehaven", "33,33%", "30%"), ("$.resources.shares.onderdak", "25%", "28,33%")]),
    ([["set", ["resources", "lead_party"], "onderdak"]],
     [("$.resources.lead_party", "Stichting De Haven", "Stichting Onder Dak")]),
    ([["set", ["liability", "exclude_indirect_damage"], False]],
     [("$.liability.exclude_indirect_damage", "ja", "nee")]),
    ([["set", ["insolvency", "events"], ["bankruptcy"]]],
     [("$.insolvency.events", "Faillissement, Surseance van betaling en Ontbinding van de rechtspersoon",
       "Faillissement")]),
    ([["set", ["alliance", "start_date"], "2027-03-01"]],
     [("$.alliance.start_date", "1 januari 2027", "1 maart 2027")]),
    ([["set", ["withdrawal", "effective"], "end_of_calendar_year"]], []),  # the default, now written out
    ([["set", ["$schema"], "elders.json"]], []),
    ([["set", ["withdrawal", "exit_fee"], {"kind": "fixed", "amount": 25000}]],
     [("$.withdrawal.exit_fee.kind", "Aandeel in de gezamenlijke kosten voor de resterende looptijd", "Vast bedrag"),
      ("$.withdrawal.exit_fee.amount", "(niet ingevuld)", "€ 25.000,00")]),
]


@pytest.mark.parametrize("changes, expected", ANSWERS, ids=[str(c[0][1]) for c, _ in ANSWERS])
def test_answer_changes_in_dutch_formatting(changes, expected):
    found = answer_changes(example(BASE), variation(BASE, *changes))
    assert [(c.path, c.old.replace("\xa0", " "), c.new.replace("\xa0", " ")) for c in found] == expected
    assert all(c.title for c in found)


def test_answer_changes_between_two_alliances_name_removed_and_added_parties():
    found = [c for c in answer_changes(example(BASE), example("twee-partijen")) if c.path.startswith("$.parties")]
    titles = [c.title for c in found]  # other organisations, not six parties with new names
    assert titles == [f"Partij toegevoegd: {p['name']}" for p in example("twee-partijen")["parties"]] + [
        f"Partij verwijderd: {p['name']}" for p in example(BASE)["parties"]]
    assert ("$.parties[5]", "Gemeente Utrecht", "(geen)") in [(c.path, c.old, c.new) for c in found]


@pytest.mark.parametrize("changes, expected", [
    ([], "2026-12-15"),
    ([["remove", ["alliance", "signing", "date"]]], "2027-01-01"),
])
def test_the_revision_date_comes_from_the_new_answers(changes, expected):
    assert revision_date(variation(BASE, *changes)) == expected
