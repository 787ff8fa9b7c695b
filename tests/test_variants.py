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
    if "$." not in option.problems[0]:
        return "condition"
    return option.problems[0].rsplit("(", 1)[1].rstrip(")")


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


def test_the_variants_stand_side_by_side_with_what_the_library_says_of_them(liability):
    root = _document(liability)
    table = root.find(".//w:tbl", NS)
    rows = [_cells(r) for r in table.iterfind("w:tr", NS)]
    assert rows[0] == ["Variant", "A1", "A2 (gekozen)", "A3"]
    assert [r[0] for r in rows] == ["Variant", "Wat houdt het in", "Let op", "Antwoorden", "Tekst"]
    clause = default_library().get("aansprakelijkheid")
    for column, variant in enumerate(clause.variants, start=1):
        assert rows[1][column] == " ".join(variant.summary.split())
        for point in variant.attention:
            assert " ".join(point.split()) in rows[2][column]
    assert rows[3][1] == "Aansprakelijkheidsmodel: A1 Ieder aansprakelijk voor eigen handelen"
    assert re.match(r"Artikel (\d+) Onderlinge aansprakelijkheid\n\1\.1\tIedere Partij is jegens", rows[4][2])
    assert "hoofdelijke aansprakelijkheid is niet mogelijk" in rows[4][3]
    assert table.find("w:tr/w:trPr/w:tblHeader", NS) is not None


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
