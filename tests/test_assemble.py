"""Assembly on a small in-memory library: numbering, references, terms, strictness, data as data."""
from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest
from conftest import example
from hypothesis import given
from hypothesis import strategies as st

from agreement_engine.assemble import allocate, assemble
from agreement_engine.errors import InvalidAnswersError, LibraryError
from agreement_engine.library import DirectoryLoader, MemoryLoader
from agreement_engine.model import Ref

CLAUSES = {
    "comparitie": """
        id: comparitie
        version: 1.0.0
        status: draft
        title: Comparitie
        kind: parties
        position: 10
        members:
          - repeat: parties
            as: party
            text: "{{ party.name }} (hierna: “{{ party.term }}”);"
          - text: hierna gezamenlijk “Partijen”.
        """,
    "definities": """
        id: definities
        version: 1.0.0
        status: draft
        title: Definities
        position: 100
        defines:
          - term: Overeenkomst
            definition: deze overeenkomst
          - term: Uittredende Partij
            definition: de Partij die opzegt als bedoeld in artikel {{ ref('uittreding.opzegging') }}
          - term: Werkdag
            definition: een dag die geen zaterdag, zondag of feestdag is
        members:
          - label: definities.lijst
            text: In de Overeenkomst hebben de volgende begrippen de volgende betekenis.
        """,
    "karakter": """
        id: karakter
        version: 1.0.0
        status: draft
        title: Karakter
        position: 250
        include: "document.kind == 'covenant'"
        members:
          - text: Dit convenant bindt alleen voor zover artikel {{ ref('uittreding') }} dat bepaalt.
        """,
    "uittreding": """
        id: uittreding
        version: 1.0.0
        status: draft
        title: Uittreding
        position: 1600
        members:
          - text: Deze Overeenkomst kan worden opgezegd.
          - label: uittreding.opzegging
            text: De opzegtermijn is {{ withdrawal.notice_months | termijn('maand', 'maanden') }}.
          - text: De Uittredende Partij handelt als bedoeld in artikel {{ ref('uittreding.opzegging') }}.
        """,
    "ondertekening": """
        id: ondertekening
        version: 1.0.0
        status: draft
        title: Ondertekening
        kind: signature
        position: 9000
        members:
          - text: Aldus overeengekomen en in {{ n_parties | fold }} ondertekend.
        """,
}


def library(**replace: str):
    phrases = {name: text for name, text in DirectoryLoader().files().items() if name.startswith("phrases/")}
    files = {"library.yaml": "name: test\nversion: 1.0.0\n", **phrases}
    for name, text in {**CLAUSES, **replace}.items():
        files[f"clauses/{name}.yaml"] = textwrap.dedent(text)
    return MemoryLoader(files).load()


def refs(agreement) -> list[Ref]:
    return [s for p in agreement.paragraphs() for s in p.segments if isinstance(s, Ref)] + [
        s for a in agreement.articles for m in a.members for i in m.items for s in i.segments if isinstance(s, Ref)]


def test_articles_and_members_are_numbered_in_position_order():
    agreement = assemble(example("twee-partijen"), library())
    assert [(a.number, a.clause_id) for a in agreement.articles] == [(1, "definities"), (2, "uittreding")]
    assert [m.number for m in agreement.article("uittreding").members] == ["2.1", "2.2", "2.3"]
    assert "2.3 De Uittredende Partij handelt als bedoeld in artikel 2.2." in agreement.text


def test_optional_article_renumbers_and_every_reference_follows():
    plain = assemble(example("twee-partijen"), library())
    covenant_answers = example("twee-partijen")
    covenant_answers["document"]["kind"] = "covenant"
    covenant = assemble(covenant_answers, library())
    assert [a.clause_id for a in covenant.articles] == ["definities", "karakter", "uittreding"]
    assert covenant.number_of("uittreding.opzegging") == "3.2"
    assert plain.number_of("uittreding.opzegging") == "2.2"
    assert "3.3 De Uittredende Partij handelt als bedoeld in artikel 3.2." in covenant.text
    assert "2.1 Dit convenant bindt alleen voor zover artikel 3 dat bepaalt." in covenant.text
    for agreement in (plain, covenant):
        numbers = {f"{m.number}" for a in agreement.articles for m in a.members} | {
            str(a.number) for a in agreement.articles}
        for ref in refs(agreement):
            assert ref.number == agreement.number_of(ref.label)
            assert ref.number in numbers


def test_definitions_list_only_the_terms_used():
    agreement = assemble(example("twee-partijen"), library())
    definitions = [i.text for i in agreement.article("definities").members[0].items]
    assert definitions == ["Overeenkomst: deze overeenkomst;",
                           "Uittredende Partij: de Partij die opzegt als bedoeld in artikel 2.2."]


def test_missing_value_names_the_clause_and_the_variable():
    broken = CLAUSES["uittreding"].replace("withdrawal.notice_months", "withdrawal.notice_weeks")
    with pytest.raises(LibraryError) as info:
        assemble(example("twee-partijen"), library(uittreding=broken))
    assert info.value.clause == "uittreding"
    assert "notice_weeks" in str(info.value)


def test_reference_to_a_dropped_article_is_an_error_naming_the_clause():
    broken = CLAUSES["uittreding"].replace("ref('uittreding.opzegging') }}.", "ref('karakter') }}.")
    with pytest.raises(LibraryError) as info:
        assemble(example("twee-partijen"), library(uittreding=broken))
    assert info.value.clause == "uittreding" and "'karakter'" in str(info.value)


def test_invalid_answers_are_refused_before_assembly():
    answers = example("twee-partijen")
    answers["parties"][0]["kvk"] = "1"
    with pytest.raises(InvalidAnswersError) as info:
        assemble(answers, library())
    assert info.value.findings[0].path == "$.parties[0].kvk"


@pytest.mark.parametrize("value", ["{{ 7*7 }}", "{% raw %}x", "A & B <c> \"d\" 'e'", "Ωμέγα 北京 Ünïcødé",
                                   "{{ party.__class__ }}"])
def test_answer_values_are_data_not_template_code(value):
    answers = example("twee-partijen")
    answers["parties"][0]["name"] = value
    agreement = assemble(answers, library())
    assert agreement.comparitie[0].text == f"{value} (hierna: “{answers['parties'][0]['short_name']}”);"


@given(budget=st.decimals(min_value=0, max_value=10**9, places=2),
       weights=st.lists(st.integers(min_value=0, max_value=10_000), min_size=2, max_size=25))
def test_allocation_adds_up_to_the_budget_to_the_cent(budget, weights):
    if sum(weights) == 0:
        weights[0] = 1
    raw = [Decimal(w) * 100 / sum(weights) for w in weights]
    shares = [r.quantize(Decimal("0.01")) for r in raw]
    largest = max(range(len(shares)), key=shares.__getitem__)
    shares[largest] += Decimal(100) - sum(shares)
    amounts = allocate(budget, {f"p{i}": s for i, s in enumerate(shares)})
    assert sum(amounts.values()) == budget
    assert all(a >= 0 for a in amounts.values())
    assert all(a == a.quantize(Decimal("0.01")) for a in amounts.values())
