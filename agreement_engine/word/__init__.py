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
from agreement_engine.word.body import bookmark_names, build_body
from agreement_engine.word.package import read_provenance
from agreement_engine.word.ooxml import to_xml
from agreement_engine.word.template import (
    PLACEHOLDERS,
    REQUIRED,
    context,
    default_template,
    load_template,
    template_hash,
)
from agreement_engine.word.toc import TOC_LEVELS, TOC_MIN_PAGES, entries, toc_nodes

__all__ = ["PLACEHOLDERS", "REQUIRED", "TOC_LEVELS", "TOC_MIN_PAGES", "default_template", "read_provenance",
           "render_docx", "template_hash"]


def render_docx(agreement: Agreement, template: str | Path | None = None, *,
                provenance: Mapping[str, Any], toc: bool | None = None, toc_levels: int = TOC_LEVELS) -> bytes:
    """Return the .docx bytes of ``agreement`` in ``template`` (default: the house template).

    ``provenance`` (JSON-serializable) is embedded whole; a string value under "created" (W3CDTF, e.g.
    "2026-12-15T00:00:00Z") becomes the document's created and modified date, which are otherwise left out.
    ``toc``: a table of contents over the headings down to ``toc_levels`` (1 articles and annexes, 2 also the
    sections of the annexes): True always, False never, None (default) when the agreement is estimated at more
    than TOC_MIN_PAGES pages.
    """
    house = load_template(template)
    contents = ""
    if toc is not False:
        found, last = entries(agreement, bookmark_names(label for label, _ in agreement.labels), house.geometry,
                              toc_levels)
        if toc or last > TOC_MIN_PAGES:
            contents = to_xml(toc_nodes(agreement.phrases.text("toc.title"), found, house.layout.text_width,
                                        toc_levels))
    return house.document(context(agreement), build_body(agreement, house.layout), title=agreement.title,
                          subject=agreement.alliance_name, phrases=agreement.phrases, provenance=provenance,
                          toc=contents)
