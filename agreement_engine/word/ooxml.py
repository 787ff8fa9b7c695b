"""WordprocessingML building blocks: namespaces, elements, text runs and fields, with safe text."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from lxml import etree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
W = NS["w"]

# Characters that XML 1.0 forbids (and lone surrogates); tab, line feed and carriage return are handled.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile(r"(\t|\n)")

# Schema order of the paragraph properties this package writes (CT_PPrBase).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr", "tabs",
              "spacing", "ind", "jc", "outlineLvl", "rPr")


@functools.cache
def qn(tag: str) -> str:
    """Return the Clark name of ``prefix:local`` ("w:p" -> "{...main}p").

    >>> qn("w:p")
    '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p'
    """
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


_NSMAP = {"w": W}


def el(tag: str, children: Iterable[etree._Element] = (), **attrs: str | int) -> etree._Element:
    """Return a new element ``tag`` with ``w:``-attributes ``attrs`` and ``children``."""
    element = etree.Element(qn(tag), {qn(f"w:{name}"): str(value) for name, value in attrs.items()}, nsmap=_NSMAP)
    element.extend(children)
    return element


def val(tag: str, value: str | int) -> etree._Element:
    """Return ``<tag w:val="value"/>``."""
    return el(tag, val=value)


def clean_text(text: str) -> str:
    r"""Return ``text`` without the characters XML cannot carry; line ends become ``\n``.

    >>> clean_text("A\x00B\r\nC\rD\x1fE")
    'AB\nC\nDE'
    """
    return _FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def run(text: str, *, bold: bool = False) -> etree._Element:
    r"""Return a ``w:r`` showing ``text`` exactly, tabs as ``w:tab`` and line feeds as ``w:br``.

    >>> from lxml import etree
    >>> etree.tostring(run("a & <b> \tc")).decode().split('main">')[1]
    '<w:t xml:space="preserve">a &amp; &lt;b&gt; </w:t><w:tab/><w:t>c</w:t></w:r>'
    """
    r = el("w:r")
    if bold:
        r.append(el("w:rPr", [el("w:b"), el("w:bCs")]))
    text = clean_text(text)
    for part in _BREAKS.split(text) if "\t" in text or "\n" in text else (text,):
        if part == "\t":
            r.append(el("w:tab"))
        elif part == "\n":
            r.append(el("w:br"))
        elif part:
            t = el("w:t")
            t.text = part
            if part != part.strip():
                t.set(qn("xml:space"), "preserve")
            r.append(t)
    return r


def paragraph(style: str | None = None, runs: Iterable[etree._Element] = (), **props) -> etree._Element:
    """Return a ``w:p`` in ``style`` with paragraph properties ``props`` and ``runs``.

    ``props`` maps property names to elements, True (an empty flag element) or values:
    ``numPr=(numId, ilvl)``, ``jc="center"``, ``spacing={"before": 0}``, ``ind={"left": 851}``.
    """
    p = el("w:p")
    ppr = properties(style, **props)
    if len(ppr):
        p.append(ppr)
    p.extend(runs)
    return p


def properties(style: str | None = None, **props) -> etree._Element:
    """Return a ``w:pPr`` with its children in schema order."""
    children: dict[str, etree._Element] = {}
    if style:
        children["pStyle"] = val("w:pStyle", style)
    for name, value in props.items():
        if value is None or value is False:
            continue
        if name == "numPr":
            num_id, ilvl = value
            children[name] = el("w:numPr", [val("w:ilvl", ilvl), val("w:numId", num_id)])
        elif isinstance(value, etree._Element):
            children[name] = value
        elif value is True:
            children[name] = el(f"w:{name}")
        elif isinstance(value, dict):
            children[name] = el(f"w:{name}", **value)
        else:
            children[name] = val(f"w:{name}", value)
    return el("w:pPr", [children[n] for n in _PPR_ORDER if n in children])


def bookmark(p: etree._Element, name: str, ident: int, runs: Iterable[etree._Element]) -> None:
    """Append ``runs`` to paragraph ``p`` inside a bookmark ``name``."""
    p.append(el("w:bookmarkStart", id=ident, name=name))
    p.extend(runs)
    p.append(el("w:bookmarkEnd", id=ident))


def field(instruction: str, result: str | None) -> list[etree._Element]:
    """Return the runs of a complex field; without ``result`` the field has no cached result."""
    instr = el("w:instrText")
    instr.text = f" {instruction} "
    instr.set(qn("xml:space"), "preserve")
    runs = [el("w:r", [el("w:fldChar", fldCharType="begin")]), el("w:r", [instr])]
    if result is not None:
        runs += [el("w:r", [el("w:fldChar", fldCharType="separate")]), run(result)]
    runs.append(el("w:r", [el("w:fldChar", fldCharType="end")]))
    return runs


def quoted_field(inner: list[etree._Element], result: str) -> list[etree._Element]:
    """Return a QUOTE field around the field ``inner``; its cached ``result`` is what readers show."""
    def code(text: str) -> etree._Element:
        instr = el("w:instrText", [])
        instr.text = text
        instr.set(qn("xml:space"), "preserve")
        return el("w:r", [instr])
    return [el("w:r", [el("w:fldChar", fldCharType="begin")]), code(' QUOTE "'), *inner, code('" '),
            el("w:r", [el("w:fldChar", fldCharType="separate")]), run(result),
            el("w:r", [el("w:fldChar", fldCharType="end")])]


def revision(tag: str, ident: int, author: str, date: str, children: Iterable[etree._Element] = ()) -> etree._Element:
    """Return a tracked change ``w:ins`` or ``w:del`` around ``children``; deleted text becomes ``w:delText``.

    Without children it is the mark of a paragraph (inside ``w:rPr``) or a table row (inside ``w:trPr``).
    """
    children = list(children)
    if tag == "w:del":
        renamed = {qn("w:t"): qn("w:delText"), qn("w:instrText"): qn("w:delInstrText")}
        for child in children:
            for node in child.iter(*renamed):
                node.tag = renamed[node.tag]
    return el(tag, children, id=ident, author=author, date=date)
