"""The paragraph styles the body uses, and adding those a template lacks to its styles part."""
from __future__ import annotations

from lxml import etree

from agreement_engine.word.ooxml import W, qn

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

_JUSTIFIED = '<w:spacing w:after="120"/><w:jc w:val="both"/>'
_BOLD = "<w:b/><w:bCs/>"
_KEEP = "<w:keepNext/><w:keepLines/>"

# style id -> (name, paragraph properties, run properties); every style is a paragraph style based on
# Normal. A template may define any of them itself (same style id) to change the look; the ones it lacks
# are added.
DEFINITIONS: dict[str, tuple[str, str, str]] = {
    HEADING: ("heading 1", _KEEP + '<w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
              _BOLD + '<w:sz w:val="24"/>'),
    SUBHEADING: ("heading 2", _KEEP + '<w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/>', _BOLD),
    LEAD: ("Kop onderdeel", '<w:keepNext/><w:spacing w:before="240" w:after="120"/>', _BOLD),
    PARTY: ("Comparitie", _JUSTIFIED, ""),
    RECITAL: ("Overweging", _JUSTIFIED, ""),
    TEXT: ("Hoofdtekst", _JUSTIFIED, ""),
    MEMBER: ("Artikellid", _JUSTIFIED, ""),
    ITEM: ("Opsomming", '<w:spacing w:after="60"/><w:jc w:val="both"/>', ""),
    DEFINITION: ("Definitie", '<w:spacing w:after="60"/><w:ind w:left="851"/><w:jc w:val="both"/>', ""),
    BULLET: ("Opsommingsteken", '<w:spacing w:after="60"/><w:jc w:val="both"/>', ""),
    TABLE_TEXT: ("Tabeltekst", '<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
                 '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    SIGNATURE: ("Ondertekening", _KEEP + '<w:spacing w:after="0"/>', ""),
}


def _style(style_id: str, name: str, ppr: str, rpr: str, based_on: str | None) -> etree._Element:
    custom = "" if style_id in (HEADING, SUBHEADING) else ' w:customStyle="1"'
    base = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    run = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return etree.fromstring(
        f'<w:style xmlns:w="{W}" w:type="paragraph"{custom} w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f"{base}<w:qFormat/><w:pPr>{ppr}</w:pPr>{run}</w:style>")


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
