"""The engine's list definitions (articles, comparitie, recitals, bullets) in a template's numbering part.

Articles, members and items form one multi-level list, so the numbers Word computes follow the document:
level 0 on the article headings, counting them without a label of its own (the heading's text says "Artikel 7",
its number a SEQ field that Word and LibreOffice both renumber and a reference can quote), level 1 "%1.%2" on the
members, level 2 "%3." (a., b., ...) on the items of a member, level 3 "(%4)" (i), (ii) in reserve.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from agreement_engine.word.ooxml import el, element, qn, val

# (numFmt, lvlText, suffix, left indent, hanging indent) per level, in twentieths of a point.
_ARTICLE = (("decimal", "", "nothing", 0, 0),
            ("decimal", "%1.%2", "tab", 851, 851),
            ("lowerLetter", "%3.", "tab", 1418, 567),
            ("lowerRoman", "(%4)", "tab", 1985, 567))
_COMPARITIE = (("decimal", "%1.", "tab", 567, 567),)
_RECITALS = (("upperLetter", "(%1)", "tab", 567, 567),)
_BULLETS = (("bullet", "\u2013", "tab", 567, 283),)
#: The level texts of the article list.
ARTICLE_LEVELS = tuple(level[1] for level in _ARTICLE)


@dataclass(frozen=True)
class Lists:
    """The w:numId of each list the body uses."""

    articles: int
    comparitie: int
    recitals: int
    bullets: int


def _abstract(abstract_id: int, nsid: str, levels: tuple) -> etree._Element:
    kind = "multilevel" if len(levels) > 1 else "singleLevel"
    children = [val("w:nsid", nsid), val("w:multiLevelType", kind)]
    for ilvl, (fmt, text, suffix, left, hanging) in enumerate(levels):
        children.append(el("w:lvl", [val("w:start", 1), val("w:numFmt", fmt),
                                     *([val("w:suff", suffix)] if suffix != "tab" else []),
                                     val("w:lvlText", text), val("w:lvlJc", "left"),
                                     el("w:pPr", [el("w:ind", left=left, hanging=hanging)])], ilvl=ilvl))
    return element(el("w:abstractNum", children, abstractNumId=abstract_id))


def list_ids(numbering: etree._Element) -> Lists:
    """Return the ids :func:`add_lists` gives the engine's lists in ``numbering`` (a ``w:numbering`` element)."""
    first = max((int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))), default=0) + 1
    return Lists(first, first + 1, first + 2, first + 3)


def add_lists(numbering: etree._Element) -> Lists:
    """Add the engine's lists to ``numbering`` (a ``w:numbering`` element) with fresh ids."""
    abstracts = numbering.findall(qn("w:abstractNum"))
    nums = numbering.findall(qn("w:num"))
    next_abstract = max((int(a.get(qn("w:abstractNumId"))) for a in abstracts), default=-1) + 1
    next_num = max((int(n.get(qn("w:numId"))) for n in nums), default=0) + 1
    # abstractNum elements precede every num element (CT_Numbering)
    anchor = abstracts[-1] if abstracts else None
    ids = []
    for offset, levels in enumerate((_ARTICLE, _COMPARITIE, _RECITALS, _BULLETS)):
        abstract = _abstract(next_abstract + offset, f"4145{offset:04X}", levels)
        if anchor is None:
            pictures = numbering.findall(qn("w:numPicBullet"))
            numbering.insert(len(pictures), abstract)
        else:
            anchor.addnext(abstract)
        anchor = abstract
        num = element(el("w:num", [val("w:abstractNumId", next_abstract + offset)], numId=next_num + offset))
        cleanup = numbering.find(qn("w:numIdMacAtCleanup"))
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            numbering.append(num)
        ids.append(next_num + offset)
    return Lists(*ids)
