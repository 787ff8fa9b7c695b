"""House templates saved by Word in another language: built-in styles matched by name, their look kept."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import NS, example, run, w
from docx.shared import Pt, RGBColor
from lxml import etree

from agreement_engine.assemble import assemble
from agreement_engine.resources import example_path
from agreement_engine.word import render_docx
from agreement_engine.word import template as word_template
from agreement_engine.word.template import default_template, load_template

PROVENANCE = {"engine_version": "0.1.0", "created": "2026-12-15T00:00:00Z"}

#: Built-in style ids as Dutch, German and French Word write them (the w:name stays the English built-in name).
WORD_IDS = {
    "nl": {"Normal": "Standaard", "Heading1": "Kop1", "Heading2": "Kop2", "Title": "Titel",
           "ListParagraph": "Lijstalinea", "Heading1Char": "Kop1Char", "Heading2Char": "Kop2Char"},
    "de": {"Normal": "Standard", "Heading1": "berschrift1", "Heading2": "berschrift2", "Title": "Titel",
           "ListParagraph": "Listenabsatz", "Heading1Char": "berschrift1Zchn", "Heading2Char": "berschrift2Zchn"},
    "fr": {"Normal": "Normal", "Heading1": "Titre1", "Heading2": "Titre2", "Title": "Titre",
           "ListParagraph": "Paragraphedeliste", "Heading1Char": "Titre1Car", "Heading2Char": "Titre2Car"},
}
#: The house look of the template: body, heading 1 and heading 2 fonts, sizes (half-points) and colours.
LOOK = {"Normal": ("DejaVu Sans", 19, None), "Heading1": ("DejaVu Serif", 32, "2E74B5"),
        "Heading2": ("DejaVu Sans Mono", 24, "C00000")}


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def localized_template(folder: Path, language: str, *, names: dict[str, str] | None = None) -> Path:
    """Write a house template as Word in ``language`` saves it: its own look on Normal, heading 1 and heading 2,
    those styles under the ids that Word writes (``Kop1``), every reference to them renamed the same way.

    ``names`` gives styles another ``w:name`` (a template written by a tool that localizes names too).
    """
    document = docx.Document()
    styles = document.styles
    for style_id, (font, size, colour) in LOOK.items():
        style = styles[{"Normal": "Normal", "Heading1": "Heading 1", "Heading2": "Heading 2"}[style_id]]
        style.font.name = font
        style.font.size = Pt(size / 2)
        if colour:
            style.font.color.rgb = RGBColor.from_string(colour)
        rfonts = style.element.get_or_add_rPr().find(w("rFonts"))
        for attribute in [a for a in rfonts.attrib if a.endswith("Theme")]:  # an explicit font, not the theme's
            del rfonts.attrib[attribute]
        for attribute in ("ascii", "hAnsi", "cs", "eastAsia"):
            rfonts.set(w(attribute), font)
    title = document.add_paragraph("{{ title }}", style="Title")
    title.style = styles["Title"]
    document.add_paragraph("{{ alliance_name }}", style="List Paragraph")
    document.add_paragraph("{{p body }}")
    buffer = io.BytesIO()
    document.save(buffer)
    ids = WORD_IDS[language]
    parts = {}
    with zipfile.ZipFile(buffer) as package:
        for info in package.infolist():
            data = package.read(info.filename)
            if info.filename in ("word/styles.xml", "word/document.xml"):
                root = etree.fromstring(data)
                for node in root.iter(w("style"), w("pStyle"), w("rStyle"), w("basedOn"), w("next"), w("link")):
                    attribute = w("styleId") if node.tag == w("style") else w("val")
                    if node.get(attribute) in ids:
                        node.set(attribute, ids[node.get(attribute)])
                    if node.tag == w("style") and names and node.get(attribute) in names:
                        node.find(w("name")).set(w("val"), names[node.get(attribute)])
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            parts[info.filename] = data
    path = folder / f"huisstijl-{language}.docx"
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def styles_by_name(data: bytes) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for style in part(data, "word/styles.xml").iter(w("style")):
        found.setdefault(style.find(w("name")).get(w("val")).lower(), []).append(style)
    return found


def look(style: etree._Element) -> tuple[str | None, int | None, str | None]:
    rpr = style.find(w("rPr"))
    fonts, size, colour = rpr.find(w("rFonts")), rpr.find(w("sz")), rpr.find(w("color"))
    return (fonts.get(w("ascii")) if fonts is not None else None,
            int(size.get(w("val"))) if size is not None else None,
            colour.get(w("val")) if colour is not None else None)


@pytest.fixture(scope="module")
def agreement():
    return assemble(example("dak-en-thuis"))


@pytest.mark.parametrize("language", sorted(WORD_IDS))
def test_a_template_from_dutch_german_or_french_word_keeps_its_fonts_and_heading_formats(agreement, tmp_path,
                                                                                         language):
    template = localized_template(tmp_path, language)
    assert load_template(template).warnings == ()
    data = render_docx(agreement, template, provenance=PROVENANCE)
    styles = styles_by_name(data)
    for name in ("normal", "heading 1", "heading 2", "title", "list paragraph"):
        assert len(styles[name]) == 1, f"{len(styles[name])} styles named {name!r}"
    for style_id, expected in LOOK.items():
        name = {"Normal": "normal", "Heading1": "heading 1", "Heading2": "heading 2"}[style_id]
        style = styles[name][0]
        assert style.get(w("styleId")) == style_id
        assert look(style) == expected
    # the engine's own styles build on the template's body style, so they carry its font
    assert styles["artikellid"][0].find(w("basedOn")).get(w("val")) == "Normal"
    document = part(data, "word/document.xml")
    used = {p.get(w("val")) for p in document.iter(w("pStyle"))}
    # the styles the engine uses carry its ids; the template's other built-in styles keep their own
    ids = WORD_IDS[language]
    assert {"Heading1", ids["Title"], ids["ListParagraph"]} <= used
    assert not used & {ids[key] for key in ("Normal", "Heading1", "Heading2") if ids[key] != key}
    # every style a style builds on, follows with or links to exists
    ids = {s.get(w("styleId")) for s in part(data, "word/styles.xml").iter(w("style"))}
    for node in part(data, "word/styles.xml").iter(w("basedOn"), w("next"), w("link")):
        assert node.get(w("val")) in ids
    headings = [p for p in document.iter(w("p")) if p.find("w:pPr/w:pStyle[@w:val='Heading1']", NS) is not None]
    assert len(headings) >= len(agreement.articles)


def test_a_style_named_in_dutch_instead_of_the_built_in_name_gets_a_warning(agreement, tmp_path):
    template = localized_template(tmp_path, "nl", names={"Kop1": "Kop 1"})
    warnings = load_template(template).warnings
    assert len(warnings) == 1 and "'Kop 1' (Kop1)" in warnings[0] and "heading 1" in warnings[0]
    styles = styles_by_name(render_docx(agreement, template, provenance=PROVENANCE))
    assert len(styles["heading 1"]) == 1 and styles["heading 1"][0].get(w("styleId")) == "Heading1"
    assert len(styles["kop 1"]) == 1 and styles["kop 1"][0].get(w("styleId")) == "Kop1"


def test_the_house_template_keeps_its_fonts_and_heading_formats(agreement):
    template = load_template(default_template())
    assert template.warnings == ()
    data = render_docx(agreement, provenance=PROVENANCE)
    styles = styles_by_name(data)
    for name in ("normal", "heading 1", "heading 2", "title", "toc 1", "toc heading"):
        assert len(styles[name]) == 1, name
    with zipfile.ZipFile(default_template()) as package:
        house = {s.get(w("styleId")): s for s in etree.fromstring(package.read("word/styles.xml")).iter(w("style"))}
    for style_id in ("Heading1", "Heading2", "Title"):
        rendered = next(s for s in styles[house[style_id].find(w("name")).get(w("val")).lower()])
        assert etree.tostring(rendered) == etree.tostring(house[style_id])
    defaults = part(data, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults.get(w("ascii")) == "Cambria"


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None,
                    reason="LibreOffice (soffice) or poppler is not installed")
def test_libreoffice_prints_the_dutch_template_fonts(agreement, tmp_path):
    template = localized_template(tmp_path, "nl")
    source = tmp_path / "overeenkomst.docx"
    source.write_bytes(render_docx(agreement, template, provenance=PROVENANCE))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    fonts = subprocess.run(["pdffonts", "-l", "4", str(tmp_path / "overeenkomst.pdf")], check=True,
                           capture_output=True, text=True).stdout
    # headings in DejaVu Serif, member text in DejaVu Sans: the template's fonts, not the engine's
    assert "DejaVuSerif" in fonts and "DejaVuSans" in fonts


def test_render_prints_the_template_warning_and_still_writes(tmp_path):
    """The command line says which style of a house template it could not match; the document is made."""
    template = localized_template(tmp_path, "nl", names={"Kop1": "Kop 1"})
    result = run("render", str(example_path("twee-partijen")), "-o", str(tmp_path / "uit.docx"),
                 "--template", str(template))
    assert result.exit_code == 0, result.output
    assert "let op:" in result.stderr and "'Kop 1' (Kop1)" in result.stderr
    assert (tmp_path / "uit.docx").is_file()


@pytest.mark.parametrize("title", ["Samenwerkingsovereenkomst", "Samenwerkings\tovereenkomst", "Regel een\nregel twee"])
def test_placeholders_are_filled_as_docxtpl_fills_them_with_tabs_and_line_breaks(title, monkeypatch):
    """The template skips docxtpl's listing pass when a filled part has no tab, line break, bell or form feed."""
    house = load_template()
    values = {"title": title, "alliance_name": "A", "version_label": "", "draft": False, "kind": "alliantie",
              "parties": ["P"], "body": word_template._BODY, "toc": word_template._TOC}
    parts = house.render(values, "")
    monkeypatch.setattr(word_template, "_LISTING", re.compile(""))  # the listing pass on every part
    assert house.render(values, "") == parts
    assert (b"<w:tab/>" in parts["word/document.xml"]) == ("\t" in title)
