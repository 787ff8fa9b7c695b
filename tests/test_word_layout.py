"""Layout details read back from the document and from LibreOffice's pages: the signature page, names, annex tables
and the kind of document on a custom cover."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import NS, example, visible_text, w
from lxml import etree

from agreement_engine.assemble import assemble
from agreement_engine.word import render_docx

PROVENANCE = {"engine_version": "0.1.0"}
EXTRA = ["Buurtkracht", "Wijkwerk", "Zorgzaam", "Samenkracht", "Voedselbank"]


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def with_parties(count: int) -> dict:
    """Return the two-party example with associations added up to ``count`` parties, each signed by two."""
    answers = example("twee-partijen")
    model = answers["parties"][1]
    for index, name in enumerate(EXTRA[:count - 2]):
        answers["parties"].append({**model, "id": f"extra{index}", "name": f"Vereniging {name} Zwolle",
                                   "short_name": name, "kvk": f"{64318210 + index}"})
        answers["resources"]["contributions"][f"extra{index}"] = 1000
    return answers


def signature_rows(data: bytes) -> list[list[str]]:
    """Return, per row of the signature table, the party names in it (bold lines of the blocks)."""
    root = part(data, "word/document.xml")
    outer = next(t for t in root.find("w:body", NS).findall("w:tbl", NS) if t.find(".//w:tbl", NS) is not None)
    return [[visible_text(p) for p in row.iter(w("p")) if p.find("w:r/w:rPr/w:b", NS) is not None]
            for row in outer.findall("w:tr", NS)]


@pytest.mark.parametrize("count", [2, 3, 4, 5, 6, 7])
def test_no_signature_block_stands_alone_in_a_row_of_its_own(count):
    agreement = assemble(with_parties(count))
    rows = signature_rows(render_docx(agreement, provenance=PROVENANCE))
    assert [name for row in rows for name in row] == [b.party_name for b in agreement.signature_blocks]
    assert all(len(row) >= 2 for row in rows)  # each row of the table (which never breaks) holds two or more


def test_the_cover_names_the_kind_of_document_in_dutch(tmp_path):
    template = docx.Document()
    for text in ("{{ title }}", "Soort: {{ kind }}", "{{p body }}"):
        template.add_paragraph(text)
    template.save(tmp_path / "sjabloon.docx")
    for name, kind in (("twee-partijen", "samenwerkingsovereenkomst"), ("dak-en-thuis", "alliantieovereenkomst")):
        data = render_docx(assemble(example(name)), tmp_path / "sjabloon.docx", provenance=PROVENANCE, toc=False)
        texts = [visible_text(p) for p in part(data, "word/document.xml").iter(w("p"))]
        assert texts[1] == f"Soort: {kind}"
        assert "cooperation" not in " ".join(texts) and "alliance" not in " ".join(texts)


def test_a_name_that_fits_its_column_is_held_together_and_signatures_are_never_hyphenated():
    answers = with_parties(3)
    answers["parties"][2]["representatives"][0]["name"] = "de heer J.W. (Jan-Willem) Bakker"
    answers["parties"][2]["representatives"][1]["name"] = \
        "mevrouw prof. dr. mr. A.B.C. (Anna-Barbara) van den Heuvel-Oudshoorn"
    data = render_docx(assemble(answers), provenance=PROVENANCE)
    lines = [visible_text(p) for p in part(data, "word/document.xml").iter(w("p")) if visible_text(p).startswith("Naam")]
    assert "Naam: de\u00a0heer\u00a0J.W.\u00a0(Jan\u2011Willem)\u00a0Bakker" in lines
    # too long for the column: it breaks between its words, never inside one
    assert "Naam: mevrouw prof. dr. mr. A.B.C. (Anna-Barbara) van den Heuvel-Oudshoorn" in lines
    style = part(data, "word/styles.xml").find("w:style[@w:styleId='AESignature']/w:pPr", NS)
    assert style.find("w:suppressAutoHyphens", NS) is not None


def test_the_conditions_annex_gives_its_long_column_the_room():
    data = render_docx(assemble(example("dak-en-thuis")), provenance=PROVENANCE)
    root = part(data, "word/document.xml")
    table = next(t for t in root.iter(w("tbl"))
                 if [visible_text(p) for p in t.find("w:tr", NS).iter(w("p"))][1:2] == ["Voorwaarde"])
    widths = [int(c.get(w("w"))) for c in table.findall("w:tblGrid/w:gridCol", NS)]
    assert widths[1] == max(widths) and widths[1] >= 0.45 * sum(widths)
    assert min(widths) >= 0.12 * sum(widths)  # no column so narrow that a date or a name breaks up


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_libreoffice_pages_keep_the_closing_sentence_with_blocks_and_no_block_alone(tmp_path):
    names = {"vijf": with_parties(5), "zeven": with_parties(7), "dak": example("dak-en-thuis")}
    for name, answers in names.items():
        (tmp_path / f"{name}.docx").write_bytes(render_docx(assemble(answers), provenance=PROVENANCE))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), *(str(tmp_path / f"{n}.docx") for n in names)],
                   check=True, capture_output=True, timeout=300)
    for name, answers in names.items():
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / f"{name}.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
        pages = text.split("\f")
        parties = [p["name"] for p in answers["parties"]]
        on_page = [[party for party in parties if re.search(rf"(^|\s{{2,}}){re.escape(party)}(\s{{2,}}|$)", page, re.M)]
                   for page in pages]
        closing = next(n for n, page in enumerate(pages) if "Aldus overeengekomen" in page)
        assert on_page[closing], f"{name}: the closing sentence without a block on its page"
        annexes = next((n for n, page in enumerate(pages) if n > closing and "Bijlage 1 –" in page), len(pages))
        signed = [blocks for blocks in on_page[closing:annexes] if blocks]
        assert sum(map(len, signed)) == len(parties) and all(len(blocks) >= 2 for blocks in signed), name
        # a signatory's name that fits its column stands whole on one line
        for party in answers["parties"]:
            for person in party["representatives"]:
                if len(person["name"]) <= 30:
                    assert re.search(re.escape(person["name"]).replace(r"\ ", " +"), text), person["name"]
        if name == "dak":
            annex = [page for page in pages if "Bijlage 3 – Opschortende voorwaarden per Partij" in page][-1]
            assert annex.count("december") == 3 and "decemb\n" not in annex
