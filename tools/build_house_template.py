"""Build the house template clause_library/house-template.docx (run: python tools/build_house_template.py).

The template holds the house style only: A4 page, fonts, styles, a cover page with placeholders, header and
footer. The engine adds numbering and the body; see agreement_engine/word/template.py for the placeholders a
template may use. The output is deterministic, so rebuilding an unchanged script changes no byte.
"""
from __future__ import annotations

import argparse
import io
import posixpath
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agreement_engine.word.ooxml import field, parse, to_xml
from agreement_engine.word.package import write_package
from agreement_engine.word.styles import ensure_styles

OUTPUT = ROOT / "clause_library" / "house-template.docx"
FONT = "Cambria"  # LibreOffice shows it in the metric-compatible Caladea, else a serif fallback
GREY = RGBColor(0x59, 0x59, 0x59)
TEXT_WIDTH = Cm(16)
# parts of python-docx's default template a house template does not need: a preview picture of another
# document, Word 2010's duplicate styles part and an empty bibliography
UNNEEDED = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml", "customXml/item1.xml",
            "customXml/itemProps1.xml", "customXml/_rels/item1.xml.rels")
KEPT_TABLE_STYLES = ("TableNormal", "TableGrid")


def _page(section) -> None:
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)


def _fonts(document) -> None:
    """Set the document's default font, size and language (Dutch, for spelling and hyphenation)."""
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for tag in ("w:lang", "w:sz", "w:szCs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    lang = rpr.makeelement(qn("w:lang"), {qn("w:val"): "nl-NL", qn("w:eastAsia"): "nl-NL", qn("w:bidi"): "ar-SA"})
    rpr.append(lang)
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.widow_control = True


def _restyle(style, *, size: float, bold: bool = True, before: float = 0, after: float = 6,
             align=None, italic: bool = False) -> None:
    """Give a built-in style the house look: the body font, black, the given size and spacing."""
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:rFonts", "w:color", "w:spacing", "w:kern"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    if align is not None:
        style.paragraph_format.alignment = align


def _styles(document) -> None:
    styles = document.styles
    _restyle(styles["Title"], size=22, before=0, after=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    _restyle(styles["Heading 1"], size=12, before=18, after=6)
    _restyle(styles["Heading 2"], size=11, before=12, after=4)
    for name in ("Header", "Footer"):
        _restyle(styles[name], size=9, bold=False, after=0)
        styles[name].font.color.rgb = GREY
    cover = styles.add_style("AECover", 1)
    cover.base_style = styles["Normal"]
    cover.font.size = Pt(13)
    cover.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover.paragraph_format.space_after = Pt(6)
    for style in styles.element.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in KEPT_TABLE_STYLES:
            styles.element.remove(style)
    ensure_styles(styles.element)


def _cover(document) -> None:
    def line(text: str, style: str = "AECover", *, before: float = 0, bold: bool = False,
             italic: bool = False, size: float | None = None) -> None:
        paragraph = document.add_paragraph(style=style)
        paragraph.paragraph_format.space_before = Pt(before)
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)

    line("{{ title }}", "Title", before=150)
    line("{{ alliance_name }}", italic=True, size=14)
    line("tussen", before=48)
    line("{%p for party in parties %}")
    line("{{ party }}", bold=True)
    line("{%p endfor %}")
    line("{%p if version_label %}")
    line("{{ version_label }}", before=72)
    line("{%p endif %}")
    line("{%p if draft %}")
    line("CONCEPT \u2013 uitsluitend ter bespreking", before=12, bold=True, size=11)
    line("{%p endif %}")


def _header(section) -> None:
    section.header.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    paragraph.style = "Header"
    stops = paragraph.paragraph_format.tab_stops
    for position in (Cm(8.255), Cm(16.51)):  # the Header style's centre and right stops (Letter)
        stops.add_tab_stop(position, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    paragraph.add_run("{{ alliance_name }}")
    paragraph.add_run("\t{% if draft %}CONCEPT{% endif %}").bold = True


def _footer(section) -> None:
    section.footer.is_linked_to_previous = False
    paragraph = section.footer.paragraphs[0]
    paragraph.style = "Footer"
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Pagina ")
    paragraph._p.extend(parse(to_xml(field("PAGE", "2"))))
    paragraph.add_run(" van ")
    paragraph._p.extend(parse(to_xml(field("NUMPAGES", "2"))))


def _settings(document) -> None:
    """Drop the default template's revision ids and preview flag; hyphenate; Dutch separators."""
    settings = document.settings.element
    settings.find(qn("w:defaultTabStop")).addnext(settings.makeelement(qn("w:autoHyphenation"), {}))
    for tag in ("w:rsids", "w:savePreviewPicture"):
        for old in settings.findall(qn(tag)):
            settings.remove(old)
    for tag, value in (("w:themeFontLang", "nl-NL"), ("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        element = settings.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), value)
    for element in document.element.iter():
        for name in [n for n in element.attrib if n.startswith(qn("w:rsid"))]:
            del element.attrib[name]


def build() -> bytes:
    """Return the bytes of the house template."""
    document = Document()
    _page(document.sections[0])
    _fonts(document)
    _styles(document)
    _cover(document)
    body = document.add_section(WD_SECTION.NEW_PAGE)  # the cover is section 1, without header or footer
    document.add_paragraph("{{p body }}")
    _header(body)
    _footer(body)
    _settings(document)
    props = document.core_properties
    props.title, props.subject, props.author = "Huisstijl overeenkomsten", "agreement-engine", "agreement-engine"
    props.last_modified_by, props.revision, props.language = "agreement-engine", 1, "nl-NL"
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return write_package(_without({name: package.read(name) for name in package.namelist()}, UNNEEDED))


def _without(parts: dict[str, bytes], names: tuple[str, ...]) -> dict[str, bytes]:
    """Return ``parts`` less ``names``, with the relationships and content types naming them."""
    kept = {name: data for name, data in parts.items() if name not in names}
    for rels_name in [n for n in kept if n.endswith(".rels")]:
        source_dir = posixpath.dirname(posixpath.dirname(rels_name))
        root = etree.fromstring(kept[rels_name])
        for rel in list(root):
            if posixpath.normpath(posixpath.join(source_dir, rel.get("Target"))) in names:
                root.remove(rel)
        kept[rels_name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(kept["[Content_Types].xml"])
    for override in list(types):
        if (override.get("PartName") or "").lstrip("/") in names:
            types.remove(override)
    kept["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    args.output.write_bytes(build())
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
