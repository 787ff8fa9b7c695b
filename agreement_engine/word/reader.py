"""Read a .docx back as plain blocks, and say what the body writer writes for each article, in the same terms.

``explain`` compares the two: :func:`read_blocks` gives a document's body as it reads now (paragraphs with
their style, list level, bookmarks, visible text and cross-references, and tables), whoever edited it and
with whatever program; :func:`written_articles` gives, for each article of an Agreement, the text of the
paragraphs the body writer makes of it. Both write a cross-reference as :data:`REFERENCE`, so that a number
that changed because an article was inserted or deleted (and fields were updated) is not an edit of the text.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from agreement_engine.errors import EngineError
from agreement_engine.files import MAX_DOCUMENT_BYTES, read_regular_file
from agreement_engine.i18n import _
from agreement_engine.model import Agreement, Paragraph, Ref, Term
from agreement_engine.word import styles as st
from agreement_engine.word.body import bookmark_names
from agreement_engine.word.ooxml import clean_text, qn
from agreement_engine.word.package import UnsafeXML, ZIP_ERRORS, read_member, safe_xml, zip_reason

#: Stands for a cross-reference in text that is compared: its number is the document's business, not the text's.
REFERENCE = "\u27e8\u2192\u27e9"
#: The most the document part of a .docx may unpack to.
MAX_BODY_BYTES = 64 * 1024 * 1024
_OTHER_SPACE = re.compile(r"[^\S ]")  # white space other than a space (as str.split sees white space)
_REF = re.compile(r"^\s*REF\s+(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """A cross-reference field as the document shows it: the bookmark it points to and its shown text."""

    target: str
    shown: str


@dataclass(frozen=True)
class Block:
    """One paragraph or table of a document's body, as it reads now.

    ``style`` is the paragraph style's id, ``style_name`` its name in lower case ("heading 1"); ``level`` and
    ``list_id`` the list level and list (w:ilvl, w:numId) when the paragraph is numbered; ``text`` what a reader
    sees (cross-references as their shown number), ``compared`` the same with every cross-reference written as
    :data:`REFERENCE`. A table is a block of kind "table" without text.
    """

    kind: str
    style: str = ""
    style_name: str = ""
    level: int | None = None
    list_id: int | None = None
    page_break: bool = False
    text: str = ""
    compared: str = ""
    bookmarks: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()

    def has_style(self, style_id: str, name: str) -> bool:
        """Return whether the paragraph is in the style with this id or this name (any language's template)."""
        return self.style == style_id or self.style_name == name.lower()


def normal(text: str) -> str:
    """Return ``text`` as it is compared: runs of white space as one space, none at either end.

    >>> normal(" Partijen  zijn\\tgehouden ")
    'Partijen zijn gehouden'
    """
    if "  " in text or _OTHER_SPACE.search(text):
        return " ".join(text.split())
    return text.strip()  # only single spaces: the common case, without splitting the text into words


# what the body writer writes ------------------------------------------------------------------------

def _texts(paragraph: Paragraph, labels: set[str]) -> tuple[str, list[str]]:
    """Return the compared text of a paragraph as the body writer writes it, and the numbers its references show."""
    compared, numbers = [], []
    for segment in paragraph.segments:
        if isinstance(segment, str):  # most segments: text
            compared.append(clean_text(segment))
        elif isinstance(segment, Term):
            compared.append(clean_text(segment.text))
        elif segment.label in labels:
            compared.append(REFERENCE)
            numbers.append(segment.number)
        else:
            compared.append(segment.number)
    return "".join(compared), numbers


def article_hash(paragraphs: list[str]) -> str:
    """Return the SHA-256 of an article's compared paragraph texts (heading first), as explain recomputes it."""
    return hashlib.sha256("\n".join(normal(p) for p in paragraphs).encode("utf-8")).hexdigest()


def written_articles(agreement: Agreement) -> list[dict]:
    """Return, per article, what the body writer writes: id, number, title, bookmark, paragraphs and a hash.

    Each paragraph is ``{"member": "9.2" or None, "text": ..., "references": [...]}``: the heading first, then
    every member and the items under it. ``text`` is the compared text (each cross-reference written as
    :data:`REFERENCE`), ``references`` the numbers those references show, in order (see :func:`shown_text`).
    ``sha256`` is :func:`article_hash` of the compared texts.
    """
    labels = {label for label, _number in agreement.labels}
    names = bookmark_names(labels)
    out = []
    for article in agreement.articles:
        paragraphs = [{"member": None, "text": clean_text(article.title)}]
        for member in article.members:
            for paragraph in (member.body, *member.items):
                compared, numbers = _texts(paragraph, labels)
                paragraphs.append({"member": member.number, "text": compared,
                                   **({"references": numbers} if numbers else {})})
        out.append({"id": article.clause_id, "variant": article.variant_id, "number": article.number,
                    "title": article.title, "bookmark": names.get(article.clause_id),
                    "sha256": article_hash([p["text"] for p in paragraphs]), "paragraphs": paragraphs})
    return out


def shown_text(compared: str, numbers: list[str]) -> str:
    """Return the text a reader saw: the compared text with each cross-reference written as its number.

    >>> shown_text("als bedoeld in artikel \u27e8\u2192\u27e9", ["16.2"])
    'als bedoeld in artikel 16.2'
    """
    parts = compared.split(REFERENCE)
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out += [numbers[index] if index < len(numbers) else "?", part]
    return "".join(out)


# what a document reads ------------------------------------------------------------------------------

def read_blocks(source: str | Path | bytes) -> list[Block]:
    """Return the body of the .docx at ``source`` (a path or the bytes) as blocks, in reading order.

    Nothing is trusted: the package and its parts are read in bounded chunks and parsed without DTD or
    entities; an EngineError says what is wrong.
    """
    name = str(source) if isinstance(source, (str, Path)) else _("het document")
    data = read_regular_file(source, MAX_DOCUMENT_BYTES) if isinstance(source, (str, Path)) else source
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            body = _part(package, "word/document.xml", name)
            styles = _part(package, "word/styles.xml", name, required=False)
    except EngineError:
        raise
    except ZIP_ERRORS as exc:
        raise EngineError(_("{file}: geen leesbaar Word-document (.docx): {reason}").format(
            file=name, reason=zip_reason(exc))) from exc
    names = _style_names(styles) if styles is not None else {}
    element = body.find(qn("w:body"))
    if element is None:
        raise EngineError(_("{file}: het document heeft geen tekst (word/document.xml zonder w:body)").format(file=name))
    return [_block(child, names) for child in _blocks(element)]


def _part(package: zipfile.ZipFile, part: str, name: str, required: bool = True) -> etree._Element | None:
    try:
        info = package.getinfo(part)
    except KeyError:
        if not required:
            return None
        raise EngineError(_("{file}: het document mist het onderdeel {part}").format(file=name, part=part)) from None
    try:
        return safe_xml(read_member(package, info, MAX_BODY_BYTES))
    except OverflowError:
        raise EngineError(_("{file}: het onderdeel {part} is uitgepakt te groot").format(file=name, part=part)) from None
    except (UnsafeXML, etree.XMLSyntaxError):
        raise EngineError(_("{file}: het onderdeel {part} is geen leesbare XML").format(file=name, part=part)) from None


def _style_names(styles: etree._Element) -> dict[str, str]:
    names = {}
    for style in styles.iter(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None:
            names[style.get(qn("w:styleId"), "")] = (name.get(qn("w:val")) or "").lower()
    return names


def _blocks(container: etree._Element) -> Iterator[etree._Element]:
    """Yield the paragraphs and tables of ``container``, inside content controls too."""
    for child in container:
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins"), qn("w:moveTo")):
            yield from _blocks(child)


def _block(element: etree._Element, names: dict[str, str]) -> Block:
    if element.tag == qn("w:tbl"):
        return Block("table")
    properties = element.find(qn("w:pPr"))
    style, level, list_id, page_break = "", None, None, False
    if properties is not None:
        style_element = properties.find(qn("w:pStyle"))
        style = style_element.get(qn("w:val"), "") if style_element is not None else ""
        numbering = properties.find(qn("w:numPr"))
        if numbering is not None:
            level = _int(numbering.find(qn("w:ilvl")), 0)
            list_id = _int(numbering.find(qn("w:numId")), None)
        flag = properties.find(qn("w:pageBreakBefore"))
        page_break = flag is not None and flag.get(qn("w:val"), "true") not in ("0", "false", "off")
    reading = _Reading()
    reading.walk(element)
    return Block("paragraph", style, names.get(style, ""), level, list_id, page_break or reading.page_break,
                 "".join(reading.shown), "".join(reading.compared), tuple(reading.bookmarks),
                 tuple(reading.references))


def _int(element: etree._Element | None, default: int | None) -> int | None:
    try:
        return int(element.get(qn("w:val"))) if element is not None else default
    except (TypeError, ValueError):
        return default


@dataclass
class _Field:
    code: str = ""
    separated: bool = False
    target: str | None = None  # the bookmark of a REF field, or of a REF nested in this field's code
    shown: list[str] = field(default_factory=list)


#: Subtrees whose text no reader sees in the paragraph: deletions, moved-away text, properties, text boxes.
_SKIP = {qn(tag) for tag in ("w:del", "w:moveFrom", "w:pPr", "w:rPr", "w:txbxContent", "w:delText",
                             "w:delInstrText", "w:fldData")}
_CHARACTERS = {qn("w:tab"): "\t", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-", qn("w:softHyphen"): ""}


class _Reading:
    """Walk one paragraph: the text it shows, bookmarks, and its cross-reference fields with their results."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.compared: list[str] = []
        self.bookmarks: list[str] = []
        self.references: list[Reference] = []
        self.page_break = False
        self.fields: list[_Field] = []

    def walk(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            if tag == qn("w:fldSimple"):
                self._begin()
                self.fields[-1].code = child.get(qn("w:instr"), "")
                self._separate()
                self.walk(child)
                self._end()
            elif tag == qn("w:fldChar"):
                kind = child.get(qn("w:fldCharType"))
                if kind == "begin":
                    self._begin()
                elif kind == "separate" and self.fields:
                    self._separate()
                elif kind == "end" and self.fields:
                    self._end()
            elif tag == qn("w:instrText"):
                if self.fields and not self.fields[-1].separated:
                    self.fields[-1].code += child.text or ""
            elif tag == qn("w:t"):
                self._text(child.text or "")
            elif tag in _CHARACTERS:
                self._text(_CHARACTERS[tag])
            elif tag == qn("w:br"):
                if child.get(qn("w:type")) == "page":
                    # a page break before any text starts the paragraph on a new page, as pageBreakBefore does
                    # (LibreOffice writes it so); one after the text only moves what follows
                    self.page_break = self.page_break or not "".join(self.shown).strip()
                else:
                    self._text("\n")
            elif tag == qn("w:bookmarkStart"):
                self.bookmarks.append(child.get(qn("w:name"), ""))
            else:
                self.walk(child)

    def _begin(self) -> None:
        self.fields.append(_Field())

    def _separate(self) -> None:
        current = self.fields[-1]
        current.separated = True
        match = _REF.match(current.code)
        if match:
            current.target = match.group(1)

    def _end(self) -> None:
        done = self.fields.pop()
        if done.target is None:
            match = _REF.match(done.code)
            done.target = match.group(1) if match else None
        if done.separated and done.target is not None and self._visible():
            shown = "".join(done.shown)
            self.references.append(Reference(done.target, shown))
            self.shown.append(shown)
            self.compared.append(REFERENCE)
        elif done.target is not None and self.fields and not self.fields[-1].separated:
            self.fields[-1].target = self.fields[-1].target or done.target  # a REF in a QUOTE's code
        elif done.separated and self._visible():
            text = "".join(done.shown)
            self._text(text)

    def _visible(self) -> bool:
        return all(f.separated for f in self.fields)

    def _text(self, text: str) -> None:
        if not self._visible():
            return
        if self.fields:
            self.fields[-1].shown.append(text)  # a field's result is placed when the field ends
        else:
            self.shown.append(text)
            self.compared.append(text)


# the articles of a document ---------------------------------------------------------------------------

#: Paragraph styles that never belong to an article: what precedes and follows the articles.
_OUTSIDE = tuple((style, st.DEFINITIONS[style][0]) for style in (st.TEXT, st.SIGNATURE, st.LEAD, st.PARTY,
                                                                   st.RECITAL, st.SUBHEADING))


def _heading(block: Block) -> bool:
    return block.kind == "paragraph" and block.has_style(st.HEADING, st.DEFINITIONS[st.HEADING][0])


def article_regions(blocks: list[Block]) -> list[list[Block]]:
    """Return the articles of a document: per article its heading and the paragraphs under it, in order.

    An article heading is a paragraph in the heading style (by id, or by name as any language's Word names it)
    that is numbered in a list; an annex heading is not numbered. An article runs to the next heading, a
    table, a page break, or a paragraph in a style that is never part of an article (the signature lead-in).
    """
    numbered = [i for i, block in enumerate(blocks) if _heading(block) and block.list_id not in (None, 0)]
    if not numbered:  # headings numbered otherwise: those before the first table (the signatures)
        first_table = next((i for i, block in enumerate(blocks) if block.kind == "table"), len(blocks))
        numbered = [i for i, block in enumerate(blocks[:first_table]) if _heading(block)]
    regions = []
    for start in numbered:
        region = [blocks[start]]
        for block in blocks[start + 1:]:
            if (block.kind == "table" or _heading(block) or block.page_break
                    or any(block.has_style(style, name) for style, name in _OUTSIDE)):
                break
            region.append(block)
        regions.append(region)
    return regions


def member_level(block: Block, heading: Block) -> bool:
    """Return whether ``block`` is a numbered member ("9.2") in the list of the article ``heading``."""
    return block.level == 1 and (heading.list_id is None or block.list_id == heading.list_id)
