"""WordprocessingML building blocks: namespaces, elements, text runs and fields, with safe text.

The one module of the engine that writes XML text: every other module builds elements with these functions
(or with lxml on a parsed part) and never formats or rewrites serialized XML itself.
"""
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
_UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")  # what clean_text changes: those and \r
_BREAKS = re.compile(r"(\t|\n|(?<=['\u2019]s)-)")
#: Characters that make :func:`run` split the text: a tab, a line feed, or the hyphen of "'s-" that must never
#: break ("'s-Hertogenbosch", "'s-Gravenhage").
_SPECIAL = re.compile(r"[\t\n]|['\u2019]s-")
#: Characters that a run's text cannot carry as they are: control characters (tab and line feed among them),
#: the XML specials, and what XML forbids. Text without them (and without "s-") is written unchanged.
_NOT_PLAIN = re.compile("[\x00-\x1f&<>\ufffe\uffff\ud800-\udfff]")

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


class Node:
    """A WordprocessingML element under construction: tag, attributes and children.

    The body has thousands of elements; building them as these small objects and serializing once
    (:func:`to_xml`) is several times faster than creating lxml elements one by one. Tags and attribute
    names are prefixed names in the ``w:`` namespace; ``attrs`` is the attributes' XML. Text lives only in
    :class:`Raw` runs.
    """

    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, children: Iterable[Node] = (), attrs: str = "") -> None:
        self.tag = tag
        self.attrs = attrs
        self.children = list(children)

    def append(self, child: Node) -> None:
        """Add ``child`` as the last child."""
        self.children.append(child)

    def extend(self, children: Iterable[Node]) -> None:
        """Add ``children`` at the end."""
        self.children.extend(children)

    def write(self, out: list[str]) -> None:
        """Append this element's XML to ``out``."""
        if not self.children:
            out.append(f"<{self.tag}{self.attrs}/>")
            return
        out.append(f"<{self.tag}{self.attrs}>")
        for child in self.children:
            child.write(out)
        out.append(f"</{self.tag}>")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;")


def to_xml(nodes: Iterable[Node]) -> str:
    """Return the XML of ``nodes`` (prefix ``w:`` undeclared: the document root declares it).

    >>> to_xml([el("w:p", [run('a & "b"')], rsidR="00")])
    '<w:p w:rsidR="00"><w:r><w:t>a &amp; "b"</w:t></w:r></w:p>'
    """
    out: list[str] = []
    for node in nodes:
        node.write(out)
    return "".join(out)


def parse(xml: str) -> list[etree._Element]:
    """Return the elements of the XML fragment ``xml`` (from :func:`to_xml`) as lxml elements."""
    root = etree.fromstring(f'<w:body xmlns:w="{W}">{xml}</w:body>'.encode("utf-8"))
    return list(root)


def element(node: Node) -> etree._Element:
    """Return ``node`` as an lxml element, to add to a part's tree (which declares the ``w:`` namespace).

    >>> style = element(el("w:style", [val("w:name", "Tabeltekst")], styleId="AETableText"))
    >>> style.get(qn("w:styleId")), style[0].get(qn("w:val"))
    ('AETableText', 'Tabeltekst')
    """
    return parse(to_xml([node]))[0]


def empty_root(tag: str) -> str:
    """Return the XML of an empty part root ``tag`` that declares the ``w:`` namespace.

    >>> empty_root("w:numbering")
    '<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
    """
    return f'<{tag} xmlns:w="{W}"/>'


def slot(name: str) -> etree._Comment:
    """Return a placeholder for XML that :func:`fill_slots` puts in after the tree is serialized."""
    return etree.Comment(name)


def fill_slots(serialized: bytes, slots: dict[str, str]) -> bytes:
    """Return ``serialized`` (a part with :func:`slot` placeholders) with each slot's XML in its place.

    The body's thousands of elements are spliced in as text, never parsed.

    >>> fill_slots(b"<w:body><!--x--></w:body>", {"x": "<w:p/>"})
    b'<w:body><w:p/></w:body>'
    """
    for name, xml in slots.items():
        serialized = serialized.replace(f"<!--{name}-->".encode("ascii"), xml.encode("utf-8"), 1)
    return serialized


def el(tag: str, children: Iterable[Node] = (), **attrs: str | int) -> Node:
    """Return a new element ``tag`` with ``w:``-attributes ``attrs`` and ``children``."""
    return Node(tag, children, "".join(f' w:{name}="{_escape_attribute(str(value))}"'
                                       for name, value in attrs.items()))


def val(tag: str, value: str | int) -> Node:
    """Return ``<tag w:val="value"/>``."""
    return Node(tag, (), f' w:val="{_escape_attribute(str(value))}"')


def clean_text(text: str) -> str:
    r"""Return ``text`` without the characters XML cannot carry; line ends become ``\n``.

    >>> clean_text("A\x00B\r\nC\rD\x1fE")
    'AB\nC\nDE'
    """
    if not _UNCLEAN.search(text):  # most text: one scan, nothing to change
        return text
    return _FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class Raw(Node):
    """A leaf element already written as XML (a text run, a field character): the cheapest node to build."""

    __slots__ = ("xml",)

    def __init__(self, xml: str) -> None:  # a leaf: no tag, attributes or children of its own
        self.xml = xml

    def write(self, out: list[str]) -> None:
        """Append this element's XML to ``out``."""
        out.append(self.xml)

    def deleted(self) -> Raw:
        """Return this leaf as it reads inside a tracked deletion (a leaf without text: itself)."""
        return self


class _Run(Raw):
    """A text run, which knows its text so that a deletion can write it as ``w:delText``."""

    __slots__ = ("text", "bold")

    def __init__(self, text: str, bold: bool, deleted: bool = False) -> None:
        super().__init__(_run_xml(text, bold, "w:delText" if deleted else "w:t"))
        self.text, self.bold = text, bold

    def deleted(self) -> Raw:
        """Return this run with its text as deleted text."""
        return _Run(self.text, self.bold, deleted=True)


class _Code(Raw):
    """A run of field code, which a deletion writes as ``w:delInstrText``."""

    __slots__ = ("text",)

    def __init__(self, text: str, deleted: bool = False) -> None:
        tag = "w:delInstrText" if deleted else "w:instrText"
        super().__init__(f'<w:r><{tag} xml:space="preserve">{_escape_text(clean_text(text))}</{tag}></w:r>')
        self.text = text

    def deleted(self) -> Raw:
        """Return this field code as deleted field code."""
        return _Code(self.text, deleted=True)


_BOLD = "<w:rPr><w:b/><w:bCs/></w:rPr>"


def run(text: str, *, bold: bool = False) -> Node:
    r"""Return a ``w:r`` showing ``text`` exactly, tabs as ``w:tab`` and line feeds as ``w:br``.

    The hyphen after "'s" becomes a non-breaking hyphen, so that a line never ends in "'s-".

    >>> to_xml([run("a & <b> \tc")])
    '<w:r><w:t xml:space="preserve">a &amp; &lt;b&gt; </w:t><w:tab/><w:t>c</w:t></w:r>'
    >>> to_xml([run("te 's-Hertogenbosch")])
    "<w:r><w:t>te 's</w:t><w:noBreakHyphen/><w:t>Hertogenbosch</w:t></w:r>"
    >>> to_xml([run("B", bold=True)])
    '<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t>B</w:t></w:r>'
    """
    return _Run(text, bold)


def run_xml(text: str, *, bold: bool = False) -> str:
    """Return the XML of :func:`run` of ``text``: for runs that are written at once, never to be deleted.

    >>> run_xml("a & b", bold=True) == to_xml([run("a & b", bold=True)])
    True
    """
    return _run_xml(text, bold, "w:t")


def marked_run(text: str, *, bold: bool = False, highlight: str | None = None, size: int | None = None,
               color: str | None = None) -> Node:
    r"""Return a ``w:r`` of ``text`` with a highlight colour, a size in half-points or a text colour.

    >>> to_xml([marked_run("A1", size=14, color="595959")])
    '<w:r><w:rPr><w:color w:val="595959"/><w:sz w:val="14"/><w:szCs w:val="14"/></w:rPr><w:t>A1</w:t></w:r>'
    >>> to_xml([marked_run("twaalf", highlight="yellow")])
    '<w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr><w:t>twaalf</w:t></w:r>'
    """
    props = ["<w:b/><w:bCs/>" if bold else "", f'<w:color w:val="{_escape_attribute(color)}"/>' if color else "",
             f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else "",
             f'<w:highlight w:val="{_escape_attribute(highlight)}"/>' if highlight else ""]
    xml = _run_xml(text, False, "w:t")
    return Raw(xml.replace("<w:r>", f"<w:r><w:rPr>{''.join(props)}</w:rPr>", 1) if any(props) else xml)


def _run_xml(text: str, bold: bool, tag: str) -> str:
    """Return the XML of a run of ``text``, its text in elements ``tag`` (``w:t`` or ``w:delText``)."""
    if text and "s-" not in text and not _NOT_PLAIN.search(text):  # most runs: one w:t, nothing to escape
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return f"<w:r>{_BOLD if bold else ''}<{tag}{space}>{text}</{tag}></w:r>"
    return _split_run_xml(text, bold, tag)


def _split_run_xml(text: str, bold: bool, tag: str) -> str:
    """Return what :func:`_run_xml` does for any text: cleaned, escaped, split at tabs, breaks and "'s-"."""
    out = ["<w:r>", _BOLD] if bold else ["<w:r>"]
    text = clean_text(text)
    for part in _BREAKS.split(text) if _SPECIAL.search(text) else (text,):
        if part == "\t":
            out.append("<w:tab/>")
        elif part == "\n":
            out.append("<w:br/>")
        elif part == "-":
            out.append("<w:noBreakHyphen/>")
        elif part:
            space = ' xml:space="preserve"' if part != part.strip() else ""
            out.append(f"<{tag}{space}>{_escape_text(part)}</{tag}>")
    out.append("</w:r>")
    return "".join(out)


def paragraph(style: str | None = None, runs: Iterable[Node] = (), **props) -> Node:
    """Return a ``w:p`` in ``style`` with paragraph properties ``props`` and ``runs``.

    ``props`` maps property names to elements, True (an empty flag element) or values:
    ``numPr=(numId, ilvl)``, ``jc="center"``, ``spacing={"before": 0}``, ``ind={"left": 851}``.
    """
    p = Node("w:p", runs)
    if style or any(value is not None and value is not False for value in props.values()):
        p.children.insert(0, properties(style, **props))
    return p


def properties(style: str | None = None, **props) -> Node:
    """Return a ``w:pPr`` with its children in schema order (the same node for the same plain properties).

    Properties that hold a node (a tracked paragraph mark with its own id) are built anew every time.
    """
    key = (style, *props.items(), *map(type, props.values()))  # with the types: True and 1 write differently
    try:
        cached = _PROPERTIES.get(key)
    except TypeError:  # a dict (spacing, indentation) is no key: its text is
        key = (style, _BY_TEXT, *((name, repr(value)) for name, value in props.items()))
        cached = _PROPERTIES.get(key)
    if cached is None:
        if any(isinstance(value, Node) for value in props.values()):
            return _properties(style, props)
        cached = _PROPERTIES[key] = Raw(to_xml([_properties(style, props)]))
    return cached


_PROPERTIES: dict[tuple, Node] = {}
_BY_TEXT = object()  # marks a key of properties written as text


def _properties(style: str | None, props: dict) -> Node:
    children: dict[str, Node] = {}
    if style:
        children["pStyle"] = val("w:pStyle", style)
    for name, value in props.items():
        if value is None or value is False:
            continue
        if name == "numPr":
            num_id, ilvl = value
            children[name] = el("w:numPr", [val("w:ilvl", ilvl), val("w:numId", num_id)])
        elif isinstance(value, Node):
            children[name] = value
        elif value is True:
            children[name] = el(f"w:{name}")
        elif isinstance(value, dict):
            children[name] = el(f"w:{name}", **value)
        else:
            children[name] = val(f"w:{name}", value)
    return el("w:pPr", [children[n] for n in _PPR_ORDER if n in children])


def bookmark(p: Node, name: str, ident: int, runs: Iterable[Node]) -> None:
    """Append ``runs`` to paragraph ``p`` inside a bookmark ``name``."""
    p.append(Raw(f'<w:bookmarkStart w:id="{ident}" w:name="{_escape_attribute(name)}"/>'))
    p.extend(runs)
    p.append(Raw(f'<w:bookmarkEnd w:id="{ident}"/>'))


def _field_char(kind: str) -> Node:
    return Raw(f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>')


def _code(text: str) -> Node:
    return _Code(text)


def field(instruction: str, result: str | None) -> list[Node]:
    """Return the runs of a complex field; without ``result`` the field has no cached result.

    >>> to_xml(field("PAGE", "2"))[:104]
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText>'
    """
    runs = [_field_char("begin"), _code(f" {instruction} ")]
    if result is not None:
        runs += [_field_char("separate"), run(result)]
    runs.append(_field_char("end"))
    return runs


def field_start(instruction: str) -> list[Node]:
    """Return the runs that open a complex field whose result follows (closed by :func:`field_end`).

    >>> to_xml(field_start("TOC")).count("separate")
    1
    """
    return [_field_char("begin"), _code(f" {instruction} "), _field_char("separate")]


def field_end() -> Node:
    """Return the run that closes a field opened by :func:`field_start`."""
    return _field_char("end")


def tab() -> Node:
    """Return a run holding a tab character."""
    return Raw("<w:r><w:tab/></w:r>")


def page_break() -> Node:
    """Return a run holding a page break."""
    return Raw('<w:r><w:br w:type="page"/></w:r>')


def hyperlink(anchor: str, runs: Iterable[Node]) -> Node:
    """Return an internal hyperlink to bookmark ``anchor`` around ``runs``.

    >>> to_xml([hyperlink("ref_a", [run("x")])])
    '<w:hyperlink w:anchor="ref_a" w:history="1"><w:r><w:t>x</w:t></w:r></w:hyperlink>'
    """
    return el("w:hyperlink", runs, anchor=anchor, history=1)


def quoted_field(inner: list[Node], result: str) -> list[Node]:
    """Return a QUOTE field around the field ``inner``; its cached ``result`` is what readers show."""
    return [_field_char("begin"), _code(' QUOTE "'), *inner, _code('" '), _field_char("separate"), run(result),
            _field_char("end")]


def _deleted(node: Node) -> Node:
    """Return a copy of ``node`` with its text as deleted text (``w:delText``, ``w:delInstrText``)."""
    if isinstance(node, Raw):
        return node.deleted()
    return Node(node.tag, [_deleted(child) for child in node.children], node.attrs)


def revision(tag: str, ident: int, author: str, date: str, children: Iterable[Node] = ()) -> Node:
    """Return a tracked change ``w:ins`` or ``w:del`` around ``children``; deleted text becomes ``w:delText``.

    Without children it is the mark of a paragraph (inside ``w:rPr``) or a table row (inside ``w:trPr``).

    >>> to_xml([revision("w:del", 7, "agreement-engine", "2027-01-01T00:00:00Z", [run("a\\tb")])])[:93]
    '<w:del w:id="7" w:author="agreement-engine" w:date="2027-01-01T00:00:00Z"><w:r><w:delText>a</'
    >>> to_xml([revision("w:del", 7, "x", "d", field("PAGE", "2"))]).count("delInstrText"), "<w:tab/>" in to_xml(
    ...     [revision("w:del", 7, "x", "d", [run("a\\tb")])])
    (2, True)
    """
    children = [_deleted(child) for child in children] if tag == "w:del" else list(children)
    return el(tag, children, id=ident, author=author, date=date)
