"""The table of contents, read back: a TOC field with its entries and pages filled in, and Word asked to update it."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from conftest import NS, example, run, visible_text, w
from lxml import etree

import agreement_engine.word as word
from agreement_engine.assemble import assemble
from agreement_engine.resources import example_path
from agreement_engine.errors import TemplateError
from agreement_engine.word import render_docx
from agreement_engine.word.template import load_template

PROVENANCE = {"engine_version": "0.1.0", "created": "2026-12-15T00:00:00Z"}


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def contents(data: bytes) -> list[tuple[str, str, str]]:
    """Return (text, bookmark, cached page) of each entry of the TOC field, in order."""
    found = []
    for p in part(data, "word/document.xml").iter(w("p")):
        style = p.find("w:pPr/w:pStyle", NS)
        if style is None or not style.get(w("val")).startswith("TOC") or style.get(w("val")) == "TOCHeading":
            continue
        link = p.find("w:hyperlink", NS)
        code = "".join(t.text for t in link.iter(w("instrText"))).split()
        runs = list(link.iter(w("r")))
        at = next(i for i, r in enumerate(runs) if r.find("w:tab", NS) is not None)
        text, page = ("".join(t.text or "" for r in side for t in r.iter(w("t"))) for side in (runs[:at], runs[at:]))
        assert code[0] == "PAGEREF" and code[1] == link.get(w("anchor"))
        found.append((text, code[1], page))
    return found


@pytest.fixture(scope="module")
def agreement():
    return assemble(example("dak-en-thuis"))


@pytest.fixture(scope="module")
def rendered(agreement):
    return render_docx(agreement, provenance=PROVENANCE)


def test_a_long_agreement_gets_a_toc_field_over_its_articles_and_annexes(agreement, rendered):
    document = part(rendered, "word/document.xml")
    codes = [" ".join((t.text or "").split()) for t in document.iter(w("instrText"))]
    assert codes.count('TOC \\o "1-1" \\h \\z \\u') == 1
    found = contents(rendered)
    expected = [f"Artikel {a.number} {a.title}" for a in agreement.articles]
    expected += [f"Bijlage {a.number} – {a.title}" for a in agreement.annexes]
    assert [text for text, _, _ in found] == expected
    # every entry links to the bookmark of its heading, and the pages never go back
    headings = {b.get(w("name")): visible_text(b.getparent()) for b in document.iter(w("bookmarkStart"))
                if b.getparent().find("w:pPr/w:pStyle[@w:val='Heading1']", NS) is not None}
    for text, bookmark, _ in found:
        assert text.endswith(headings[bookmark].split(" ", 2)[-1] if text.startswith("Artikel") else headings[bookmark])
    pages = [int(page) for _, _, page in found]
    assert pages == sorted(pages) and pages[0] >= 3  # after the cover and the contents
    # the title comes from the phrases, and the body (the comparitie) starts after it on a new page
    body = list(document.find("w:body", NS))
    at = [visible_text(p) for p in body].index("Inhoudsopgave")
    assert body[at - 1].find("w:pPr/w:sectPr", NS) is not None  # right after the cover's section
    end = next(i for i, p in enumerate(body) if p.find(".//w:fldChar[@w:fldCharType='end']", NS) is not None
               and p.find(".//w:br[@w:type='page']", NS) is not None)
    assert visible_text(body[end + 1]) == "DE ONDERGETEKENDEN:"
    update = part(rendered, "word/settings.xml").find("w:updateFields", NS)
    assert update is not None and update.get(w("val")) == "true"


def test_no_toc_on_request_or_below_the_page_count(agreement, monkeypatch):
    for data in (render_docx(agreement, provenance=PROVENANCE, toc=False),
                 (monkeypatch.setattr(word, "TOC_MIN_PAGES", 1000), render_docx(agreement, provenance=PROVENANCE))[1]):
        assert not contents(data)
        assert "TOC" not in "".join(t.text or "" for t in part(data, "word/document.xml").iter(w("instrText")))
        assert part(data, "word/settings.xml").find("w:updateFields", NS) is None


def test_two_levels_list_the_sections_of_the_annexes(agreement):
    data = render_docx(agreement, provenance=PROVENANCE, toc=True, toc_levels=2)
    found = contents(data)
    sections = [title for annex in agreement.annexes for title, _ in annex.sections]
    assert sections and [t for t, _, _ in found if not t.startswith(("Artikel", "Bijlage"))] == sections
    document = part(data, "word/document.xml")
    marks = {b.get(w("name")) for b in document.iter(w("bookmarkStart"))}
    assert {bookmark for _, bookmark, _ in found} <= marks
    assert '\\o "1-2"' in "".join(t.text for t in document.iter(w("instrText")))


def test_a_custom_template_places_the_toc_at_its_placeholder(agreement, tmp_path):
    template = docx.Document()
    template.add_paragraph("{{ title }}")
    template.add_paragraph("{{ toc }}")
    template.add_paragraph("Na de inhoudsopgave")
    template.add_paragraph("{{p body }}")
    path = tmp_path / "sjabloon.docx"
    template.save(path)
    with_toc = render_docx(agreement, path, provenance=PROVENANCE, toc=True)
    texts = [visible_text(p) for p in part(with_toc, "word/document.xml").iter(w("p"))]
    at = texts.index("Inhoudsopgave")
    assert texts[0] == agreement.title and at == 1
    assert texts.index("Na de inhoudsopgave") > at + len(agreement.articles)
    assert texts.index("Na de inhoudsopgave") < texts.index("DE ONDERGETEKENDEN:")
    without = render_docx(agreement, path, provenance=PROVENANCE, toc=False)
    texts = [visible_text(p) for p in part(without, "word/document.xml").iter(w("p"))]
    assert "Inhoudsopgave" not in texts and texts[:2] == [agreement.title, "Na de inhoudsopgave"]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_libreoffice_prints_the_entries_with_their_pages(rendered, tmp_path):
    source = tmp_path / "overeenkomst.docx"
    source.write_bytes(rendered)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "overeenkomst.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")
    printed = re.findall(r"^((?:Artikel|Bijlage) \d+.*?)\.{3,}\s*(\d+)\s*$", pages[1], re.MULTILINE)
    cached = contents(rendered)
    assert len(printed) >= 30 and [int(page) for _, page in printed] == [int(p) for _, _, p in cached[:len(printed)]]
    # the estimate: every heading is on the page the contents give, give or take one
    for entry, _, page in cached:
        start = " ".join(entry.split()[:4])
        actual = next(n for n, p in enumerate(pages, start=1)
                      if n > 3 and re.search(r"^\s*" + re.escape(start), p, re.MULTILINE))
        assert abs(actual - int(page)) <= 1, (entry, page, actual)


def test_a_template_with_two_toc_placeholders_is_refused(tmp_path):
    template = docx.Document()
    for text in ("{{ title }}", "{{ toc }}", "{{ toc }}", "{{p body }}"):
        template.add_paragraph(text)
    template.save(tmp_path / "twee.docx")
    with pytest.raises(TemplateError, match=r"\{\{ toc \}\} hoogstens eenmaal .*gevonden: 2"):
        load_template(tmp_path / "twee.docx")


@pytest.mark.parametrize(("option", "expected"), [("--toc", True), ("--no-toc", False)])
def test_render_asks_for_a_toc_or_none(option, expected, tmp_path):
    """``render --toc`` gives even a short agreement its table of contents; ``--no-toc`` none to a long one."""
    name = "twee-partijen" if expected else "dak-en-thuis"
    target = tmp_path / "uit.docx"
    result = run("render", str(example_path(name)), "-o", str(target), option)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert ("TOC \\" in document) is expected
