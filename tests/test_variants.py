"""Every variant of a topic for one alliance: which can be worked out, from what, and the table in Word."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from conftest import NS, W, example, run, variation
from lxml import etree

from agreement_engine.assemble import assemble
from agreement_engine.engine import Engine
from agreement_engine.errors import EngineError
from agreement_engine.library import default_library
from agreement_engine.variant_options import options, topics
from agreement_engine.word import read_provenance
from agreement_engine.word.variants_page import render_variants


# base, topic, what each variant becomes: "chosen", "shown", or the JSON path of the finding that blocks it
EXPECTED = [
    ("dak-en-thuis", "resources", {"M1": "chosen", "M2": "shown", "M3": "shown", "M4": "shown"}),
    ("dak-en-thuis", "liability", {"A1": "shown", "A2": "chosen",
                                   "A3": "$.parties[1].articles_allow_joint_liability"}),
    ("dak-en-thuis", "withdrawal", {"U1": "shown", "U3a": "$.withdrawal.exit_fee.amount", "U3b": "chosen",
                                    "U3c": "$.withdrawal.exit_fee.months"}),
    ("dak-en-thuis", "insolvency", {"I1": "shown", "I2": "shown", "I3": "chosen", "I4": "$.insolvency.step_in_party"}),
    ("dak-en-thuis", "disputes", {"court": "shown", "mediation_then_court": "chosen", "arbitration": "shown",
                                  "mediation_then_arbitration": "shown", "binding_advice": "shown"}),
    ("dak-en-thuis", "covenant", {"standaard": "shown"}),
    ("dak-en-thuis", "conditions", {"met_voorwaarden": "chosen", "zonder_voorwaarden": "condition"}),
    ("twee-partijen", "resources", {"M1": "shown", "M2": "shown", "M3": "shown", "M4": "chosen"}),
]


def _outcome(option) -> str:
    if option.chosen:
        return "chosen"
    if option.agreement is not None:
        return "shown"
    if not option.paths:
        return "condition"
    return option.paths[0]


@pytest.mark.parametrize("base, topic, expected", EXPECTED, ids=[f"{b}-{t}" for b, t, _ in EXPECTED])
def test_every_variant_is_chosen_shown_or_says_what_blocks_it(base, topic, expected):
    found = options(example(base), topic)
    assert {o.variant.id: _outcome(o) for o in found} == expected
    for option in found:
        if option.agreement is not None:
            used = {(c.clause_id, c.variant_id) for c in option.agreement.clauses}
            assert (option.clause.id, option.variant.id) in used
        if not option.chosen and option.agreement is not None:
            assert option.answers, "a variant that is not chosen needs at least one other answer"


def test_a_missing_answer_the_set_may_already_hold_makes_the_variant_shown():
    answers = variation("dak-en-thuis", ["set", ["withdrawal", "exit_fee", "amount"], 25000],
                        ["set", ["withdrawal", "exit_fee", "months"], 3],
                        ["set", ["insolvency", "step_in_party"], "onderdak"])
    assert all(o.agreement is not None for o in options(answers, "withdrawal"))
    i4 = next(o for o in options(answers, "insolvency") if o.variant.id == "I4")
    assert "Onder Dak" in " ".join(m.body.text for m in i4.agreement.article("insolventie").members)


def test_missing_answers_are_named_and_marked_incomplete_and_rules_are_not():
    by_id = {o.variant.id: o for o in options(example("dak-en-thuis"), "withdrawal")}
    assert by_id["U3a"].incomplete and "ontbreekt" in by_id["U3a"].problems[0]
    a3 = next(o for o in options(example("dak-en-thuis"), "liability") if o.variant.id == "A3")
    assert not a3.incomplete and len(a3.problems) == 3


def test_contributions_derive_from_the_allocation_key_to_the_cent():
    m4 = next(o for o in options(example("dak-en-thuis"), "resources") if o.variant.id == "M4")
    contributions = {a.path.rsplit(".", 1)[1]: a.new for a in m4.answers if ".contributions." in a.path}
    allocation = {a.party_id: a.amount for a in assemble(example("dak-en-thuis")).allocation}
    assert set(contributions) == set(allocation)
    assert sum(allocation.values(), Decimal(0)) == Decimal("2450000")


def test_shares_and_budget_derive_from_contributions_and_add_up_to_exactly_100():
    m1 = next(o for o in options(example("twee-partijen"), "resources") if o.variant.id == "M1")
    allocation = m1.agreement.allocation
    assert sum((a.share for a in allocation), Decimal(0)) == Decimal(100)
    assert [(a.party_id, a.share, a.amount) for a in allocation] == [
        ("buurtwerk", Decimal("75"), Decimal("7500.00")), ("eettafel", Decimal("25"), Decimal("2500.00"))]


def test_topics_are_those_with_a_clause_and_an_unknown_one_names_them():
    known = topics()
    assert known[:5] == ["resources", "liability", "withdrawal", "insolvency", "disputes"]
    with pytest.raises(EngineError, match="bekend zijn: resources, liability"):
        options(example("dak-en-thuis"), "aansprakelijkheid")


def test_every_topic_with_a_choice_of_variants_is_a_topic_of_the_library():
    """A clause with more than one variant is a choice: `variants TOPIC` must know its topic."""
    library = default_library()
    choices = {clause.topic for clause in library.clauses if clause.topic and len(clause.variants) > 1}
    assert choices - set(topics()) == set()
    for topic in sorted(choices):
        assert options(example("dak-en-thuis"), topic), topic


# the table in Word -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def liability() -> bytes:
    answers = example("dak-en-thuis")
    return render_variants(assemble(answers), "Onderlinge aansprakelijkheid", options(answers, "liability"),
                           provenance={"kind": "variants"})


def _document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _cells(row: etree._Element) -> list[str]:
    def text(p: etree._Element) -> str:
        return "".join("\t" if n.tag == f"{{{W}}}tab" else n.text or "" for n in p.iter(f"{{{W}}}t", f"{{{W}}}tab"))
    return ["\n".join(text(p) for p in cell.iterfind("w:p", NS)) for cell in row.iterfind("w:tc", NS)]


def _rows(data: bytes) -> tuple[etree._Element, dict[str, list[list[str]]]]:
    """Return the table and its rows by label; a row without a label continues the one above it."""
    table = _document(data).find(".//w:tbl", NS)
    by_label: dict[str, list[list[str]]] = {}
    label = ""
    for tr in table.iterfind("w:tr", NS):
        cells = [cell.replace("\xa0", " ") for cell in _cells(tr)]
        label = cells[0] or label
        by_label.setdefault(label, []).append(cells)
    return table, by_label


def test_the_variants_stand_side_by_side_with_what_the_library_says_of_them(liability):
    table, rows = _rows(liability)
    assert rows["Variant"][0] == ["Variant", "Ieder aansprakelijk voor eigen handelen\nA1",
                                  "Gedeelde risico's naar rato van de verdeelsleutel\nA2 (gekozen)",
                                  "Naar buiten hoofdelijk, onderling verdeeld\nA3"]
    assert list(rows) == ["Variant", "Wat houdt het in", "Let op", "Antwoorden",
                          "Schade van € 100.000,00 door een fout van De Haven, per partij",
                          "Schade van € 100.000,00 waar niemand schuld aan heeft, per partij", "Tekst"]
    clause = default_library().get("aansprakelijkheid")
    for column, variant in enumerate(clause.variants, start=1):
        assert rows["Wat houdt het in"][0][column] == " ".join(variant.summary.split())
        points = "\n".join(r[column] for r in rows["Let op"])
        for point in variant.attention:
            assert " ".join(point.split()) in points
    assert rows["Antwoorden"][0][1] == "Aansprakelijkheidsmodel: A1 Ieder aansprakelijk voor eigen handelen"
    text = ["\n".join(r[column] for r in rows["Tekst"]) for column in range(4)]
    assert re.match(r"Artikel (\d+) Onderlinge aansprakelijkheid\n\1\.1\tIedere Partij is jegens", text[2])
    assert "hoofdelijke aansprakelijkheid is niet mogelijk" in text[3]
    assert table.find("w:tr/w:trPr/w:tblHeader", NS) is not None


def test_the_board_sees_names_euros_per_party_no_json_paths_and_rows_that_stay_on_one_page(liability):
    table, rows = _rows(liability)
    damage = rows["Schade van € 100.000,00 door een fout van De Haven, per partij"][0]
    assert damage[1].split("\n") == [
        "De Haven: € 100.000,00", "Onder Dak: € 0,00", "Straatwaarde: € 0,00", "Schuldhulp Utrecht: € 0,00",
        "Zorgpunt GGZ: € 0,00"]
    shared = rows["Schade van € 100.000,00 waar niemand schuld aan heeft, per partij"][0]
    assert shared[2].split("\n")[:2] == ["De Haven: € 33.330,00", "Onder Dak: € 25.000,00"]
    assert "$." not in "".join(_document(liability).itertext())
    assert all(tr.find("w:trPr/w:cantSplit", NS) is not None for tr in table.iterfind("w:tr", NS))


def test_what_differs_from_the_chosen_variant_is_highlighted(liability):
    table = _document(liability).find(".//w:tbl", NS)
    marked = ["".join(r.itertext()) for tc in (tr.findall("w:tc", NS)[1] for tr in table.iterfind("w:tr", NS))
              for r in tc.iter(f"{{{W}}}r") if r.find("w:rPr/w:highlight", NS) is not None]
    assert " uitsluitend" in marked  # A1 says "uitsluitend aansprakelijk" where A2 does not
    chosen = [r for tr in table.iterfind("w:tr", NS) for r in tr.findall("w:tc", NS)[2].iter(f"{{{W}}}highlight")]
    assert chosen == []


def test_the_contributions_a_variant_takes_are_named_per_party():
    answers = example("dak-en-thuis")
    data = render_variants(assemble(answers), "Verdeling van middelen", options(answers, "resources"),
                           provenance={"kind": "variants"})
    _, rows = _rows(data)
    m4 = rows["Antwoorden"][0][4]
    assert "Bijdragen aan de gezamenlijke kosten, De Haven: € 816.585,00" in m4
    assert "van de Partij" not in m4
    money = rows["Geld per jaar per partij"][0]
    assert "Straatwaarde: ontvangt € 245.000,00" in money[1]
    assert "Straatwaarde: draagt € 245.000,00 bij" in money[4]


def test_comfort_per_party_is_a_row_only_when_asked():
    answers = example("dak-en-thuis")
    found = options(answers, "liability")

    def comfort(chosen: dict) -> dict[str, bool]:
        return {"straatwaarde": chosen["liability"]["model"] in ("own_acts", "pro_rata"), "dehaven": True}

    _, rows = _rows(render_variants(assemble(answers), "Onderlinge aansprakelijkheid", found,
                                    provenance={"kind": "variants"}, comfort_met=comfort))
    assert rows["Comfort per partij"][0][1:] == ["Straatwaarde: ja\nDe Haven: ja", "Straatwaarde: ja\nDe Haven: ja",
                                                "" ]
    _, without = _rows(render_variants(assemble(answers), "Onderlinge aansprakelijkheid", found,
                                       provenance={"kind": "variants"}))
    assert "Comfort per partij" not in without


def test_the_engine_shows_per_variant_whose_comfort_it_gives(tmp_path):
    """The founding story's parties state their needs; the liability table says per variant whose musts it
    meets: the small vereniging's "only for our own acts" holds under A1 and A2 but not under A3."""
    answers = example("dak-en-thuis")
    (tmp_path / "met.json").write_text(json.dumps(answers), encoding="utf-8")
    target = Engine().variants("liability", tmp_path / "aansprakelijkheid.docx", tmp_path / "met.json")
    _, rows = _rows(target.read_bytes())
    comfort = rows["Comfort per partij"][0]
    assert "Straatwaarde: ja" in comfort[1] and "Straatwaarde: ja" in comfort[2], comfort
    assert "De Haven: ja" in comfort[1]
    # a subsidy to each party (F1) takes away the gemeente's one point of contact for the money
    target = Engine().variants("financing", tmp_path / "financiering.docx", tmp_path / "met.json")
    _, rows = _rows(target.read_bytes())
    comfort = rows["Comfort per partij"][0]
    assert "de Gemeente: nee" in comfort[1] and "De Haven: nee" in comfort[1], comfort
    assert "de Gemeente: ja" in comfort[2] and "nee" not in comfort[2], comfort
    without = {k: v for k, v in answers.items() if k != "comfort"}
    (tmp_path / "zonder.json").write_text(json.dumps(without), encoding="utf-8")
    target = Engine().variants("liability", tmp_path / "zonder.docx", tmp_path / "zonder.json")
    assert "Comfort per partij" not in _rows(target.read_bytes())[1]


def test_the_table_pages_are_landscape_and_the_output_is_deterministic(liability):
    size = _document(liability).find("w:body/w:sectPr/w:pgSz", NS)
    assert size.get(f"{{{W}}}orient") == "landscape" and int(size.get(f"{{{W}}}w")) > int(size.get(f"{{{W}}}h"))
    answers = example("dak-en-thuis")
    again = render_variants(assemble(answers), "Onderlinge aansprakelijkheid", options(answers, "liability"),
                            provenance={"kind": "variants"})
    assert again == liability


def test_the_header_keeps_concept_at_the_right_margin_of_a_landscape_page(liability):
    size = _document(liability).find("w:body/w:sectPr/w:pgSz", NS)
    margins = _document(liability).find("w:body/w:sectPr/w:pgMar", NS)
    width = int(size.get(f"{{{W}}}w")) - int(margins.get(f"{{{W}}}left")) - int(margins.get(f"{{{W}}}right"))
    with zipfile.ZipFile(io.BytesIO(liability)) as package:
        headers = [etree.fromstring(package.read(n)) for n in package.namelist() if n.startswith("word/header")]
    right = [int(t.get(f"{{{W}}}pos")) for h in headers for t in h.iter(f"{{{W}}}tab")
             if t.get(f"{{{W}}}val") == "right"]
    assert right and all(abs(pos - width) <= 2 for pos in right), (right, width)


# the command ------------------------------------------------------------------------------------

def test_variants_without_answers_use_the_founding_story(tmp_path):
    output = tmp_path / "varianten.docx"
    result = run("variants", "withdrawal", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert result.output == f"{output}: de varianten van withdrawal voor dak-en-thuis.json\n"
    provenance = read_provenance(output)
    assert (provenance["kind"], provenance["topic"]) == ("variants", "withdrawal")
    assert "Alliantie Dak en Thuis" in "".join(_document(output.read_bytes()).itertext())


def test_variants_of_an_unknown_topic_list_the_known_ones(tmp_path):
    result = run("variants", "aansprakelijkheid", "-o", str(tmp_path / "v.docx"))
    assert result.exit_code == 2
    assert "onbekend onderwerp 'aansprakelijkheid'; bekend zijn: resources, liability, withdrawal" in result.output
    assert not (tmp_path / "v.docx").exists()


def test_variants_of_invalid_answers_print_the_findings_and_write_nothing(tmp_path):
    answers = example("twee-partijen")
    answers["withdrawal"]["notice_months"] = 0
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run("variants", "liability", str(path), "-o", str(tmp_path / "v.docx"))
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}: ongeldig") and "$.withdrawal.notice_months" in result.output
    assert not (tmp_path / "v.docx").exists()


def test_libreoffice_opens_the_variants_table(tmp_path):
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    output = tmp_path / "varianten.docx"
    assert run("variants", "resources", str(_example_file(tmp_path)), "-o", str(output)).exit_code == 0
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(output)], check=True, timeout=180, capture_output=True)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "varianten.pdf"), "-"], check=True,
                                   capture_output=True, text=True, timeout=60).stdout.split())
    assert "Varianten: Verdeling van middelen" in text
    assert all(variant in text for variant in ("M1", "M2", "M3", "M4 (gekozen)"))
    assert "Samen aan Tafel" in text


def _example_file(tmp_path):
    path = tmp_path / "twee-partijen.json"
    path.write_text(json.dumps(example("twee-partijen")), encoding="utf-8")
    return path


def test_the_money_per_party_when_a_party_fails_follows_each_insolvency_variant():
    answers = variation("dak-en-thuis", ["set", ["insolvency", "step_in_party"], "onderdak"])
    data = render_variants(assemble(answers), "Insolventie van een Partij", options(answers, "insolvency"),
                           provenance={"kind": "variants"})
    _, rows = _rows(data)
    header = rows["Variant"][0]
    failed = rows["Geld per jaar per partij als De Haven failliet gaat"][0]
    i4, i2 = failed[header.index("Overname van taken door een aangewezen Partij\nI4")], failed[1]
    assert "Onder Dak: € 1.429.085,00" in i4 and "Straatwaarde: € 245.000,00" in i4  # it takes over De Haven's money
    assert "Onder Dak: € 919.240,00" in i2 and "Straatwaarde: € 367.255,00" in i2  # re-keyed pro rata
    assert "De Haven:" not in i2
