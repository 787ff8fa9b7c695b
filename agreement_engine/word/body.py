"""The body of the agreement as WordprocessingML: parts, articles, references, signatures, annexes.

One writer serves both outputs: an agreement on its own, and the new agreement of a comparison with what
changed since the old one as tracked changes (``w:ins``/``w:del`` with author and date, deleted text as
``w:delText``, a paragraph or table row inserted or deleted whole with its mark tracked too). An agreement
on its own is written as compared with itself, so nothing is marked.

Cross-references are live fields whose cached result is already the number the model resolved:

- a member: ``REF <bookmark> \\r \\h`` to the bookmarked member paragraph; Word and LibreOffice both
  compute "7.2" from level "%1.%2";
- an article: ``REF <bookmark> \\h`` to a bookmark around the number alone in the heading "Artikel 7 ...";
  that number is a ``SEQ`` field (the heading's list level counts the articles for the members' "7.2" but
  shows no label), so Word and LibreOffice both renumber the headings and the references when an article
  is inserted or deleted;
- an annex: ``REF <bookmark> \\h`` to a bookmark around the number in the heading "Bijlage 2 – ...".

Every fixed word (lead texts, signature labels, annex headings) is a phrase of the agreement's language.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from agreement_engine.compare import (
    Change,
    Pair,
    annexes,
    articles,
    members,
    paragraphs,
    rows,
    sections,
    words,
)
from agreement_engine.model import (
    Agreement,
    Annex,
    Article,
    Member,
    Paragraph,
    Ref,
    Segment,
    SignatureBlock,
    Term,
)
from agreement_engine.phrases import Phrases
from agreement_engine.word import styles as st
from agreement_engine.word.numbering import Lists
from agreement_engine.word.ooxml import (
    Node,
    Raw,
    bookmark,
    el,
    field,
    paragraph,
    revision,
    run,
    run_xml,
    to_xml,
)
from agreement_engine.word.toc import section_bookmark
from agreement_engine.word.tables import HEADER_FILL, SIGNATURE_INDENT, Cell, column_widths, is_number, row, table

DEFINITIONS_LABEL = "definities.lijst"
ARTICLE_SEQUENCE = "Artikel"  # the name of the SEQ field that numbers the article headings
_MAX_BOOKMARK = 40
_SIGNING_LINE = "_" * 34
_FILL_IN = 30  # characters of a label and its line to fill in ("Plaats: ______")
_NAME_CHAR_WIDTH = 125  # twips: a character of a name at 11 pt, with room to spare (capitals, initials)
_NUMBER = object()  # stands for the annex number in its heading phrase
_Line = tuple[str, bool, "dict | None"]  # a line of a signature block: text, bold, spacing
_Row = tuple[str, tuple[str, ...]]  # an annex table row: "header", "row" or "total", and its cells
T = TypeVar("T")


@dataclass(frozen=True)
class Layout:
    """What the body needs to know about the template: its lists, text width and free bookmark ids."""

    lists: Lists
    text_width: int
    first_bookmark_id: int


@dataclass(frozen=True)
class Revision:
    """Who made the tracked changes and when (W3CDTF, e.g. "2026-12-15T00:00:00Z")."""

    author: str
    date: str


def bookmark_names(labels: Iterable[str]) -> dict[str, str]:
    """Return a stable, valid Word bookmark name for each label ("uittreding.opzegging" -> "ref_uittreding_opzegging").

    Names start with a letter, hold only letters, digits and underscores and have at most 40 characters;
    a name that would be too long or taken ends in a hash of its label.

    >>> bookmark_names(["uittreding.opzegging", "uittreding_opzegging"])
    {'uittreding.opzegging': 'ref_uittreding_opzegging', 'uittreding_opzegging': 'ref_uittreding_opzegging_b5f5ce00'}
    """
    return dict(_bookmark_names(frozenset(labels)))  # a copy: the cached one stays as it is


@functools.lru_cache(maxsize=64)
def _bookmark_names(labels: frozenset[str]) -> dict[str, str]:
    """Return :func:`bookmark_names` of ``labels`` (kept: the body, the contents and the manifest each ask)."""
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
    """Write the new agreement's body as ``w:p`` and ``w:tbl`` elements, with what changed since the old one."""

    def __init__(self, old: Agreement, new: Agreement, layout: Layout, revision: Revision | None = None) -> None:
        self.old = old
        self.new = new
        self.layout = layout
        self.lists = layout.lists
        self.revision = revision
        self.phrases = new.phrases
        both = (old, new)
        self.names = bookmark_names({label for a in both for label, _ in a.labels})
        self.articles = {article.clause_id for a in both for article in a.articles}
        self.annexes = {annex.label for a in both for annex in a.annexes}
        self._next_id = layout.first_bookmark_id
        self._references: dict[Ref, str] = {}  # the XML of each cross-reference, made once

    def build(self) -> list[Node]:
        """Return the body elements in reading order."""
        both = Pair(self.old, self.new)
        phrase = self.phrases.text
        out = [self._lead(both.map(lambda _: phrase("lead.parties")))]
        out += [self._para(p, st.PARTY, numPr=(self.lists.comparitie, 0))
                for p in paragraphs(both.map(lambda a: a.comparitie))]
        out += [self._para(p, st.TEXT) for p in paragraphs(both.map(lambda a: a.comparitie_closing))]
        recitals = paragraphs(both.map(lambda a: a.recitals))
        if recitals:
            out.append(self._lead(both.map(lambda a: phrase("lead.recitals") if a.recitals else None)))
            out += [self._para(p, st.RECITAL, numPr=(self.lists.recitals, 0)) for p in recitals]
        out.append(self._lead(both.map(lambda _: phrase("lead.agreement"))))
        for article in articles(both.map(lambda a: a.articles)):
            out += self._article(article)
        out += self._signatures()
        for annex in annexes(both.map(lambda a: a.annexes)):
            out += self._annex(annex)
        return out

    # text -----------------------------------------------------------------------------------------

    def _new_id(self) -> int:
        """Return a fresh id for a bookmark or a tracked change (one sequence, so ids never clash)."""
        self._next_id += 1
        return self._next_id - 1

    def _runs(self, text: Pair[Paragraph] | Pair[str], *, bold: bool = False) -> list[Node]:
        """Return the runs of a text pair: unchanged words as they are, the rest inside w:ins or w:del."""
        if text.old is text.new and text.old is not None:
            # unchanged (an agreement on its own): no words to diff, and runs that are never deleted need no
            # nodes of their own: their XML is written at once
            return [Raw(self._text_xml(text.old, bold))]
        old, new = (Paragraph((t,)) if isinstance(t, str) else t for t in (text.old, text.new))
        out: list[Node] = []
        for change, pieces in itertools.groupby(words(old, new), key=lambda piece: piece[1]):
            runs = [r for segment, _ in pieces for r in segment_runs(segment, bold, self._reference)]
            out += runs if change is Change.SAME else [self._tracked(change, runs)]
        return out

    def _text_xml(self, text: Paragraph | str, bold: bool) -> str:
        """Return the XML of the runs of ``text`` as :func:`segment_runs` writes them."""
        if isinstance(text, str):
            return run_xml(text, bold=bold)
        out = []
        for segment in text.segments:
            if isinstance(segment, str):
                out.append(run_xml(segment, bold=bold))
            elif isinstance(segment, Term):
                out.append(run_xml(segment.text, bold=True))
            else:
                xml = self._references.get(segment)
                if xml is None:
                    xml = self._references[segment] = to_xml(self._reference(segment))
                out.append(xml)
        return "".join(out)

    def _reference(self, ref: Ref) -> list[Node]:
        name = self.names.get(ref.label)
        if name is None:
            return [run(ref.number)]
        if ref.label in self.articles or ref.label in self.annexes:
            return field(f"REF {name} \\h", ref.number)
        return field(f"REF {name} \\r \\h", ref.number)

    def _tracked(self, change: Change, children: Sequence[Node] = ()) -> Node:
        """Return a w:ins or w:del of this revision around ``children`` (none: the mark of a paragraph or row)."""
        tag = "w:ins" if change is Change.INSERTED else "w:del"
        return revision(tag, self._new_id(), self.revision.author, self.revision.date, children)

    def _mark(self, change: Change) -> Node | None:
        """Return the w:rPr that tracks a paragraph mark inserted or deleted whole (None when unchanged)."""
        return None if change is Change.SAME else el("w:rPr", [self._tracked(change)])

    def _para(self, text: Pair[Paragraph], style: str, **props) -> Node:
        return paragraph(style, self._runs(text), rPr=self._mark(text.change), **props)

    def _lead(self, text: Pair[str]) -> Node:
        return paragraph(st.LEAD, self._runs(text), rPr=self._mark(text.change))

    def _both(self, function: Callable[[Agreement], T]) -> Pair[T]:
        """Return ``function`` of the old and the new agreement, computed once when they are the same."""
        old = function(self.old)
        return Pair(old, old if self.new is self.old else function(self.new))

    # articles -------------------------------------------------------------------------------------

    def _article_heading(self, article: Article) -> tuple[str, str]:
        """Return the text of an article heading before and after its number ("Artikel ", " Duur")."""
        parts = self.phrases.parts("article.heading", number=_NUMBER)
        at = parts.index(_NUMBER)
        return "".join(parts[:at]), "".join(parts[at + 1:]) + " " + article.title

    def _article(self, article: Pair[Article]) -> list[Node]:
        heading = paragraph(st.HEADING, self._runs(article.map(lambda a: self._article_heading(a)[0])),
                            numPr=(self.lists.articles, 0), rPr=self._mark(article.change))
        if self.old is self.new:
            number = field(f"SEQ {ARTICLE_SEQUENCE} \\* ARABIC", str(article.either.number))
        else:  # a comparison shows the old and the new number as text, the change tracked
            number = self._runs(article.map(lambda a: str(a.number)))
        bookmark(heading, self.names[article.either.clause_id], self._new_id(), number)
        heading.extend(self._runs(article.map(lambda a: self._article_heading(a)[1])))
        out = [heading]
        for member in members(article.map(lambda a: a.members)):
            out += self._member(member)
        return out

    def _member(self, member: Pair[Member]) -> list[Node]:
        current = member.either
        p = paragraph(st.MEMBER, keepNext=bool(current.items), numPr=(self.lists.articles, 1),
                      rPr=self._mark(member.change))
        runs = self._runs(member.map(lambda m: m.body))
        if current.label in self.names:
            bookmark(p, self.names[current.label], self._new_id(), runs)
        else:
            p.extend(runs)
        items = paragraphs(member.map(lambda m: m.items))
        if current.label == DEFINITIONS_LABEL:
            return [p, *(self._para(item, st.DEFINITION) for item in items)]
        return [p, *(self._para(item, st.ITEM, numPr=(self.lists.articles, 2)) for item in items)]

    # signatures -----------------------------------------------------------------------------------

    def _signatures(self) -> list[Node]:
        """Return the closing sentence and the signature blocks, two a row.

        In an agreement on its own the blocks are rows of a one-column table whose rows never break across
        pages: the closing sentence shares the first row with the first blocks, so it follows the last article
        and never leaves them, and a last block without a neighbour shares a row with the two blocks before it,
        so no block stands alone on the last page. A comparison keeps the blocks in one two-column table (rows
        inserted or deleted whole) and starts the closing sentence on a new page.
        """
        half = self.layout.text_width // 2
        pairs = rows(self._both(self._signature_rows), cells=lambda r: [[line[0] for line in c] for c in r])
        compared = self.old is not self.new
        intro = self._para(self._both(lambda a: a.signature_intro), st.TEXT, keepNext=compared,
                           pageBreakBefore=compared)
        if compared:
            table_rows = [self._row([(self._signature_cell(pair.map(lambda r: r[c])), half, None) for c in range(2)],
                                    change=pair.change) for pair in pairs]
            return [intro, table([half, half], table_rows, borders=False)]
        width = self.layout.text_width
        inner = (width - SIGNATURE_INDENT) // 2
        groups = [[pair] for pair in pairs]
        if len(groups) > 1 and not groups[-1][0].either[1]:
            groups[-2:] = [groups[-2] + groups[-1]]
        outer = []
        for index, group in enumerate(groups):
            blocks = table([inner, inner], [self._row([(self._signature_cell(pair.map(lambda r: r[c])), inner, None)
                                                       for c in range(2)]) for pair in group], borders=False)
            outer.append(self._row([([*([intro] if index == 0 else []), blocks, paragraph(st.SIGNATURE)], width, None)]))
        return [table([width], outer, borders=False)]

    def _signature_rows(self, agreement: Agreement) -> list[tuple[tuple[_Line, ...], ...]]:
        """Return the signature table of ``agreement``: two blocks a row, an empty cell after an odd last one."""
        column = ((self.layout.text_width - SIGNATURE_INDENT) // 2 - SIGNATURE_INDENT) // _NAME_CHAR_WIDTH
        blocks = [self._signature_block(b, agreement.signature_mode, self.phrases, column)
                  for b in agreement.signature_blocks]
        if len(blocks) % 2:
            blocks.append(())
        return [(blocks[i], blocks[i + 1]) for i in range(0, len(blocks), 2)]

    @staticmethod
    def _signature_block(block: SignatureBlock, mode: str, phrases: Phrases, column: int) -> tuple[_Line, ...]:
        """Return the lines of one party's block; the style keeps them together on one page and never hyphenates.

        A signatory's name that surely fits on a line of the ``column`` (characters) is held together by no-break
        spaces and hyphens, so that a long line breaks before the name, never inside it; a longer name breaks
        between its words.
        """
        lines: list[_Line] = [(block.party_name, True, {"before": 480})]
        if mode == "separately":
            lines += [(f"{phrases.text(label)} ".ljust(_FILL_IN, "_"), False, {"before": 360})
                      for label in ("signature.place", "signature.date")]
        for signatory in block.signatories:
            lines += [(_SIGNING_LINE, False, {"before": 840}),
                      (phrases.text("signature.name", name=_unbroken(signatory.name, column)), False, None),
                      (phrases.text("signature.function", function=signatory.function), False, None)]
        return tuple(lines)

    def _signature_cell(self, cell: Pair[tuple[_Line, ...]]) -> list[Node]:
        """Return the paragraphs of a cell; the cells of a row pair line by line (rows pair only when they fit)."""
        lines = [Pair(*(side[n] if side is not None else None for side in (cell.old, cell.new)))
                 for n in range(len(cell.either))]
        return [paragraph(st.SIGNATURE, self._runs(line.map(lambda x: x[0]), bold=line.either[1]),
                          spacing=line.either[2]) for line in lines] or [paragraph(st.SIGNATURE)]

    # annexes --------------------------------------------------------------------------------------

    def _annex_heading(self, annex: Annex) -> tuple[str, str]:
        """Return the text of an annex heading before and after its number ("Bijlage ", " – Verdeelsleutel")."""
        parts = self.phrases.parts("annex.heading", number=_NUMBER, title=annex.title)
        at = parts.index(_NUMBER)
        return "".join(parts[:at]), "".join(parts[at + 1:])

    def _annex(self, annex: Pair[Annex]) -> list[Node]:
        heading = paragraph(st.HEADING, self._runs(annex.map(lambda a: self._annex_heading(a)[0])),
                            pageBreakBefore=True, numPr=(0, 0), rPr=self._mark(annex.change))
        bookmark(heading, self.names[annex.either.label], self._new_id(),
                 self._runs(annex.map(lambda a: str(a.number))))
        heading.extend(self._runs(annex.map(lambda a: self._annex_heading(a)[1])))
        out = [heading]
        out += [self._para(p, st.TEXT) for p in paragraphs(annex.map(lambda a: a.paragraphs))]
        for index, section in enumerate(sections(annex.map(lambda a: a.sections))):
            heading = paragraph(st.SUBHEADING, rPr=self._mark(section.change))
            bookmark(heading, section_bookmark(annex.either, index), self._new_id(),
                     self._runs(section.map(lambda s: s[0])))
            out.append(heading)
            out += [self._para(p, st.BULLET, numPr=(self.lists.bullets, 0))
                    for p in paragraphs(section.map(lambda s: s[1]))]
        if annex.either.header:
            out.append(self._annex_table(annex))
        return out

    def _annex_table(self, annex: Pair[Annex]) -> Node:
        columns = len(annex.either.header)
        table_rows = rows(annex.map(_annex_rows), cells=lambda r: [[value] for value in r[1]])
        texts = [side for pair in table_rows for side in (pair.old, pair.new) if side is not None]
        # a changed cell shows its old and its new text one after the other
        shown = [tuple(a if a == b else a + b for a, b in zip(pair.old[1], pair.new[1]))
                 if pair.old is not None and pair.new is not None else pair.either[1] for pair in table_rows]
        widths = column_widths([[values[c] for values in shown if c < len(values)] for c in range(columns)],
                               self.layout.text_width)
        body = [values for role, values in texts if role == "row"]
        numeric = [all(is_number(values[c]) for values in body if c < len(values)) and bool(body)
                   for c in range(columns)]

        def cells(pair: Pair[_Row]) -> list[Cell]:
            role = pair.either[0]
            values = pair.map(lambda r: (tuple(r[1]) + ("",) * columns)[:columns])
            return [([paragraph(st.TABLE_TEXT, self._runs(values.map(lambda v: v[c]), bold=role != "row"),
                                jc="right" if numeric[c] else None)],
                     widths[c], HEADER_FILL if role == "header" else None) for c in range(columns)]

        return table(widths, [self._row(cells(pair), header=pair.either[0] == "header", change=pair.change)
                              for pair in table_rows], borders=True)

    # tables ---------------------------------------------------------------------------------------

    def _row(self, cells: list[Cell], *, header: bool = False, change: Change = Change.SAME) -> Node:
        """Return a table row that never breaks across pages, tracked when it is inserted or deleted whole."""
        mark = [] if change is Change.SAME else [self._tracked(change)]
        return row(cells, header=header, mark=mark)


def segment_runs(segment: Segment, bold: bool = False,
                 reference: Callable[[Ref], list[Node]] | None = None) -> list[Node]:
    """Return the runs of one segment: a defined term bold, a reference as ``reference`` writes it (else its number)."""
    if isinstance(segment, Ref):
        return reference(segment) if reference else [run(segment.number, bold=bold)]
    if isinstance(segment, Term):
        return [run(segment.text, bold=True)]
    return [run(segment, bold=bold)]


def _unbroken(text: str, column: int) -> str:
    """Return ``text`` with no-break spaces and hyphens when it fits in ``column`` characters, else as it is.

    >>> _unbroken("mevrouw F. (Fenna) Schuurman", 40)
    'mevrouw\xa0F.\xa0(Fenna)\xa0Schuurman'
    >>> _unbroken("mevrouw F. (Fenna) Schuurman", 20)
    'mevrouw F. (Fenna) Schuurman'
    """
    return text.replace(" ", "\u00a0").replace("-", "\u2011") if len(text) <= column else text


def _annex_rows(annex: Annex) -> list[_Row]:
    return ([("header", annex.header)] + [("row", r.cells) for r in annex.rows]
            + ([("total", annex.total)] if annex.total else []))


def build_body(agreement: Agreement, layout: Layout) -> str:
    """Return the body of ``agreement`` for a template with ``layout``: ``w:p`` and ``w:tbl`` elements as XML."""
    return to_xml(BodyWriter(agreement, agreement, layout).build())


def build_redline_body(old: Agreement, new: Agreement, layout: Layout, revision: Revision) -> str:
    """Return the body of ``new`` with what changed since ``old`` as tracked changes of ``revision``, as XML."""
    return to_xml(BodyWriter(old, new, layout, revision).build())

