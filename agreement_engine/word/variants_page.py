"""The variants page in Word: every variant of one topic for the same alliance, side by side on landscape pages."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agreement_engine.formatting import formatter
from agreement_engine.model import Agreement, Paragraph
from agreement_engine.phrases import Phrases
from agreement_engine.variant_options import Option
from agreement_engine.word import styles as st
from agreement_engine.word.body import segment_runs
from agreement_engine.word.ooxml import Node, paragraph, run, to_xml
from agreement_engine.word.tables import HEADER_FILL, Cell, row, table
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
    phrases = agreement.phrases
    phrase = phrases.text
    chosen = [o.variant.id for o in options if o.chosen]
    intro = " ".join([phrase("variants.intro", topic=topic_title.lower(), alliance=agreement.alliance_name),
                      *([phrase("variants.chosen", variants=formatter(phrases.language).enum(chosen))] if chosen else []),
                      phrase("variants.explanation")])
    rows = [
        row(_cells(columns, phrase("variants.variant"),
                   [[(phrase("variants.chosen_variant", variant=o.variant.id) if o.chosen else o.variant.id, True)]
                    for o in options], fill=HEADER_FILL), header=True),
        row(_cells(columns, phrase("variants.summary"),
                   [[(" ".join(o.variant.summary.split()), False)] for o in options]), split=True),
        row(_cells(columns, phrase("variants.attention"),
                   [[(f"\u2013 {' '.join(p.split())}", False) for p in o.variant.attention] for o in options]),
            split=True),
        row(_cells(columns, phrase("variants.answers"), [_answers(o, phrases) for o in options]), split=True),
        row([_label(phrase("variants.text"), columns[0]),
             *((_text(o, phrases), w, None) for o, w in zip(options, columns[1:]))], split=True),
    ]
    title = phrase("variants.title", topic=topic_title)
    body = [paragraph(st.HEADING, [run(title)], numPr=(0, 0)),
            paragraph(st.TEXT, [run(intro)]),
            table(columns, rows, borders=True)]
    values = {**context(agreement), "title": title, "version_label": ""}
    return house.document(values, to_xml(body), title=values["title"], subject=agreement.alliance_name,
                          phrases=phrases, provenance=provenance, landscape=True)


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


def _answers(option: Option, phrases: Phrases) -> list[tuple[str, bool]]:
    if option.chosen:
        return [(phrases.text("variants.as_answered"), False)]
    return ([(f"{a.title}: {a.new}", False) for a in option.answers]
            or [(phrases.text("variants.no_answers"), False)])


def _text(option: Option, phrases: Phrases) -> list[Node]:
    """Return the variant's article as it would read in this agreement, or why the alliance cannot choose it."""
    if option.agreement is None:
        lines = [paragraph(st.TABLE_TEXT, [run(phrases.text("variants.impossible"), bold=True)])]
        lines += [paragraph(st.TABLE_TEXT, [run(f"\u2013 {problem}")]) for problem in option.problems]
        if option.incomplete:
            lines.append(paragraph(st.TABLE_TEXT, [run(phrases.text("variants.incomplete"))]))
        return lines
    if option.clause.kind == "signature":
        return [_numbered("", option.agreement.signature_intro, 0)]
    article = option.agreement.article(option.clause.id)
    letter = formatter(phrases.language).list_letter
    out = [paragraph(st.TABLE_TEXT, [run(phrases.text("variants.article", number=article.number,
                                                      title=article.title), bold=True)])]
    for member in article.members:
        out.append(_numbered(f"{member.number}\t", member.body, _INDENT))
        out += [_numbered(f"{letter(n)}.\t", item, 2 * _INDENT) for n, item in enumerate(member.items)]
    return out


def _numbered(number: str, text: Paragraph, indent: int) -> Node:
    """Return a paragraph of text behind its number, hanging; references show their number as plain text."""
    runs = [r for segment in text.segments for r in segment_runs(segment)]
    return paragraph(st.TABLE_TEXT, [run(number), *runs] if number else runs,
                     ind={"left": indent, "hanging": _INDENT} if number else None)
