"""The table of contents: a Word TOC field over the article and annex headings, its entries and pages filled in.

Word rebuilds a TOC field when fields are updated (the document asks for that on opening: ``w:updateFields``),
but LibreOffice prints the entries and page numbers the field holds. So the engine writes them itself: each
entry is the heading's text with a PAGEREF field to the heading's bookmark, and its page number is estimated
from the text (:func:`estimate_pages`): line lengths at the body font's size, the spacing of the body styles,
headings kept with their text, table rows and signature blocks kept whole, page breaks where the body has them.
The estimate is deterministic (the same document gives the same numbers) and calibrated on the house template;
a template with another font or spacing shifts it.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from agreement_engine.model import Agreement, Annex, Paragraph
from agreement_engine.word import styles as st
from agreement_engine.word.ooxml import Node, el, field, field_end, field_start, hyperlink, page_break, paragraph, run, tab

#: A table of contents is included by default when the agreement is estimated at more than this many pages.
TOC_MIN_PAGES = 10
#: Heading levels listed by default: 1, the articles and annexes; 2 adds the sections of the annexes.
TOC_LEVELS = 1

# Calibration (twips at an 11 pt body font; scaled by the template's size): the average width of a character
# of Dutch text, the height of a line at the house spacing, and the spacing the body styles add.
_CHAR = 106
_LINE = 303
_SPACE_AFTER = 120
_TOC_HEADING, _TOC_AFTER = 900, 40  # the height of the contents' title, the space after each entry


@dataclass(frozen=True)
class Entry:
    """One line of the table of contents: its level, text, the bookmark of its heading and its page."""

    level: int
    text: str
    bookmark: str
    page: int


@dataclass(frozen=True)
class Geometry:
    """What the estimate needs of the template: text width and height (twips), body font size (half-points)
    and the number of pages before the body (the cover)."""

    text_width: int
    text_height: int
    font_size: int
    pages_before: int


class _Block(NamedTuple):  # a tuple: hundreds per agreement, made five times faster than a frozen dataclass
    """A piece of the body as the estimate sees it: its height, whether it may break across pages, whether it
    stays with what follows, whether it starts a page, and the bookmark of the heading it is (if any)."""

    height: int
    lines: int = 1
    split: bool = True
    keep_next: bool = False
    page_break: bool = False
    bookmark: str | None = None


def section_bookmark(annex: Annex, index: int) -> str:
    """Return the bookmark name of section ``index`` of ``annex`` (a heading the TOC may list at level 2)."""
    return f"_Toc_bijlage{annex.number}_{index}"


def _text_lines(text: str, width: int, char: int) -> int:
    """Return how many lines ``text`` takes at ``width`` twips: words wrapped whole, at least one line."""
    per_line = max(width // char, 8)
    return 1 if len(text) <= per_line else _wrapped_lines(text, per_line)


@functools.lru_cache(maxsize=1024)  # an agreement has about 400 such texts; a batch's memory stays flat
def _wrapped_lines(text: str, per_line: int) -> int:
    """Return how many lines of ``per_line`` characters ``text`` takes (kept: the same clause texts come back in
    every agreement of a batch and every time an agreement is rendered again)."""
    lines, used = 1, -1  # characters on the current line; -1: the first word needs no space before it
    for size in map(len, text.split()):
        if used + 1 + size <= per_line:
            used += 1 + size
        else:
            lines += (used >= 0) + (size - 1) // per_line
            used = (size - 1) % per_line + 1
    return lines


def _blocks(agreement: Agreement, names: dict[str, str], geometry: Geometry) -> Iterator[_Block]:
    """Yield the body of ``agreement`` in reading order as blocks (mirroring body.BodyWriter.build)."""
    scale = geometry.font_size / 22
    char, line, after = round(_CHAR * scale), round(_LINE * scale), _SPACE_AFTER
    width = geometry.text_width

    def para(text: str, indent: int = 0, space: int = after, **flags) -> _Block:
        lines = _text_lines(text, width - indent, char)
        return _Block(lines * line + space, lines, **flags)

    def texts(paragraphs: tuple[Paragraph, ...]) -> list[str]:
        return [p.text for p in paragraphs]

    phrases = agreement.phrases
    yield para(phrases.text("lead.parties"), space=360, keep_next=True)
    for text in texts(agreement.comparitie):
        yield para(text, 567)
    for text in texts(agreement.comparitie_closing):
        yield para(text)
    if agreement.recitals:
        yield para(phrases.text("lead.recitals"), space=360, keep_next=True)
        for text in texts(agreement.recitals):
            yield para(text, 567)
    yield para(phrases.text("lead.agreement"), space=360, keep_next=True)
    for article in agreement.articles:
        yield _Block(round(line * 1.1) + 480, keep_next=True, split=False, bookmark=names[article.clause_id])
        for member in article.members:
            yield para(member.body.text, 851, keep_next=bool(member.items))
            for item in member.items:
                yield para(item.text, 1418, 60)
    intro = para(agreement.signature_intro.text).height
    heights = []
    for pair in range(0, len(agreement.signature_blocks), 2):
        blocks = agreement.signature_blocks[pair:pair + 2]
        heights.append(max(480 + line + sum(840 + 3 * line for _ in b.signatories)
                           + (720 + 2 * line if agreement.signature_mode == "separately" else 0)
                           + line * (_text_lines(b.party_name, width // 2 - 284, char) - 1) for b in blocks))
    if len(heights) > 1 and len(agreement.signature_blocks) % 2:
        heights[-2:] = [heights[-2] + heights[-1]]
    for index, row_height in enumerate(heights):  # a row of the signature table: never split
        yield _Block(row_height + line + (intro if index == 0 else 0), split=False)
    table_line = round(line * 10 / 11 / 1.1) + 80
    for annex in agreement.annexes:
        yield _Block(round(line * 1.1) + 480, keep_next=True, split=False, page_break=True,
                     bookmark=names[annex.label])
        for text in texts(annex.paragraphs):
            yield para(text)
        for index, (title, bullets) in enumerate(annex.sections):
            yield _Block(line + 320, keep_next=True, split=False, bookmark=section_bookmark(annex, index))
            for text in texts(bullets):
                yield para(text, 567, 60)
        if annex.header:
            columns = len(annex.header)
            for cells in (annex.header, *(r.cells for r in annex.rows), *((annex.total,) if annex.total else ())):
                tallest = max(_text_lines(cell, width // columns - 200, round(char * 10 / 11)) for cell in cells)
                yield _Block(tallest * table_line, split=False)


def estimate_pages(agreement: Agreement, names: dict[str, str], geometry: Geometry,
                   toc_pages: int = 0) -> tuple[dict[str, int], int]:
    """Return the estimated page of each heading's bookmark and the number of the last page.

    ``toc_pages`` pages of contents come between the cover and the body.
    """
    height, page, used = geometry.text_height, geometry.pages_before + toc_pages + 1, 0
    pages: dict[str, int] = {}
    blocks = list(_blocks(agreement, names, geometry))
    for index, block in enumerate(blocks):
        needed = block.height
        if block.keep_next and index + 1 < len(blocks):  # a heading stays with the first lines of its text
            following = blocks[index + 1]
            needed += following.height if not following.split else \
                min(following.height, 2 * following.height // max(following.lines, 1))
        if used and (block.page_break or (used + needed > height and (not block.split or block.keep_next))):
            page, used = page + 1, 0
        if block.bookmark is not None:
            pages[block.bookmark] = page
        used += block.height
        while used > height:
            page, used = page + 1, used - height
    return pages, page


def entries(agreement: Agreement, names: dict[str, str], geometry: Geometry,
            levels: int = TOC_LEVELS) -> tuple[list[Entry], int]:
    """Return the entries of the table of contents down to ``levels`` and the estimated number of pages of the
    whole document with the contents."""
    phrases = agreement.phrases
    listed: list[tuple[int, str, str]] = []
    for article in agreement.articles:
        listed.append((1, phrases.text("article.heading", number=str(article.number)) + " " + article.title,
                       names[article.clause_id]))
    for annex in agreement.annexes:
        listed.append((1, phrases.text("annex.heading", number=str(annex.number), title=annex.title),
                       names[annex.label]))
        if levels >= 2:
            listed += [(2, title, section_bookmark(annex, index)) for index, (title, _) in enumerate(annex.sections)]
    per_page = max((geometry.text_height - _TOC_HEADING) // (round(_LINE * geometry.font_size / 22) + _TOC_AFTER), 10)
    toc_pages = max(math.ceil(len(listed) / per_page), 1)
    pages, last = estimate_pages(agreement, names, geometry, toc_pages)
    return [Entry(level, text, bookmark, pages[bookmark]) for level, text, bookmark in listed], last


def toc_nodes(title: str, found: list[Entry], text_width: int, levels: int) -> list[Node]:
    """Return the paragraphs of the table of contents: its title, a TOC field whose cached result is
    ``found`` (each entry a hyperlink to its heading with a PAGEREF field for the page), then a page break."""
    tabs = el("w:tabs", [el("w:tab", val="right", leader="dot", pos=text_width)])
    out = [paragraph(st.TOC_HEADING, [run(title)])]
    begin = field_start(f'TOC \\o "1-{levels}" \\h \\z \\u')
    for index, entry in enumerate(found):
        link = hyperlink(entry.bookmark, [run(entry.text), tab(),
                                          *field(f"PAGEREF {entry.bookmark} \\h", str(entry.page))])
        style = st.TOC_LEVELS[min(entry.level, len(st.TOC_LEVELS)) - 1]
        out.append(paragraph(style, [*(begin if index == 0 else []), link], tabs=tabs))
    if not found:
        out.append(paragraph(None, begin))
    out.append(paragraph(None, [field_end(), page_break()]))
    return out
