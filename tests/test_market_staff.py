"""Exclusivity and competition, staff (secondment, transfer of undertaking, non-solicitation) and security for
performance, read back from the assembled agreement.

Every choice has a witness phrase (``ENUM_CASES``, also used by test_clauses for the every-enum-value check);
every article is read for the two-party example and for the six-party Dak en Thuis alliance with its gemeente.
"""
from __future__ import annotations

import pytest
from conftest import apply_changes, example
from conftest import article_text as article, member_text as member

from agreement_engine.api import assemble
from agreement_engine.findings import Severity
from agreement_engine.model import Ref
from agreement_engine.validate import validate
from agreement_engine.variant_options import options

D, T = "dak-en-thuis", "twee-partijen"


def s(path, value):
    return ["set", path, value]


REGION = s(["exclusivity"], {"kind": "region", "region": "de gemeente Utrecht"})
FIRST = s(["exclusivity"], {"kind": "first_refusal", "first_refusal_days": 10})
NO_POACH = s(["non_solicitation"], {"kind": "during_and_12_months"})
BANK = s(["security"], {"kind": "bank_guarantee", "party": "onderdak", "amount": 50000, "term_months": 24})
PARENT = s(["security"], {"kind": "parent_guarantee", "party": "onderdak", "amount": 75000,
                          "guarantor": "Stichting Zorggroep Midden", "beneficiary": "lead_party"})

#: (field, value): (example, changes, phrase the agreement must contain and no other value of the field gives)
ENUM_CASES = {
    ("exclusivity.kind", "none"): (D, [], "Partijen zijn jegens elkaar niet tot exclusiviteit verplicht"),
    ("exclusivity.kind", "region"): (D, [REGION],
        "biedt een Deelnemende Partij binnen de gemeente Utrecht de diensten die volgens de Overeenkomst"),
    ("exclusivity.kind", "first_refusal"): (D, [FIRST],
        "dan legt zij die mogelijkheid eerst Schriftelijk voor aan de Stuurgroep"),
    ("non_solicitation.kind", "none"): (D, [],
        "De Overeenkomst beperkt Partijen niet in het werven en in dienst nemen van medewerkers"),
    ("non_solicitation.kind", "during_and_12_months"): (D, [NO_POACH],
        "Zolang de Overeenkomst duurt en tot twaalf (12) maanden na het einde daarvan, benadert een Deelnemende "
        "Partij niet actief"),
    ("secondment.kind", "none"): (D, [],
        "Vindt die terbeschikkingstelling tegen vergoeding plaats, dan staat de uitlenende Partij ervoor in"),
    ("secondment.kind", "with_fee"): (D, [s(["secondment"], {"kind": "with_fee"})],
        "De inlenende Partij vergoedt de uitlenende Partij de loonkosten van de gedetacheerde medewerker"),
    ("secondment.kind", "without_fee"): (D, [s(["secondment"], {"kind": "without_fee"})],
        "Een detachering vindt plaats zonder vergoeding"),
    ("security.kind", "none"): (D, [], "Detachering, overgang en werving van medewerkers"),
    ("security.kind", "bank_guarantee"): (D, [BANK], "door afgifte van een onherroepelijke bankgarantie"),
    ("security.kind", "parent_guarantee"): (D, [PARENT],
        "Onder Dak draagt ervoor zorg dat Stichting Zorggroep Midden (hierna in dit artikel: de garant)"),
    ("security.beneficiary", "other_parties"): (D, [BANK],
        "ten gunste van de overige Deelnemende Partijen (hierna in dit artikel gezamenlijk: de begunstigde)"),
    ("security.beneficiary", "lead_party"): (D, [PARENT],
        "De Penvoerder roept de garantie in ten behoeve van de Partijen jegens wie de vordering bestaat"),
}




def numbers(answers: dict) -> dict[str, str]:
    agreement = assemble(answers)
    found = {a.clause_id: str(a.number) for a in agreement.articles}
    found.update({m.label: m.number for a in agreement.articles for m in a.members if m.label})
    return found


@pytest.mark.parametrize("case", list(ENUM_CASES), ids=lambda c: f"{c[0]}={c[1]}")
def test_each_choice_renders_its_own_text(case):
    base, changes, phrase = ENUM_CASES[case]
    answers = apply_changes(example(base), changes)
    assert not [f for f in validate(answers) if f.severity is Severity.ERROR]
    agreement = assemble(answers)
    assert phrase in "\n".join(p.text for p in agreement.paragraphs()) + "\n" + agreement.text


# --- exclusiviteit en mededinging -----------------------------------------------------------------------

@pytest.mark.parametrize("base", [T, D])
def test_without_exclusivity_the_purpose_article_keeps_each_party_free(base):
    answers = example(base)
    scope = member(answers, "doel.reikwijdte")
    assert "Iedere Partij blijft vrij om buiten de" in scope and "ook op het terrein waarop" in scope
    # in the order of the agreement
    assert f"de artikelen {numbers(answers)['exclusiviteit']} en {numbers(answers)['geheimhouding']}" in scope
    competition = article(answers, "exclusiviteit")
    assert "artikel 6 van de Mededingingswet" in competition and "artikel 101 van het Verdrag" in competition
    assert "geen concurrentiegevoelige informatie" in competition
    assert "gezamenlijk inkopen" not in competition


@pytest.mark.parametrize("base", [T, D])
def test_region_exclusivity_replaces_the_freedom_sentence_and_is_narrow(base):
    region = "de gemeente Utrecht" if base == D else "de gemeente Zwolle"
    answers = apply_changes(example(base), [s(["exclusivity"], {"kind": "region", "region": region})])
    scope = member(answers, "doel.reikwijdte")
    assert "ook op het terrein waarop" not in scope
    assert (f"met de beperking die artikel {numbers(answers)['exclusiviteit']} bepaalt voor diensten aan de "
            f"Financier binnen {region}") in scope
    text = article(answers, "exclusiviteit")
    for phrase in (f"binnen {region} de diensten", "niet buiten de", "aan de Financier", "tenzij de Stuurgroep",
                   "op de Ingangsdatum al aan de Financier verleent", "persoonsgebonden budget",
                   "Dit artikel bindt de Financier niet", "eindigt voor een Partij op het moment waarop haar "
                   "deelname aan de Overeenkomst eindigt", "in de ruimste mate die wel is toegestaan"):
        assert phrase in text, phrase
    assert ("Deelnemende Partij" in text) == (base == D)


def test_first_refusal_gives_the_body_a_term_and_then_frees_the_party():
    answers = apply_changes(example(D), [FIRST])
    text = article(answers, "exclusiviteit")
    assert "De Stuurgroep beslist binnen tien (10) Werkdagen na ontvangst" in text
    assert "of beslist zij niet tijdig, dan is de Deelnemende Partij die de mogelijkheid voorlegde, vrij" in text
    assert (f"en van het recht van eerste aanbod van artikel {numbers(answers)['exclusiviteit']}."
            in member(answers, "doel.reikwijdte"))


def test_joint_purchasing_is_a_member_of_its_own():
    answers = apply_changes(example(T), [s(["exclusivity"], {"joint_purchasing": True})])
    assert "gezamenlijk inkopen op grond van een besluit van de Stuurgroep" in member(answers, "exclusiviteit.inkoop")


@pytest.mark.parametrize("changes, expected", [
    ([REGION], {"exclusivity.competition_risk"}),
    ([FIRST, s(["exclusivity", "joint_purchasing"], True)],
     {"exclusivity.competition_risk", "exclusivity.joint_purchasing_risk"}),
    ([], set()),
])
def test_four_stichtingen_agreeing_on_exclusivity_or_purchasing_are_warned(changes, expected):
    findings = validate(apply_changes(example(D), changes))
    found = {f.code for f in findings if f.code.startswith("exclusivity.")}
    assert found == expected
    for finding in findings:
        if finding.code in expected:
            assert finding.severity is Severity.WARNING
            assert "4 deelnemende Partijen met dezelfde rechtsvorm (stichting)" in finding.message
            assert "artikel 6 Mededingingswet" in finding.message


def test_two_parties_of_different_kinds_are_not_warned():
    findings = validate(apply_changes(example(T), [s(["exclusivity"], {"kind": "region", "region": "Zwolle",
                                                                       "joint_purchasing": True})]))
    assert not [f for f in findings if f.code.startswith("exclusivity.")]


# --- medewerkers: detachering, overgang, werving -----------------------------------------------------------

@pytest.mark.parametrize("base", [T, D])
def test_the_inzet_article_points_to_the_secondment_member(base):
    answers = example(base)
    agreement = assemble(answers)
    inzet = next(a for a in agreement.articles if a.clause_id == "inzet")
    refs = {seg.label for m in inzet.members for seg in m.body.segments if isinstance(seg, Ref)}
    assert "medewerkers.detachering" in refs
    number = numbers(answers)["medewerkers.detachering"]
    assert f"waaronder detachering, vindt uitsluitend plaats overeenkomstig artikel {number}" in article(answers,
                                                                                                         "inzet")


@pytest.mark.parametrize("kind", ["with_fee", "without_fee"])
def test_secondment_keeps_the_employer_and_guarantees_the_waadi(kind):
    answers = apply_changes(example(D), [s(["secondment"], {"kind": kind})])
    text = article(answers, "medewerkers")
    for phrase in ("De uitlenende Partij blijft werkgever van de gedetacheerde medewerker",
                   "artikel 7:658 lid 4 van het Burgerlijk Wetboek",
                   f"voor de toepassing van artikel {numbers(answers)['aansprakelijkheid']} als handelingen en "
                   "nalaten van de inlenende Partij",
                   "Wet allocatie arbeidskrachten door intermediairs",
                   "registratie in het handelsregister als bedoeld in artikel 7a van die wet",
                   "Een detachering doet geen arbeidsovereenkomst ontstaan"):
        assert phrase in text, phrase
    assert ("tegen welke vergoeding" in text) == (kind == "with_fee")
    assert "De Overeenkomst zelf brengt geen terbeschikkingstelling" not in article(answers, "inzet")


@pytest.mark.parametrize("base", [T, D])
def test_transfer_of_undertaking_is_contract_text(base):
    text = member(example(base), "medewerkers.overgang")
    for phrase in ("als bedoeld in artikel 7:662 van het Burgerlijk Wetboek", "van rechtswege over op de "
                   "verkrijgende Partij (artikel 7:663 van het Burgerlijk Wetboek)",
                   "de overdragende Partij draagt de loon- en andere aanspraken", "ondernemingsraden"):
        assert phrase in text, phrase


@pytest.mark.parametrize("base", [T, D])
def test_non_solicitation_forbids_only_active_approach(base):
    answers = apply_changes(example(base), [NO_POACH])
    text = article(answers, "medewerkers")
    assert "niet actief, zelf of via een ander" in text
    assert "die uit eigen beweging solliciteert, ook naar aanleiding van een openbare vacature" in text
    assert f"de overgang van medewerkers als bedoeld in artikel {numbers(answers)['medewerkers.overgang']}" in text
    assert "boete" not in text.lower()
    # two parties: an early exit ends the agreement itself, so the twelve months after it need no sentence
    assert ("Eindigt de deelname van een Deelnemende Partij eerder" in text) == (base == D)
    assert "Eindigt de deelname van een Partij eerder" not in text
    if base == T:  # two parties: "the other", never "an other"
        assert "een medewerker van de andere Partij" in text and "een andere Partij" not in text


def test_non_solicitation_binds_only_participants_when_there_is_a_gemeente():
    text = member(apply_changes(example(D), [NO_POACH]), "medewerkers.werving")
    assert "benadert een Deelnemende Partij niet actief" in text and "een andere Deelnemende Partij" in text


# --- zekerheidstelling -------------------------------------------------------------------------------------

def test_without_security_there_is_no_security_article():
    assert "zekerheid" not in {a.clause_id for a in assemble(example(D)).articles}


def test_bank_guarantee_names_party_amount_term_and_when_it_may_be_called():
    answers = apply_changes(example(D), [BANK])
    text = article(answers, "zekerheid")
    for phrase in ("Onder Dak stelt binnen twintig (20) Werkdagen na de Ingangsdatum zekerheid",
                   "€ 50.000,00 (zegge: vijftigduizend euro)", "betaalbaar op eerste Schriftelijk verzoek",
                   "een looptijd van ten minste vierentwintig (24) maanden",
                   "niet binnen tien (10) Werkdagen na een Schriftelijke aanmaning heeft voldaan",
                   "aan de stemming waarover de vertegenwoordigers van Onder Dak niet deelnemen",
                   "een uittredingsvergoeding"):
        assert phrase in text, phrase
    numbers_ = numbers(answers)
    assert int(numbers_["aansprakelijkheid"]) < int(numbers_["zekerheid"]) < int(numbers_["geheimhouding"])


def test_two_parties_guarantee_in_favour_of_the_other_party():
    answers = apply_changes(example(T), [s(["security"], {"kind": "bank_guarantee", "party": "eettafel",
                                                          "amount": 10000})])
    text = article(answers, "zekerheid")
    assert "ten gunste van de andere Partij (hierna in dit artikel: de begunstigde)" in text
    assert "overige" not in text and "Stuurgroep" not in text
    assert "uittredingsvergoeding" not in text  # the two-party example has no exit fee


@pytest.mark.parametrize("topic, changes, variants", [
    ("exclusivity", [s(["exclusivity"], {"region": "de gemeente Utrecht"})], 3),
    ("non_solicitation", [], 2),
    ("security", [PARENT], 2),  # the optional article: each variant names the answer that includes it
])
def test_variants_shows_every_choice(topic, changes, variants):
    found = options(apply_changes(example(D), changes), topic)
    assert len(found) == variants
    assert all(option.agreement is not None for option in found), [o.problems for o in found]
