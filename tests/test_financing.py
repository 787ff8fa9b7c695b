"""The financing basis (subsidy or contract), the joint-contracting route R4, state aid, WNT and audit.

Every choice is read back from the assembled agreement, for two parties and for the six-party example
(``ENUM_CASES`` also feeds test_clauses' every-enum-value check), and every rule says its finding at its path.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import apply_changes, example
from conftest import agreement_text as text

from agreement_engine.api import assemble
from agreement_engine.cli import main
from agreement_engine.validate import validate
from agreement_engine.variant_options import options

D, T, W = "dak-en-thuis", "twee-partijen", "wijkteams-opdracht"
NO_LEAD = [["remove", ["resources", key]] for key in ("lead_party", "payment_term_days", "lead_party_fee_percent")]


def s(path, value):
    return ["set", path, value]


def joint(base: str) -> list:
    """Changes that let every stichting and vereniging of ``base`` be bound jointly and severally."""
    return [s(["parties", i, "articles_allow_joint_liability"], True) for i, p in enumerate(example(base)["parties"])
            if p["legal_form"] in ("stichting", "vereniging")]


#: Each financing variant for two parties and for six: the changes that choose it and its witness phrase.
VARIANTS = {
    "F1": ([s(["financing"], {"basis": "subsidy", "state_aid": "de_minimis"}), s(["resources", "route"], "direct")],
           "vraagt de subsidie voor de activiteiten die zij ter uitvoering van de"),
    "F2": ([s(["financing"], {"basis": "subsidy", "state_aid": "sgei"}), s(["resources", "route"], "lead_party")],
           "De Penvoerder vraagt de subsidie aan voor de activiteiten van alle"),
    "F3": ([s(["financing"], {"basis": "contract"}), s(["resources", "route"], "direct")],
           "op grond van een eigen overeenkomst met de Financier verleent (een opdracht)"),
    "F4": ([s(["financing"], {"basis": "contract"}), s(["resources", "route"], "main_contractor")],
           "die de Hoofdaannemer in eigen naam met de Financier sluit"),
    "F5": ([s(["financing"], {"basis": "contract"}), s(["resources", "route"], "joint_contracting")],
           "gezamenlijk met de Financier sluiten, als bedoeld in artikel"),
}


def variant_answers(base: str, variant: str) -> dict:
    changes, _ = VARIANTS[variant]
    answers = example(base)
    route = changes[1][2]
    extra = []
    if route in ("lead_party", "main_contractor"):
        members = [p["id"] for p in answers["parties"] if p.get("role", "member") == "member"]
        extra.append(s(["resources", "lead_party"], answers["resources"].get("lead_party", members[0])))
    else:
        extra += [c for c in NO_LEAD if c[1][1] in answers["resources"]]
    if route == "joint_contracting":
        extra += joint(base)
    return apply_changes(answers, changes + extra)



def errors(answers: dict) -> list:
    return [f for f in validate(answers) if f.severity.value == "error"]


@pytest.mark.parametrize("base", [T, D])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_each_financing_variant_renders_its_own_words(variant, base):
    answers = variant_answers(base, variant)
    assert errors(answers) == []
    agreement = assemble(answers)
    assert ("financiering", variant) in {(use.clause_id, use.variant_id) for use in agreement.clauses}
    rendered = text(answers)
    assert VARIANTS[variant][1] in rendered
    for other, (_, phrase) in VARIANTS.items():
        if other != variant:
            assert phrase not in rendered, other


@pytest.mark.parametrize("base", [T, D])
def test_without_a_financing_basis_there_is_no_financing_article(base):
    answers = example(base)
    answers.pop("financing", None)
    assert "Grondslag van de financiering" not in text(answers)


def test_subsidy_variants_name_the_awb_articles_on_reduction_withdrawal_recovery_and_ending():
    rendered = text(variant_answers(D, "F2"))
    for words in ("titel 4.2 van de Algemene wet bestuursrecht", "(artikel 4:46 lid 2 van de Algemene wet",
                  "(artikelen 4:48 en 4:49 van de Algemene wet", "(artikel 4:57 van de Algemene wet",
                  "(artikel 4:51 van de Algemene wet bestuursrecht)", "De Penvoerder deelt zo'n beslissing",
                  "verlangt die Deelnemende Partij dat bezwaar of beroep wordt ingesteld"):
        assert words in rendered, words
    direct = text(variant_answers(T, "F1"))
    assert "(artikel 4:51 van de Algemene wet bestuursrecht)" in direct
    assert "Partijen verzoeken de Financier gezamenlijk om een termijn" in direct
    assert "De Partijen verzoeken" not in direct and "De Partijen stemmen hun aanvragen af overeenkomstig" not in direct
    assert "Penvoerder" not in direct


def test_contract_variants_leave_the_award_route_to_the_financier_and_split_deductions():
    rendered = text(variant_answers(D, "F4"))
    assert "waaronder de bepalingen over sociale en andere specifieke diensten" in rendered
    assert "De Overeenkomst geeft geen Partij aanspraak op het verlenen van een opdracht" in rendered
    assert "Een korting, boete of andere vermindering van de vergoeding" in rendered
    assert "4:51" not in rendered


@pytest.mark.parametrize("state_aid, words", [
    ("sgei", "Besluit 2012/21/EU van de Europese Commissie van 20 december 2011 (het Vrijstellingsbesluit"),
    ("de_minimis", "Verordening (EU) 2023/2832 van de Europese Commissie (de-minimissteun voor diensten van"),
    ("no_economic_activity", "geen staatssteun zijn als bedoeld in artikel 107 lid 1 van het Verdrag"),
])
@pytest.mark.parametrize("base", [T, D])
def test_each_state_aid_ground_is_written_out(base, state_aid, words):
    answers = apply_changes(variant_answers(base, "F1"), [s(["financing", "state_aid"], state_aid)])
    answers["financing"].pop("entrustment_act", None)
    rendered = text(answers)
    assert words in rendered
    assert ("2023/2831" in rendered) is False


def test_the_entrustment_act_is_named_or_still_to_be_taken():
    named = text(example(D))
    assert ("De Financier heeft de Deelnemende Partijen bij het besluit van het college van burgemeester en "
            "wethouders van Utrecht van 10 november 2026") in named
    answers = example(D)
    del answers["financing"]["entrustment_act"]
    assert "belast de Deelnemende Partijen uiterlijk bij de verstrekking van de Middelen" in text(answers)


def test_the_joint_contracting_route_gives_recourse_under_6_10_and_6_13():
    six = text(variant_answers(D, "F5"))
    assert "De Deelnemende Partijen gaan de overeenkomst met de Financier gezamenlijk aan" in six
    assert "als bedoeld in artikel 6:10 van het Burgerlijk Wetboek" in six
    assert "als bedoeld in artikel 6:13 van het Burgerlijk Wetboek" in six
    assert "uit de overeenkomst met de Financier te ontslaan" in six
    two = text(variant_answers(T, "F5"))
    assert "heeft voor het meerdere verhaal op de andere Partij, als bedoeld in artikel 6:10" in two
    assert "6:13" not in two


def test_the_joint_contracting_route_works_without_a_financing_basis():
    answers = apply_changes(example(T), [s(["resources", "route"], "joint_contracting"), *joint(T)])
    assert errors(answers) == []
    rendered = text(answers)
    assert "Partijen gaan de overeenkomst met de Financier gezamenlijk aan" in rendered
    assert "De Partijen gaan" not in rendered
    assert "Grondslag van de financiering" not in rendered


def test_wnt_names_the_parties_that_fall_under_it():
    rendered = text(apply_changes(example(D), [s(["financing", "wnt_parties"], ["dehaven", "zorgpunt"])]))
    assert ("De Haven en Zorgpunt GGZ vallen onder de Wet normering bezoldiging topfunctionarissen publieke en "
            "semipublieke sector") in rendered
    assert "Wet normering" not in text(apply_changes(example(D), [s(["financing", "wnt_parties"], [])]))


def test_the_audit_right_refers_to_the_records_duty_and_names_the_protocol():
    agreement = assemble(example(D))
    records = agreement.number_of("middelen.verantwoording")
    rendered = text(example(D))
    assert f"inzage in de administratie, bedoeld in artikel {records}, voor zover" in rendered
    assert "overeenkomstig het Controleprotocol subsidies gemeente Utrecht 2027" in rendered
    answers = example(D)
    del answers["financing"]["audit_protocol"]
    assert "overeenkomstig het controleprotocol dat de Financier voorschrijft" in text(answers)


def test_the_equalisation_reserve_is_held_on_the_third_party_account_only_when_allowed():
    assert "houdt zij het bedrag van de reserve aan op de Derdengeldenrekening" in text(example(D))
    assert "egalisatiereserve" not in text(apply_changes(example(D), [s(["financing", "equalisation_reserve"],
                                                                        False)]))


# --- rules -------------------------------------------------------------------------------------------------

def codes(answers: dict) -> dict[str, str]:
    return {f.code: f.path for f in validate(answers)}


@pytest.mark.parametrize("basis, route", [("subsidy", "main_contractor"), ("subsidy", "joint_contracting"),
                                          ("contract", "lead_party")])
def test_a_route_that_does_not_fit_the_basis_is_an_error(basis, route):
    answers = apply_changes(example(D), [s(["financing", "basis"], basis), s(["resources", "route"], route)])
    assert codes(answers)["financing.route_mismatch"] == "$.resources.route"


def test_a_subsidy_without_a_state_aid_ground_is_warned_about():
    answers = example(D)
    del answers["financing"]["state_aid"]
    found = {f.code: f for f in validate(answers)}
    assert found["financing.state_aid_missing"].severity.value == "warning"
    assert found["financing.state_aid_missing"].path == "$.financing.state_aid"
    assert "financing.state_aid_missing" not in codes(apply_changes(answers, [s(["financing", "basis"], "contract"),
                                                                             s(["resources", "route"], "direct"),
                                                                             *NO_LEAD]))


def test_a_daeb_without_its_entrustment_act_is_noted():
    answers = example(D)
    del answers["financing"]["entrustment_act"]
    assert codes(answers)["financing.entrustment_missing"] == "$.financing.entrustment_act"


def test_an_unknown_wnt_party_is_an_error_at_its_path():
    answers = apply_changes(example(D), [s(["financing", "wnt_parties"], ["dehaven", "onbekend"])])
    found = [f for f in validate(answers) if f.code == "party.unknown_reference"]
    assert [f.path for f in found] == ["$.financing.wnt_parties[1]"]


def test_an_own_legal_entity_is_refused_with_what_to_do_instead():
    answers = apply_changes(example(T), [s(["financing"], {"basis": "subsidy", "own_legal_entity": True,
                                                           "state_aid": "no_economic_activity"})])
    found = next(f for f in validate(answers) if f.code == "financing.own_legal_entity")
    assert found.severity.value == "error"
    assert "alleen contractuele samenwerkingen" in found.message and "notaris" in found.message


def test_a_contract_notes_that_the_award_route_is_the_financiers():
    assert codes(example(W))["financing.award_route"] == "$.financing.basis"


def test_joint_contracting_needs_articles_that_allow_joint_liability():
    answers = apply_changes(example(T), [s(["resources", "route"], "joint_contracting")])
    found = [f for f in validate(answers) if f.code == "liability.joint_not_allowed"]
    assert [f.path for f in found] == ["$.parties[0].articles_allow_joint_liability",
                                       "$.parties[1].articles_allow_joint_liability"]


def test_fields_the_choice_does_not_use_are_pointed_out():
    answers = apply_changes(example(W), [s(["financing", "equalisation_reserve"], True),
                                         s(["financing", "state_aid"], "no_economic_activity"),
                                         s(["financing", "entrustment_act"], "het besluit van 1 december 2026")])
    assert codes(answers)["financing.ignored_field"] in ("$.financing.equalisation_reserve",
                                                         "$.financing.entrustment_act")
    ignored = [f.path for f in validate(answers) if f.code == "financing.ignored_field"]
    assert sorted(ignored) == ["$.financing.entrustment_act", "$.financing.equalisation_reserve"]


# --- examples and the variants command --------------------------------------------------------------------

@pytest.mark.parametrize("name", [D, W])
def test_the_examples_check_clean(name):
    assert errors(example(name)) == []
    assert [f.code for f in validate(example(name)) if f.severity.value == "warning"] == []


def test_the_contract_example_is_joint_contracting_with_a_gemeente():
    rendered = text(example(W))
    assert "De Deelnemende Partijen gaan de overeenkomst met de Financier gezamenlijk aan" in rendered
    assert "De Brug valt onder de Wet normering bezoldiging topfunctionarissen" in rendered
    assert "Accountantsprotocol sociaal domein gemeente Amersfoort 2027" in rendered


def test_variants_of_financing_show_every_variant_for_the_six_parties():
    found = {o.variant.id: o for o in options(example(D), "financing")}
    assert list(found) == ["F1", "F2", "F3", "F4", "F5"]
    assert found["F2"].chosen
    assert all(found[v].agreement is not None for v in ("F1", "F2", "F3", "F4"))
    # the example's articles of association do not allow joint and several liability for every party
    assert found["F5"].agreement is None and any("hoofdelijk" in p for p in found["F5"].problems)


def test_variants_financing_on_the_command_line(tmp_path):
    out = tmp_path / "v.docx"
    result = CliRunner().invoke(main, ["variants", "financing", str(example_path(W)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def example_path(name: str):
    from conftest import EXAMPLES
    return EXAMPLES / f"{name}.json"


#: (field, value): (example, changes, phrase) for test_clauses' check that every enum value has its text.
ENUM_CASES = {
    ("financing.basis", "subsidy"): (D, [], "De Financier verstrekt de Middelen als subsidie als bedoeld in titel 4.2"),
    ("financing.basis", "contract"): (W, [], "De Financier stelt de Middelen ter beschikking als vergoeding onder"),
    ("financing.state_aid", "sgei"): (D, [], "het Vrijstellingsbesluit DAEB"),
    ("financing.state_aid", "de_minimis"): (D, [s(["financing", "state_aid"], "de_minimis"),
                                                ["remove", ["financing", "entrustment_act"]]],
                                            "worden zij verstrekt als de-minimissteun op grond van Verordening (EU) "
                                            "2023/2832"),
    ("financing.state_aid", "no_economic_activity"): (D, [s(["financing", "state_aid"], "no_economic_activity"),
                                                          ["remove", ["financing", "entrustment_act"]]],
                                                      "gaan ervan uit dat de activiteiten die met de Middelen worden "
                                                      "bekostigd geen economische activiteit zijn"),
    ("resources.route", "joint_contracting"): (W, [], "gaan de overeenkomst met de Financier gezamenlijk aan en "
                                                      "ondertekenen die ieder zelf"),
}
