"""The Word stage: render an Agreement into a .docx through a house template; the only code that knows .docx.

``render_docx`` fills the template's placeholders (docxtpl, autoescaped), inserts the body built with lxml
(Word numbering for articles, members and items; bookmarks and REF fields for cross-references), embeds the
provenance and returns byte-identical output for identical input. ``read_provenance`` reads it back.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agreement_engine.model import Agreement
from agreement_engine.word.body import build_body
from agreement_engine.word.package import (
    core_properties,
    custom_properties,
    provenance_item,
    read_provenance,
    write_package,
)
from agreement_engine.word.template import (
    PLACEHOLDERS,
    REQUIRED,
    context,
    default_template,
    load_template,
    template_hash,
)

__all__ = ["PLACEHOLDERS", "REQUIRED", "default_template", "read_provenance", "render_docx", "template_hash"]


def render_docx(agreement: Agreement, template: str | Path | None = None, *,
                provenance: Mapping[str, Any]) -> bytes:
    """Return the .docx bytes of ``agreement`` in ``template`` (default: the house template).

    ``provenance`` (JSON-serializable) is embedded whole; a string value under "created" (W3CDTF, e.g.
    "2026-12-15T00:00:00Z") becomes the document's created and modified date, which are otherwise left out.
    """
    house = load_template(template)
    parts = house.render(context(agreement), build_body(agreement, house.layout))
    created = provenance.get("created")
    parts[house.core_properties_part] = core_properties(agreement.title, agreement.alliance_name,
                                                        created if isinstance(created, str) else None)
    parts[house.custom_properties_part] = custom_properties(house.parts[house.custom_properties_part] or None,
                                                            provenance, house.sha256)
    parts[house.provenance_part] = provenance_item(provenance)
    return write_package(parts)
