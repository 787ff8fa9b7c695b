"""Comfort: each party's needs met or not and where, check's warnings and notes, the overview, and solving."""
from __future__ import annotations

import json
import zipfile

import pytest
from conftest import EXAMPLES, apply_changes, example, run

from agreement_engine import check
from agreement_engine.comfort import evaluate
from agreement_engine.comfort_needs import requires_paths, unknown_fields
from agreement_engine.comfort_solve import solve
from agreement_engine.findings import Severity

#: A must met by a choice, and unmet when the choice changes (requires).
NO_CAP = [["set", ["liability", "cap"], {"kind": "none"}]]
#: Direct payment: no penvoerder, so no separate account (provided_by a label) and no single point of contact.
DIRECT = [["set", ["resources", "route"], "direct"], ["remove", ["resources", "lead_party"]],
          ["remove", ["resources", "lead_party_fee_percent"]], ["remove", ["resources", "payment_term_days"]]]


def need(report, party: str, start: str):
    return next(n for n in report.needs if n.party == party and n.need.startswith(start))


def codes(findings) -> set[tuple[str, str, Severity]]:
    return {(f.code, f.path, f.severity) for f in findings if f.code.startswith("comfort.")}


# --- met and unmet, per kind ----------------------------------------------------------------------------------

def test_the_founding_story_has_every_partners_comfort_and_says_where():
    report = evaluate(example("dak-en-thuis"))
    assert report.all_met and not report.open_musts and not report.open_wishes
    where = {n.party: [w.number for w in n.where] for n in report.needs if n.priority == "must"}
    assert need(report, "dehaven", "Het geld").where[0].number == "9.7"  # middelen.rekening
    assert need(report, "dehaven", "Als penvoerder").where[0].label == "aansprakelijkheid.beperking"
    assert where["straatwaarde"] == ["14"]  # the liability model: the whole article
    assert where["zorgpunt"] == ["24.1"]  # the notice period of withdrawal
    assert {p.id for p in report.parties if p.needs} == {"dehaven", "straatwaarde", "gemeente", "zorgpunt",
                                                         "schuldhulp"}
    assert not codes(check(example("dak-en-thuis")))


def test_a_must_by_requires_unmet_is_a_warning_naming_the_party_and_the_need():
    answers = apply_changes(example("dak-en-thuis"), NO_CAP)
    report = evaluate(answers)
    assert [n.index for n in report.open_musts] == [1]
    assert need(report, "dehaven", "Als penvoerder").where == ()
    finding = next(f for f in check(answers) if f.code == "comfort.unmet_must")
    assert finding.severity is Severity.WARNING and finding.path == "$.comfort[1]"
    assert finding.message.startswith("Partij 1 (Stichting De Haven): \"Als penvoerder is onze aansprakelijkheid")


def test_a_need_provided_by_a_label_is_met_only_when_the_agreement_has_that_member():
    answers = apply_changes(example("dak-en-thuis"), DIRECT)
    report = evaluate(answers)
    assert not need(report, "dehaven", "Het geld").met  # no penvoerder: no Derdengeldenrekening
    assert not need(report, "gemeente", "Eén aanspreekpunt").met
    assert {("comfort.unmet_must", "$.comfort[2]", Severity.WARNING),
            ("comfort.unmet_must", "$.comfort[3]", Severity.WARNING)} <= codes(check(answers))


def test_a_need_provided_by_a_condition_precedent_is_met_and_placed_at_its_member():
    answers = apply_changes(example("dak-en-thuis"), [
        ["set", ["conditions", 0, "id"], "rvt-dehaven"],
        ["set", ["comfort", 6], {"party": "dehaven", "need": "Goedkeuring van onze raad van toezicht",
                                 "provided_by": "rvt-dehaven"}]])
    found = need(evaluate(answers), "dehaven", "Goedkeuring")
    assert found.met and found.where and found.where[0].number.startswith("5.")  # the conditions article
    assert not codes(check(answers))


def test_a_wish_unmet_is_a_note_and_a_wish_met_says_nothing():
    answers = apply_changes(example("dak-en-thuis"), [["set", ["disputes", "route"], "court"]])
    assert codes(check(answers)) == {("comfort.unmet_wish", "$.comfort[5]", Severity.INFO)}
    assert run("check", "--strict", str(EXAMPLES / "dak-en-thuis.json")).exit_code == 0


def test_an_unmet_must_fails_check_only_with_strict(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(apply_changes(example("dak-en-thuis"), NO_CAP)), encoding="utf-8")
    assert run("check", str(path)).exit_code == 0
    strict = run("check", "--strict", str(path))
    assert strict.exit_code == 1 and "comfort.unmet_must" in strict.output


@pytest.mark.parametrize("requires, unknown", [
    ("liability.model in ['own_acts', 'pro_rata']", []),
    ("liability.cap.kind != 'none' and withdrawal.notice_months <= 6", []),
    ("members | length >= 3 and lead.id == 'dehaven'", []),
    ("liability.modle == 'own_acts'", ["liability.modle"]),
    ("opzegtermijn <= 6", ["opzegtermijn"]),
    ("parties.colour == 'red'", ["parties.colour"]),
])
def test_unknown_fields_of_a_condition(requires, unknown):
    assert unknown_fields(requires) == unknown


def test_requires_paths_reads_every_answer_a_condition_uses():
    assert requires_paths("resources.route == 'lead_party' or liability.cap['kind'] != 'none'") == [
        "resources.route", "liability.cap.kind"]


# --- the overview ----------------------------------------------------------------------------------------------

def _docx_text(path) -> str:
    return zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")


def test_the_overview_says_all_comfort_is_there_and_where(tmp_path):
    target = tmp_path / "comfortoverzicht.docx"
    result = run("comfort", str(EXAMPLES / "dak-en-thuis.json"), "-o", str(target))
    assert result.exit_code == 0, result.output
    xml = _docx_text(target)
    assert "Alle partijen hebben het comfort dat zij nodig hebben." in xml
    assert "artikel 9.7 (Financiën en verdeling van middelen)" in xml
    assert "Deze partij heeft geen comfort opgegeven." in xml  # Onder Dak asks nothing
    assert xml.index("Stichting De Haven") < xml.index("Vereniging Straatwaarde")  # in the order of the parties


def test_the_overview_names_what_is_still_open(tmp_path):
    target = tmp_path / "open.docx"
    assert run("comfort", str(EXAMPLES / "dak-en-thuis-knelpunt.json"), "-o", str(target)).exit_code == 0
    xml = _docx_text(target)
    assert "Nog niet geregeld, en nodig om te tekenen:" in xml
    assert "De Haven heeft nodig: Een partner die vertrekt, zegt minstens een jaar van tevoren op" in xml
    assert "staat niet in de overeenkomst" in xml


def test_comfort_as_json_for_tools():
    result = run("comfort", str(EXAMPLES / "dak-en-thuis-knelpunt.json"), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["all_met"] is False and data["open_musts"] == 1
    dehaven = next(p for p in data["parties"] if p["id"] == "dehaven")
    assert [n["met"] for n in dehaven["needs"]] == [True, True, False]
    assert dehaven["needs"][1]["where"][0] == {"label": "middelen.rekening", "article": 9, "number": "9.7",
                                               "title": "Financiën en verdeling van middelen"}


# --- solving -----------------------------------------------------------------------------------------------------

#: Two musts broken: no cap on liability (De Haven) and a notice period of a year (Zorgpunt GGZ wants six months).
CRAFTED = NO_CAP + [["set", ["withdrawal", "notice_months"], 12]]


def test_solving_finds_the_closest_answers_that_meet_every_must():
    answers = apply_changes(example("dak-en-thuis"), CRAFTED)
    result = solve(answers)
    first = result.solutions[0]
    # the cap: "amount" would need an amount nobody gave, so the insured sum; the notice: the nearest allowed
    assert {(c.json_path, c.before, c.after) for c in first.changes} == {
        ("$.liability.cap.kind", "none", "insured_sum"), ("$.withdrawal.notice_months", 12, 6)}
    assert not first.report.open_musts
    assert all(len(s.changes) >= len(first.changes) for s in result.solutions)


def test_every_proposed_solution_passes_check():
    for answers in (apply_changes(example("dak-en-thuis"), CRAFTED),
                    apply_changes(example("dak-en-thuis"), [["set", ["resources", "route"], "direct"]]),
                    apply_changes(example("dak-en-thuis"), [["set", ["disputes", "route"], "court"]])):
        result = solve(answers)
        assert result.solutions
        for solution in result.solutions:
            findings = check(solution.answers)
            assert not [f for f in findings if f.severity is not Severity.INFO], [f.message for f in findings]


def test_solving_a_wish_changes_only_what_brings_it():
    answers = apply_changes(example("dak-en-thuis"), [["set", ["disputes", "route"], "court"]])
    result = solve(answers)
    assert result.solutions[0].changes == ()  # every must is met today: nothing has to change
    assert [(c.json_path, c.after) for c in result.solutions[1].changes] in (
        [("$.disputes.route", "mediation_then_court")], [("$.disputes.route", "mediation_then_arbitration")])
    assert not result.solutions[1].open_wishes


def test_solving_names_the_smallest_set_of_needs_that_cannot_hold_together():
    result = solve(example("dak-en-thuis-knelpunt"))
    assert not result.solutions
    assert [[(n.party, n.index) for n in conflict] for conflict in result.conflicts] == [
        [("zorgpunt", 4), ("dehaven", 5)]]


def test_a_must_no_searched_choice_gives_is_named_alone():
    answers = apply_changes(example("dak-en-thuis"), [
        ["set", ["comfort", 6], {"party": "onderdak", "need": "Hoogstens twee jaar gebonden",
                                 "requires": "alliance.term.years <= 2"}]])  # the term is not negotiated here
    result = solve(answers)
    assert not result.solutions and [[n.index for n in c] for c in result.conflicts] == [[6]]


def test_solving_brings_back_a_member_a_need_is_provided_by():
    answers = apply_changes(example("dak-en-thuis"), [["set", ["resources", "route"], "direct"],
                                                      ["remove", ["comfort", 3]]])  # only the account asks for it
    assert not need(evaluate(answers), "dehaven", "Het geld").met
    first = solve(answers).solutions[0]
    assert [(c.json_path, c.after) for c in first.changes] == [("$.resources.route", "lead_party")]
    assert need(first.report, "dehaven", "Het geld").where[0].label == "middelen.rekening"


def test_solve_prints_what_must_change_and_writes_the_first(tmp_path):
    path, new = tmp_path / "a.json", tmp_path / "nieuw.json"
    path.write_text(json.dumps(apply_changes(example("dak-en-thuis"), CRAFTED)), encoding="utf-8")
    result = run("comfort", str(path), "--solve", "--write", str(new))
    assert result.exit_code == 0, result.output
    assert "Oplossing 1: wat er moet veranderen" in result.output
    assert ("$.liability.cap.kind (Soort beperking): Geen beperking → Tot het bedrag dat de verzekering uitkeert"
            in result.output)
    assert "$.withdrawal.notice_months (Opzegtermijn (maanden)): 12 → 6" in result.output
    written = json.loads(new.read_text(encoding="utf-8"))
    assert written["withdrawal"]["notice_months"] == 6 and written["liability"]["cap"]["kind"] == "insured_sum"
    assert run("check", "--strict", str(new)).exit_code == 0
    again = run("comfort", str(path), "--solve", "--write", str(new))
    assert again.exit_code == 2 and "bestaat al" in again.output


def test_solve_explains_a_conflict_and_exits_1(tmp_path):
    new = tmp_path / "nieuw.json"
    result = run("comfort", str(EXAMPLES / "dak-en-thuis-knelpunt.json"), "--solve", "--write", str(new))
    assert result.exit_code == 1
    assert ("Zorgpunt GGZ wil: Als onze eigen financiering door de zorgverzekeraars stopt, kunnen wij binnen zes "
            "maanden uittreden; De Haven wil: Een partner die vertrekt, zegt minstens een jaar van tevoren op; "
            "dat kan niet samen") in result.output
    assert not new.exists()


def test_solve_as_json():
    result = run("comfort", str(EXAMPLES / "dak-en-thuis-knelpunt.json"), "--solve", "--format", "json")
    data = json.loads(result.output)
    assert data["solutions"] == [] and [[n["party"] for n in c] for c in data["conflicts"]] == [
        ["zorgpunt", "dehaven"]]


def test_write_needs_solve():
    assert run("comfort", str(EXAMPLES / "dak-en-thuis.json"), "--write", "x.json").exit_code == 2
