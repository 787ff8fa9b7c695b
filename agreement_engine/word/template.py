"""The house template: load, check and compile a Word template once, then fill it per agreement.

A template is a .docx with docxtpl placeholders. It must contain ``{{ title }}`` and, in a paragraph of its
own, ``{{p body }}`` where the body goes; it may use the other names in :data:`PLACEHOLDERS` and no others.
Loading prepares the package once per process (missing body styles added to styles.xml, the provenance parts
related) and compiles the Jinja of the main document, headers and footers; rendering a document only runs the
compiled templates, inserts the body and adds the engine's lists to numbering.xml (made once).
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
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.parts.numbering import NumberingPart
from docxtpl import DocxTemplate
import jinja2.nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup

from agreement_engine.errors import TemplateError
from agreement_engine.files import MAX_TEMPLATE_BYTES, FileReadError, read_regular_file
from agreement_engine.i18n import N_, _
from agreement_engine.model import Agreement
from agreement_engine.phrases import Phrases
from agreement_engine.resources import clause_library_dir
from agreement_engine.word.body import Layout
from agreement_engine.word.numbering import add_lists, list_ids
from agreement_engine.word.ooxml import W, clean_text, element, empty_root, fill_slots, paragraph, qn, run, slot, to_xml, val
from agreement_engine.files import size_text
from agreement_engine.word.package import (
    ZIP_ERRORS,
    UnsafeXML,
    core_properties,
    custom_properties,
    is_provenance,
    printable,
    read_member,
    safe_xml,
    zip_reason,
    provenance_item,
    provenance_item_properties,
    write_package,
)
from agreement_engine.word.styles import ensure_styles, rename_styles, style_ids
from agreement_engine.word.toc import Geometry

REQUIRED = ("title", "body")
PLACEHOLDERS = {
    "title": "the document title (Agreement.title)",
    "body": "the agreement body; as {{p body }}, alone in its paragraph",
    "alliance_name": "the alliance's name",
    "version_label": "the version label, or an empty text",
    "draft": "true for a draft ({% if draft %}CONCEPT{% endif %})",
    "kind": "the kind of agreement in the document's language (samenwerkingsovereenkomst)",
    "parties": "the parties' names, a list ({%p for party in parties %})",
    "toc": "where the table of contents goes, alone in its paragraph ({{ toc }})",
}
_TAG_START = re.compile(r"\{[{%#]")
_TAG_END = {"{{": "}}", "{%": "%}", "{#": "#}"}
#: docxtpl's own tag prefixes ({{p body }}, {{r x }}, {{tr x }}, {{tc x }}), which plain Jinja does not know.
_DOCXTPL_PREFIX = re.compile(r"^\{\{(?:p|r|tr|tc)\s")
_MARKER = "AGREEMENT-ENGINE-BODY-7d1f"
_SLOT = "AGREEMENT-ENGINE-BODY-SLOT-7d1f"
_HEADER_OR_FOOTER = re.compile(r"word/(header|footer)\d*\.xml")
_FRONT = "AGREEMENT-ENGINE-FRONT-SLOT-7d1f"
_TOC = "AGREEMENT-ENGINE-TOC-7d1f"
_TOC_SLOT = "AGREEMENT-ENGINE-TOC-SLOT-7d1f"
_BODY = Markup(to_xml([paragraph(runs=[run(_MARKER)])]))
_CACHE_SIZE = 8
_LISTING = re.compile("[\t\a\n\f]")


def default_template() -> Path:
    """Return the path of the house template shipped with the clause library."""
    return clause_library_dir() / "house-template.docx"


#: Bounds on a template package: each part and all parts together, unpacked, and how many parts there are.
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_PARTS = 2000
#: The most text one filled part may produce, and the longest text one operator in a tag may make.
MAX_OUTPUT_CHARS = 16 * 1024 * 1024
MAX_VALUE_CHARS = 100_000
#: How deeply {% for %} loops may nest in a template (parties in a table: one; two is generous).
MAX_LOOP_DEPTH = 2
#: The filters a template may use: none of them can make a text much longer than its input.
SAFE_FILTERS = ("capitalize", "count", "d", "default", "e", "escape", "first", "join", "last", "length", "lower",
                "string", "title", "trim", "upper", "wordcount")
_DOTX = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCX = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: Tags a template may not use: they load other templates or define code, and a template has neither.
_FORBIDDEN_TAGS = {
    jinja2.nodes.Include: "{% include %}", jinja2.nodes.Import: "{% import %}",
    jinja2.nodes.FromImport: "{% from ... import %}", jinja2.nodes.Extends: "{% extends %}",
    jinja2.nodes.Macro: "{% macro %}", jinja2.nodes.CallBlock: "{% call %}",
}


class TemplateSandbox(SandboxedEnvironment):
    """The sandbox templates are filled in: no globals, a few harmless filters, and operators that cannot make a
    text or a number without bound (``title * 10**9``, ``10 ** 10 ** 10``, ``'%0999999999d' % 1``)."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])

    def call_binop(self, context, operator, left, right):
        """Compute ``left operator right`` when its result stays small; raise SecurityError otherwise."""
        if operator == "**" or (operator == "%" and isinstance(left, str)):
            raise SecurityError(_("de bewerking '{operator}' is in een sjabloon niet toegestaan").format(
                operator=operator))
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) \
                        and len(sequence) * times > MAX_VALUE_CHARS:
                    raise SecurityError(_("'{operator}' zou een tekst langer dan {limit} tekens maken").format(
                        operator=operator, limit=MAX_VALUE_CHARS))
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 256:
                raise SecurityError(_("'{operator}' zou een te groot getal maken").format(operator=operator))
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)) \
                and len(left) + len(right) > MAX_VALUE_CHARS:
            raise SecurityError(_("'{operator}' zou een tekst langer dan {limit} tekens maken").format(
                operator=operator, limit=MAX_VALUE_CHARS))
        return super().call_binop(context, operator, left, right)


def jinja_environment() -> jinja2.Environment:
    """Return the environment templates render in: sandboxed, autoescaping, strict about undefined names,
    without globals (``range``, ``lipsum``) and with only :data:`SAFE_FILTERS`."""
    env = TemplateSandbox(autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in SAFE_FILTERS}
    return env


def _check_statements(path: Path, part_name: str, source: str, env: jinja2.Environment) -> None:
    """Raise a TemplateError for a tag that loads another template, defines code, calls a function or nests
    loops too deeply. The placeholders need none of that, and each is a way to escape or exhaust the sandbox."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_("ongeldige plaatshouder in {part}: {reason}").format(
            part=part_name, reason=jinja_reason(exc)), file=str(path), part=part_name) from exc
    for kind, tag in _FORBIDDEN_TAGS.items():
        if any(True for _node in tree.find_all(kind)):
            raise TemplateError(_("{tag} is in een sjabloon niet toegestaan ({part}); een sjabloon gebruikt alleen de "
                                  "plaatshouders").format(tag=tag, part=part_name), file=str(path), part=part_name)
    for call in tree.find_all(jinja2.nodes.Call):
        name = getattr(call.node, "name", None) or getattr(call.node, "attr", "?")
        raise TemplateError(_("het aanroepen van '{name}(...)' is in een sjabloon niet toegestaan ({part})").format(
            name=name, part=part_name), file=str(path), part=part_name)

    def depth(node, level: int) -> int:
        level += isinstance(node, jinja2.nodes.For)
        return max([level] + [depth(child, level) for child in node.iter_child_nodes()])

    if depth(tree, 0) > MAX_LOOP_DEPTH:
        raise TemplateError(_("in {part} staan lussen ({{% for %}}) meer dan {limit} lagen diep in elkaar; dat is niet "
                              "toegestaan").format(part=part_name, limit=MAX_LOOP_DEPTH),
                            file=str(path), part=part_name)


_JINJA_MESSAGES = (
    (re.compile(r"No filter named '(.*)'\.?"), N_("onbekend filter '{0}'")),
    (re.compile(r"No test named '(.*)'\.?"), N_("onbekende test '{0}'")),
    (re.compile(r"Unexpected end of template.*closed is '(.*?)'.*", re.DOTALL),
     N_("het sjabloon houdt op binnen een blok '{0}' dat niet is gesloten")),
    (re.compile(r"Unexpected end of template.*", re.DOTALL), N_("het sjabloon houdt op binnen een blok dat niet is "
                                                                "gesloten")),
    (re.compile(r"Encountered unknown tag '(.*?)'.*", re.DOTALL), N_("onbekende opdracht '{0}'")),
    (re.compile(r"unexpected '(.*)'"), N_("onverwacht '{0}'")),
    (re.compile(r"expected token '(.*?)', got '(.*)'"), N_("'{0}' verwacht, maar '{1}' gevonden")),
)


def jinja_reason(exc: jinja2.TemplateError) -> str:
    """Return Jinja's message about a tag in Dutch where it is a common one, else as Jinja gave it."""
    message = exc.message or str(exc)
    for pattern, dutch in _JINJA_MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return _(dutch).format(*match.groups())
    return message


def _checked_package(path: Path, data: bytes) -> bytes:
    """Return the template's bytes after checking every part: bounded in size, well-formed XML, no DOCTYPE.

    A Word template (.dotx) comes back as a document package, which is what docxtpl fills.
    """
    parts: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if len(infos) > MAX_PARTS:
                raise TemplateError(_("het sjabloon bestaat uit meer dan {limit} onderdelen").format(limit=MAX_PARTS),
                                    file=str(path))
            total = 0
            for info in infos:
                part = info.filename
                limit = min(MAX_PART_BYTES, MAX_UNPACKED_BYTES - total)
                try:
                    content = read_member(package, info, limit)
                except OverflowError:
                    raise TemplateError(_("het onderdeel {part} is uitgepakt groter dan {limit}; zo groot is geen "
                                          "sjabloon").format(part=printable(part, 80), limit=size_text(limit)),
                                        file=str(path), part=printable(part, 80)) from None
                total += len(content)
                if part.endswith((".xml", ".rels")):
                    _check_xml(path, printable(part, 80), content)
                parts[part] = content
    except TemplateError:
        raise
    except ZIP_ERRORS as exc:
        raise TemplateError(_("geen geldig Word-document (.docx): {reason}").format(reason=zip_reason(exc)),
                            file=str(path)) from exc
    types = parts.get("[Content_Types].xml", b"")
    if _DOTX in types:
        parts["[Content_Types].xml"] = types.replace(_DOTX, _DOCX)
        return write_package(parts)
    return data


def _check_xml(path: Path, part: str, content: bytes) -> None:
    try:
        safe_xml(content)
    except UnsafeXML:
        raise TemplateError(_("het onderdeel {part} bevat een DOCTYPE (een documenttypedeclaratie, waarmee entiteiten "
                              "binnenkomen); dat wordt geweigerd").format(part=part),
                            file=str(path), part=part) from None
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        raise TemplateError(_("het onderdeel {part} is geen geldige XML (regel {line}, kolom {column})").format(
            part=part, line=line, column=column), file=str(path), part=part, line=line, column=column) from None


def context(agreement: Agreement) -> dict[str, Any]:
    """Return the placeholder values for ``agreement`` (all plain data; the template escapes them)."""
    return {
        "title": clean_text(agreement.title),
        "alliance_name": clean_text(agreement.alliance_name),
        "version_label": clean_text(agreement.version_label or ""),
        "draft": agreement.draft,
        "kind": clean_text(agreement.phrases.text(f"kind.{agreement.kind}.name")),
        "parties": [clean_text(block.party_name) for block in agreement.signature_blocks],
        "body": _BODY,
        "toc": _TOC,
    }


@dataclass
class HouseTemplate:
    """A loaded template: its package parts, compiled Jinja parts and the layout the body needs."""

    path: Path
    sha256: str
    parts: dict[str, bytes]
    document_part: str
    compiled: dict[str, jinja2.Template]
    landscape: dict[str, jinja2.Template | bytes]  # headers and footers with their tab stops widened
    layout: Layout
    landscape_layout: Layout
    core_properties_part: str
    custom_properties_part: str
    provenance_part: str
    numbering_part: str
    docx_template: DocxTemplate
    geometry: Geometry
    settings_part: str
    warnings: tuple[str, ...] = ()
    _numbering: bytes | None = None

    def document(self, values: dict[str, Any], body: str, *, title: str, subject: str,
                 provenance: Mapping[str, Any], phrases: Phrases | None = None, front: str = "",
                 landscape: bool = False, toc: str = "") -> bytes:
        """Return the finished .docx: the template filled, properties and provenance set, zipped deterministically.

        ``body`` and ``front`` are XML (``w:``-prefixed elements, see ``ooxml.to_xml``); ``front`` goes before
        the template's own first page; ``landscape`` turns the body's pages. ``phrases`` is not needed any more
        (the numbering no longer holds the words of the article headings) and is ignored.
        ``provenance`` (JSON-serializable) is embedded whole; a string value under "created" (W3CDTF, e.g.
        "2026-12-15T00:00:00Z") becomes the document's created and modified date, which are otherwise left out.
        """
        parts = self.render(values, body, front, landscape, toc)
        parts[self.numbering_part] = self.numbering()
        if toc:
            parts[self.settings_part] = update_fields(parts[self.settings_part])
        created = provenance.get("created")
        parts[self.core_properties_part] = core_properties(title, subject,
                                                           created if isinstance(created, str) else None)
        parts[self.custom_properties_part] = custom_properties(self.parts[self.custom_properties_part] or None,
                                                               provenance, self.sha256)
        parts[self.provenance_part] = provenance_item(provenance)
        return write_package(parts)

    def numbering(self) -> bytes:
        """Return the numbering part with the engine's lists (made once)."""
        with _LOCK:
            if self._numbering is None:
                numbering = parse_xml(self.parts[self.numbering_part])
                add_lists(numbering)
                self._numbering = serialize_part_xml(numbering)
            return self._numbering

    def render(self, values: dict[str, Any], body: str, front: str = "", landscape: bool = False,
               toc: str = "") -> dict[str, bytes]:
        """Return the package parts with the placeholders filled and ``body`` in place of ``{{p body }}``;
        ``toc`` (XML) in place of ``{{ toc }}``, or before the body when the template has no such paragraph."""
        turned = self.landscape if landscape else {}
        parts = {**self.parts, **{name: part for name, part in turned.items() if isinstance(part, bytes)}}
        compiled_parts = {**self.compiled, **{name: part for name, part in turned.items() if not isinstance(part, bytes)}}
        for name, compiled in compiled_parts.items():
            xml = self._fill(name, compiled, values)
            if _LISTING.search(xml):  # docxtpl's listing turns only these characters into runs, breaks, paragraphs
                xml = self.docx_template.resolve_listing(xml)
            if name == self.document_part:
                parts[name] = self._insert_body(xml, body, front, landscape, toc)
            else:
                parts[name] = xml.encode("utf-8")
        return parts

    def _fill(self, name: str, compiled: jinja2.Template, values: dict[str, Any]) -> str:
        """Return part ``name`` filled in, stopping at MAX_OUTPUT_CHARS; any failure names template and part.

        The template runs in the sandbox, so whatever it raises (a sandbox refusal, an undefined name, an
        arithmetic error) is the template's fault and becomes a TemplateError.
        """
        chunks, total = [], 0
        try:
            for chunk in compiled.generate(values):
                total += len(chunk)
                if total > MAX_OUTPUT_CHARS:
                    raise TemplateError(_("het sjabloon maakt in {part} meer dan {limit} tekens").format(
                        part=name, limit=MAX_OUTPUT_CHARS), file=str(self.path), part=name)
                chunks.append(chunk)
        except TemplateError:
            raise
        except jinja2.TemplateError as exc:
            raise TemplateError(_("het sjabloon kan niet worden ingevuld ({part}): {reason}").format(
                part=name, reason=jinja_reason(exc)), file=str(self.path), part=name) from exc
        except (ArithmeticError, TypeError, ValueError, LookupError, MemoryError, RecursionError) as exc:
            raise TemplateError(_("het sjabloon kan niet worden ingevuld ({part}): {reason}").format(
                part=name, reason=f"{type(exc).__name__}: {printable(exc, 200)}"),
                file=str(self.path), part=name) from exc
        return "".join(chunks)

    def _insert_body(self, xml: str, body: str, front: str, landscape: bool, toc: str = "") -> bytes:
        """Return the main document with ``body`` in place of its placeholder and ``front`` before all else.

        Both are XML text (``w:``-prefixed elements) spliced into the serialized document, so the thousands of
        body elements are never parsed. ``landscape`` turns the last section's pages.
        """
        try:
            root = etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (exc.lineno, 0)
            raise TemplateError(_("het ingevulde onderdeel {part} is geen geldige XML (regel {line}, kolom "
                                  "{column}); staat een {{% if %}} of {{% for %}} over de grens van een alinea?"
                                  ).format(part=self.document_part, line=line, column=column),
                file=str(self.path), part=self.document_part, line=line, column=column) from None
        markers = [t for t in root.iter(qn("w:t")) if t.text == _MARKER]
        if len(markers) != 1:
            raise TemplateError(_("het sjabloon moet de plaatshouder {{{{p body }}}} precies eenmaal bevatten "
                                  "(gevonden: {count})").format(count=len(markers)),
                                file=str(self.path), part=self.document_part)
        paragraph = markers[0].getparent().getparent()
        parent = paragraph.getparent()
        if paragraph.tag != qn("w:p") or parent.tag != qn("w:body"):
            raise TemplateError(_("de plaatshouder voor body moet als {{p body }} in een eigen alinea staan, niet "
                                  "binnen een tabel of in lopende tekst"), file=str(self.path), part=self.document_part)
        size = parent.find(f"{qn('w:sectPr')}/{qn('w:pgSz')}")
        if landscape and size is not None and size.get(qn("w:w")) and size.get(qn("w:h")):
            width, height = size.get(qn("w:w")), size.get(qn("w:h"))
            size.set(qn("w:w"), height)
            size.set(qn("w:h"), width)
            size.set(qn("w:orient"), "landscape")
        if parent.nsmap.get("w") != W:  # docxtpl's own tags need the prefix w as well, so Word always has it
            raise TemplateError(_("het sjabloon moet de WordprocessingML-namespace als 'w' noemen"),
                                file=str(self.path), part=self.document_part)
        toc_at = [t for t in root.iter(qn("w:t")) if t.text == _TOC]
        if len(toc_at) > 1:
            raise TemplateError(_("het sjabloon mag de plaatshouder {{{{ toc }}}} hoogstens eenmaal bevatten "
                                  "(gevonden: {count})").format(count=len(toc_at)),
                                file=str(self.path), part=self.document_part)
        if toc_at:
            toc_paragraph = next(a for a in toc_at[0].iterancestors(qn("w:p")))
            if toc:
                toc_slot = slot(_TOC_SLOT)
                toc_slot.tail = toc_paragraph.tail
                toc_paragraph.addprevious(toc_slot)
            toc_paragraph.getparent().remove(toc_paragraph)
        elif toc:
            body = toc + body
        body_slot = slot(_SLOT)
        body_slot.tail = paragraph.tail
        paragraph.addprevious(body_slot)
        parent.remove(paragraph)
        if front:
            parent.insert(0, slot(_FRONT))
        document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return fill_slots(document, {_SLOT: body, _FRONT: front, _TOC_SLOT: toc})


_CACHE: OrderedDict[tuple[str, str], HouseTemplate] = OrderedDict()
_LOCK = threading.Lock()


def load_template(template: str | Path | HouseTemplate | None = None) -> HouseTemplate:
    """Return the compiled template at ``template`` (default: the house template), cached by path and hash.

    A template already loaded (an Engine's) is returned as it is.
    """
    if isinstance(template, HouseTemplate):
        return template
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
    data = _checked_package(path, data)
    try:
        docx_template = DocxTemplate(io.BytesIO(data))
        document = Document(io.BytesIO(data))
        main = document.part
        templated = [main] + [rel.target_part for rel in main.rels.values() if rel.reltype in (RT.HEADER, RT.FOOTER)]
        for part in templated:
            _check_tags(path, part.partname.lstrip("/"), part.element, env)
            source = _literal_braces(docx_template.patch_xml(docx_template.xml_to_string(part.element)))
            _check_statements(path, part.partname.lstrip("/"), source, env)
        names = docx_template.get_undeclared_template_variables(env)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_("ongeldige plaatshouder in het sjabloon, regel {line}: {reason}").format(
            line=exc.lineno, reason=jinja_reason(exc)), file=str(path)) from exc  # the line of a part docxtpl joined
    except (KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise TemplateError(_("geen geldig Word-document (.docx): {reason}").format(reason=_package_reason(exc)),
                            file=str(path)) from exc
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise TemplateError(_("het sjabloon mist de verplichte plaatshouder(s) {names} (voeg {{{{ title }}}} toe en "
                              "{{{{p body }}}} in een eigen alinea)").format(
            names=", ".join(f"'{name}'" for name in missing)), file=str(path))
    unknown = sorted(names - PLACEHOLDERS.keys())
    if unknown:
        raise TemplateError(_("onbekende plaatshouder(s) in het sjabloon: {names}; toegestaan: {known}").format(
            names=", ".join(f"'{printable(name, 60)}'" for name in unknown), known=", ".join(sorted(PLACEHOLDERS))),
            file=str(path))

    numbering = _numbering_part(main)
    lists = list_ids(numbering.element)
    unmatched = _match_styles(document)
    ensure_styles(document.styles.element)
    package = main.package
    core = package._core_properties_part  # created when the template has none
    custom = next((rel.target_part for rel in package.rels.values() if rel.reltype == RT.CUSTOM_PROPERTIES), None)
    if custom is None:
        custom = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, b"", package)
        package.relate_to(custom, RT.CUSTOM_PROPERTIES)
    item = _provenance_part(main)

    section = document.sections[-1]
    # a template without page size or margins gets Word's defaults: A4 and 2.5 cm
    margins = (section.left_margin or _MARGIN) + (section.right_margin or _MARGIN)
    text_width = max((section.page_width or _A4_WIDTH) - margins, _MIN_TEXT) // 635
    bookmark_ids = [int(value) for b in main.element.iter(qn("w:bookmarkStart"))
                    if (value := b.get(qn("w:id")) or "") and re.fullmatch(r"[0-9]{1,9}", value)]
    text_height = max((section.page_height or _A4_HEIGHT) - (section.top_margin or _MARGIN)
                      - (section.bottom_margin or _MARGIN), _MIN_TEXT) // 635
    geometry = Geometry(text_width, text_height, _font_size(document.styles.element), _pages_before_body(main.element))
    layout = Layout(lists, text_width, max(bookmark_ids, default=0) + 1)
    landscape = dataclasses.replace(layout, text_width=max((section.page_height or _A4_HEIGHT) - margins,
                                                           _MIN_TEXT) // 635)
    settings_part = main._settings_part  # created when the template has none

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
            raise TemplateError(_("ongeldige plaatshouder in {part}: {reason}").format(
                part=name, reason=jinja_reason(exc)), file=str(path), part=name) from exc

    turned = {}
    for name in parts:
        if _HEADER_OR_FOOTER.fullmatch(name):
            root = etree.fromstring(parts[name])
            if _widen_tabs(root, layout.text_width, landscape.text_width - layout.text_width):
                turned[name] = (env.from_string(_literal_braces(docx_template.patch_xml(docx_template.xml_to_string(root))))
                                if name in compiled else serialize_part_xml(root))

    loaded = HouseTemplate(path=path, sha256=digest, parts=parts, document_part=main.partname.lstrip("/"),
                           compiled=compiled, landscape=turned, layout=layout, landscape_layout=landscape,
                           core_properties_part=core.partname.lstrip("/"),
                           custom_properties_part=custom.partname.lstrip("/"),
                           provenance_part=item.partname.lstrip("/"),
                           numbering_part=numbering.partname.lstrip("/"), docx_template=docx_template,
                           geometry=geometry, settings_part=settings_part.partname.lstrip("/"),
                           warnings=tuple(_("{file}: de stijl {style} van het sjabloon is niet als ingebouwde Word-stijl "
                                            "herkend (haar naam is niet de Engelse naam die Word in iedere taal "
                                            "schrijft); de engine gebruikt voor '{builtin}' haar eigen opmaak").format(
                               file=path, style=f"'{name}' ({style_id})", builtin=builtin)
                               for name, style_id, builtin in unmatched))
    trial = {"title": "T", "alliance_name": "A", "version_label": "V", "draft": True, "kind": "alliance",
             "parties": ["P"], "body": _BODY, "toc": _TOC}
    loaded.render(trial, "")  # a misplaced {{p body }} is an error now, not at the first document
    return loaded


def _font_size(styles: etree._Element) -> int:
    """Return the body font size of a styles part in half-points: Normal's, else the document default, else 11 pt."""
    for path in ("w:style[@w:default='1'][@w:type='paragraph']/w:rPr/w:sz", "w:docDefaults/w:rPrDefault/w:rPr/w:sz"):
        size = styles.find(path, {"w": W})
        if size is not None and (size.get(qn("w:val")) or "").isdecimal():
            return max(int(size.get(qn("w:val"))), 8)
    return 22


def _pages_before_body(document: etree._Element) -> int:
    """Return how many pages of the template come before its {{p body }} paragraph (section and page breaks)."""
    pages = 0
    for p in document.iter(qn("w:p")):
        if re.search(r"\{\{p\s*body\s*\}\}", "".join(t.text or "" for t in p.iter(qn("w:t")))):
            break
        pages += len(p.findall(f"{qn('w:pPr')}/{qn('w:sectPr')}")) + len(p.findall(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}"))
        pages += sum(1 for br in p.iter(qn("w:br")) if br.get(qn("w:type")) == "page")
    return pages


def update_fields(settings: bytes) -> bytes:
    """Return a settings part that asks Word to update the fields (the table of contents) when it opens."""
    root = safe_xml(settings)
    for old in root.findall(qn("w:updateFields")):
        root.remove(old)
    flag = element(val("w:updateFields", "true"))
    later = [child for child in root if etree.QName(child).localname in _AFTER_UPDATE_FIELDS]
    if later:
        later[0].addprevious(flag)
    else:
        root.append(flag)
    return serialize_part_xml(root)


#: The settings that come after w:updateFields in CT_Settings.
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
                        "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _match_styles(document) -> list[tuple[str, str, str]]:
    """Give the template's styles that the engine uses by name (``heading 1`` under a Dutch id ``Kop1``) the
    engine's ids, in every part that names them; return (name, id, built-in name) of each style that looks like a
    built-in one but is not named as it."""
    renames, unmatched = style_ids(document.styles.element)
    if renames:
        for part in document.part.package.iter_parts():
            if hasattr(part, "element"):
                rename_styles(part.element, renames)
            elif part.partname.startswith("/word/") and part.content_type.endswith("+xml") and part.blob:
                root = safe_xml(part.blob)
                if rename_styles(root, renames):
                    part._blob = serialize_part_xml(root)
    return unmatched


#: Word's defaults for a section without page size or margins (in EMU): A4, 2.5 cm; and the narrowest text.
_A4_WIDTH, _A4_HEIGHT, _MARGIN, _MIN_TEXT = 7560310, 10692130, 900000, 914400


def _widen_tabs(root: etree._Element, portrait: int, extra: int) -> bool:
    """Move the right-aligned tab stops at the portrait text's right edge (within a tenth) in a header or footer
    by ``extra``, so that "CONCEPT" and "pagina X van Y" stay at the right margin on landscape pages; return
    whether any moved."""
    moved = False
    for tab in root.iter(qn("w:tab")):
        position = tab.get(qn("w:pos")) or ""
        if tab.get(qn("w:val")) == "right" and position.isdecimal() and int(position) >= portrait * 9 // 10:
            tab.set(qn("w:pos"), str(int(position) + extra))
            moved = True
    return moved


def _package_reason(exc: Exception) -> str:
    """Return why python-docx could not open a package, without its internals (``<_io.BytesIO ...>``)."""
    text = str(exc)
    if "macroEnabled" in text:
        return _("een document met macro's (.docm) wordt niet als sjabloon gebruikt; sla het op als Word-document "
                 "(.docx)")
    if isinstance(exc, KeyError):
        return _("een verplicht onderdeel ontbreekt")
    if "content type" in text:
        return _("het hoofdonderdeel is geen Word-document")
    return _("het pakket kan niet worden gelezen")


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
                raise TemplateError(_("plaatshouder zonder afsluitende '{closer}' in {part}: '{snippet}'").format(
                    closer=closer, part=part_name, snippet=snippet), file=str(path), part=part_name)
            tag = text[match.start():end + len(closer)]
            if match.group() == "{{":
                try:
                    env.compile(_DOCXTPL_PREFIX.sub("{{ ", tag))
                except jinja2.TemplateSyntaxError as exc:
                    raise TemplateError(_("ongeldige plaatshouder '{tag}' in {part}: {reason}").format(
                        tag=tag, part=part_name, reason=jinja_reason(exc)), file=str(path), part=part_name) from exc


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
                             parse_xml(empty_root("w:numbering")), main.package)
        main.relate_to(part, RT.NUMBERING)
        return part


def template_hash(template: str | Path | None = None) -> str:
    """Return the SHA-256 of the template file (for provenance and manifests)."""
    return load_template(template).sha256
