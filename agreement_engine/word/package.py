"""The .docx package: deterministic zip, core and custom properties, and the provenance part.

The complete provenance is JSON in a custom XML part (``customXml/itemN.xml``, root element
``provenance`` in namespace :data:`PROVENANCE_NS`), since Word limits a text document property to 255
characters; its short top-level values are also readable custom document properties
("agreement-engine:engine_version", ...), shown by Word under File > Properties.
"""
from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from lxml import etree

from agreement_engine.errors import EngineError
from agreement_engine.word.ooxml import clean_text

PROVENANCE_NS = "urn:agreement-engine:provenance:1"
PROVENANCE_ITEM_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, PROVENANCE_NS)).upper() + "}"
PROPERTY_PREFIX = "agreement-engine:"

_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_DS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
_CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_MAX_PROPERTY = 255
_W3CDTF = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def to_bytes(root: etree._Element) -> bytes:
    """Serialize an XML part the way Office writes it: UTF-8 with a standalone declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def write_package(parts: Mapping[str, bytes]) -> bytes:
    """Return the zip of ``parts`` (name -> bytes): sorted, fixed timestamps, deflated, byte-identical."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in sorted(parts):  # "[Content_Types].xml" sorts first
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            package.writestr(info, parts[name], compresslevel=3)  # 2.5x faster than 6, 13% larger
    return buffer.getvalue()


def core_properties(title: str, subject: str, created: str | None) -> bytes:
    """Return ``docProps/core.xml``; created and modified only when ``created`` is a W3CDTF date."""
    root = etree.Element(f"{{{_CORE['cp']}}}coreProperties", nsmap=_CORE)
    for tag, text in (("dc:title", title), ("dc:subject", subject), ("dc:creator", "agreement-engine"),
                      ("dc:language", "nl-NL"), ("cp:revision", "1")):
        prefix, local = tag.split(":")
        etree.SubElement(root, f"{{{_CORE[prefix]}}}{local}").text = clean_text(text)
    if created and _W3CDTF.fullmatch(created):
        for local in ("created", "modified"):
            stamp = etree.SubElement(root, f"{{{_CORE['dcterms']}}}{local}")
            stamp.set(f"{{{_CORE['xsi']}}}type", "dcterms:W3CDTF")
            stamp.text = created
    return to_bytes(root)


def custom_properties(base: bytes | None, provenance: Mapping[str, Any], template_hash: str) -> bytes:
    """Return ``docProps/custom.xml``: the template's own properties plus the engine's readable ones."""
    root = etree.fromstring(base) if base else etree.Element(f"{{{_CUSTOM_NS}}}Properties",
                                                             nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    for prop in root.findall(f"{{{_CUSTOM_NS}}}property"):
        if (prop.get("name") or "").startswith(PROPERTY_PREFIX):
            root.remove(prop)
    values = {key: value for key, value in sorted(provenance.items())
              if isinstance(value, (str, int, float, bool)) and len(str(value)) <= _MAX_PROPERTY}
    values["template_sha256"] = template_hash
    for key, value in values.items():
        prop = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property", fmtid=_FMTID, pid="0",
                                name=clean_text(PROPERTY_PREFIX + key))
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = clean_text(str(value))
    for pid, prop in enumerate(root.findall(f"{{{_CUSTOM_NS}}}property"), start=2):
        prop.set("pid", str(pid))
    return to_bytes(root)


def provenance_item(provenance: Mapping[str, Any]) -> bytes:
    """Return the custom XML part holding ``provenance`` as compact JSON."""
    root = etree.Element(f"{{{PROVENANCE_NS}}}provenance", nsmap={None: PROVENANCE_NS}, format="json")
    root.text = json.dumps(provenance, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return to_bytes(root)


def provenance_item_properties() -> bytes:
    """Return the properties part of the provenance custom XML part (a fixed item id)."""
    root = etree.Element(f"{{{_DS_NS}}}datastoreItem", nsmap={"ds": _DS_NS})
    root.set(f"{{{_DS_NS}}}itemID", PROVENANCE_ITEM_ID)
    refs = etree.SubElement(root, f"{{{_DS_NS}}}schemaRefs")
    etree.SubElement(refs, f"{{{_DS_NS}}}schemaRef").set(f"{{{_DS_NS}}}uri", PROVENANCE_NS)
    return to_bytes(root)


def is_provenance(xml: bytes) -> bool:
    """Return whether ``xml`` is the engine's provenance part."""
    try:
        return etree.fromstring(xml).tag == f"{{{PROVENANCE_NS}}}provenance"
    except etree.XMLSyntaxError:
        return False


def read_provenance(source: str | Path | IO[bytes] | bytes) -> dict:
    """Return the provenance embedded in the .docx at ``source`` (a path, an open file or the bytes)."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with zipfile.ZipFile(source) as package:
            for name in sorted(package.namelist()):
                if not re.fullmatch(r"customXml/item\d+\.xml", name):
                    continue
                xml = package.read(name)
                if is_provenance(xml):
                    return json.loads(etree.fromstring(xml).text or "{}")
    except (OSError, zipfile.BadZipFile, etree.XMLSyntaxError, json.JSONDecodeError) as exc:
        raise EngineError(f"{source}: geen leesbaar Word-document met herkomstgegevens ({exc})") from exc
    raise EngineError(f"{source}: het document bevat geen herkomstgegevens van de agreement-engine")
