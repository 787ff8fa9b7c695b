"""The house template: load, check and compile a Word template once, then fill it per agreement.

A template is a .docx with docxtpl placeholders. It must contain ``{{ title }}`` and, in a paragraph of its
own, ``{{p body }}`` where the body goes; it may use the other names in :data:`PLACEHOLDERS` and no others.
Loading prepares the package once per process (the engine's lists added to numbering.xml, missing body
styles to styles.xml, the provenance parts related) and compiles the Jinja of the main document, headers
and footers; rendering a document only runs the compiled templates and inserts the body.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.parts.numbering import NumberingPart
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup

from agreement_engine.errors import TemplateError
from agreement_engine.files import MAX_TEMPLATE_BYTES, FileReadError, read_regular_file
from agreement_engine.i18n import _
from agreement_engine.model import Agreement
from agreement_engine.resources import clause_library_dir
from agreement_engine.word.body import Layout
from agreement_engine.word.numbering import add_lists
from agreement_engine.word.ooxml import W, clean_text, qn
from agreement_engine.word.package import (
    core_properties,
    custom_properties,
    is_provenance,
    provenance_item,
    provenance_item_properties,
    write_package,
)
from agreement_engine.word.styles import ensure_styles

REQUIRED = ("title", "body")
PLACEHOLDERS = {
    "title": "the document title (Agreement.title)",
    "body": "the agreement body; as {{p body }}, alone in its paragraph",
    "alliance_name": "the alliance's name",
    "version_label": "the version label, or an empty text",
    "draft": "true for a draft ({% if draft %}CONCEPT{% endif %})",
    "kind": "the kind of agreement (alliance, cooperation, covenant)",
    "parties": "the parties' names, a list ({%p for party in parties %})",
}
_TAG_START = re.compile(r"\{[{%#]")
_TAG_END = {"{{": "}}", "{%": "%}", "{#": "#}"}
#: docxtpl's own tag prefixes ({{p body }}, {{r x }}, {{tr x }}, {{tc x }}), which plain Jinja does not know.
_DOCXTPL_PREFIX = re.compile(r"^\{\{(?:p|r|tr|tc)\s")
_MARKER = "AGREEMENT-ENGINE-BODY-7d1f"
_SLOT = "AGREEMENT-ENGINE-BODY-SLOT-7d1f"
_TAB = re.compile(r"<w:tab\b[^>]*/>")
_HEADER_OR_FOOTER = re.compile(r"word/(header|footer)\d*\.xml")
_TAB_POSITION = re.compile(r'w:pos="(\d+)"')
_FRONT = "AGREEMENT-ENGINE-FRONT-SLOT-7d1f"
_BODY = Markup(f"<w:p><w:r><w:t>{_MARKER}</w:t></w:r></w:p>")
_CACHE_SIZE = 8


def default_template() -> Path:
    """Return the path of the house template shipped with the clause library."""
    return clause_library_dir() / "house-template.docx"


def jinja_environment() -> jinja2.Environment:
    """Return the environment templates render in: sandboxed, autoescaping, strict about undefined names."""
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def context(agreement: Agreement) -> dict[str, Any]:
    """Return the placeholder values for ``agreement`` (all plain data; the template escapes them)."""
    return {
        "title": clean_text(agreement.title),
        "alliance_name": clean_text(agreement.alliance_name),
        "version_label": clean_text(agreement.version_label or ""),
        "draft": agreement.draft,
        "kind": agreement.kind,
        "parties": [clean_text(block.party_name) for block in agreement.signature_blocks],
        "body": _BODY,
    }


@dataclass
class HouseTemplate:
    """A loaded template: its package parts, compiled Jinja parts and the layout the body needs."""

    path: Path
    sha256: str
    parts: dict[str, bytes]
    document_part: str
    compiled: dict[str, jinja2.Template]
    layout: Layout
    landscape_layout: Layout
    core_properties_part: str
    custom_properties_part: str
    provenance_part: str
    docx_template: DocxTemplate

    def document(self, values: dict[str, Any], body: str, *, title: str, subject: str,
                 provenance: Mapping[str, Any], front: str = "",
                 landscape: bool = False) -> bytes:
        """Return the finished .docx: the template filled, properties and provenance set, zipped deterministically.

        ``body`` and ``front`` are XML (``w:``-prefixed elements, see ``ooxml.to_xml``); ``front`` goes before
        the template's own first page; ``landscape`` turns the body's pages.
        ``provenance`` (JSON-serializable) is embedded whole; a string value under "created" (W3CDTF, e.g.
        "2026-12-15T00:00:00Z") becomes the document's created and modified date, which are otherwise left out.
        """
        parts = self.render(values, body, front, landscape)
        created = provenance.get("created")
        parts[self.core_properties_part] = core_properties(title, subject,
                                                           created if isinstance(created, str) else None)
        parts[self.custom_properties_part] = custom_properties(self.parts[self.custom_properties_part] or None,
                                                               provenance, self.sha256)
        parts[self.provenance_part] = provenance_item(provenance)
        return write_package(parts)

    def render(self, values: dict[str, Any], body: str, front: str = "", landscape: bool = False) -> dict[str, bytes]:
        """Return the package parts with the placeholders filled and ``body`` in place of ``{{p body }}``."""
        parts = dict(self.parts)
        for name, compiled in self.compiled.items():
            try:
                xml = compiled.render(values)
            except jinja2.TemplateError as exc:
                raise TemplateError(f"{self.path}: het sjabloon kan niet worden ingevuld ({name}): {exc}") from exc
            xml = self.docx_template.resolve_listing(xml)
            if name == self.document_part:
                parts[name] = self._insert_body(xml, body, front, landscape)
            else:
                parts[name] = xml.encode("utf-8")
        if landscape:
            for name in parts:
                if _HEADER_OR_FOOTER.fullmatch(name):
                    parts[name] = self._widen_tabs(parts[name].decode("utf-8")).encode("utf-8")
        return parts

    def _widen_tabs(self, xml: str) -> str:
        """Return a header or footer with its right-aligned tab stops moved to the landscape margin.

        A tab stop at the portrait text's right edge (within a tenth) moves by the extra width, so that
        "CONCEPT" and "pagina X van Y" stay at the right margin on landscape pages.
        """
        portrait, extra = self.layout.text_width, self.landscape_layout.text_width - self.layout.text_width

        def widen(match: re.Match) -> str:
            tab = match.group(0)
            position = _TAB_POSITION.search(tab)
            if 'w:val="right"' not in tab or position is None or int(position.group(1)) < portrait * 9 // 10:
                return tab
            return _TAB_POSITION.sub(f'w:pos="{int(position.group(1)) + extra}"', tab)

        return _TAB.sub(widen, xml)

    def _insert_body(self, xml: str, body: str, front: str, landscape: bool) -> bytes:
        """Return the main document with ``body`` in place of its placeholder and ``front`` before all else.

        Both are XML text (``w:``-prefixed elements) spliced into the serialized document, so the thousands of
        body elements are never parsed. ``landscape`` turns the last section's pages.
        """
        root = etree.fromstring(xml.encode("utf-8"))
        markers = [t for t in root.iter(qn("w:t")) if t.text == _MARKER]
        if len(markers) != 1:
            raise TemplateError(f"{self.path}: het sjabloon moet de plaatshouder {{{{p body }}}} precies eenmaal "
                                f"bevatten (gevonden: {len(markers)})")
        paragraph = markers[0].getparent().getparent()
        parent = paragraph.getparent()
        if paragraph.tag != qn("w:p") or parent.tag != qn("w:body"):
            raise TemplateError(f"{self.path}: de plaatshouder voor body moet als {{{{p body }}}} in een eigen "
                                "alinea staan, niet binnen een tabel of in lopende tekst")
        size = parent.find(f"{qn('w:sectPr')}/{qn('w:pgSz')}")
        if landscape and size is not None:
            width, height = size.get(qn("w:w")), size.get(qn("w:h"))
            size.set(qn("w:w"), height)
            size.set(qn("w:h"), width)
            size.set(qn("w:orient"), "landscape")
        if parent.nsmap.get("w") != W:  # docxtpl's own tags need the prefix w as well, so Word always has it
            raise TemplateError(f"{self.path}: het sjabloon moet de WordprocessingML-namespace als 'w' noemen")
        slot = etree.Comment(_SLOT)
        slot.tail = paragraph.tail
        paragraph.addprevious(slot)
        parent.remove(paragraph)
        if front:
            parent.insert(0, etree.Comment(_FRONT))
        document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        document = document.replace(f"<!--{_SLOT}-->".encode("ascii"), body.encode("utf-8"), 1)
        return document.replace(f"<!--{_FRONT}-->".encode("ascii"), front.encode("utf-8"), 1)


_CACHE: OrderedDict[tuple[str, str], HouseTemplate] = OrderedDict()
_LOCK = threading.Lock()


def load_template(template: str | Path | None = None) -> HouseTemplate:
    """Return the compiled template at ``template`` (default: the house template), cached by path and hash."""
    path = Path(template) if template is not None else default_template()
    try:
        data = read_regular_file(path, MAX_TEMPLATE_BYTES)
    except FileReadError as exc:
        raise TemplateError(_("het sjabloon kan niet worden gelezen: {reason}").format(reason=exc)) from exc
    key = (str(path.resolve()), hashlib.sha256(data).hexdigest())
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    loaded = _load(path, data, key[1])
    with _LOCK:
        _CACHE[key] = loaded
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return loaded


def _load(path: Path, data: bytes, digest: str) -> HouseTemplate:
    env = jinja_environment()
    docx_template = DocxTemplate(io.BytesIO(data))
    try:
        document = Document(io.BytesIO(data))
        main = document.part
        templated = [main] + [rel.target_part for rel in main.rels.values() if rel.reltype in (RT.HEADER, RT.FOOTER)]
        for part in templated:
            _check_tags(path, part.partname.lstrip("/"), part.element, env)
        names = docx_template.get_undeclared_template_variables(env)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: ongeldige plaatshouder in het sjabloon, regel {exc.lineno}: "
                            f"{exc.message}") from exc
    except (KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise TemplateError(f"{path}: geen geldig Word-document (.docx): {exc}") from exc
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise TemplateError(f"{path}: het sjabloon mist de verplichte plaatshouder(s) "
                            + ", ".join(f"'{name}'" for name in missing)
                            + " (voeg {{ title }} toe en {{p body }} in een eigen alinea)")
    unknown = sorted(names - PLACEHOLDERS.keys())
    if unknown:
        raise TemplateError(f"{path}: onbekende plaatshouder(s) in het sjabloon: "
                            + ", ".join(f"'{name}'" for name in unknown)
                            + "; toegestaan: " + ", ".join(sorted(PLACEHOLDERS)))

    lists = add_lists(_numbering_part(main).element)
    ensure_styles(document.styles.element)
    package = main.package
    core = package._core_properties_part  # created when the template has none
    custom = next((rel.target_part for rel in package.rels.values() if rel.reltype == RT.CUSTOM_PROPERTIES), None)
    if custom is None:
        custom = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, b"", package)
        package.relate_to(custom, RT.CUSTOM_PROPERTIES)
    item = _provenance_part(main)

    section = document.sections[-1]
    margins = section.left_margin + section.right_margin
    text_width = (section.page_width - margins) // 635
    bookmark_ids = [int(b.get(qn("w:id"))) for b in main.element.iter(qn("w:bookmarkStart"))]
    layout = Layout(lists, text_width, max(bookmark_ids, default=0) + 1)
    landscape = dataclasses.replace(layout, text_width=(section.page_height - margins) // 635)

    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as prepared:
        parts = {name: prepared.read(name) for name in prepared.namelist()}

    compiled = {}
    for part in templated:
        name = part.partname.lstrip("/")
        xml = docx_template.xml_to_string(etree.fromstring(parts[name]))
        if "{" not in xml:
            continue
        try:
            compiled[name] = env.from_string(_literal_braces(docx_template.patch_xml(xml)))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{path}: ongeldige plaatshouder in {name}: {exc.message}") from exc

    loaded = HouseTemplate(path=path, sha256=digest, parts=parts, document_part=main.partname.lstrip("/"),
                           compiled=compiled, layout=layout, landscape_layout=landscape,
                           core_properties_part=core.partname.lstrip("/"),
                           custom_properties_part=custom.partname.lstrip("/"),
                           provenance_part=item.partname.lstrip("/"), docx_template=docx_template)
    trial = {"title": "T", "alliance_name": "A", "version_label": "V", "draft": True, "kind": "alliance",
             "parties": ["P"], "body": _BODY}
    loaded.render(trial, "")  # a misplaced {{p body }} is an error now, not at the first document
    return loaded


def _literal_braces(source: str) -> str:
    """Return template source whose docxtpl escapes (``{_{`` for a literal ``{{``) print through Jinja.

    docxtpl turns ``{_{`` into ``{{`` in the rendered text, which would also change an answer typed that way;
    as Jinja string expressions they change the template's own text only.

    >>> _literal_braces("a {_{ b }_} c")
    "a {{ '{{' }} b {{ '}}' }} c"
    """
    for escaped, literal in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
        source = source.replace(escaped, f"{{{{ '{literal}' }}}}")
    return source


def _check_tags(path: Path, part_name: str, element: etree._Element, env: jinja2.Environment) -> None:
    """Raise a TemplateError naming the first tag that is not closed or whose expression does not compile.

    Jinja reports such a tag with a line in the package XML, which no one can find in Word; a tag never spans
    paragraphs, so each paragraph's text is checked on its own.
    """
    for paragraph in element.iter(qn("w:p")):
        text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
        for match in _TAG_START.finditer(text):
            closer = _TAG_END[match.group()]
            end = text.find(closer, match.end())
            following = _TAG_START.search(text, match.end())
            if end < 0 or (following and following.start() < end):
                snippet = text[match.start():match.start() + 40]
                raise TemplateError(f"{path}: plaatshouder zonder afsluitende '{closer}' in {part_name}: "
                                    f"'{snippet}'")
            tag = text[match.start():end + len(closer)]
            if match.group() == "{{":
                try:
                    env.compile(_DOCXTPL_PREFIX.sub("{{ ", tag))
                except jinja2.TemplateSyntaxError as exc:
                    raise TemplateError(f"{path}: ongeldige plaatshouder '{tag}' in {part_name}: "
                                        f"{exc.message}") from exc


def _provenance_part(main) -> Part:
    """Return the custom XML part for the provenance: the template's own (a generated document used as
    template) or a new one with its properties part."""
    for rel in main.rels.values():
        if rel.reltype == RT.CUSTOM_XML and is_provenance(rel.target_part.blob):
            return rel.target_part
    package = main.package
    item = Part(package.next_partname("/customXml/item%d.xml"), CT.XML, b"", package)
    main.relate_to(item, RT.CUSTOM_XML)
    item_props = Part(package.next_partname("/customXml/itemProps%d.xml"), CT.OFC_CUSTOM_XML_PROPERTIES,
                      provenance_item_properties(), package)
    item.relate_to(item_props, RT.CUSTOM_XML_PROPS)
    return item


def _numbering_part(main) -> NumberingPart:
    """Return the template's numbering part, adding an empty one when it has none."""
    try:
        return main.part_related_by(RT.NUMBERING)
    except KeyError:
        part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING,
                             parse_xml(f'<w:numbering xmlns:w="{W}"/>'), main.package)
        main.relate_to(part, RT.NUMBERING)
        return part


def template_hash(template: str | Path | None = None) -> str:
    """Return the SHA-256 of the template file (for provenance and manifests)."""
    return load_template(template).sha256
