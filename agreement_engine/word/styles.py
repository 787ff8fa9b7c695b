"""The paragraph styles the body uses: matching a template's own by name, and adding those it lacks.

Word writes a built-in style with a style id in the language of the Word that saved the template (Dutch
``Kop1``, German ``berschrift1``, French ``Titre1``) and its built-in English name in ``w:name`` (``heading 1``).
The name is what identifies the style, so the engine matches styles by name: a template style named like one
the engine uses gets the engine's id (its definition kept, every reference to it renamed with it), and a style
is only added when no style of that name exists.
"""
from __future__ import annotations

from lxml import etree

from agreement_engine.word.ooxml import Node, el, element, qn, val

HEADING = "Heading1"
SUBHEADING = "Heading2"
LEAD = "AELead"
PARTY = "AEParty"
RECITAL = "AERecital"
TEXT = "AEText"
MEMBER = "AEMember"
ITEM = "AEItem"
DEFINITION = "AEDefinition"
BULLET = "AEBullet"
TABLE_TEXT = "AETableText"
SIGNATURE = "AESignature"
TOC_HEADING = "TOCHeading"
TOC_LEVELS = ("TOC1", "TOC2", "TOC3")

def _spacing(**values: int | str) -> Node:
    return el("w:spacing", **values)


_JUSTIFIED = (_spacing(after=120), val("w:jc", "both"))
_BOLD = (el("w:b"), el("w:bCs"))
_KEEP = (el("w:keepNext"), el("w:keepLines"))
_TOC_AFTER = 40

# style id -> (name, paragraph properties, run properties); every style is a paragraph style based on
# Normal. A template may define any of them itself (same style id, or same name: see style_ids) to change the
# look; the ones it lacks are added.
DEFINITIONS: dict[str, tuple[str, tuple[Node, ...], tuple[Node, ...]]] = {
    HEADING: ("heading 1", (*_KEEP, _spacing(before=360, after=120), val("w:outlineLvl", 0)),
              (*_BOLD, val("w:sz", 24))),
    SUBHEADING: ("heading 2", (*_KEEP, _spacing(before=240, after=80), val("w:outlineLvl", 1)), _BOLD),
    LEAD: ("Kop onderdeel", (el("w:keepNext"), _spacing(before=240, after=120)), _BOLD),
    PARTY: ("Comparitie", _JUSTIFIED, ()),
    RECITAL: ("Overweging", _JUSTIFIED, ()),
    TEXT: ("Hoofdtekst", _JUSTIFIED, ()),
    MEMBER: ("Artikellid", _JUSTIFIED, ()),
    ITEM: ("Opsomming", (_spacing(after=60), val("w:jc", "both")), ()),
    DEFINITION: ("Definitie", (_spacing(after=60), el("w:ind", left=851), val("w:jc", "both")), ()),
    BULLET: ("Opsommingsteken", (_spacing(after=60), val("w:jc", "both")), ()),
    TABLE_TEXT: ("Tabeltekst", (_spacing(before=40, after=40, line=240, lineRule="auto"),),
                 (val("w:sz", 20), val("w:szCs", 20))),
    SIGNATURE: ("Ondertekening", (*_KEEP, el("w:suppressAutoHyphens"), _spacing(after=0)), ()),
    TOC_HEADING: ("TOC Heading", (el("w:keepNext"), _spacing(before=240, after=240)), (*_BOLD, val("w:sz", 24))),
    **{style_id: (f"toc {level}", (_spacing(before=0, after=_TOC_AFTER),
                                   el("w:ind", left=(level - 1) * 284)), ())
       for level, style_id in enumerate(TOC_LEVELS, start=1)},
}

#: The built-in styles by the name Word writes in every language, with the id the engine gives each.
BUILTIN = {"normal": "Normal", "heading 1": HEADING, "heading 2": SUBHEADING, "toc heading": TOC_HEADING,
           **{f"toc {level}": style_id for level, style_id in enumerate(TOC_LEVELS, start=1)}}
#: Names (and ids) that Dutch, German and French Word show for those styles, written without spaces in lower
#: case: a template style called so but not named as the built-in is one the engine cannot match.
LOCALIZED = {
    "normal": ("standaard", "standard", "normal"),
    "heading 1": ("kop1", "überschrift1", "berschrift1", "titre1"),
    "heading 2": ("kop2", "überschrift2", "berschrift2", "titre2"),
    "toc heading": ("kopvaninhoudsopgave", "inhaltsverzeichnisüberschrift", "inhaltsverzeichnisberschrift",
                    "en-têtedetabledesmatières", "en-ttedetabledesmatires"),
    "toc 1": ("inhopg1", "verzeichnis1", "tm1"),
    "toc 2": ("inhopg2", "verzeichnis2", "tm2"),
    "toc 3": ("inhopg3", "verzeichnis3", "tm3"),
}
#: Elements whose w:val names a style (in styles, the document, headers, footers, numbering, notes).
_STYLE_REFERENCES = ("w:pStyle", "w:rStyle", "w:tblStyle", "w:basedOn", "w:next", "w:link")


def _style(style_id: str, name: str, ppr: tuple[Node, ...], rpr: tuple[Node, ...],
           based_on: str | None) -> etree._Element:
    custom = {} if style_id in BUILTIN.values() else {"customStyle": 1}
    children = [val("w:name", name), *([val("w:basedOn", based_on)] if based_on else []), el("w:qFormat"),
                el("w:pPr", ppr), *([el("w:rPr", rpr)] if rpr else [])]
    return element(el("w:style", children, type="paragraph", **custom, styleId=style_id))


def _name(style: etree._Element) -> str:
    name = style.find(qn("w:name"))
    return (name.get(qn("w:val")) or "") if name is not None else ""


def _key(text: str) -> str:
    return "".join(text.split()).lower()


def style_ids(styles: etree._Element) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Return which template style ids become the engine's ({"Kop1": "Heading1"}) and what cannot be matched.

    A paragraph style is matched by its ``w:name``, in any case: a built-in name (``heading 1``) or the name of
    one of the engine's own styles ("Comparitie"). A style whose name or id is what Dutch, German or French Word
    shows for a built-in style (``Kop 1``) but whose ``w:name`` is not the built-in name cannot be matched: the
    second list gives (name, id, built-in name) of each such style, and the engine adds its own.
    """
    wanted = {**BUILTIN, **{name.lower(): style_id for style_id, (name, _p, _r) in DEFINITIONS.items()}}
    localized = {alias: name for name, aliases in LOCALIZED.items() for alias in aliases}
    paragraph_styles = [s for s in styles.iter(qn("w:style")) if s.get(qn("w:type")) == "paragraph"]
    ids = {s.get(qn("w:styleId")) for s in styles.iter(qn("w:style"))}
    renames: dict[str, str] = {}
    unmatched: list[tuple[str, str, str]] = []
    for style in paragraph_styles:
        style_id, name = style.get(qn("w:styleId")) or "", _name(style)
        target = wanted.get(name.lower())
        if target is None:
            builtin = localized.get(_key(name)) or localized.get(_key(style_id))
            if builtin is not None and builtin.lower() != name.lower() and wanted.get(builtin) not in ids:
                unmatched.append((name or style_id, style_id, builtin))
            continue
        if style_id != target and target not in ids and target not in renames.values():
            renames[style_id] = target
    return renames, unmatched


def rename_styles(root: etree._Element, renames: dict[str, str]) -> bool:
    """Give each style in ``renames`` its new id in ``root`` (any part) and in every reference; return whether any
    changed."""
    changed = False
    for node in root.iter(qn("w:style"), *(qn(tag) for tag in _STYLE_REFERENCES)):
        attribute = qn("w:styleId") if node.tag == qn("w:style") else qn("w:val")
        new = renames.get(node.get(attribute) or "")
        if new is not None:
            node.set(attribute, new)
            changed = True
    return changed


def ensure_styles(styles: etree._Element) -> list[str]:
    """Add to ``styles`` (a ``w:styles`` element) each body style it lacks; return the ids added.

    A style is lacking when neither its id nor its name (in any case) is in ``styles``: the engine never writes
    a second style of the same name.
    """
    present = {s.get(qn("w:styleId")) for s in styles.iter(qn("w:style"))}
    names = {_name(s).lower() for s in styles.iter(qn("w:style"))}
    normal = "Normal" if "Normal" in present else None
    added = []
    for style_id, (name, ppr, rpr) in DEFINITIONS.items():
        if style_id not in present and name.lower() not in names:
            styles.append(_style(style_id, name, ppr, rpr, normal))
            added.append(style_id)
    return added
