"""The Word stage, read back from the generated .docx: text, styles, numbering, bookmarks, fields, provenance."""
from __future__ import annotations

import ast
import dataclasses
import io
import itertools
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from conftest import NS, ROOT, example, variation, visible_text, w
from lxml import etree

from agreement_engine.assemble import assemble
from agreement_engine.errors import TemplateError
from agreement_engine.library import default_library
from agreement_engine.model import Agreement, Paragraph, Ref
from agreement_engine.word import ooxml, read_provenance, render_docx, template_hash
from agreement_engine.word.body import bookmark_names
from agreement_engine.word.numbering import ARTICLE_LEVELS
from agreement_engine.word.template import load_template

PROVENANCE = {"engine_version": "0.1.0", "answers_sha256": "ab" * 32, "created": "2026-12-15T00:00:00Z",
              "clauses": [{"id": "uittreding", "variant": "opzegging", "version": "1.2.0"}]}
EXAMPLES = ("dak-en-thuis", "twee-partijen")


# reading a generated document back ---------------------------------------------------------------

def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def paragraphs(data: bytes) -> list[etree._Element]:
    return list(part(data, "word/document.xml").iter(w("p")))


def document_text(data: bytes) -> str:
    return "\n".join(visible_text(p) for p in paragraphs(data)).replace("\u00a0", " ")


def fields(paragraph: etree._Element) -> list[tuple[str, str | None]]:
    """Return (instruction, shown result) for each field; a nested field shows its outer field's result."""
    found, stack = [], []  # stack entries: [instruction, result parts, state]
    for node in paragraph.iter(w("fldChar"), w("instrText"), w("t")):
        if node.tag == w("fldChar"):
            kind = node.get(w("fldCharType"))
            if kind == "begin":
                stack.append([[], [], "code"])
            elif kind == "separate" and stack:
                stack[-1][2] = "result"
            elif kind == "end" and stack:  # not the end of a field begun in an earlier paragraph
                instruction, result, state = stack.pop()
                found.append(["".join(instruction).strip(), "".join(result) if state == "result" else None,
                              len(stack)])
        elif node.tag == w("instrText") and stack:
            stack[-1][0].append(node.text or "")
        elif node.tag == w("t") and stack and stack[-1][2] == "result":
            stack[-1][1].append(node.text or "")
    # a field inside another field's code shows what its outer field shows; a field inside the result of a field
    # that spans paragraphs (an entry of the table of contents) shows its own
    shown = []
    for index, (instruction, result, depth) in enumerate(found):
        if depth:
            result = next((r for _, r, d in found[index + 1:] if d == depth - 1), result)
        shown.append((instruction, result))
    return shown


def numbering_levels(data: bytes, num_id: str) -> list[etree._Element]:
    numbering = part(data, "word/numbering.xml")
    abstract_id = numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(w("val"))
    return numbering.findall(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl", NS)


def num_pr(paragraph: etree._Element) -> tuple[str, int] | None:
    pr = paragraph.find("w:pPr/w:numPr", NS)
    if pr is None:
        return None
    return pr.find("w:numId", NS).get(w("val")), int(pr.find("w:ilvl", NS).get(w("val")))


def style(paragraph: etree._Element) -> str | None:
    node = paragraph.find("w:pPr/w:pStyle", NS)
    return None if node is None else node.get(w("val"))


def computed_numbers(data: bytes, num_id: str) -> list[tuple[etree._Element, str]]:
    """Return each paragraph of the article list with the number Word computes for it."""
    levels = {int(lvl.get(w("ilvl"))): lvl for lvl in numbering_levels(data, num_id)}
    counters = [0] * 9
    out = []
    for p in paragraphs(data):
        pr = num_pr(p)
        if pr is None or pr[0] != num_id:
            continue
        ilvl = pr[1]
        counters[ilvl] += 1
        counters[ilvl + 1:] = [0] * (8 - ilvl)
        level = levels[ilvl]
        text = level.find("w:lvlText", NS).get(w("val"))
        for n in range(9):
            fmt = levels[n].find("w:numFmt", NS).get(w("val")) if n in levels else "decimal"
            value = counters[n]
            shown = chr(ord("a") + value - 1) if fmt == "lowerLetter" and value else str(value)
            text = text.replace(f"%{n + 1}", shown)
        out.append((p, text))
    return out


# fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def agreements() -> dict[str, Agreement]:
    return {name: assemble(example(name)) for name in EXAMPLES}


@pytest.fixture(scope="module")
def rendered(agreements) -> dict[str, bytes]:
    return {name: render_docx(agreement, provenance=PROVENANCE) for name, agreement in agreements.items()}


@pytest.fixture(scope="module")
def article_num_id(rendered) -> str:
    first = next(p for p in paragraphs(rendered["dak-en-thuis"]) if style(p) == "Heading1" and num_pr(p))
    return num_pr(first)[0]


# text ------------------------------------------------------------------------------------------

def test_text_has_parties_kvk_amounts_and_dates(rendered):
    answers = example("dak-en-thuis")
    text = document_text(rendered["dak-en-thuis"])
    for party in answers["parties"]:
        assert party["name"] in text
        if party.get("kvk"):
            assert party["kvk"] in text
    assert "€ 2.450.000,00" in text
    assert "1 januari 2027" in text
    assert "{{" not in text and "{%" not in text


def test_document_opens_with_python_docx_and_reads_the_same(rendered):
    document = docx.Document(io.BytesIO(rendered["dak-en-thuis"]))
    assert document.paragraphs[0].text == "Alliantieovereenkomst Dak en Thuis"
    assert any(p.text == "DE ONDERGETEKENDEN:" for p in document.paragraphs)
    assert round(document.sections[-1].page_width.cm, 1) == 21.0


def test_front_matter_order_and_lists(rendered, agreements):
    data, agreement = rendered["dak-en-thuis"], agreements["dak-en-thuis"]
    texts = [visible_text(p) for p in paragraphs(data)]
    leads = [texts.index(t) for t in ("DE ONDERGETEKENDEN:", "OVERWEGENDE DAT:", "KOMEN HET VOLGENDE OVEREEN:")]
    assert leads == sorted(leads)
    by_style: dict[str, list] = {}
    for p in paragraphs(data):
        by_style.setdefault(style(p), []).append(p)
    parties, recitals = by_style["AEParty"], by_style["AERecital"]
    assert len(parties) == len(agreement.comparitie) and len(recitals) == len(agreement.recitals)
    for paragraphs_, lvl_text, fmt in ((parties, "%1.", "decimal"), (recitals, "(%1)", "upperLetter")):
        num_ids = {num_pr(p) for p in paragraphs_}
        assert len(num_ids) == 1
        (num_id, _), = num_ids
        level = numbering_levels(data, num_id)[0]
        assert level.find("w:lvlText", NS).get(w("val")) == lvl_text
        assert level.find("w:numFmt", NS).get(w("val")) == fmt


# numbering -------------------------------------------------------------------------------------

def test_article_list_levels(rendered, article_num_id):
    levels = numbering_levels(rendered["dak-en-thuis"], article_num_id)
    # the headings count (for the members' "7.2") without a label: their text holds "Artikel" and a SEQ field
    assert [lvl.find("w:lvlText", NS).get(w("val")) for lvl in levels[:3]] == ["", "%1.%2", "%3."]
    assert levels[0].find("w:suff", NS).get(w("val")) == "nothing"
    assert [lvl.find("w:numFmt", NS).get(w("val")) for lvl in levels[:3]] == ["decimal", "decimal", "lowerLetter"]
    assert tuple(lvl.find("w:lvlText", NS).get(w("val")) for lvl in levels) == ARTICLE_LEVELS


@pytest.mark.parametrize("name", EXAMPLES)
def test_headings_members_and_items_carry_their_level(rendered, agreements, article_num_id, name):
    data, agreement = rendered[name], agreements[name]
    document = docx.Document(io.BytesIO(data))
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1" and num_pr(p._p)[0] != "0"]
    assert [p.text for p in headings] == [f"Artikel {a.number} {a.title}" for a in agreement.articles]
    expected = {"Heading1": 0, "AEMember": 1, "AEItem": 2}
    for p in paragraphs(data):
        if style(p) in expected and not visible_text(p).startswith("Bijlage "):
            assert num_pr(p) == (article_num_id, expected[style(p)]), visible_text(p)
    members = [p for p in paragraphs(data) if style(p) == "AEMember"]
    assert len(members) == sum(len(a.members) for a in agreement.articles)


@pytest.mark.parametrize("name", EXAMPLES)
def test_numbers_word_computes_equal_the_model(rendered, agreements, article_num_id, name):
    data, agreement = rendered[name], agreements[name]
    computed = [text or visible_text(p).split(" ")[1] for p, text in computed_numbers(data, article_num_id)
                if num_pr(p)[1] < 2]
    model = []
    for article in agreement.articles:
        model.append(str(article.number))  # a heading's number is its SEQ field's, the list counts it
        model += [m.number for m in article.members]
    assert computed == model


def test_definitions_are_an_unlettered_list_with_bold_terms(rendered, agreements):
    data = rendered["dak-en-thuis"]
    definitions = [p for p in paragraphs(data) if style(p) == "AEDefinition"]
    member = next(m for a in agreements["dak-en-thuis"].articles for m in a.members if m.label == "definities.lijst")
    assert [visible_text(p) for p in definitions] == [i.text for i in member.items]
    for p in definitions:
        assert num_pr(p) is None
        assert p.find("w:r/w:rPr/w:b", NS) is not None


# cross-references -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_every_ref_field_points_at_a_bookmark_and_shows_its_number(rendered, agreements, article_num_id, name):
    data, agreement = rendered[name], agreements[name]
    names = bookmark_names(label for label, _ in agreement.labels)
    label_of = {bm: label for label, bm in names.items()}
    root = part(data, "word/document.xml")
    bookmarks = {b.get(w("name")) for b in root.iter(w("bookmarkStart"))}
    refs = [(instr, shown) for p in root.iter(w("p")) for instr, shown in fields(p) if instr.startswith("REF ")]
    model_refs = [s for p in _all_paragraphs(agreement) for s in p.segments if isinstance(s, Ref)]
    assert len(refs) == len(model_refs) > 0
    for instruction, shown in refs:
        target = instruction.split()[1]
        assert target in bookmarks
        assert shown == agreement.number_of(label_of[target]), instruction
    # and each bookmark sits in the paragraph Word numbers with that number: a member's list number, or the
    # article's SEQ field alone (the bookmark holds the field and nothing else)
    for p, number in computed_numbers(data, article_num_id):
        for start in p.iter(w("bookmarkStart")):
            expected = agreement.number_of(label_of[start.get(w("name"))])
            if number:
                assert number == expected
            else:
                between = start.itersiblings()
                held = list(itertools.takewhile(lambda node: node.tag != w("bookmarkEnd"), between))
                code = "".join(t.text for node in held for t in node.iter(w("instrText")))
                assert code.split() == ["SEQ", "Artikel", "\\*", "ARABIC"]
                assert "".join(t.text for node in held for t in node.iter(w("t"))) == expected


def test_bookmark_names_are_valid_and_unique(agreements):
    labels = [label for label, _ in agreements["dak-en-thuis"].labels] + ["x" * 60, "x" * 61, "a.b", "a_b"]
    names = bookmark_names(labels)
    assert len(set(names.values())) == len(labels)
    for name in names.values():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_dotted_article_reference_in_the_text_exists(rendered, agreements, name):
    agreement = agreements[name]
    numbers = {m.number for a in agreement.articles for m in a.members}
    # a statute cited as "artikel 3.4 lid 1 van de Wet maatschappelijke ondersteuning 2015" is not an article here
    mentioned = re.findall(r"\bartikel(?:en)?\s+(\d+\.\d+)(?![\d:])(?!(?:\s+lid\s+\d+)?\s+van\s+de\s+Wet\b)",
                           document_text(rendered[name]))
    assert mentioned
    assert set(mentioned) <= numbers


def test_article_references_quote_the_bookmarked_number_of_the_heading(rendered, agreements):
    data, agreement = rendered["dak-en-thuis"], agreements["dak-en-thuis"]
    articles = {a.clause_id for a in agreement.articles}
    names = bookmark_names(label for label, _ in agreement.labels)
    quoted = 0
    for p in part(data, "word/document.xml").iter(w("p")):
        for instruction, shown in fields(p):
            target = instruction.split()[1] if instruction.startswith("REF ") else None
            if target in {names[a] for a in articles}:
                assert instruction == f"REF {target} \\h" and shown.isdigit()
                quoted += 1
    assert quoted > 10 and "QUOTE" not in "".join(t.text for t in part(data, "word/document.xml").iter(w("instrText")))
    assert "artikel Artikel" not in document_text(data)


# annexes and signatures ------------------------------------------------------------------------

def test_annexes_start_on_a_new_page_with_real_tables(rendered, agreements):
    data, agreement = rendered["dak-en-thuis"], agreements["dak-en-thuis"]
    root = part(data, "word/document.xml")
    headings = [p for p in root.iter(w("p")) if visible_text(p).startswith("Bijlage ") and style(p) == "Heading1"]
    assert [visible_text(p) for p in headings] == [f"Bijlage {a.number} \u2013 {a.title}" for a in agreement.annexes]
    assert all(p.find("w:pPr/w:pageBreakBefore", NS) is not None for p in headings)
    tables = [t for t in root.iter(w("tbl")) if t.find("w:tr/w:trPr/w:tblHeader", NS) is not None]
    assert len(tables) == sum(1 for a in agreement.annexes if a.header)
    key = agreement.annexes[[a.label for a in agreement.annexes].index("bijlage.verdeelsleutel")]
    table = tables[[a for a in agreement.annexes if a.header].index(key)]
    rows = table.findall("w:tr", NS)
    assert len(rows) == 1 + len(key.rows) + 1
    total = rows[-1]
    assert [visible_text(p) for p in total.iter(w("p"))] == list(key.total)
    assert all(r.find("w:rPr/w:b", NS) is not None for r in total.iter(w("r")))


@pytest.mark.parametrize("mode", ["together", "separately"])
def test_signature_blocks_keep_together(agreements, mode):
    answers = variation("dak-en-thuis", ["set", ["alliance", "signing", "mode"], mode])
    agreement = assemble(answers)
    root = part(render_docx(agreement, provenance={}), "word/document.xml")
    intro = next(p for p in root.iter(w("p")) if visible_text(p) == agreement.signature_intro.text)
    # the closing sentence opens the first row of the signature table, with the first blocks in that row
    cell = intro.getparent()
    assert cell.tag == w("tc") and cell.find("w:p", NS) is intro and intro.getnext().tag == w("tbl")
    table = cell.getparent().getparent()
    assert table.getparent().tag == w("body") and cell.getparent() is table.find("w:tr", NS)
    assert intro.find("w:pPr/w:pageBreakBefore", NS) is None  # it follows the last article
    rows = list(table.iter(w("tr")))
    assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)
    text = "\n".join(visible_text(p) for p in table.iter(w("p"))).replace("\u00a0", " ").replace("\u2011", "-")
    for block in agreement.signature_blocks:
        assert block.party_name in text
        for signatory in block.signatories:
            assert f"Naam: {signatory.name}" in text and f"Functie: {signatory.function}" in text
    assert text.count("Plaats: ") == (len(agreement.signature_blocks) if mode == "separately" else 0)
    assert text.count("Datum: ") == (len(agreement.signature_blocks) if mode == "separately" else 0)


# safety ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["{{ 7*7 }}", "A & B <c> \"d\" 'e'", "Ωμέγα 北京 Ünïcødé", "{% raw %}x"])
def test_answer_values_appear_exactly_as_typed(value):
    answers = example("twee-partijen")
    answers["parties"][0]["name"] = value
    answers["alliance"]["name"] = f"Alliantie {value}"
    data = render_docx(assemble(answers), provenance={"name": value})
    assert value in document_text(data)
    header = next(name for name in zipfile.ZipFile(io.BytesIO(data)).namelist() if name.startswith("word/header"))
    assert f"Alliantie {value}" in "".join(part(data, header).itertext())
    assert read_provenance(io.BytesIO(data)) == {"name": value}
    docx.Document(io.BytesIO(data))  # still a valid package


def test_characters_xml_cannot_carry_never_corrupt_the_document(agreements):
    agreement = agreements["twee-partijen"]
    broken = dataclasses.replace(
        agreement, alliance_name="Samen\x0b aan\x00 Tafel\x07", version_label="Versie\x0c 1",
        comparitie=(Paragraph(("Stichting\x01 A\ud800 & B\r\nregel\ttab",)), *agreement.comparitie[1:]))
    data = render_docx(broken, provenance={"note": "nul\x00teken"})
    document = docx.Document(io.BytesIO(data))
    assert any(p.text == "Stichting A & B\nregel\ttab" for p in document.paragraphs)
    assert "Samen aan Tafel" in document.sections[-1].header.paragraphs[0].text
    assert read_provenance(io.BytesIO(data)) == {"note": "nul\x00teken"}


# determinism and provenance --------------------------------------------------------------------

def test_rendering_is_byte_identical(agreements, rendered):
    again = render_docx(agreements["dak-en-thuis"], provenance=dict(PROVENANCE))
    assert again == rendered["dak-en-thuis"]
    with zipfile.ZipFile(io.BytesIO(again)) as package:
        infos = package.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert b"w:rsid" not in zipfile.ZipFile(io.BytesIO(again)).read("word/document.xml")


def test_provenance_round_trips(rendered, tmp_path):
    path = tmp_path / "agreement.docx"
    path.write_bytes(rendered["dak-en-thuis"])
    assert read_provenance(path) == PROVENANCE
    assert read_provenance(str(path)) == PROVENANCE
    props = {p.get("name"): p[0].text for p in part(path.read_bytes(), "docProps/custom.xml")}
    assert props["agreement-engine:engine_version"] == "0.1.0"
    assert props["agreement-engine:answers_sha256"] == "ab" * 32
    assert props["agreement-engine:template_sha256"] == template_hash()
    core = docx.Document(path).core_properties
    assert core.title == "Alliantieovereenkomst Dak en Thuis"
    assert core.created.year == 2026 and core.modified == core.created


def test_without_a_created_date_core_properties_have_no_dates(agreements):
    core = docx.Document(io.BytesIO(render_docx(agreements["twee-partijen"], provenance={}))).core_properties
    assert core.created is None and core.modified is None


def test_a_document_without_provenance_is_an_error(tmp_path):
    path = tmp_path / "plain.docx"
    docx.Document().save(path)
    with pytest.raises(Exception, match="herkomst"):
        read_provenance(path)


# templates -------------------------------------------------------------------------------------

def make_template(path: Path, *paragraphs_: str, header: str | None = None) -> Path:
    document = docx.Document()
    for text in paragraphs_:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    document.save(path)
    return path


def test_a_custom_template_gets_the_body_numbering_and_styles(agreements, tmp_path):
    template = make_template(tmp_path / "eigen.docx", "{{ title }}", "{{p body }}", "Einde.",
                             header="{{ alliance_name }} {% if draft %}CONCEPT{% endif %}")
    data = render_docx(agreements["twee-partijen"], template, provenance={})
    texts = [visible_text(p) for p in paragraphs(data)]
    assert texts[0] == agreements["twee-partijen"].title and texts[-1] == "Einde."
    assert "DE ONDERGETEKENDEN:" in texts
    document = docx.Document(io.BytesIO(data))
    assert {"Artikellid", "Definitie", "Ondertekening"} <= {s.name for s in document.styles}
    assert read_provenance(io.BytesIO(data)) == {}


@pytest.mark.parametrize("content, missing", [(["{{ title }}"], "body"), (["{{p body }}"], "title")])
def test_a_template_without_a_required_placeholder_names_it(tmp_path, content, missing):
    template = make_template(tmp_path / "fout.docx", *content)
    with pytest.raises(TemplateError, match=f"'{missing}'"):
        load_template(template)


def test_a_template_with_an_unknown_placeholder_or_a_body_in_running_text_is_refused(tmp_path):
    with pytest.raises(TemplateError, match="'klant'"):
        load_template(make_template(tmp_path / "a.docx", "{{ title }} {{ klant }}", "{{p body }}"))
    with pytest.raises(TemplateError, match="eigen alinea"):
        load_template(make_template(tmp_path / "b.docx", "{{ title }}", "Tekst {{ body }} tekst."))
    with pytest.raises(TemplateError, match="kan niet worden gelezen"):
        load_template(tmp_path / "bestaat-niet.docx")


#: Templates with a broken tag: (paragraphs, header, the tag or name the error must quote).
BROKEN_TEMPLATES = {
    "unclosed placeholder": (["Voorblad", "{{ title", "{{p body }}"], None, "'{{ title'"),
    "unclosed placeholder in a header": (["{{ title }}", "{{p body }}"], "{{ alliance_name", "'{{ alliance_name'"),
    "unclosed statement": (["{{ title }}", "{% if draft %CONCEPT", "{{p body }}"], None, "'{% if draft %CONCEPT"),
    "expression that does not parse": (["{{ title + }}", "{{p body }}"], None, "'{{ title + }}'"),
    "unknown filter": (["{{ title | geheim }}", "{{p body }}"], None, "'{{ title | geheim }}'"),
    "block never closed": (["{{ title }}", "{% if draft %}CONCEPT", "{{p body }}"], None, "'if'"),
    "unknown placeholder": (["{{ title }} {{ secret }}", "{{p body }}"], None, "'secret'"),
    "reaching for internals": (["{{ title.__class__ }}", "{{p body }}"], None, "'__class__'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_TEMPLATES), ids=str)
def test_a_broken_tag_is_an_error_that_names_it(tmp_path, case):
    paragraphs_, header, named = BROKEN_TEMPLATES[case]
    with pytest.raises(TemplateError) as info:
        load_template(make_template(tmp_path / "kapot.docx", *paragraphs_, header=header))
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'kapot.docx'}: ") and named in message, message


def test_a_template_error_says_where_in_its_fields_as_a_library_error_does(tmp_path):
    path = make_template(tmp_path / "kapot.docx", "{{ title }}", "{{p body }}")
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"</w:body>", b"</w:bod>")
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    error = info.value
    assert (error.file, error.part, error.clause) == (str(path), "word/document.xml", None)
    assert error.line >= 1 and error.column >= 1
    assert error.problem.message == (f"het onderdeel word/document.xml is geen geldige XML (regel {error.line}, "
                                     f"kolom {error.column})")
    assert str(error) == f"{path}: {error.problem.message}"  # the text the user reads names the file first

    with pytest.raises(TemplateError) as info:
        load_template(make_template(tmp_path / "onbekend.docx", "{{ title }} {{ klant }}", "{{p body }}"))
    assert (info.value.file, info.value.part, info.value.line) == (str(tmp_path / "onbekend.docx"), None, None)


def test_a_generated_agreement_used_as_template_keeps_one_provenance_part(agreements, tmp_path):
    first = make_template(tmp_path / "t.docx", "{{ title }}", "{{p body }}")
    generated = docx.Document(io.BytesIO(render_docx(agreements["twee-partijen"], first, provenance={"run": 1})))
    generated.add_paragraph("{{ title }}")
    generated.add_paragraph("{{p body }}")
    template = tmp_path / "from-agreement.docx"
    generated.save(template)
    second = render_docx(agreements["twee-partijen"], template, provenance={"run": 2})
    package = zipfile.ZipFile(io.BytesIO(second))
    items = [n for n in package.namelist() if re.fullmatch(r"customXml/item\d+\.xml", n)]
    assert sum(b"agreement-engine:provenance" in package.read(n) for n in items) == 1
    assert read_provenance(io.BytesIO(second)) == {"run": 2}


def test_templates_are_loaded_once_per_content(tmp_path):
    template = make_template(tmp_path / "t.docx", "{{ title }}", "{{p body }}")
    first = load_template(template)
    assert load_template(template) is first
    make_template(template, "{{ title }}", "Voorblad", "{{p body }}")
    assert load_template(template) is not first


def test_house_template_is_built_by_the_committed_script():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_house_template
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert build_house_template.build() == (ROOT / "clause_library" / "house-template.docx").read_bytes()


def _all_paragraphs(agreement: Agreement):
    yield from agreement.paragraphs()
    for annex in agreement.annexes:
        yield from annex.paragraphs
        for _, section in annex.sections:
            yield from section


# LibreOffice -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pdf_texts(tmp_path_factory) -> dict[str, str]:
    """Convert the examples to PDF with LibreOffice once; return the text of each PDF."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    folder = tmp_path_factory.mktemp("pdf")
    files = []
    for name in EXAMPLES:
        path = folder / f"{name}.docx"
        path.write_bytes(render_docx(assemble(example(name)), provenance=PROVENANCE))
        files.append(str(path))
    profile = (folder / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), *files], check=True, timeout=180, capture_output=True)
    texts = {}
    for name in EXAMPLES:
        result = subprocess.run(["pdftotext", str(folder / f"{name}.pdf"), "-"], check=True, capture_output=True,
                                text=True, timeout=60)
        texts[name] = re.sub(r"[ \t\u00a0]+", " ", result.stdout)
    return texts


@pytest.mark.parametrize("name", EXAMPLES)
def test_libreoffice_shows_headings_numbers_and_references(pdf_texts, agreements, name):
    text, agreement = pdf_texts[name], agreements[name]
    flowing = " ".join(text.split())
    assert "Artikel 1" in text
    for article in agreement.articles:
        assert f"Artikel {article.number} {article.title}" in flowing
        for member in article.members:
            assert re.search(rf"(^|\s){re.escape(member.number)}\s", text), member.number
    for paragraph in _all_paragraphs(agreement):
        for before, segment in zip(paragraph.segments, paragraph.segments[1:]):
            if isinstance(segment, Ref) and isinstance(before, str) and before.endswith(" ") and before.strip():
                assert f"{before.split()[-1]} {segment.number}" in flowing, segment
    assert "artikel Artikel" not in text
    assert "Error: Reference source not found" not in text and "Fout: Verwijzing" not in text
    assert "{{" not in text and "{%" not in text
    assert re.search(r"Pagina \d+ van \d+", text)


def test_libreoffice_shows_the_member_numbers_of_dak_en_thuis(pdf_texts):
    text = pdf_texts["dak-en-thuis"]
    assert "16.2" in text
    assert "€ 2.450.000,00" in text
    assert "Bijlage 2 – Verdeelsleutel" in text


# only ooxml.py writes XML text --------------------------------------------------------------------------

def _literals(path: Path) -> list[tuple[int, str]]:
    """Return the string and bytes literals of a module that are not docstrings, with their lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(getattr(node, "body", None), list) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value if isinstance(node.value, str) else node.value.decode("latin-1"))
            for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)
            and id(node) not in docstrings]


_XML_TEXT = re.compile(r"<[/!?]?[A-Za-z][\w.-]*:[A-Za-z]|xmlns")


def test_only_ooxml_writes_xml_text():
    """No module but word/ooxml.py holds a piece of XML to format, splice or rewrite: the rest build elements."""
    package = Path(__file__).resolve().parent.parent / "agreement_engine"
    found = [f"{path.relative_to(package)}:{line}: {text[:60]!r}" for path in sorted(package.rglob("*.py"))
             if path.name != "ooxml.py" for line, text in _literals(path) if _XML_TEXT.search(text)]
    assert not found
    assert _XML_TEXT.search('f"<w:style xmlns:w={W}>"') and _literals(package / "word" / "ooxml.py")


# runs: the plain-text shortcut writes what the general path writes ------------------------------------------

@given(st.text(st.characters(), max_size=40) | st.sampled_from(["", " a", "a ", "\u00a0x", "te 's-Hertogenbosch",
                                                              "a\tb\nc", "R&D <x>", "a\r\nb", "x\x00y"]),
       st.booleans(), st.sampled_from(["w:t", "w:delText"]))
def test_a_run_of_plain_text_is_written_as_the_general_path_writes_it(text, bold, tag):
    assert ooxml._run_xml(text, bold, tag) == ooxml._split_run_xml(text, bold, tag)
    etree.fromstring(f'<w:body xmlns:w="{ooxml.W}">{ooxml._run_xml(text, bold, tag)}</w:body>'.encode("utf-8"))


@given(st.text(st.characters(), max_size=30) | st.sampled_from(["a\r\nb", "a\rb", "\x0b\x0c", "x\ufffey"]))
def test_clean_text_changes_only_what_xml_cannot_carry(text):
    cleaned = ooxml._FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    assert ooxml.clean_text(text) == cleaned


@pytest.mark.parametrize("props", [{"keepNext": True}, {"keepNext": 1}, {"spacing": {"before": 0}},
                                   {"spacing": "{'before': 0}"}, {"numPr": (3, 1), "jc": "right"},
                                   {"jc": "right", "numPr": (3, 1)}, {"rPr": ooxml.el("w:rPr")}])
def test_paragraph_properties_are_written_as_given_whatever_came_before(props):
    expected = ooxml.to_xml([ooxml._properties("AEText", props)])
    for _ in range(2):  # the second time from the cache
        assert ooxml.to_xml([ooxml.properties("AEText", **props)]) == expected
