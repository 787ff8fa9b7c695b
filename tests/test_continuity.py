"""Client continuity on every exit route and the end of funding (issue 14, items 5 and 6), read back from the text.

One article says how clients, their files and the privacy basis pass to whoever continues the help; withdrawal,
exclusion, insolvency and the end of the agreement refer to it instead of carrying their own half-copies. A
second article says what the end or reduction of the funding means for the alliance. Every choice has a
witness phrase (``CONTINUITY_CASES``, also used by test_clauses for the every-enum-value check), read for two
parties and for the six-party example.
"""
from __future__ import annotations

import pytest
from conftest import apply_changes, example
from conftest import article_text as article

from agreement_engine.api import assemble
from agreement_engine.validate import validate
from agreement_engine.variant_options import options

D, T = "dak-en-thuis", "twee-partijen"


def s(path, value):
    return ["set", path, value]


DESIGNATED = s(["client_continuity"], {"successor": "designated_party", "designated_party": "straatwaarde"})

#: (field, value): (example, changes, phrase the agreement must contain and no other value of the field gives)
CONTINUITY_CASES = {
    ("client_continuity.successor", "remaining_parties"): (D, [],
        "De Stuurgroep wijst voor iedere cliënt van de Overdragende Partij, in overleg met de cliënt, uit de "
        "overige Deelnemende Partijen de Opvolger aan"),
    ("client_continuity.successor", "designated_party"): (D, [DESIGNATED],
        "De Opvolger is Straatwaarde. Is Straatwaarde zelf de Overdragende Partij"),
    ("client_continuity.successor", "commissioner"): (D, [s(["client_continuity"], {"successor": "commissioner"})],
        "in overeenstemming met de Gemeente en in overleg met de cliënt, de Opvolger aan: een andere "
        "Deelnemende Partij of een hulpverlener buiten de Alliantie"),
    ("client_continuity.transfer_costs", "each_own"): (D, [],
        "Iedere Partij draagt haar eigen kosten van de overdracht."),
    ("client_continuity.transfer_costs", "transferring_party"): (D, [s(["client_continuity"], {"transfer_costs": "transferring_party"})],
        "De Overdragende Partij draagt de kosten van de overdracht, met inbegrip van de redelijke kosten die de "
        "Opvolger"),
    ("funding_end.consequence", "end"): (D, [],
        "dan eindigt de Overeenkomst op de datum waarop de financiering eindigt, tenzij Partijen vóór die datum "
        "met algemene stemmen besluiten de Overeenkomst voort te zetten"),
    ("funding_end.consequence", "continue_with_others"): (D, [s(["funding_end"], {"consequence": "continue_with_others"})],
        "Beëindigt of vermindert een Financier de financiering, dan blijft de Overeenkomst tussen Partijen in "
        "stand"),
    ("funding_end.consequence", "renegotiate"): (D, [s(["funding_end"], {"consequence": "renegotiate",
                                                                         "renegotiation_months": 4})],
        "Komen Partijen niet binnen vier (4) maanden na de mededeling Schriftelijk tot overeenstemming"),
}



def number(answers: dict, label: str) -> str:
    return assemble(answers).number_of(label)


@pytest.mark.parametrize("case", list(CONTINUITY_CASES), ids=lambda c: f"{c[0]}={c[1]}")
def test_each_choice_renders_its_own_text(case):
    base, changes, phrase = CONTINUITY_CASES[case]
    answers = apply_changes(example(base), changes)
    clause = "continuiteit" if case[0].startswith("client_continuity") else "einde_financiering"
    assert phrase in article(answers, clause)
    for other, (other_base, other_changes, other_phrase) in CONTINUITY_CASES.items():
        if other[0] == case[0] and other != case:
            assert other_phrase not in article(answers, clause), other


# --- two parties ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("successor, phrase", [
    ("remaining_parties", "De Opvolger is de andere Partij. Kan of mag zij de hulp of ondersteuning niet "
                          "voortzetten, of eindigt de Overeenkomst, dan stellen Partijen in overleg met de cliënt"),
    ("commissioner", "Partijen wijzen voor iedere cliënt van de Overdragende Partij, in overeenstemming met de "
                     "Financier en in overleg met de cliënt, de Opvolger aan: de andere Partij of een hulpverlener"),
])
def test_with_two_parties_the_successor_is_the_other_party(successor, phrase):
    text = article(apply_changes(example(T), [s(["client_continuity"], {"successor": successor})]), "continuiteit")
    assert phrase in text
    assert "overige Partijen" not in text and "Stuurgroep wijst" not in text


def test_two_parties_name_the_designated_party_and_fall_back_on_the_other():
    answers = apply_changes(example(T), [s(["client_continuity"], {"successor": "designated_party",
                                                                   "designated_party": "eettafel"})])
    text = article(answers, "continuiteit")
    assert "De Opvolger is De Eettafel." in text or "De Opvolger is de Eettafel." in text
    assert "is de andere Partij de Opvolger" in text


def test_an_own_costs_alliance_without_a_financier_consults_no_financier_and_has_no_funding_article():
    answers = example(T)
    text = article(answers, "continuiteit")
    assert "Financier" not in text and "Middelen" not in text
    assert "einde_financiering" not in {a.clause_id for a in assemble(answers).articles}


# --- timing, files and the privacy basis ---------------------------------------------------------------------

@pytest.mark.parametrize("months, phrase", [(3, "maar niet langer dan drie (3) maanden na dat einde"),
                                            (6, "maar niet langer dan zes (6) maanden na dat einde"),
                                            (0, "maar niet langer dan tot dat einde")])
def test_the_handover_period_follows_the_answer(months, phrase):
    answers = apply_changes(example(D), [s(["client_continuity"], {"handover_months": months})])
    assert phrase in article(answers, "continuiteit")


@pytest.mark.parametrize("base", [T, D])
def test_files_pass_only_on_a_basis_of_the_avg_and_without_breaking_professional_secrecy(base):
    answers = example(base)
    files = assemble(answers)
    text = article(answers, "continuiteit")
    for phrase in ("een grondslag bestaat als bedoeld in artikel 6 AVG", "artikel 9 lid 2 AVG", "beroepsgeheim",
                   "Berust de overdracht op de toestemming van de cliënt", "artikel 32 AVG",
                   f"Voor het overige is artikel {files.number_of('privacy')} van toepassing",
                   "De cliënt is vrij een andere hulpverlener te kiezen", "warm over aan de Opvolger"):
        assert phrase in text, phrase


def test_step_in_on_insolvency_goes_before_the_general_successor():
    answers = apply_changes(example(D), [s(["insolvency"], {"model": "step_in", "step_in_party": "onderdak"})])
    text = article(answers, "continuiteit")
    assert f"bij een Insolventiegebeurtenis gaat artikel {number(answers, 'insolventie.overname')} voor" in text
    continuity = article(answers, "insolventie")
    assert f"de Partij die haar taken overneemt op grond van artikel {number(answers, 'insolventie.overname')} " \
           "de Opvolger" in continuity


# --- every exit route refers to the one article --------------------------------------------------------------

#: Wording the exit routes carried before the continuity article: each route had its own half-copy.
OLD_WORDING = ("in overleg met de cliënt en met diens instemming", "warm worden overgedragen",
               "een warme overdracht van haar cliënten", "grondslag bestaat op grond van de AVG",
               "Persoonsgegevens voor zover de overdracht daarvan rechtens is toegestaan",
               "zodat geen cliënt tussen de voorzieningen in valt", "geen cliënt tussen de voorzieningen in valt")
ROUTES = ("uittreding", "uitsluiting", "insolventie", "beeindiging")


@pytest.mark.parametrize("base", [T, D])
@pytest.mark.parametrize("route", ROUTES)
def test_every_exit_route_refers_to_the_continuity_article_and_no_longer_copies_it(base, route):
    answers = example(base)
    text = article(answers, route)
    assert f"artikel {number(answers, 'continuiteit')}" in text
    for phrase in OLD_WORDING:
        assert phrase not in text, phrase


def test_the_continuity_article_comes_before_the_exit_routes_and_names_them():
    answers = example(D)
    agreement = assemble(answers)
    order = [a.clause_id for a in agreement.articles]
    assert order.index("continuiteit") < min(order.index(route) for route in ROUTES)
    text = article(answers, "continuiteit")
    for route in ROUTES + ("einde_financiering",):
        assert f"(artikel {agreement.number_of(route)})" in text, route


def test_exclusion_keeps_its_own_rule_on_costs():
    answers = example(D)
    text = article(answers, "uitsluiting")
    assert "In afwijking van die artikelen komen de kosten" in text
    assert f"Bij uitsluiting gaat artikel {number(answers, 'uitsluiting')} over de kosten voor." in \
        article(answers, "continuiteit")


# --- the end of funding --------------------------------------------------------------------------------------

def test_the_gemeente_announces_the_end_of_funding_and_the_awb_reasonable_term_is_named():
    answers = apply_changes(example(D), [s(["funding_end"], {"notice_months": 9})])
    text = article(answers, "einde_financiering")
    assert text.startswith("De Gemeente deelt een voornemen om de financiering van de Alliantie")
    assert "ten minste negen (9) maanden vóór de datum" in text
    assert "onverminderd de bevoegdheden van de gemeenteraad" in text
    if "financing" in answers:  # the financing article names art. 4:51 Awb: referred to, not repeated
        assert f"geldt artikel {number(answers, 'financiering.meerjarig')};" in text and "4:51" not in text
        answers = {k: v for k, v in answers.items() if k != "financing"}
        text = article(answers, "einde_financiering")
    assert "slechts geschieden met inachtneming van een redelijke termijn (artikel 4:51 van de Algemene wet " \
           "bestuursrecht)" in text


def test_the_wind_down_budget_puts_clients_first_and_reserves_a_leaving_party_once():
    answers = example(D)
    text = article(answers, "einde_financiering")
    agreement = assemble(answers)
    assert "afbouwbegroting" in text
    assert f"cliënten overeenkomstig artikel {agreement.number_of('continuiteit')};" in text
    assert f"op grond van artikel {agreement.number_of('uittreding.afbouwkosten')} voor haar afbouw wordt " \
           "gereserveerd, deel uit van de afbouwbegroting en wordt het niet nogmaals gereserveerd" in text


@pytest.mark.parametrize("consequence", ["continue_with_others", "renegotiate"])
def test_a_party_may_leave_without_fee_when_funding_ends(consequence):
    answers = apply_changes(example(D), [s(["funding_end"], {"consequence": consequence}),
                                         s(["withdrawal", "exit_fee"], {"kind": "fixed", "amount": 25000})])
    text = article(answers, "einde_financiering")
    assert "Iedere Deelnemende Partij kan haar deelname binnen twee (2) maanden na" in text
    assert "geen uittredingsvergoeding verschuldigd is" in text
    assert f"artikel {number(answers, 'uittreding.lock_in')} niet gelden" in text


def test_the_end_of_the_agreement_follows_the_funding_choice():
    ends = article(example(D), "beeindiging")
    assert f"op het tijdstip en onder de voorwaarden van artikel " \
           f"{number(example(D), 'einde_financiering.gevolg')}" in ends
    continues = apply_changes(example(D), [s(["funding_end"], {"consequence": "continue_with_others"})])
    assert "financiering" not in member_items(continues, "beeindiging.gronden")


def member_items(answers: dict, label: str) -> str:
    agreement = assemble(answers)
    found = next(m for a in agreement.articles for m in a.members if m.label == label)
    return found.body.text + "\n" + "\n".join(i.text for i in found.items)


def test_a_commissioner_that_leaves_the_agreement_is_coordinated_with_the_funding_article():
    answers = example(D)
    leaving = member_items(answers, "uittreding.opdrachtgever")
    assert f"de gevolgen daarvan voor de Alliantie regelt artikel {number(answers, 'einde_financiering')}" in leaving
    assert f"op grond van artikel {number(answers, 'uittreding.opdrachtgever')} laat de financiering onverlet" in \
        article(answers, "einde_financiering")


def test_two_parties_with_a_gemeente_get_the_funding_article():
    answers = example(T)
    gemeente = {"id": "gemeente", "name": "Gemeente Zwolle", "short_name": "Gemeente", "legal_form": "gemeente",
                "role": "commissioner",
                "address": {"street": "Grote Kerkplein 15", "postal_code": "8011 PK", "city": "Zwolle"},
                "representatives": [{"name": "J. de Vries", "function": "burgemeester", "basis": "statutory"}]}
    answers["parties"].append(gemeente)
    answers = apply_changes(answers, [s(["funding_end"], {"consequence": "continue_with_others"})])
    text = article(answers, "einde_financiering")
    assert text.startswith("Gemeente deelt een voornemen")
    assert "Iedere Deelnemende Partij kan haar deelname" in text
    assert "overige Deelnemende Partijen" not in text


# --- findings and variants -----------------------------------------------------------------------------------

def test_the_new_fields_are_optional_and_the_examples_stay_valid():
    for base in (T, D):
        assert not [f for f in validate(example(base)) if f.severity.value == "error"]


@pytest.mark.parametrize("topic, variants", [("client_continuity", {"C1", "C2", "C3"}),
                                             ("funding_end", {"F1", "F2", "F3"})])
def test_variants_of_the_new_topics_work_out_for_the_example(topic, variants):
    found = options(example(D), topic)
    assert {o.variant.id for o in found} == variants
    assert all(o.agreement is not None or o.incomplete for o in found)
    assert any(o.chosen for o in found)


# --- loose ends: one notices rule, the annexes in the complete-agreement clause ------------------------------

CONTACT = {"dehaven": {"name": "mevrouw A. Jansen", "email": "alliantie@dehaven.nl"}}
ANNEX_SETS = {
    "twee": (T, []),
    "twee-contactpersonen": (T, [s(["notices"], {"contacts": {"buurtwerk": CONTACT["dehaven"]}})]),
    "zes": (D, []),
    "zes-zonder-bijlagen": (D, [s(["multi_year_plan"], None), s(["conditions"], []),
                                s(["resources"], {"model": "own_costs", "contributions": {"dehaven": 1000}})]),
}


@pytest.mark.parametrize("name", list(ANNEX_SETS))
def test_the_complete_agreement_clause_names_the_annexes_exactly_when_there_are_any(name):
    base, changes = ANNEX_SETS[name]
    answers = apply_changes(example(base), changes)
    if answers.get("multi_year_plan") is None:
        answers.pop("multi_year_plan", None)
    agreement = assemble(answers)
    assert ("met inbegrip van de Bijlagen" in member_items(answers, "slot.volledigheid")) == bool(agreement.annexes)


def test_the_address_for_notices_is_one_rule_in_the_notices_article():
    answers = example(D)
    agreement = assemble(answers)
    assert "slot.mededelingen" not in {m.label for a in agreement.articles for m in a.members}
    texts = {a.clause_id: article(answers, a.clause_id) for a in agreement.articles}
    assert [c for c, t in texts.items() if "adres van de betrokken Partij dat in de comparitie" in t] == \
        ["mededelingen"]
    assert "Mededelingen in het kader van de Overeenkomst geschieden Schriftelijk." in texts["mededelingen"]
