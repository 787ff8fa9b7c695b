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
from agreement_engine.word.package import read_provenance
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
    return house.document(context(agreement), build_body(agreement, house.layout), title=agreement.title,
                          subject=agreement.alliance_name, phrases=agreement.phrases, provenance=provenance)
