"""What the choices mean per party in euros: the figures add up, and the board brief shows them per party."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from conftest import NS, W, example, run, variation
from lxml import etree

from agreement_engine.answers import normalize
from agreement_engine.consequences import (Scenario, consequences, damage, departure, exit_cost, key, members,
                                           money)
from agreement_engine.engine import Engine

EXAMPLES = ["dak-en-thuis", "twee-partijen", "wijkteams-opdracht"]
AMOUNTS = [Decimal("0.01"), Decimal("0.05"), Decimal("99999.99"), Decimal("100000"), Decimal("1000000"),
           Decimal("1234567.89")]


def answers_of(name: str, *changes: list) -> dict:
    return normalize(variation(name, *changes))


# a damage ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("amount", AMOUNTS)
def test_under_a2_the_shares_of_a_damage_nobody_caused_add_up_to_the_damage(name, amount):
    answers = answers_of(name, ["set", ["liability", "model"], "pro_rata"])
    shared = damage(answers, "pro_rata", amount, None)
    assert sum(shared.pays.values(), Decimal(0)) == amount and shared.uncovered == 0
    assert set(shared.pays) == set(members(answers))
    shares = key(answers)
    largest = max(shares, key=shares.get)
    for pid, paid in shared.pays.items():  # each its share, rounded down to the cent; the cents left to the largest
        exact = amount * shares[pid] / 100
        assert exact - Decimal("0.01") < paid <= exact or pid == largest


@pytest.mark.parametrize("cap, amount", [(Decimal(1000000), a) for a in AMOUNTS] + [(Decimal(50000), a) for a in AMOUNTS])
@pytest.mark.parametrize("model", ["own_acts", "pro_rata"])
def test_a_capped_party_never_pays_more_than_its_cap(cap, amount, model):
    answers = answers_of("dak-en-thuis", ["set", ["liability", "cap"], {"kind": "amount", "amount": float(cap)}])
    for causer in members(answers):
        caused = damage(answers, model, amount, causer)
        assert caused.pays[causer] == min(amount, cap)
        assert caused.pays[causer] + caused.uncovered == amount  # the rest stays with whoever suffers it
        assert all(paid == 0 for pid, paid in caused.pays.items() if pid != causer)


def test_a_cap_as_a_percentage_of_the_annual_share_limits_each_party_to_its_own_share():
    answers = answers_of("dak-en-thuis", ["set", ["liability", "cap"], {"kind": "share_percent", "percent": 10}])
    # Straatwaarde receives € 245.000 a year: its cap is € 24.500; De Haven's (€ 816.585) is € 81.658,50
    assert damage(answers, "pro_rata", Decimal(100000), "straatwaarde").pays["straatwaarde"] == Decimal("24500.00")
    assert damage(answers, "pro_rata", Decimal(100000), "dehaven").pays["dehaven"] == Decimal("81658.50")


def test_without_a_cap_the_causing_party_pays_it_all():
    answers = answers_of("dak-en-thuis", ["set", ["liability", "cap"], {"kind": "none"}])
    assert damage(answers, "own_acts", Decimal(5000000), "zorgpunt").pays["zorgpunt"] == Decimal(5000000)


@pytest.mark.parametrize("name", EXAMPLES)
def test_under_a1_the_parties_that_did_not_cause_the_damage_pay_nothing(name):
    answers = answers_of(name)
    for causer in members(answers):
        caused = damage(answers, "own_acts", Decimal(100000), causer)
        assert {pid: paid for pid, paid in caused.pays.items() if pid != causer} == {
            pid: 0 for pid in members(answers) if pid != causer}
        assert {pid: first for pid, first in caused.first.items() if pid != causer} == {
            pid: 0 for pid in members(answers) if pid != causer}
    nobody = damage(answers, "own_acts", Decimal(100000), None)  # it stays where it falls: no one shares in it
    assert all(paid == 0 for paid in nobody.pays.values()) and nobody.uncovered == Decimal(100000)


def test_under_a3_anyone_may_be_asked_the_whole_first_and_the_causer_bears_it_in_the_end():
    answers = answers_of("dak-en-thuis")
    caused = damage(answers, "joint_and_several", Decimal(2000000), "zorgpunt")
    assert set(caused.first.values()) == {Decimal(2000000)}  # the cap protects no one against the financier
    assert caused.pays == {pid: Decimal(2000000) if pid == "zorgpunt" else 0 for pid in members(answers)}
    nobody = damage(answers, "joint_and_several", Decimal(100000), None)
    assert sum(nobody.pays.values(), Decimal(0)) == Decimal(100000)
    assert nobody.pays["straatwaarde"] == Decimal(10000)


# leaving, and another party leaving or failing ---------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_the_shares_after_a_withdrawal_re_key_to_exactly_100_percent(name):
    answers = answers_of(name)
    answers["withdrawal"]["continuation"]["min_parties"] = 2
    if len(members(answers)) < 3:
        answers["parties"].append({**answers["parties"][0], "id": "derde"})
        answers["resources"]["contributions"] = {**answers["resources"].get("contributions", {}), "derde": 2500}
    before = key(answers)
    for leaving in members(answers):
        after = departure(answers, leaving)
        assert after.continues and leaving not in after.shares
        assert sum(after.shares.values(), Decimal(0)) == Decimal(100)
        for pid, share in after.shares.items():  # each keeps its proportion to the others, to the hundredth
            exact = before[pid] * 100 / (100 - before[leaving])
            assert abs(share - exact) < Decimal("0.01") + Decimal("0.01") * len(after.shares)


def test_after_a_withdrawal_the_budget_is_divided_by_the_new_key_to_the_cent():
    answers = answers_of("dak-en-thuis")
    after = departure(answers, "dehaven")
    assert sum(after.amounts.values(), Decimal(0)) == Decimal(2450000)
    assert after.shares == {"onderdak": Decimal("37.52"), "straatwaarde": Decimal("14.99"),
                            "schuldhulp": Decimal("22.49"), "zorgpunt": Decimal("25.00")}
    assert after.clients == ("remaining_parties", None)


def test_below_the_minimum_number_of_parties_the_agreement_ends():
    answers = answers_of("dak-en-thuis", ["set", ["withdrawal", "continuation", "min_parties"], 5])
    after = departure(answers, "zorgpunt")
    assert not after.continues and after.shares == {} and after.amounts == {}


def test_a_step_in_party_takes_over_the_share_and_money_of_the_party_that_fails():
    answers = answers_of("dak-en-thuis", ["set", ["insolvency", "model"], "step_in"],
                         ["set", ["insolvency", "step_in_party"], "onderdak"])
    failed = departure(answers, "zorgpunt", "step_in")
    assert failed.clients == ("step_in", "onderdak")
    assert failed.shares["onderdak"] == Decimal("41.67") and sum(failed.shares.values()) == Decimal(100)
    assert failed.amounts["onderdak"] == Decimal("612500.00") + Decimal("408415.00")
    assert failed.amounts["straatwaarde"] == Decimal("245000.00")  # the others keep what they had
    unknown = departure(answers_of("dak-en-thuis"), "zorgpunt", "step_in")  # no step-in party chosen yet
    assert unknown.clients == ("step_in", None) and set(unknown.amounts.values()) == {None}


def test_under_own_costs_the_contributions_stay_and_the_key_follows_them():
    answers = answers_of("twee-partijen")
    answers["parties"].append({**answers["parties"][0], "id": "derde"})
    answers["resources"]["contributions"]["derde"] = 2500
    after = departure(answers, "eettafel")
    assert after.amounts == {"buurtwerk": Decimal(7500), "derde": Decimal(2500)}
    assert after.shares == {"buurtwerk": Decimal(75), "derde": Decimal(25)}


def test_what_leaving_costs():
    answers = answers_of("dak-en-thuis", ["set", ["withdrawal", "exit_fee"],
                                          {"kind": "annual_share", "months": 3, "amount": 50000, "cap": 80000}])
    assert exit_cost(answers, "annual_share", "straatwaarde").fee == Decimal("61250.00")  # 3/12 of € 245.000
    assert exit_cost(answers, "annual_share", "dehaven").fee == Decimal(80000)  # 3/12 of € 816.585, capped
    assert exit_cost(answers, "fixed", "dehaven").fee == Decimal(50000)
    assert exit_cost(answers, "none", "dehaven").fee == 0
    assert exit_cost(answers, "annual_share", "gemeente").fee == 0  # a commissioner never pays one
    remaining = exit_cost(answers, "remaining_commitments", "dehaven")
    assert remaining.fee is None and remaining.maximum == Decimal(80000)
    twee = answers_of("twee-partijen")  # own costs: at most one year's contribution
    assert exit_cost(twee, "remaining_commitments", "eettafel").maximum == Decimal(2500)
    assert exit_cost(answers_of("dak-en-thuis"), "fixed", "dehaven").fee is None  # not filled in: never guessed


def test_money_per_year_per_model():
    answers = answers_of("dak-en-thuis")
    assert money(answers, "allocation_key")["straatwaarde"].receives == Decimal("245000.00")
    assert money(answers, "own_costs")["straatwaarde"].contributes == Decimal("245000.00")
    assert money(answers, "output_based")["straatwaarde"].annual is None  # the annual plan decides
    assert money(answers, "allocation_key")["gemeente"].receives is None
    assert sum(m.receives for m in money(answers, "allocation_key").values() if m.receives) == Decimal(2450000)


def test_the_scenario_never_lets_a_party_cause_its_own_brief_damage():
    result = consequences(example("dak-en-thuis"), Scenario(Decimal(100000), "onderdak"))
    assert result.parties["dehaven"].causer == "onderdak"
    assert result.parties["onderdak"].causer == "dehaven"
    assert result.chosen == {"resources": "allocation_key", "liability": "pro_rata",
                             "withdrawal": "remaining_commitments", "insolvency": "curator_term"}


# the board brief -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def brief(tmp_path_factory) -> bytes:
    target = tmp_path_factory.mktemp("brief") / "brief.docx"
    Engine().brief(example("dak-en-thuis"), target)
    return target.read_bytes()


def _body(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml")).find("w:body", NS)


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{W}}}t")).replace("\xa0", " ")


def _sections(data: bytes) -> dict[str, str]:
    """Return the text of the brief per party heading (Heading1 after the first)."""
    sections: dict[str, list[str]] = {}
    current = None
    for node in _body(data):
        style = node.find("w:pPr/w:pStyle", NS)
        if style is not None and style.get(f"{{{W}}}val") == "Heading1":
            current = _text(node)
            sections[current] = []
        elif current:
            sections[current].append(_text(node))
    return {name: "\n".join(lines) for name, lines in list(sections.items())[1:]}


def test_the_brief_has_a_section_per_party_with_its_name(brief):
    sections = _sections(brief)
    assert list(sections) == ["Stichting De Haven", "Stichting Onder Dak", "Vereniging Straatwaarde",
                              "Stichting Schuldhulp Utrecht", "Stichting Zorgpunt GGZ", "Gemeente Utrecht"]
    straatwaarde = sections["Vereniging Straatwaarde"]
    assert "Straatwaarde ontvangt € 245.000,00 per jaar: 10% van het jaarbudget van € 2.450.000,00." in straatwaarde
    assert "Stel: De Haven maakt een fout, waardoor een aanspraak van € 100.000,00 ontstaat." in straatwaarde
    assert "€ 10.000,00" in straatwaarde  # its share of a damage nobody caused, under A2
    assert "Als Onder Dak stopt" in straatwaarde and "14,99%" in straatwaarde
    assert sections["Gemeente Utrecht"].startswith("De Gemeente is opdrachtgever of financier.")


def test_the_brief_charts_are_bars_as_long_as_their_amounts(brief):
    tables = _body(brief).findall(".//w:tbl", NS)
    charts = [t for t in tables if t.find("w:tblGrid", NS) is not None and len(t.findall("w:tblGrid/w:gridCol", NS)) > 10]
    assert charts
    damage_chart = charts[1]  # De Haven: the most it can lose per liability model
    spans = []
    for tr in damage_chart.iterfind("w:tr", NS):
        filled = [tc for tc in tr.iterfind("w:tc", NS) if tc.find("w:tcPr/w:shd", NS) is not None]
        spans.append(int(filled[0].find("w:tcPr/w:gridSpan", NS).get(f"{{{W}}}val")) if filled else 0)
        assert tr.find("w:trPr/w:cantSplit", NS) is not None
    assert spans == [0, 13, 40]  # A1 € 0, A2 € 33.330 of € 100.000, A3 € 100.000


def test_the_brief_is_deterministic_and_carries_its_provenance(brief, tmp_path):
    again = tmp_path / "again.docx"
    Engine().brief(example("dak-en-thuis"), again)
    assert again.read_bytes() == brief
    with zipfile.ZipFile(io.BytesIO(brief)) as package:
        assert "consequences" in package.read("customXml/item1.xml").decode("utf-8")


# the command -----------------------------------------------------------------------------------------

def _example_file(tmp_path, name="dak-en-thuis"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(example(name)), encoding="utf-8")
    return path


def test_consequences_writes_the_brief(tmp_path):
    output = tmp_path / "brief.docx"
    result = run("consequences", str(_example_file(tmp_path)), "-o", str(output), "--schade", "250000",
                 "--veroorzaker", "zorgpunt")
    assert result.exit_code == 0, result.output
    assert result.output == f"{output}: wat de keuzes betekenen voor iedere partij van dak-en-thuis.json\n"
    text = _sections(output.read_bytes())["Stichting De Haven"]
    assert "Stel: Zorgpunt GGZ maakt een fout, waardoor een aanspraak van € 250.000,00 ontstaat." in text


def test_consequences_as_json_for_tools(tmp_path):
    result = run("consequences", str(_example_file(tmp_path, "twee-partijen")), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["damage"] == "100000.00" and data["chosen"]["resources"] == "own_costs"
    assert data["parties"]["eettafel"]["money"]["own_costs"]["contributes"] == "2500.00"
    assert data["parties"]["eettafel"]["damage"]["own_acts"]["pays"] == {"buurtwerk": "100000.00", "eettafel": "0.00"}


@pytest.mark.parametrize("args, message", [
    (["--veroorzaker", "niemand"], "onbekende deelnemende partij 'niemand'; bekend zijn: dehaven, onderdak"),
    (["--veroorzaker", "gemeente"], "onbekende deelnemende partij 'gemeente'"),
    (["--schade", "0"], "--schade"),
])
def test_consequences_refuses_a_wrong_option(tmp_path, args, message):
    output = tmp_path / "brief.docx"
    result = run("consequences", str(_example_file(tmp_path)), "-o", str(output), *args)
    assert result.exit_code == 2 and message in result.output
    assert not output.exists()


def test_consequences_needs_an_output_or_json(tmp_path):
    result = run("consequences", str(_example_file(tmp_path)))
    assert result.exit_code == 2 and "-o" in result.output


def test_consequences_of_invalid_answers_print_the_findings_and_write_nothing(tmp_path):
    answers = example("twee-partijen")
    answers["withdrawal"]["notice_months"] = 0
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run("consequences", str(path), "-o", str(tmp_path / "b.docx"))
    assert result.exit_code == 1 and "$.withdrawal.notice_months" in result.output
    assert not (tmp_path / "b.docx").exists()


def test_libreoffice_shows_the_brief_with_its_charts(tmp_path):
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    output = tmp_path / "brief.docx"
    assert run("consequences", str(_example_file(tmp_path)), "-o", str(output)).exit_code == 0
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(output)], check=True, timeout=180, capture_output=True)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], check=True,
                                   capture_output=True, text=True, timeout=60).stdout.split())
    for party in ("De Haven", "Onder Dak", "Straatwaarde", "Schuldhulp Utrecht", "Zorgpunt GGZ"):
        assert f"Per keuze: wat {party} per jaar ontvangt of bijdraagt" in text
    assert "ontvangt € 245.000,00" in text.replace("\xa0", " ")
