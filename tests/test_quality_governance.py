"""Quality, complaints and calamities, and the completed governance article, read back from the agreement.

Every choice has a witness phrase (``ENUM_CASES``, also used by test_clauses for the every-enum-value check);
the laws per party, the meldcode, the VOG, the escalation to the gemeente and the reglement are read for two
parties and for the six-party example, and every risky or wrong choice has its finding.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import apply_changes, example
from conftest import agreement_text as text, article_text as article, member_text as member

from agreement_engine.api import assemble
from agreement_engine.cli import main
from agreement_engine.validate import validate
from agreement_engine.variant_options import options

D, T = "dak-en-thuis", "twee-partijen"


def s(path, value):
    return ["set", path, value]


def r(path):
    return ["remove", path]


def q(base: str, section: str = "quality", **fields) -> dict:
    """Return the example ``base`` with ``fields`` set in ``section`` (which the two-party example may lack)."""
    answers = example(base)
    return apply_changes(answers, [s([section], {**answers.get(section, {}), **fields})])


REGLEMENT = ["De voorzitter stelt de agenda vast na overleg met de programmamanager.",
             "Van iedere vergadering wordt binnen vijf Werkdagen een verslag opgesteld."]

#: (field, value): (example, changes, phrase the agreement must contain and no other value of the field gives)
ENUM_CASES = {
    ("quality.complaints", "own"): (D, [],
        "Iedere Deelnemende Partij heeft een regeling voor de behandeling van klachten van cliënten"),
    ("quality.complaints", "joint"): (D, [s(["quality", "complaints"], "joint")],
        "De Stuurgroep stelt binnen drie (3) maanden na de Ingangsdatum een gezamenlijke klachtenregeling vast"),
    ("quality.client_council", "own"): (D, [s(["quality", "client_council"], "own")],
        "Meerjarenplan legt iedere Deelnemende Partij voor advies aan haar cliëntenraad voor"),
    ("quality.client_council", "joint"): (D, [],
        "een gezamenlijke cliëntenraad van de Alliantie in, samengesteld uit cliënten"),
    ("governance.rules_of_procedure", "none"): (T, [],
        "beslist de voorzitter over de orde van de vergadering"),
    ("governance.rules_of_procedure", "mandate"): (D, [],
        "De Stuurgroep stelt binnen drie (3) maanden na de Ingangsdatum met algemene stemmen een reglement vast"),
    ("governance.rules_of_procedure", "annex"): (D, [s(["governance", "rules_of_procedure"], "annex"),
                                                     r(["governance", "rules_of_procedure_months"]),
                                                     s(["governance", "rules_of_procedure_text"], REGLEMENT)],
        "De Stuurgroep werkt volgens het reglement dat als Bijlage"),
    ("governance.secretariat", "none"): (T, [],
        "kan besluiten zich te laten ondersteunen door een secretaris of een programmamanager"),
    ("governance.secretariat", "secretary"): (D, [s(["governance", "secretariat"], "secretary")],
        "De Stuurgroep wordt ondersteund door een secretaris, die De Haven daartoe beschikbaar stelt"),
    ("governance.secretariat", "programme_manager"): (D, [],
        "De Stuurgroep benoemt een programmamanager, die De Haven daartoe in dienst heeft of inhuurt"),
    ("governance.costs", "joint_costs"): (D, [],
        "worden in het Jaarplan begroot en gelden als Gezamenlijke Kosten, die worden gedragen overeenkomstig"),
    ("governance.costs", "equal"): (D, [s(["governance", "costs"], "equal")],
        "door de Deelnemende Partijen in gelijke delen gedragen; de Gemeente draagt daarin niet bij"),
}





@pytest.mark.parametrize("case", list(ENUM_CASES), ids=lambda c: f"{c[0]}={c[1]}")
def test_each_choice_renders_its_own_text(case):
    base, changes, phrase = ENUM_CASES[case]
    assert phrase in text(apply_changes(example(base), changes))


# --- kwaliteit: which law applies to which party --------------------------------------------------------------

def test_the_example_names_the_wmo_providers_and_the_care_provider_and_their_supervisors():
    quality = article(example(D), "kwaliteit")
    assert ("de Wet maatschappelijke ondersteuning 2015, op De Haven, Onder Dak en Straatwaarde, ieder als "
            "aanbieder in de zin van die wet;") in quality
    assert "de Wet kwaliteit, klachten en geschillen zorg, op Zorgpunt GGZ, als zorgaanbieder in de zin van" in quality
    assert ("door De Haven, Onder Dak en Straatwaarde: aan de toezichthoudende ambtenaar van de gemeente waar de "
            "ondersteuning wordt verleend, overeenkomstig artikel 3.4 lid 1 van de Wet maatschappelijke "
            "ondersteuning 2015;") in quality
    assert "door Zorgpunt GGZ: aan de Inspectie Gezondheidszorg en Jeugd, overeenkomstig artikel 11 van" in quality
    assert "Jeugdwet" not in quality and "Schuldhulp" not in quality
    assert "voor Zorgpunt GGZ met inbegrip van de aansluiting bij een geschilleninstantie" in quality


def test_youth_care_brings_in_the_jeugdwet_and_its_inspectorate():
    answers = apply_changes(example(D), [s(["quality", "youth_in_scope"], True),
                                         s(["quality", "jeugdwet"], ["onderdak", "straatwaarde"])])
    quality = article(answers, "kwaliteit")
    assert "de Jeugdwet, op Onder Dak en Straatwaarde, ieder als jeugdhulpaanbieder in de zin van die wet;" in quality
    assert ("door Onder Dak en Straatwaarde: aan de Inspectie Gezondheidszorg en Jeugd, overeenkomstig artikel "
            "4.1.8 van de Jeugdwet;") in quality
    assert "Binnen de Alliantie wordt ook hulp aan jeugdigen verleend." in quality
    assert "Binnen de Alliantie wordt ook hulp aan jeugdigen verleend." not in article(example(D), "kwaliteit")


def test_without_laws_the_two_party_article_speaks_of_the_other_party_and_lists_no_statute():
    quality = article(example(T), "kwaliteit")
    assert quality.startswith("Iedere Partij is zelf verantwoordelijk voor de naleving van de wettelijke")
    assert "De Overeenkomst verschuift die verantwoordelijkheid niet naar de andere Partij" in quality
    assert "betreft een klacht beide Partijen, dan stemmen zij de behandeling af" in quality
    assert "onverwijld aan de toezichthouder die de wet daarvoor aanwijst." in quality
    for absent in ("Deelnemende", "Wet maatschappelijke ondersteuning", "Inspectie", "de overige Partijen",
                   "meer dan één Partij", "Alliantie"):
        assert absent not in quality, absent


def test_a_calamity_is_reported_to_the_gemeente_as_commissioner_and_not_where_there_is_none():
    assert "informeert daarover onverwijld de voorzitter van de Stuurgroep en de Gemeente, en," in \
        member(example(D), "kwaliteit.informatie")
    assert "informeert daarover onverwijld de voorzitter van de Stuurgroep, en, als bij de calamiteit of het " \
           "geweld de andere Partij betrokken is" in member(example(T), "kwaliteit.informatie")


@pytest.mark.parametrize("base", [D, T])
def test_the_meldcode_binds_every_provider_or_is_left_out(base):
    with_code = article(example(base), "kwaliteit")
    assert "hanteert een meldcode huiselijk geweld en kindermishandeling" in with_code
    assert "dat geldt ook voor een" in with_code and "(Veilig Thuis)" in with_code
    without = article(q(base, meldcode=False), "kwaliteit")
    assert "meldcode" not in without


def test_a_joint_quality_standard_is_named_only_when_agreed():
    assert "Zij voldoet daarbij aan de HKZ-normen voor zorg en welzijn en toont dat op verzoek van de Stuurgroep" \
        in member(example(D), "kwaliteit.norm")
    assert "Zij voldoet daarbij aan" not in member(example(T), "kwaliteit.norm")


@pytest.mark.parametrize("months, words", [(None, "drie (3) maanden"), (1, "een (1) maand"),
                                           (6, "zes (6) maanden")])
def test_the_vog_may_be_no_older_than_the_agreed_months(months, words):
    changes = [] if months is None else [s(["quality", "vog_max_age_months"], months)]
    vog = member(apply_changes(example(D), changes), "inzet.vog")
    assert f"binnen de Alliantie beginnen, niet ouder is dan {words}." in vog


def test_a_joint_complaints_procedure_leaves_the_care_providers_disputes_committee_alone():
    answers = apply_changes(example(D), [s(["quality", "complaints"], "joint")])
    complaints = member(answers, "kwaliteit.klachten")
    assert "De aansluiting van Zorgpunt GGZ bij een geschilleninstantie als bedoeld in de Wet kwaliteit" in complaints
    assert ("voor zover de gezamenlijke klachtenregeling daaraan niet voldoet, en totdat zij is vastgesteld, "
            "behandelt iedere Deelnemende Partij zulke klachten volgens haar eigen klachtenregeling") in complaints
    two = member(q(T, complaints="joint"), "kwaliteit.klachten")
    assert "geschilleninstantie" not in two and "Deelnemende" not in two


# --- governance completed ---------------------------------------------------------------------------------

def test_an_impasse_goes_to_the_gemeente_before_mediation_when_agreed():
    impasse = member(example(D), "governance.impasse")
    step = ("legt de voorzitter de impasse binnen tien (10) Werkdagen Schriftelijk voor aan de Gemeente, die "
            "binnen twintig (20) Werkdagen daarna een bestuurlijk overleg")
    assert step in impasse
    assert "maar neemt zij geen besluit in de plaats van de Stuurgroep. Leidt ook dat overleg niet" in impasse
    assert impasse.index(step) < impasse.index("mediation")
    without = member(apply_changes(example(D), [s(["governance", "commissioner_escalation"], False)]),
                     "governance.impasse")
    assert "bestuurlijk overleg" not in without and "Leidt dat overleg niet binnen die termijn" in without
    two = q(T, "governance", commissioner_escalation=True)
    assert "bestuurlijk overleg" not in member(two, "governance.impasse")


def test_the_gemeente_may_join_the_directors_consultation_on_a_dispute_without_changing_its_terms():
    consultation = member(example(D), "geschillen.overleg")
    assert ("Is de Gemeente niet zelf bij het geschil betrokken, dan kan ieder van de betrokken Partijen de "
            "Gemeente verzoeken aan dat overleg deel te nemen") in consultation
    assert "de termijnen van dit artikel blijven daarbij onverlet" in consultation
    without = apply_changes(example(D), [s(["governance", "commissioner_escalation"], False)])
    assert "Gemeente" not in member(without, "geschillen.overleg")
    assert "Gemeente" not in member(q(T, "governance", commissioner_escalation=True), "geschillen.overleg")


def test_conflicts_of_interest_refer_to_the_integrity_article_instead_of_repeating_it():
    agreement = assemble(example(D))
    conflicts = member(example(D), "governance.belangen")
    assert (f"tegenstrijdig persoonlijk belang heeft, is artikel {agreement.number_of('integriteit.belangen')} "
            "van toepassing; dat artikel is van overeenkomstige toepassing op de programmamanager.") in conflicts
    assert "bloed- of aanverwant" not in conflicts
    assert member(example(T), "governance.belangen").strip().endswith("van toepassing.")


def test_the_rules_of_procedure_annex_holds_the_provisions_and_the_article_refers_to_it():
    answers = apply_changes(example(D), ENUM_CASES[("governance.rules_of_procedure", "annex")][1])
    agreement = assemble(answers)
    annex = next(a for a in agreement.annexes if a.label == "bijlage.reglement")
    assert annex.title == "Reglement van de Stuurgroep"
    assert [p.text for _title, paragraphs in annex.sections for p in paragraphs] == REGLEMENT
    assert annex.paragraphs[0].text == (f"Reglement van de Stuurgroep als bedoeld in artikel "
                                        f"{agreement.number_of('governance.reglement')}.")
    reglement = member(answers, "governance.reglement")
    assert f"als Bijlage {annex.number} bij de Overeenkomst is gevoegd" in reglement
    assert "een wijziging van het reglement is geen wijziging van de Overeenkomst" in reglement
    assert not [a for a in assemble(example(D)).annexes if a.label == "bijlage.reglement"]


def test_governance_costs_between_two_parties_split_equally_without_a_commissioner():
    costs = member(q(T, "governance", costs="equal"), "governance.kosten")
    assert costs.startswith("Iedere Partij draagt de kosten van haar eigen vertegenwoordigers in de Stuurgroep zelf.")
    assert "door de Partijen in gelijke delen gedragen." in costs and "draagt daarin niet bij" not in costs
    assert "waaronder de kosten van de programmamanager" in member(example(D), "governance.kosten")


def test_the_programme_manager_cannot_bind_a_party_without_a_power_of_attorney():
    support = member(example(D), "governance.ondersteuning")
    assert "kan geen Partij jegens derden vertegenwoordigen of verbinden, tenzij die Partij daartoe" in support
    assert "blijft in dienst van De Haven of werkt in opdracht van haar, is geen lid van de Stuurgroep" in support


# --- findings, schema, library, variants, interview -----------------------------------------------------------

RULES = [
    ([s(["quality", "wmo"], ["dehaven", "gemeente"])], D, "quality.not_member", "$.quality.wmo[1]"),
    ([s(["quality", "wkkgz"], ["onbekend"])], D, "party.unknown_reference", "$.quality.wkkgz[0]"),
    ([s(["quality", "youth_in_scope"], True)], D, "quality.youth_without_jeugdwet", "$.quality.jeugdwet"),
    ([s(["quality", "jeugdwet"], ["onderdak"])], D, "quality.jeugdwet_without_youth", "$.quality.youth_in_scope"),
    ([s(["quality", "meldcode"], False)], D, "quality.no_meldcode", "$.quality.meldcode"),
    ([s(["quality", "complaints"], "joint")], D, "quality.joint_complaints_wkkgz", "$.quality.complaints"),
    ([s(["quality", "vog_max_age_months"], 6)], D, "quality.vog_older_than_three_months",
     "$.quality.vog_max_age_months"),
    ([s(["quality", "vog_max_age_months"], 13)], D, "schema.range", "$.quality.vog_max_age_months"),
    ([s(["governance", "secretariat_party"], "gemeente")], D, "governance.secretariat_commissioner",
     "$.governance.secretariat_party"),
    ([s(["governance", "secretariat_party"], "niemand")], D, "party.unknown_reference",
     "$.governance.secretariat_party"),
    ([s(["governance", "secretariat"], "none")], D, "governance.ignored_field", "$.governance.secretariat_party"),
    ([s(["governance"], {"secretariat": "secretary"})], T, "schema.required", "$.governance.secretariat_party"),
    ([s(["governance", "rules_of_procedure"], "annex")], D, "schema.required",
     "$.governance.rules_of_procedure_text"),
    ([s(["governance"], {"commissioner_escalation": True})], T, "governance.escalation_without_commissioner",
     "$.governance.commissioner_escalation"),
]


@pytest.mark.parametrize("changes, base, code, path", RULES, ids=lambda v: v if isinstance(v, str) else None)
def test_risky_or_wrong_choices_have_a_finding(changes, base, code, path):
    findings = validate(apply_changes(example(base), changes))
    assert (code, path) in {(f.code, f.path) for f in findings}


def test_sound_choices_have_no_quality_finding():
    codes = {f.code for f in validate(example(D)) if f.code.startswith("quality.")}
    assert codes == set()


def test_the_quality_section_follows_integrity_in_the_schema():
    schema = json.loads((Path(__file__).parent.parent / "schemas" / "answer-set.schema.json").read_text("utf-8"))
    sections = list(schema["properties"])
    assert sections.index("quality") == sections.index("integrity") + 1


def test_library_show_shows_the_quality_article():
    result = CliRunner().invoke(main, ["library", "show", "kwaliteit"])
    assert result.exit_code == 0, result.output
    assert "gezamenlijke_klachtenregeling" in result.output


@pytest.mark.parametrize("base", [D, T])
def test_variants_of_quality_render_for_the_example(base):
    found = options(example(base), "quality")
    assert [o.variant.id for o in found] == ["eigen_klachtenregeling", "gezamenlijke_klachtenregeling"]
    assert all(o.agreement is not None for o in found), [o.problems for o in found]
