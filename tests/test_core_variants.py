"""The variants of the four core topics that the second legal review found missing, read back from the text.

Resources: whether a party that withdraws keeps or forfeits its share in the balance of the M4 contributions.
Liability: a cap as a percentage of a party's annual share, an annual aggregate beside the cap per event, and
A1 and A2 drawn apart (A2 adds only the sharing of non-attributable loss that is not a recovery). Withdrawal:
an exit fee of a number of months of the annual share, a cap, and the text on art. 6:91 and 6:94 BW.
Insolvency: an attachment counts only when it is not lifted in time and is large or hits what matters.
Every choice has a witness phrase (``CORE_CASES``, also used by test_clauses for the every-enum-value check)
and is read for two parties and for the six-party example.
"""
from __future__ import annotations

import pytest
from conftest import apply_changes, example
from conftest import article_text as article

from agreement_engine.api import assemble
from agreement_engine.validate import validate

D, T = "dak-en-thuis", "twee-partijen"


def s(path, value):
    return ["set", path, value]


def r(path):
    return ["remove", path]


#: Two parties whose M4 contributions are held by a penvoerder, so there is a balance to keep or forfeit.
FUND = [s(["resources", "route"], "lead_party"), s(["resources", "lead_party"], "buurtwerk")]

#: (field, value): (example, changes, phrase the agreement must contain and no other value of the field gives)
CORE_CASES = {
    ("resources.exit_share", "forfeit"): (T, FUND,
        "De bijdragen die de Uittredende Partij heeft betaald, worden haar niet terugbetaald."),
    ("resources.exit_share", "refund"): (T, [*FUND, s(["resources", "exit_share"], "refund")],
        "De Penvoerder betaalt de Uittredende Partij binnen drie (3) maanden na de Uittredingsdatum haar aandeel "
        "in het saldo van de bijdragen terug."),
    ("liability.cap.kind", "share_percent"): (D, [s(["liability", "cap"], {"kind": "share_percent", "percent": 50})],
        "is voor alle gebeurtenissen die zich in een kalenderjaar voordoen tezamen beperkt tot 50% van haar "
        "jaarlijkse aandeel in dat kalenderjaar"),
    ("withdrawal.exit_fee.kind", "annual_share"): (D, [s(["withdrawal", "exit_fee"],
                                                         {"kind": "annual_share", "months": 3})],
        "De uittredingsvergoeding is gelijk aan haar jaarlijkse aandeel, gedeeld door twaalf (12) en "
        "vermenigvuldigd met drie (3)."),
}



def codes(answers: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in validate(answers):
        found.setdefault(f.code, []).append(f.path)
    return found


@pytest.mark.parametrize("case", list(CORE_CASES), ids=lambda c: f"{c[0]}={c[1]}")
def test_each_choice_renders_its_own_text(case):
    base, changes, phrase = CORE_CASES[case]
    answers = apply_changes(example(base), changes)
    assert not [f for f in validate(answers) if f.severity.value == "error"]
    agreement = assemble(answers)
    assert phrase in "\n".join(p.text for p in agreement.paragraphs())


# --- resources: the M4 share on exit -----------------------------------------------------------------------

def test_forfeiture_is_only_for_withdrawal_and_an_insolvent_party_keeps_its_share():
    exit_article = article(apply_changes(example(T), FUND), "uittreding")
    assert "ook niet bij de verdeling van een overschot bij het einde van de Overeenkomst" in exit_article
    assert "Dit lid geldt uitsluitend bij uittreding door opzegging." in exit_article
    assert "dan vervalt haar aandeel in het saldo niet en betaalt de Penvoerder het binnen drie (3) maanden" \
        in exit_article
    assert "in geval van faillissement, aan de curator" in exit_article
    assert "Een uittredingsvergoeding wordt verminderd" not in exit_article  # there is none
    with_fee = article(apply_changes(example(T), [*FUND, s(["withdrawal", "exit_fee"], {"kind": "fixed", "amount": 5000})]),
                       "uittreding")
    assert "Een uittredingsvergoeding wordt verminderd met het aandeel in het saldo dat de Uittredende Partij op " \
           "grond van dit lid verliest" in with_fee


def test_a_refund_is_named_as_the_exception_to_no_claim_on_joint_assets():
    refund = article(apply_changes(example(T), [*FUND, s(["resources", "exit_share"], "refund")]), "uittreding")
    assert "en van haar aandeel in het saldo van de bijdragen overeenkomstig artikel" in refund
    assert "Na die afrekening deelt zij niet meer in een overschot of tekort" in refund
    forfeit = article(apply_changes(example(T), FUND), "uittreding")
    assert "en van haar aandeel in het saldo van de bijdragen" not in forfeit


def test_without_a_fund_there_is_no_share_to_forfeit_and_the_choice_is_pointed_out():
    answers = apply_changes(example(T), [s(["resources", "exit_share"], "refund")])  # route direct
    assert "saldo van de bijdragen" not in article(answers, "uittreding")
    assert codes(answers)["resources.exit_share_direct"] == ["$.resources.exit_share"]
    keyed = apply_changes(example(D), [s(["resources", "exit_share"], "refund")])
    assert codes(keyed)["resources.ignored_field"] == ["$.resources.exit_share"]


# --- liability: caps ---------------------------------------------------------------------------------------

def test_share_cap_of_the_six_parties_refers_to_the_annex_and_caps_the_gemeente_at_the_highest():
    answers = apply_changes(example(D), [s(["liability", "cap"], {"kind": "share_percent", "percent": 50})])
    text = article(answers, "aansprakelijkheid")
    assert "het bedrag dat haar volgens de Verdeelsleutel uit het Jaarbudget voor dat kalenderjaar toekomt, " \
           "zoals vermeld in Bijlage 2" in text
    assert "De aansprakelijkheid van de Gemeente, die geen aandeel in het Jaarbudget heeft, is per kalenderjaar " \
           "in totaal beperkt tot het hoogste bedrag" in text
    assert "Een reeks van samenhangende gebeurtenissen met dezelfde oorzaak" in text
    assert "met opzet" not in text and "opzet of bewuste roekeloosheid" in text
    assert "liability.cap_share_unknown" not in codes(answers)


def test_share_cap_between_two_parties_is_a_share_of_the_contribution():
    answers = apply_changes(example(T), [s(["liability", "cap"], {"kind": "share_percent", "percent": 100})])
    text = article(answers, "aansprakelijkheid")
    assert "De aansprakelijkheid van een Partij jegens de andere Partij is voor alle gebeurtenissen" in text
    assert "tot 100% van haar jaarlijkse aandeel in dat kalenderjaar. Haar jaarlijkse aandeel is haar jaarlijkse " \
           "bijdrage aan de Gezamenlijke Kosten" in text
    assert "Gemeente" not in text


@pytest.mark.parametrize("model", ["output_based", "annual_plan"])
def test_share_cap_without_known_amounts_is_a_warning(model):
    answers = apply_changes(example(D), [s(["resources", "model"], model), r(["resources", "shares"]),
                                         s(["liability", "cap"], {"kind": "share_percent", "percent": 50})])
    assert codes(answers)["liability.cap_share_unknown"] == ["$.liability.cap.kind"]
    assert "volgens het Jaarplan voor dat kalenderjaar" in article(answers, "aansprakelijkheid")


def test_share_cap_for_a_member_without_a_contribution_is_an_error():
    answers = apply_changes(example(T), [s(["resources", "contributions"], {"buurtwerk": 7500}),
                                         s(["liability", "cap"], {"kind": "share_percent", "percent": 50})])
    found = [f for f in validate(answers) if f.code == "liability.cap_share_nil"]
    assert [f.severity.value for f in found] == ["error"]
    assert "Vereniging De Eettafel Zwolle" in found[0].message


def test_annual_aggregate_beside_the_cap_per_event():
    cap = {"kind": "amount", "amount": 100000, "annual_aggregate": 250000}
    text = article(apply_changes(example(T), [s(["liability", "cap"], cap)]), "aansprakelijkheid")
    assert "beperkt tot € 100.000,00 (zegge: honderdduizend euro) per gebeurtenis, met dien verstande dat het " \
           "totaal van de vergoedingen die een Partij verschuldigd is voor alle gebeurtenissen die zich in één " \
           "kalenderjaar voordoen, niet meer bedraagt dan € 250.000,00 (zegge: tweehonderdvijftigduizend euro)." \
           in text.replace("\xa0", " ")
    six = article(apply_changes(example(D), [s(["liability", "cap", "annual_aggregate"], 2000000)]),
                  "aansprakelijkheid")
    assert "niet meer bedraagt dan € 2.000.000,00 (zegge: twee miljoen euro)." in six.replace("\xa0", " ")
    without = article(example(D), "aansprakelijkheid")
    assert "eveneens niet meer bedraagt dan dat bedrag." in without


def test_annual_aggregate_below_the_cap_per_event_is_an_error_and_unused_elsewhere():
    low = apply_changes(example(T), [s(["liability", "cap"], {"kind": "amount", "amount": 100000,
                                                                 "annual_aggregate": 50000})])
    assert codes(low)["liability.aggregate_below_amount"] == ["$.liability.cap.amount"]
    unused = apply_changes(example(T), [s(["liability", "cap"], {"kind": "insured_sum", "annual_aggregate": 1,
                                                                    "percent": 10})])
    assert sorted(codes(unused)["liability.ignored_field"]) == ["$.liability.cap.annual_aggregate",
                                                                "$.liability.cap.percent"]


# --- liability: A1 and A2 drawn apart ----------------------------------------------------------------------

NOT_ATTRIBUTABLE = "een boete of korting van de Financier die geen Terugvordering is"


@pytest.mark.parametrize("base", [T, D])
def test_a1_leaves_non_attributable_loss_where_it_falls_and_a2_shares_it(base):
    a1 = article(apply_changes(example(base), [s(["liability", "model"], "own_acts")]), "aansprakelijkheid")
    assert f"waaronder {NOT_ATTRIBUTABLE} en een aanspraak van een derde" in a1
    assert "zij wordt niet tussen Partijen verdeeld" in a1
    assert "naar de Verdeelsleutel" not in a1
    a2 = article(apply_changes(example(base), [s(["liability", "model"], "pro_rata")]), "aansprakelijkheid")
    assert "geen Terugvordering is, of een aanspraak van een derde die voortvloeit uit gezamenlijk uitgevoerde " \
           "werkzaamheden, wordt door de" in a2
    assert "zij wordt niet tussen Partijen verdeeld" not in a2
    for text in (a1, a2):  # a recovery follows the resources article in both
        assert "Voor een Terugvordering geldt uitsluitend artikel" in text


# --- withdrawal: the exit fee ------------------------------------------------------------------------------

def test_fee_of_months_of_the_share_with_a_cap_for_six_parties():
    fee = {"kind": "annual_share", "months": 3, "cap": 50000}
    text = article(apply_changes(example(D), [s(["withdrawal", "exit_fee"], fee)]), "uittreding").replace("\xa0", " ")
    assert "haar aandeel volgens de Verdeelsleutel, zoals die gold op de Uittredingsdatum, in het Jaarbudget voor " \
           "het kalenderjaar waarin de Uittredingsdatum valt, berekend over een volledig kalenderjaar. De " \
           "uittredingsvergoeding bedraagt in geen geval meer dan € 50.000,00 (zegge: vijftigduizend euro)." in text
    assert "naar verhouding van hun onderlinge aandelen in de Verdeelsleutel" in text
    assert "geen boete als bedoeld in artikel 6:91 van het Burgerlijk Wetboek" in text


def test_fee_of_months_between_two_parties_is_a_share_of_the_contribution():
    fee = {"kind": "annual_share", "months": 6}
    text = article(apply_changes(example(T), [s(["withdrawal", "exit_fee"], fee)]), "uittreding")
    assert "vermenigvuldigd met zes (6). Haar jaarlijkse aandeel is haar jaarlijkse bijdrage aan de Gezamenlijke " \
           "Kosten als bedoeld in artikel" in text
    assert "aan de andere Partij een uittredingsvergoeding verschuldigd" in text
    assert "in geen geval meer dan" not in text


@pytest.mark.parametrize("fee", [{"kind": "fixed", "amount": 25000}, {"kind": "remaining_commitments"},
                                 {"kind": "annual_share", "months": 2}], ids=lambda f: f["kind"])
@pytest.mark.parametrize("base", [T, D])
def test_every_fee_says_it_is_no_penalty_and_accepts_moderation(fee, base):
    text = article(apply_changes(example(base), [s(["withdrawal", "exit_fee"], fee)]), "uittreding")
    assert "en niet wegens een tekortkoming in de nakoming van de Overeenkomst" in text
    assert "geen boete als bedoeld in artikel 6:91 van het Burgerlijk Wetboek" in text
    assert "dan aanvaarden Partijen dat de rechter haar op grond van artikel 6:94 van het Burgerlijk Wetboek kan " \
           "matigen indien de billijkheid dat klaarblijkelijk eist" in text
    cost_based = "berekend naar de werkelijke kosten" in text
    assert cost_based == (fee["kind"] == "remaining_commitments")


def test_no_fee_has_no_moderation_text():
    assert "6:94" not in article(example(T), "uittreding")


def test_a_cap_on_the_remaining_commitments():
    fee = {"kind": "remaining_commitments", "cap": 40000}
    text = article(apply_changes(example(D), [s(["withdrawal", "exit_fee"], fee)]), "uittreding")
    assert "realiseren, waaronder de bijdrage van een Partij die na toetreding de taken van de Uittredende Partij " \
           "overneemt. De uittredingsvergoeding bedraagt in geen geval meer dan € 40.000,00" in text.replace("\xa0", " ")


def test_fee_findings():
    high = apply_changes(example(D), [s(["withdrawal", "exit_fee"], {"kind": "annual_share", "months": 9})])
    assert codes(high)["withdrawal.exit_fee_high"] == ["$.withdrawal.exit_fee.months"]
    capped = apply_changes(example(D), [s(["withdrawal", "exit_fee"], {"kind": "annual_share", "months": 9,
                                                                       "cap": 10000})])
    assert "withdrawal.exit_fee_high" not in codes(capped)
    fixed = apply_changes(example(T), [s(["withdrawal", "exit_fee"], {"kind": "fixed", "amount": 1, "cap": 2,
                                                                      "months": 3})])
    assert sorted(codes(fixed)["withdrawal.ignored_field"]) == ["$.withdrawal.exit_fee.cap",
                                                                "$.withdrawal.exit_fee.months"]
    missing = apply_changes(example(T), [s(["withdrawal", "exit_fee"], {"kind": "annual_share"})])
    assert "$.withdrawal.exit_fee.months" in codes(missing)["schema.required"]


# --- insolvency: attachment --------------------------------------------------------------------------------

def test_attachment_counts_only_when_not_lifted_in_time_and_material():
    answers = apply_changes(example(T), [s(["insolvency"], {"events": ["bankruptcy", "attachment"]})])
    text = article(answers, "insolventie")
    assert "(ii) een conservatoir of executoriaal beslag ten laste van haar dat niet binnen dertig (30) dagen na " \
           "de beslaglegging is opgeheven of vervallen, mits dat beslag rust op een wezenlijk deel van haar " \
           "vermogen of op zaken of rechten die zij voor de uitvoering van haar taken binnen de Samenwerking " \
           "nodig heeft." in text
    assert "Een beslag als bedoeld onder (ii) geldt als Insolventiegebeurtenis met ingang van de dag na het " \
           "verstrijken van die termijn." in text


def test_attachment_threshold_and_term_for_six_parties_under_i1():
    insolvency = {"model": "automatic", "events": ["bankruptcy", "suspension_of_payments", "dissolution", "attachment"],
                  "attachment_days": 14, "attachment_threshold": 50000}
    answers = apply_changes(example(D), [s(["insolvency"], insolvency)])
    text = article(answers, "insolventie").replace("\xa0", " ")
    assert "(iii) haar ontbinding of (iv) een conservatoir of executoriaal beslag ten laste van haar dat niet " \
           "binnen veertien (14) dagen" in text
    assert "mits dat beslag is gelegd voor een of meer vorderingen van samen ten minste € 50.000,00 (zegge: " \
           "vijftigduizend euro) of rust op een wezenlijk deel van haar vermogen" in text
    assert "onderhands akkoord" in text and "artikel 373 lid 3 Faillissementswet" in text
    assert "schuldsanering" not in text.lower()
    assert "Een beslag als bedoeld onder (iv) geldt als Insolventiegebeurtenis" in text
    assert codes(answers)["insolvency.automatic_attachment"] == ["$.insolvency.events[3]"]
    alone = article(apply_changes(example(T), [s(["insolvency"], {"events": ["attachment"]})]), "insolventie")
    assert "sprake bij een conservatoir" in alone and "Een zodanig beslag geldt als Insolventiegebeurtenis" in alone


def test_attachment_fields_without_attachment_are_pointed_out():
    answers = apply_changes(example(T), [s(["insolvency"], {"attachment_days": 10, "attachment_threshold": 5})])
    assert sorted(codes(answers)["insolvency.attachment_unused"]) == ["$.insolvency.attachment_days",
                                                                      "$.insolvency.attachment_threshold"]
    assert "beslag" not in article(answers, "insolventie")
