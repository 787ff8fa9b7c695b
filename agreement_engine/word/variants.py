"""The variants table: every variant of one topic for the same alliance, side by side on landscape pages."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agreement_engine.dutch import enumerate_nl, list_letter
from agreement_engine.model import Agreement, Paragraph
from agreement_engine.variants import Option
from agreement_engine.word import styles as st
from agreement_engine.word.body import HEADER_FILL, Cell, row, segment_runs, table
from agreement_engine.word.ooxml import Node, paragraph, run, to_xml
from agreement_engine.word.template import context, load_template

_LABEL_WIDTH = 1700  # twips: the column that names each row
_INDENT = 567  # twips: hanging indent of a member number, and again for an item letter


def render_variants(agreement: Agreement, topic_title: str, options: Sequence[Option], *,
                    template: str | Path | None = None, provenance: Mapping[str, Any]) -> bytes:
    """Return the .docx bytes of a table with ``options`` side by side, for the alliance of ``agreement``.

    Each column is a variant: what it means, the legal points of attention from the library, the answers
    it takes and its article as it would read in this agreement (or why this alliance cannot choose it).
    """
    house = load_template(template)
    width = house.landscape_layout.text_width
    columns = [_LABEL_WIDTH] + _split(width - _LABEL_WIDTH, len(options))
    chosen = [o.variant.id for o in options if o.chosen]
    intro = (f"Alle varianten voor {topic_title.lower()} uit de clausulebibliotheek, uitgewerkt voor de "
             f"{agreement.alliance_name}. "
             + (f"De antwoordenset kiest nu variant {enumerate_nl(chosen)}. " if chosen else "")
             + "Een variant die andere antwoorden nodig heeft, is uitgewerkt met de antwoorden die in haar kolom "
               "staan; kan deze alliantie een variant niet kiezen, dan staat daar waarom.")
    rows = [
        row(_cells(columns, "Variant", [[(o.variant.id + (" (gekozen)" if o.chosen else ""), True)] for o in options],
                   fill=HEADER_FILL), header=True),
        row(_cells(columns, "Wat houdt het in", [[(" ".join(o.variant.summary.split()), False)] for o in options]),
            split=True),
        row(_cells(columns, "Let op", [[(f"\u2013 {' '.join(p.split())}", False) for p in o.variant.attention]
                                       for o in options]), split=True),
        row(_cells(columns, "Antwoorden", [_answers(o) for o in options]), split=True),
        row([_label("Tekst", columns[0]), *((_text(o), w, None) for o, w in zip(options, columns[1:]))], split=True),
    ]
    body = [paragraph(st.HEADING, [run(f"Varianten: {topic_title}")], numPr=(0, 0)),
            paragraph(st.TEXT, [run(intro)]),
            table(columns, rows, borders=True)]
    values = {**context(agreement), "title": f"Varianten: {topic_title}", "version_label": ""}
    return house.document(values, to_xml(body), title=values["title"], subject=agreement.alliance_name,
                          provenance=provenance, landscape=True)


def _split(width: int, parts: int) -> list[int]:
    widths = [width // parts] * parts
    widths[-1] += width - sum(widths)
    return widths


def _label(text: str, width: int, fill: str | None = None) -> Cell:
    return [paragraph(st.TABLE_TEXT, [run(text, bold=True)])], width, fill


def _cells(columns: list[int], label: str, lines: list[list[tuple[str, bool]]], fill: str | None = None) -> list[Cell]:
    """Return a row's cells: its label, then per variant its lines of (text, bold)."""
    cells = [([paragraph(st.TABLE_TEXT, [run(text, bold=bold)]) for text, bold in column] or [paragraph(st.TABLE_TEXT)],
              width, fill) for column, width in zip(lines, columns[1:])]
    return [_label(label, columns[0], fill), *cells]


def _answers(option: Option) -> list[tuple[str, bool]]:
    if option.chosen:
        return [("Zoals in de antwoordenset.", False)]
    return [(f"{a.title}: {a.new}", False) for a in option.answers] or [("Geen andere antwoorden nodig.", False)]


def _text(option: Option) -> list[Node]:
    """Return the variant's article as it would read in this agreement, or why the alliance cannot choose it."""
    if option.agreement is None:
        lines = [paragraph(st.TABLE_TEXT, [run("Voor deze alliantie niet uit te werken:", bold=True)])]
        lines += [paragraph(st.TABLE_TEXT, [run(f"\u2013 {problem}")]) for problem in option.problems]
        if option.incomplete:
            lines.append(paragraph(st.TABLE_TEXT, [run(
                "Staan de ontbrekende antwoorden in de antwoordenset (dat mag, ook als nu een andere variant is "
                "gekozen), dan wordt deze variant uitgewerkt.")]))
        return lines
    if option.clause.kind == "signature":
        return [_numbered("", option.agreement.signature_intro, 0)]
    article = option.agreement.article(option.clause.id)
    out = [paragraph(st.TABLE_TEXT, [run(f"Artikel {article.number} {article.title}", bold=True)])]
    for member in article.members:
        out.append(_numbered(f"{member.number}\t", member.body, _INDENT))
        out += [_numbered(f"{list_letter(n)}.\t", item, 2 * _INDENT) for n, item in enumerate(member.items)]
    return out


def _numbered(number: str, text: Paragraph, indent: int) -> Node:
    """Return a paragraph of text behind its number, hanging; references show their number as plain text."""
    runs = [r for segment in text.segments for r in segment_runs(segment)]
    return paragraph(st.TABLE_TEXT, [run(number), *runs] if number else runs,
                     ind={"left": indent, "hanging": _INDENT} if number else None)
