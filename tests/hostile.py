"""The hostile corpus: crafted documents for ``explain`` and hostile templates, built by functions, never committed.

Each builder returns bytes. ``tests/test_hostile.py`` feeds them to the commands; ``bench/hostile.py`` runs the
whole corpus and counts what is refused clearly.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from functools import lru_cache

import docx

from agreement_engine.api import render_document
from agreement_engine.resources import example_path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PROVENANCE_PART = "customXml/item1.xml"


@lru_cache(maxsize=1)
def rendered() -> bytes:
    """Return a real document of the engine (the two-party example), rendered once."""
    return render_document(example_path("twee-partijen")).docx


def replace_parts(data: bytes, replacements: dict[str, bytes | None]) -> bytes:
    """Return the package ``data`` with parts replaced (None removes one), everything else as it was."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name in replacements:
                continue
            target.writestr(name, source.read(name))
        for name, content in replacements.items():
            if content is not None:
                target.writestr(name, content)
    return buffer.getvalue()


def provenance_part(document: bytes) -> str:
    """Return the name of the engine's provenance part in ``document``."""
    with zipfile.ZipFile(io.BytesIO(document)) as package:
        return next(n for n in package.namelist()
                    if re.fullmatch(r"customXml/item\d+\.xml", n) and b"agreement-engine:provenance" in package.read(n))


def with_provenance_text(text: str | bytes) -> bytes:
    """Return the real document with its provenance part holding ``text`` (JSON) as the element text."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    escaped = raw.replace(b"&", b"&amp;").replace(b"<", b"&lt;")
    xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<provenance xmlns="urn:agreement-engine:provenance:1" format="json">' + escaped + b"</provenance>")
    document = rendered()
    return replace_parts(document, {provenance_part(document): xml})


def with_provenance_xml(xml: bytes) -> bytes:
    """Return the real document with its provenance part replaced by ``xml`` as it stands."""
    document = rendered()
    return replace_parts(document, {provenance_part(document): xml})


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                      for i in range(1, 10))
           + b']>\n<provenance xmlns="urn:agreement-engine:provenance:1">&lol9;</provenance>')


def _escaped_title() -> bytes:
    return with_provenance_text(json.dumps({"format": 1, "engine": "agreement-engine",
                                            "title": "\x1b]0;gekaapt\x07\x1b[2J\x9b31m\u202eTitel",
                                            "clauses": [{"id": "\x1b[31mrood", "article": 1}]}))


def _bomb() -> bytes:
    """A provenance part that unpacks to 64 MiB from about 64 KiB."""
    return with_provenance_text('{"title": "' + " " * (64 * 1024 * 1024) + '"}')


#: Crafted documents for ``explain``: name -> (builder, a fragment the Dutch message must contain).
DOCUMENTS: dict[str, tuple[Callable[[], bytes], str]] = {
    "provenance is a list": (lambda: with_provenance_text("[1, 2]"), "herkomstschema"),
    "provenance is a string": (lambda: with_provenance_text('"x"'), "herkomstschema"),
    "provenance is a number": (lambda: with_provenance_text("42"), "herkomstschema"),
    "provenance is null": (lambda: with_provenance_text("null"), "herkomstschema"),
    "provenance is empty": (lambda: with_provenance_text(""), "geen geldige JSON"),
    "provenance is not JSON": (lambda: with_provenance_text("{'a': 1}"), "geen geldige JSON"),
    "provenance is NaN": (lambda: with_provenance_text('{"title": NaN}'), "geen geldige JSON"),
    "provenance with a huge number": (lambda: with_provenance_text('{"format": 1' + "0" * 5000 + "}"),
                                      "geen geldige JSON"),
    "clauses is a text": (lambda: with_provenance_text('{"clauses": "x"}'), "$.clauses"),
    "clauses hold numbers": (lambda: with_provenance_text('{"clauses": [1, 2]}'), "$.clauses[0]"),
    "clause id is an object": (lambda: with_provenance_text('{"clauses": [{"id": {"a": 1}}]}'), "$.clauses[0].id"),
    "title is a list": (lambda: with_provenance_text('{"title": [1]}'), "$.title"),
    "compare without sides": (lambda: with_provenance_text('{"kind": "compare", "old": 1}'), "herkomstschema"),
    "compare side is a list": (lambda: with_provenance_text('{"kind": "compare", "old": [], "new": {}}'), "$.old"),
    "deeply nested (100,000 levels)": (lambda: with_provenance_text('{"x": ' + _deep(100_000) + "}"),
                                       "geen geldige JSON"),
    "nested 40 levels": (lambda: with_provenance_text('{"x": ' + _deep(40) + "}"), "te diep genest"),
    "unpacks to 64 MiB": (_bomb, "groter dan 1 MiB"),
    "billion laughs": (lambda: with_provenance_xml(_LAUGHS), "DOCTYPE"),
    "external entity": (lambda: with_provenance_xml(
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<provenance xmlns="urn:agreement-engine:provenance:1">&x;</provenance>'), "DOCTYPE"),
    "provenance part is not XML": (lambda: with_provenance_xml(b"<provenance"), "geen herkomstgegevens"),
    "not a zip": (lambda: b"dit is geen Word-document", "geen leesbaar Word-document"),
    "empty file": (lambda: b"", "geen leesbaar Word-document"),
    "truncated zip": (lambda: rendered()[: len(rendered()) // 2], "geen leesbaar Word-document"),
    "damaged member": (lambda: _damaged(), "geen leesbaar Word-document"),
    "plain Word document": (lambda: _plain_docx(), "geen herkomstgegevens"),
}


def _plain_docx() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def _damaged() -> bytes:
    """The real document with the compressed bytes of its provenance part overwritten."""
    data = bytearray(rendered())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.getinfo(provenance_part(bytes(data)))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start, start + min(info.compress_size, 40)):
        data[i] ^= 0xFF
    return bytes(data)


# templates ---------------------------------------------------------------------------------------

def template(*paragraphs: str, header: str | None = None) -> bytes:
    """Return a .docx template with one paragraph per text (and a header text)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def good_template() -> bytes:
    """Return the smallest template the engine accepts."""
    return template("{{ title }}", "{{p body }}")


def with_part(name: str, content: bytes | None, base: bytes | None = None) -> bytes:
    """Return the good template (or ``base``) with part ``name`` replaced by ``content``."""
    return replace_parts(base if base is not None else good_template(), {name: content})


def _document_xml() -> bytes:
    with zipfile.ZipFile(io.BytesIO(good_template())) as package:
        return package.read("word/document.xml")


def _doctype(declaration: bytes) -> bytes:
    xml = _document_xml()
    head, rest = xml.split(b"?>", 1)
    return with_part("word/document.xml", head + b"?>" + declaration + rest)


def huge_document_xml(size: int = 48 * 1024 * 1024) -> bytes:
    """Return a template whose document.xml unpacks to ``size`` bytes (1 GiB is about 1 MB zipped)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good_template())) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != "word/document.xml":
                target.writestr(name, source.read(name))
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w") as stream:
            chunk = b" " * (1024 * 1024)
            stream.write(b"<w:document xmlns:w=\"" + W.encode() + b"\">")
            for _ in range(size // len(chunk)):
                stream.write(chunk)
            stream.write(b"</w:document>")
    return buffer.getvalue()


def _no_page_size() -> bytes:
    xml = re.sub(rb"<w:pgSz[^>]*/>", b"", _document_xml())
    return with_part("word/document.xml", xml)


def _bookmark(ident: bytes) -> bytes:
    xml = _document_xml().replace(b"</w:body>", b"")
    xml = re.sub(rb"(<w:sectPr)", b'<w:p><w:bookmarkStart w:id="' + ident + b'" w:name="x"/>'
                 b'<w:bookmarkEnd w:id="' + ident + b'"/></w:p>\\1', xml, count=1) + b""
    return with_part("word/document.xml", xml.replace(b"</w:document>", b"</w:body></w:document>")
                     if b"</w:body>" not in xml else xml)


def _dotx() -> bytes:
    with zipfile.ZipFile(io.BytesIO(good_template())) as package:
        types = package.read("[Content_Types].xml")
    return with_part("[Content_Types].xml", types.replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"))


def _macro() -> bytes:
    with zipfile.ZipFile(io.BytesIO(good_template())) as package:
        types = package.read("[Content_Types].xml")
    return with_part("[Content_Types].xml", types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml"))


#: Hostile templates: name -> (builder, a fragment the Dutch message must contain). Every one must be refused
#: with a message naming the template; none may end in an internal error.
TEMPLATES: dict[str, tuple[Callable[[], bytes], str]] = {
    "malformed document.xml": (lambda: with_part("word/document.xml", b"<w:document><w:body>"), "word/document.xml"),
    "malformed styles.xml": (lambda: with_part("word/styles.xml", b"<w:styles"), "word/styles.xml"),
    "malformed relationships": (lambda: with_part("word/_rels/document.xml.rels", b"<Relationships><"),
                                "word/_rels/document.xml.rels"),
    "malformed content types": (lambda: with_part("[Content_Types].xml", b"<Types"), "[Content_Types].xml"),
    "internal entity": (lambda: _doctype(b'<!DOCTYPE w:document [<!ENTITY t "{{ title }}">]>'), "DOCTYPE"),
    "external entity": (lambda: _doctype(b'<!DOCTYPE w:document [<!ENTITY t SYSTEM "file:///etc/passwd">]>'),
                        "DOCTYPE"),
    "billion laughs": (lambda: _doctype(_LAUGHS.split(b"\n")[1].replace(b"lolz", b"w:document")), "DOCTYPE"),
    "doctype in a header": (lambda: with_part("word/styles.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
                                              b'<w:styles xmlns:w="' + W.encode() + b'"/>'), "DOCTYPE"),
    "include": (lambda: template("{{ title }}", "{% include 'x' %}", "{{p body }}"), "include"),
    "import": (lambda: template("{{ title }}", "{% import 'x' as y %}", "{{p body }}"), "import"),
    "from import": (lambda: template("{{ title }}", "{% from 'x' import y %}", "{{p body }}"), "import"),
    "extends": (lambda: template("{% extends 'x' %}", "{{ title }}", "{{p body }}"), "extends"),
    "range(10**8)": (lambda: template("{{ title }}", "{% for i in range(10**8) %}x{% endfor %}", "{{p body }}"),
                     "range"),
    "huge string": (lambda: template("{{ title * 1000000000 }}", "{{p body }}"), "*"),
    "huge power": (lambda: template("{{ title }}{{ 10 ** 10 ** 10 }}", "{{p body }}"), "**"),
    "format width": (lambda: template("{{ title }}{{ '%099999999d' % 1 }}", "{{p body }}"), "%"),
    "string method": (lambda: template("{{ title.center(1000000000) }}", "{{p body }}"), "center"),
    "filter with a width": (lambda: template("{{ title|center(1000000000) }}", "{{p body }}"), "center"),
    "nested loops": (lambda: template("{{ title }}", "{% for a in parties %}{% for b in parties %}{% for c in parties %}"
                                      "{% endfor %}{% endfor %}{% endfor %}", "{{p body }}"), "lus"),
    "macro": (lambda: template("{{ title }}", "{% macro m() %}x{% endmacro %}", "{{p body }}"), "macro"),
    "48 MiB document.xml": (huge_document_xml, "word/document.xml"),
    "no page size": (_no_page_size, None),
    "non-numeric bookmark id": (lambda: _bookmark(b"abc"), None),
    "template (.dotx)": (_dotx, None),
    "macro-enabled (.docm)": (_macro, "macro"),
    "not a zip": (lambda: b"PK\x03\x04 kapot", "geen geldig Word-document"),
    "no document part": (lambda: with_part("word/document.xml", None), "geen geldig Word-document"),
}
