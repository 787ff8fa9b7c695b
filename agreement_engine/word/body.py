"""The body of the agreement as WordprocessingML: parts, articles, references, signatures, annexes.

Cross-references are live fields whose cached result is already the number the model resolved:

- a member: ``REF <bookmark> \\r \\h`` to the bookmarked member paragraph; Word and LibreOffice both
  compute "7.2" from level "%1.%2";
- an article: the heading's number reads "Artikel 7", so ``REF <bookmark> \\r \\t \\h`` (``\\t`` drops the
  word and keeps "7") nested in a QUOTE field, ``QUOTE "{REF ...}"``, whose cached result is "7". The inner
  REF has no cached result of its own: LibreOffice ignores ``\\t`` and would show "Artikel 7", but it shows
  a QUOTE field's cached result, while Word recomputes the nested REF when fields are updated;
- an annex: ``REF <bookmark> \\h`` to a bookmark around the number in the heading "Bijlage 2 – ...".
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from agreement_engine.model import (
    Agreement,
    Annex,
    Article,
    Member,
    Paragraph,
    Ref,
    SignatureBlock,
    Term,
)
from agreement_engine.word import styles as st
from agreement_engine.word.numbering import Lists
from agreement_engine.word.ooxml import (
    Node,
    bookmark,
    el,
    field,
    paragraph,
    quoted_field,
    run,
    to_xml,
)

DEFINITIONS_LABEL = "definities.lijst"
_MAX_BOOKMARK = 40
_SIGNING_LINE = "_" * 34
_CHAR_WIDTH, _CELL_PADDING = 110, 200  # twips per character of 10 pt table text, and cell margins
_HEADER_FILL = "D9D9D9"
_Cell = tuple[list[Node], int, "str | None"]  # content, width in twips, fill colour


@dataclass(frozen=True)
class Layout:
    """What the body needs to know about the template: its lists, text width and free bookmark ids."""

    lists: Lists
    text_width: int
    first_bookmark_id: int


def bookmark_names(labels: Iterable[str]) -> dict[str, str]:
    """Return a stable, valid Word bookmark name for each label ("uittreding.opzegging" -> "ref_uittreding_opzegging").

    Names start with a letter, hold only letters, digits and underscores and have at most 40 characters;
    a name that would be too long or taken ends in a hash of its label.

    >>> bookmark_names(["uittreding.opzegging", "uittreding_opzegging"])
    {'uittreding.opzegging': 'ref_uittreding_opzegging', 'uittreding_opzegging': 'ref_uittreding_opzegging_b5f5ce00'}
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for label in sorted(labels):
        name = "ref_" + re.sub(r"[^A-Za-z0-9_]", "_", label)
        if len(name) > _MAX_BOOKMARK or name in taken:
            digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:8]
            name = f"{name[:_MAX_BOOKMARK - 9]}_{digest}"
        names[label] = name
        taken.add(name)
    return names


class BodyWriter:
    """Write an Agreement's body as a list of ``w:p`` and ``w:tbl`` elements (:class:`Node`)."""

    def __init__(self, agreement: Agreement, layout: Layout) -> None:
        self.agreement = agreement
        self.layout = layout
        self.lists = layout.lists
        self.names = bookmark_names(label for label, _ in agreement.labels)
        self.articles = {a.clause_id for a in agreement.articles}
        self.annexes = {a.label for a in agreement.annexes}
        self._next_id = layout.first_bookmark_id

    def build(self) -> list[Node]:
        """Return the body elements in reading order."""
        a = self.agreement
        out = [self._lead("DE ONDERGETEKENDEN:")]
        out += [self._para(p, st.PARTY, numPr=(self.lists.comparitie, 0)) for p in a.comparitie]
        out += [self._para(p, st.TEXT) for p in a.comparitie_closing]
        if a.recitals:
            out.append(self._lead("OVERWEGENDE DAT:"))
            out += [self._para(p, st.RECITAL, numPr=(self.lists.recitals, 0)) for p in a.recitals]
        out.append(self._lead("KOMEN HET VOLGENDE OVEREEN:"))
        for article in a.articles:
            out += self._article(article)
        out += self._signatures()
        for annex in a.annexes:
            out += self._annex(annex)
        return out

    # text -----------------------------------------------------------------------------------------

    def _bookmark_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _runs(self, text: Paragraph) -> list[Node]:
        runs: list[Node] = []
        for segment in text.segments:
            if isinstance(segment, Ref):
                runs += self._reference(segment)
            elif isinstance(segment, Term):
                runs.append(run(segment.text, bold=True))
            else:
                runs.append(run(segment))
        return runs

    def _reference(self, ref: Ref) -> list[Node]:
        name = self.names.get(ref.label)
        if name is None:
            return [run(ref.number)]
        if ref.label in self.articles:
            return quoted_field(field(f"REF {name} \\r \\t \\h", None), ref.number)
        if ref.label in self.annexes:
            return field(f"REF {name} \\h", ref.number)
        return field(f"REF {name} \\r \\h", ref.number)

    def _para(self, text: Paragraph, style: str, **props) -> Node:
        return paragraph(style, self._runs(text), **props)

    @staticmethod
    def _lead(text: str) -> Node:
        return paragraph(st.LEAD, [run(text)])

    # articles -------------------------------------------------------------------------------------

    def _article(self, article: Article) -> list[Node]:
        heading = paragraph(st.HEADING, numPr=(self.lists.articles, 0))
        bookmark(heading, self.names[article.clause_id], self._bookmark_id(), [run(article.title)])
        out = [heading]
        for member in article.members:
            out += self._member(member)
        return out

    def _member(self, member: Member) -> list[Node]:
        p = paragraph(st.MEMBER, keepNext=bool(member.items), numPr=(self.lists.articles, 1))
        if member.label in self.names:
            bookmark(p, self.names[member.label], self._bookmark_id(), self._runs(member.body))
        else:
            p.extend(self._runs(member.body))
        if member.label == DEFINITIONS_LABEL:
            items = [self._para(item, st.DEFINITION) for item in member.items]
        else:
            items = [self._para(item, st.ITEM, numPr=(self.lists.articles, 2)) for item in member.items]
        return [p, *items]

    # signatures -----------------------------------------------------------------------------------

    def _signatures(self) -> list[Node]:
        intro = self._para(self.agreement.signature_intro, st.TEXT, keepNext=True, pageBreakBefore=True)
        blocks = [self._signature_block(b) for b in self.agreement.signature_blocks]
        if len(blocks) % 2:
            blocks.append([paragraph(st.SIGNATURE)])
        half = self.layout.text_width // 2
        rows = [self._row([(blocks[i], half, None), (blocks[i + 1], half, None)]) for i in range(0, len(blocks), 2)]
        return [intro, self._table([half, half], rows, borders=False)]

    def _signature_block(self, block: SignatureBlock) -> list[Node]:
        """Return the lines of one party's block; the style keeps them together on one page."""
        lines: list[tuple[str, bool, dict | None]] = [(block.party_name, True, {"before": 480})]
        if self.agreement.signature_mode == "separately":
            lines += [("Plaats: " + "_" * 22, False, {"before": 360}), ("Datum: " + "_" * 23, False, {"before": 360})]
        for signatory in block.signatories:
            lines += [(_SIGNING_LINE, False, {"before": 840}), (f"Naam: {signatory.name}", False, None),
                      (f"Functie: {signatory.function}", False, None)]
        return [paragraph(st.SIGNATURE, [run(text, bold=bold)], spacing=spacing) for text, bold, spacing in lines]

    # annexes --------------------------------------------------------------------------------------

    def _annex(self, annex: Annex) -> list[Node]:
        heading = paragraph(st.HEADING, [run("Bijlage ")], pageBreakBefore=True, numPr=(0, 0))
        bookmark(heading, self.names[annex.label], self._bookmark_id(), [run(str(annex.number))])
        heading.append(run(f" \u2013 {annex.title}"))
        out = [heading]
        out += [self._para(p, st.TEXT) for p in annex.paragraphs]
        for title, paragraphs in annex.sections:
            out.append(paragraph(st.SUBHEADING, [run(title)]))
            out += [self._para(p, st.BULLET, numPr=(self.lists.bullets, 0)) for p in paragraphs]
        if annex.header:
            out.append(self._annex_table(annex))
        return out

    def _annex_table(self, annex: Annex) -> Node:
        rows = [annex.header, *(r.cells for r in annex.rows)] + ([annex.total] if annex.total else [])
        columns = len(annex.header)
        widths = column_widths([[r[c] for r in rows if c < len(r)] for c in range(columns)],
                               self.layout.text_width)
        numeric = [all(_is_number(r.cells[c]) for r in annex.rows if c < len(r.cells)) and bool(annex.rows)
                   for c in range(columns)]

        def cells(values: tuple[str, ...], bold: bool, shade: bool) -> list[_Cell]:
            values = (tuple(values) + ("",) * columns)[:columns]
            return [([paragraph(st.TABLE_TEXT, [run(v, bold=bold)], jc="right" if numeric[c] else None)],
                     widths[c], _HEADER_FILL if shade else None) for c, v in enumerate(values)]

        table_rows = [self._row(cells(annex.header, True, True), header=True)]
        table_rows += [self._row(cells(r.cells, False, False)) for r in annex.rows]
        if annex.total:
            table_rows.append(self._row(cells(annex.total, True, False)))
        return self._table(widths, table_rows, borders=True)

    # tables ---------------------------------------------------------------------------------------

    @staticmethod
    def _row(cells: list[_Cell], *, header: bool = False) -> Node:
        """Return a table row that never breaks across pages (a header row repeats on each page)."""
        tr = el("w:tr", [el("w:trPr", [el("w:cantSplit")] + ([el("w:tblHeader")] if header else []))])
        for content, width, fill in cells:
            tc_props = [el("w:tcW", w=width, type="dxa")]
            if fill:
                tc_props.append(el("w:shd", val="clear", color="auto", fill=fill))
            tr.append(el("w:tc", [el("w:tcPr", tc_props), *content]))
        return tr

    @staticmethod
    def _table(widths: list[int], rows: list[Node], *, borders: bool) -> Node:
        edge = "single" if borders else "nil"
        border_set = el("w:tblBorders", [
            el(f"w:{side}", val=edge, sz=4, space=0, color="808080") if borders else el(f"w:{side}", val="nil")
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")])
        props = el("w:tblPr", [el("w:tblW", w=sum(widths), type="dxa"), border_set,
                               el("w:tblLayout", type="fixed"),
                               el("w:tblCellMar", [el("w:left", w=85 if borders else 0, type="dxa"),
                                                   el("w:right", w=85 if borders else 284, type="dxa")]),
                               el("w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=1, lastColumn=0,
                                  noHBand=0, noVBand=1)])
        grid = el("w:tblGrid", [el("w:gridCol", w=w) for w in widths])
        return el("w:tbl", [props, grid, *rows])


def column_widths(columns: list[list[str]], total: int) -> list[int]:
    """Return column widths (twips) adding up to ``total``, from the texts in each column.

    A column gets its natural width (its longest text on one line) when that is at most 30% of the
    table; the other columns start at the width of their longest word and share what is left in proportion
    to how much more they would need to stand on one line.

    >>> column_widths([["Partij", "Stichting De Haven"], ["Aandeel", "33,33%"]], 9000)
    [6228, 2772]
    >>> column_widths([["Partij", "Stichting Zorgpunt GGZ"], ["Voorwaarde", "de raad van toezicht " * 6],
    ...                ["Uiterste datum", "10 december 2026"]], 9000)
    [2620, 4420, 1960]
    """
    def width(text: str) -> int:
        return len(text) * _CHAR_WIDTH + _CELL_PADDING

    natural = [max(width(t) for t in texts) for texts in columns]
    if sum(natural) <= total:
        widths = [total * n // sum(natural) for n in natural]
    else:
        fixed = [n <= total * 3 // 10 for n in natural]
        minimum = [n if f else max(width(w) for t in texts for w in t.split() or [""])
                   for n, f, texts in zip(natural, fixed, columns)]
        spare = max(total - sum(minimum), 0)
        wanted = [0 if f else n - m for n, m, f in zip(natural, minimum, fixed)]
        widths = [m + (spare * w // sum(wanted) if sum(wanted) else 0) for m, w in zip(minimum, wanted)]
    widths[-1] += total - sum(widths)
    return widths


def _is_number(text: str) -> bool:
    """Return whether a table cell holds an amount, percentage or number (aligned right)."""
    return bool(re.fullmatch(r"[€\-]?[\s\u00a0]*-?[\d.,]+[\s\u00a0]*%?", text.strip()))


def build_body(agreement: Agreement, layout: Layout) -> str:
    """Return the body of ``agreement`` for a template with ``layout``: ``w:p`` and ``w:tbl`` elements as XML."""
    return to_xml(BodyWriter(agreement, layout).build())

