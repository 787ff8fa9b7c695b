"""The real clause library: every enum value of the schema assembled into text, and read back.

Each case is an answer set that uses one enum value (an example with a few changes; for a value that chooses a
variant, the variant's witness in the clause library) and a phrase the
agreement must then contain. Where the values of a field exclude each other, the phrase must also be
absent when another value of that field is chosen.
"""
from __future__ import annotations

import re

import pytest
from conftest import apply_changes, example

from agreement_engine.api import assemble
from agreement_engine.library import Witness, default_library
from agreement_engine.lint import equalities, schema_enums
from agreement_engine.model import Ref
from test_continuity import CONTINUITY_CASES
from test_core_variants import CORE_CASES
from test_market_staff import ENUM_CASES as MARKET_CASES
from test_financing import ENUM_CASES as FINANCING_CASES
from test_new_articles import ENUM_CASES
from test_quality_governance import ENUM_CASES as QUALITY_GOVERNANCE_CASES

D, T = "dak-en-thuis", "twee-partijen"


def s(path, value):
    return ["set", path, value]


def r(path):
    return ["remove", path]


GEMEENTE = {"id": "gemeente", "name": "Gemeente Zwolle", "short_name": "Gemeente", "legal_form": "gemeente",
            "role": "commissioner",
            "address": {"street": "Grote Kerkplein 15", "postal_code": "8011 PK", "city": "Zwolle"},
            "representatives": [{"name": "J. de Vries", "function": "burgemeester", "basis": "statutory"}]}

# (field, value): (example, changes, phrase the agreement must contain)
CASES = {
 ("document.kind", "alliance"): (D, [],
    'Overeenkomst: deze alliantieovereenkomst'),
 ("document.kind", "cooperation"): (T, [],
    'Overeenkomst: deze samenwerkingsovereenkomst'),
 ("document.kind", "covenant"): (T, [s(["document","kind"], "covenant")],
    'De Overeenkomst is een convenant.'),
 ("alliance.term.kind", "fixed"): (D, [],
    'De Overeenkomst wordt aangegaan voor bepaalde tijd'),
 ("parties.legal_form", "stichting"): (T, [],
    'Stichting Buurtwerk Zwolle, een stichting, statutair gevestigd te Zwolle'),
 ("parties.legal_form", "vereniging"): (T, [],
    'Vereniging De Eettafel Zwolle, een vereniging, statutair gevestigd te Zwolle'),
 ("parties.legal_form", "bv"): (T, [s(["parties",1,"legal_form"], "bv")],
    'Vereniging De Eettafel Zwolle, een besloten vennootschap met beperkte aansprakelijkheid, statutair gevestigd'),
 ("parties.legal_form", "nv"): (T, [s(["parties",1,"legal_form"], "nv")],
    'Vereniging De Eettafel Zwolle, een naamloze vennootschap, statutair gevestigd'),
 ("parties.legal_form", "cooperatie"): (T, [s(["parties",1,"legal_form"], "cooperatie")],
    'Vereniging De Eettafel Zwolle, een coöperatie, statutair gevestigd'),
 ("parties.legal_form", "gemeente"): (D, [],
    'Gemeente Utrecht, een openbaar lichaam, kantoorhoudende aan het adres Stadsplateau 1, 3521 AZ Utrecht'),
 ("parties.legal_form", "other"): (T, [s(["parties",1,"legal_form"], "other")],
    'Vereniging De Eettafel Zwolle, gevestigd te Zwolle'),
 ("parties.role", "member"): (T, [],
    'hierna gezamenlijk: “Partijen” en ieder afzonderlijk: “Partij”'),
 ("parties.role", "commissioner"): (T, [s(["parties",2], GEMEENTE)],
    'waarbij Gemeente optreedt als opdrachtgever en Buurtwerk Zwolle en De Eettafel als deelnemers'),
 ("parties.representatives.basis", "statutory"): (T, [],
    'te dezen rechtsgeldig vertegenwoordigd door'),
 ("parties.representatives.basis", "power_of_attorney"): (T, [s(["parties",0,"representatives",0,"basis"], "power_of_attorney")],
    'te dezen op grond van een volmacht vertegenwoordigd door'),
 ("governance.decision_rule", "unanimous"): (D, [s(["governance","decision_rule"], "unanimous"), r(["governance","qualified_majority_percent"])],
    'De Stuurgroep besluit met algemene stemmen van alle stemgerechtigde Deelnemende Partijen.'),
 ("governance.decision_rule", "majority"): (D, [s(["governance","decision_rule"], "majority"), r(["governance","qualified_majority_percent"])],
    'besluit de Stuurgroep met een meerderheid van meer dan de helft van de uitgebrachte stemmen'),
 ("governance.decision_rule", "qualified_majority"): (D, [],
    'besluit de Stuurgroep met een meerderheid van ten minste 75% van de uitgebrachte stemmen'),
 ("resources.model", "allocation_key"): (D, [],
    'Bijlage 2 – Verdeelsleutel'),
 ("resources.model", "output_based"): (D, [s(["resources","model"], "output_based"), r(["resources","shares"])],
    'een vergoeding die gelijk is aan het tarief per dienst maal het door haar gerealiseerde volume'),
 ("resources.model", "annual_plan"): (D, [s(["resources","model"], "annual_plan"), r(["resources","shares"])],
    'Het Jaarbudget bestaat uit een basisdeel en een variabel deel.'),
 ("resources.model", "own_costs"): (T, [],
    'Iedere Partij draagt de kosten van haar eigen inzet voor de Samenwerking zelf'),
 ("resources.route", "direct"): (T, [],
    'worden door de Financier rechtstreeks betaald aan de Partij voor wier inzet zij zijn bestemd'),
 ("resources.route", "lead_party"): (D, [],
    'Als penvoerder van de Alliantie treedt De Haven op.'),
 ("resources.route", "main_contractor"): (D, [s(["resources","route"], "main_contractor"), s(["financing","basis"], "contract"), r(["resources","payment_term_days"]), r(["resources","lead_party_fee_percent"])],
    'Als hoofdaannemer treedt De Haven op.'),
 ("liability.cap.kind", "none"): (T, [s(["liability","cap"], {"kind": "none"})],
    'is niet beperkt tot een maximumbedrag'),
 ("liability.cap.kind", "amount"): (D, [],
    'is beperkt tot € 1.000.000,00 (zegge: een miljoen euro) per gebeurtenis'),
 ("liability.cap.kind", "insured_sum"): (T, [s(["liability","cap"], {"kind": "insured_sum"})],
    'Vindt in een ander geval geen uitkering plaats, dan geldt de beperking in dat geval niet.'),
 ("withdrawal.effective", "end_of_calendar_year"): (D, [],
    'Opzegging geschiedt tegen het einde van een kalenderjaar.'),
 ("withdrawal.effective", "end_of_month"): (T, [],
    'Opzegging geschiedt tegen het einde van een kalendermaand.'),
 ("withdrawal.effective", "any_date"): (T, [s(["withdrawal","effective"], "any_date")],
    'Opzegging kan tegen iedere datum geschieden.'),
 ("withdrawal.exit_fee.kind", "fixed"): (T, [s(["withdrawal","exit_fee"], {"kind": "fixed", "amount": 25000})],
    '€ 25.000,00 (zegge: vijfentwintigduizend euro)'),
 ("withdrawal.continuation.rekey", "pro_rata"): (D, [],
    'De aangepaste Verdeelsleutel wordt vastgelegd in een aangepaste Bijlage 2.'),
 ("withdrawal.continuation.rekey", "steering_decision"): (D, [s(["withdrawal","continuation","rekey"], "steering_decision")],
    'De nieuwe Verdeelsleutel wordt vastgelegd in een aangepaste Bijlage 2.'),
 ("insolvency.model", "termination_right"): (T, [],
    'dan is de andere Partij bevoegd de Overeenkomst door een Schriftelijke kennisgeving aan de betrokken Partij met onmiddellijke ingang te beëindigen.'),
 ("insolvency.model", "curator_term"): (D, [],
    'dan kan de Stuurgroep de bevoegdheid van artikel'),
 ("insolvency.model", "automatic"): (T, [s(["insolvency","model"], "automatic")],
    'Het einde werkt uitsluitend voor de toekomst en heeft geen terugwerkende kracht.'),
 ("insolvency.events", "bankruptcy"): (T, [],
    '(i) haar faillietverklaring'),
 ("insolvency.events", "suspension_of_payments"): (T, [],
    'de verlening aan haar van (voorlopige) surseance van betaling'),
 ("insolvency.events", "dissolution"): (T, [],
    '(iii) haar ontbinding'),
 ("insolvency.events", "attachment"): (T, [s(["insolvency","events"], ["attachment"])],
    'sprake bij een conservatoir of executoriaal beslag ten laste van haar dat niet binnen dertig (30) dagen'),
 ("insolvency.events", "loss_of_grant"): (D, [s(["insolvency","events"], ["bankruptcy", "loss_of_grant"])],
    'die een Partij nodig heeft voor de uitvoering van haar taken binnen de Alliantie, is geen Insolventiegebeurtenis.'),
 ("disputes.route", "mediation_then_court"): (D, [],
    'door mediation onder leiding van een mediat'),
 ("disputes.route", "arbitration"): (T, [s(["disputes"], {"route": "arbitration", "place": "Zwolle"})],
    'De plaats van arbitrage is Zwolle.'),
 ("disputes.route", "mediation_then_arbitration"): (T, [s(["disputes"], {"route": "mediation_then_arbitration", "arbitrators": 1})],
    'een aanvraag tot mediation'),
 ("disputes.route", "binding_advice"): (T, [s(["disputes"], {"route": "binding_advice"})],
    'Bindend Advies van het Nederlands Arbitrage Instituut'),
 ("disputes.arbitrators", 1): (T, [s(["disputes"], {"route": "arbitration", "arbitrators": 1})],
    'Het scheidsgerecht zal bestaan uit één arbiter.'),
 ("disputes.arbitrators", 3): (T, [s(["disputes"], {"route": "arbitration", "arbitrators": 3})],
    'Het scheidsgerecht zal bestaan uit drie arbiters.'),
 ("privacy.role", "none"): (T, [s(["privacy","role"], "none")],
    'Partijen wisselen in het kader van de Overeenkomst geen Persoonsgegevens uit.'),
 ("intellectual_property.joint_results", "licensed"): (D, [s(["intellectual_property","joint_results"], "licensed")],
    'komen toe aan de Partij die deze tot stand h'),
 ("conditions.waivable_by", "party"): (D, [],
    'alleen Zorgpunt GGZ van deze voorwaarde afstand kan doen'),
 ("conditions.waivable_by", "all"): (D, [],
    'alleen Partijen gezamenlijk van deze voorwaarde afstand kunnen doen'),
 ("conditions.form", "condition"): (D, [],
    'voor De Haven: de raad van toezicht van De Haven heeft goedkeuring verleend'),
 ("conditions.form", "warranty"): (D, [s(["conditions", 0, "form"], "warranty"), r(["conditions", 0, "deadline"])],
    'Iedere hierna genoemde Partij verklaart jegens de overige Partijen en staat ervoor in dat op de datum waarop '
    'zij de Overeenkomst ondertekent, het volgende het geval is:'),
}

CASES.update(ENUM_CASES)  # the new articles of the second legal review keep their cases beside their tests
CASES.update(CONTINUITY_CASES)
CASES.update(CORE_CASES)  # so do the new variants of the four core topics
CASES.update(MARKET_CASES)
CASES.update(FINANCING_CASES)
CASES.update(QUALITY_GOVERNANCE_CASES)


def _witness_cases() -> dict:
    """Return a case for every enum value that a variant's condition tests with == and no case above covers:
    the variant's witness (clause YAML) is the answer set, the first words it shows the phrase."""
    enums = schema_enums()
    found: dict = {}
    for clause in default_library().clauses:
        for variant in clause.variants:
            witness = variant.witness
            if witness is None or not variant.when or not witness.shows:
                continue
            for path, value in sorted(equalities(variant.when), key=repr):
                if path in enums and (path, value) not in CASES:
                    found.setdefault((path, value), (witness.base, witness, witness.shows[0]))
    return found


CASES.update(_witness_cases())  # a variant's choice is tested by its witness: one edit, in the clause


def answers_of(case) -> dict:
    """Return the answer set of a case: an example with its changes, or with the witness of a variant."""
    base, changes, _ = CASES[case]
    return changes.apply(example(base)) if isinstance(changes, Witness) else apply_changes(example(base), changes)

#: Fields whose values appear side by side in one agreement (several parties, several events).
NOT_EXCLUSIVE = {"parties.legal_form", "parties.role", "parties.representatives.basis", "insolvency.events",
                 "conditions.waivable_by", "conditions.form", "withdrawal.exit_fee.kind", "alliance.term.kind",
                 "security.kind"}  # no security is the absence of its article (test_market_staff reads that)

_TEXTS: dict = {}


def text_of(case) -> str:
    """Return the assembled text of a case (cached: several tests read the same agreement)."""
    if case not in _TEXTS:
        agreement = assemble(answers_of(case))
        _TEXTS[case] = "\n".join(p.text for p in agreement.paragraphs()) + "\n" + agreement.text
    return _TEXTS[case]


def test_every_enum_value_of_the_schema_has_a_case():
    expected = {(path, value) for path, values in schema_enums().items() if len(values) > 1 for value in values}
    assert expected == set(CASES)


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: f"{c[0]}={c[1]}")
def test_enum_value_produces_its_text(case):
    assert CASES[case][2] in text_of(case)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] not in NOT_EXCLUSIVE], ids=lambda c: f"{c[0]}={c[1]}")
def test_other_values_do_not_produce_that_text(case):
    for other in CASES:
        if other[0] == case[0] and other != case:
            assert CASES[case][2] not in text_of(other), other


def test_the_arbitration_clause_is_the_nai_model_clause():
    assert ("Alle geschillen, welke mochten ontstaan naar aanleiding van de onderhavige overeenkomst dan wel van "
            "nadere overeenkomsten, die daarvan het gevolg mochten zijn, zullen worden beslecht overeenkomstig het "
            "Arbitragereglement van het Nederlands Arbitrage Instituut.") in text_of(("disputes.route", "arbitration"))


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: f"{c[0]}={c[1]}")
def test_every_reference_points_to_an_existing_article_or_member(case):
    agreement = assemble(answers_of(case))
    numbers = {str(a.number) for a in agreement.articles} | {m.number for a in agreement.articles for m in a.members}
    for paragraph in agreement.paragraphs() + [i for a in agreement.articles for m in a.members for i in m.items]:
        for segment in paragraph.segments:
            if isinstance(segment, Ref) and not segment.label.startswith("bijlage."):
                assert segment.number in numbers, segment
    # member references written as "artikel 16.2" (statutes are cited as "artikel 6:95", "artikel 37 Fw", or, for
    # laws numbered by chapter, "artikel 3.4 lid 1 van de Wet ..." and "artikel 4.1.8 van de Jeugdwet")
    for match in re.finditer(r"artikel(?:en)? (\d+\.\d+)(?![\d:]|\.\d| lid \d+ van de | van de (?:Wet|Jeugdwet))",
                             text_of(case)):
        assert match.group(1) in numbers, match.group(0)
