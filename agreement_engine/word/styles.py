"""The paragraph styles the body uses, and adding those a template lacks to its styles part."""
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

def _spacing(**values: int | str) -> Node:
    return el("w:spacing", **values)


_JUSTIFIED = (_spacing(after=120), val("w:jc", "both"))
_BOLD = (el("w:b"), el("w:bCs"))
_KEEP = (el("w:keepNext"), el("w:keepLines"))

# style id -> (name, paragraph properties, run properties); every style is a paragraph style based on
# Normal. A template may define any of them itself (same style id) to change the look; the ones it lacks
# are added.
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
    SIGNATURE: ("Ondertekening", (*_KEEP, _spacing(after=0)), ()),
}


def _style(style_id: str, name: str, ppr: tuple[Node, ...], rpr: tuple[Node, ...],
           based_on: str | None) -> etree._Element:
    custom = {} if style_id in (HEADING, SUBHEADING) else {"customStyle": 1}
    children = [val("w:name", name), *([val("w:basedOn", based_on)] if based_on else []), el("w:qFormat"),
                el("w:pPr", ppr), *([el("w:rPr", rpr)] if rpr else [])]
    return element(el("w:style", children, type="paragraph", **custom, styleId=style_id))


def ensure_styles(styles: etree._Element) -> list[str]:
    """Add to ``styles`` (a ``w:styles`` element) each body style it lacks; return the ids added."""
    present = {s.get(qn("w:styleId")) for s in styles.iter(qn("w:style"))}
    normal = "Normal" if "Normal" in present else None
    added = []
    for style_id, (name, ppr, rpr) in DEFINITIONS.items():
        if style_id not in present:
            styles.append(_style(style_id, name, ppr, rpr, normal))
            added.append(style_id)
    return added
