"""The comfort overview in Word: a first page that says what is still open, then per party its needs, met or not,
and where the agreement gives them."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agreement_engine.comfort import ComfortReport, NeedResult
from agreement_engine.model import Agreement
from agreement_engine.phrases import Phrases
from agreement_engine.word import styles as st
from agreement_engine.word.ooxml import Node, paragraph, run, to_xml
from agreement_engine.word.tables import HEADER_FILL, Cell, row, table
from agreement_engine.word.template import context, load_template

#: Share of the text width per column of a party's table: need, weight, met, where.
_NEED_COLUMNS = (41, 13, 14, 32)
#: Share per column of the summary table: party, musts, wishes.
_SUMMARY_COLUMNS = (44, 28, 28)
_OPEN_FILL = "FBE3D6"  # a need that is not met: light orange, readable in grey print too


def render_comfort(agreement: Agreement, report: ComfortReport, *, template: str | Path | None = None,
                   provenance: Mapping[str, Any]) -> bytes:
    """Return the .docx bytes of the comfort overview of ``report`` for the agreement ``agreement``."""
    house = load_template(template)
    width = house.layout.text_width
    phrases = agreement.phrases
    phrase = phrases.text
    title = phrase("comfort.title")
    body: list[Node] = [paragraph(st.HEADING, [run(title)], numPr=(0, 0)),
                        paragraph(st.TEXT, [run(phrase("comfort.intro", alliance=agreement.alliance_name,
                                                       agreement=agreement.title))])]
    body += _summary(report, phrases)
    body.append(_summary_table(report, phrases, width))
    for number, party in enumerate(report.parties):
        body.append(paragraph(st.SUBHEADING, [run(party.legal_name)], numPr=(0, 0), pageBreakBefore=number == 0))
        if not party.needs:
            body.append(paragraph(st.TEXT, [run(phrase("comfort.party_none"))]))
            continue
        body.append(_party_table(party.needs, phrases, width))
    values = {**context(agreement), "title": title, "version_label": ""}
    return house.document(values, to_xml(body), title=title, subject=agreement.alliance_name, phrases=phrases,
                          provenance=provenance)


def _summary(report: ComfortReport, phrases: Phrases) -> list[Node]:
    """Return the first page's verdict: all comfort there, or the musts and wishes still open."""
    phrase = phrases.text
    if not report.needs:
        return [paragraph(st.TEXT, [run(phrase("comfort.no_needs"), bold=True)])]
    if report.all_met:
        return [paragraph(st.TEXT, [run(phrase("comfort.all_met"), bold=True)])]
    out: list[Node] = []
    musts, wishes = report.open_musts, report.open_wishes
    if musts:
        out.append(paragraph(st.TEXT, [run(phrase("comfort.musts_open"), bold=True)]))
        out += [paragraph(st.BULLET, [run(phrase("comfort.open_must", party=n.party_name, need=n.need))])
                for n in musts]
    if wishes:
        out.append(paragraph(st.TEXT, [run(phrase("comfort.wishes_open" if musts else "comfort.musts_met"),
                                           bold=True)]))
        out += [paragraph(st.BULLET, [run(phrase("comfort.open_wish", party=n.party_name, need=n.need))])
                for n in wishes]
    return out


def _widths(shares: tuple[int, ...], width: int) -> list[int]:
    widths = [width * share // 100 for share in shares]
    widths[-1] += width - sum(widths)
    return widths


def _cell(lines: list[tuple[str, bool]], width: int, fill: str | None = None) -> Cell:
    return [paragraph(st.TABLE_TEXT, [run(text, bold=bold)]) for text, bold in lines] or \
        [paragraph(st.TABLE_TEXT)], width, fill


def _summary_table(report: ComfortReport, phrases: Phrases, width: int) -> Node:
    phrase = phrases.text
    columns = _widths(_SUMMARY_COLUMNS, width)
    header = row([_cell([(phrase(key), True)], w, HEADER_FILL) for key, w in
                  zip(("comfort.summary_party", "comfort.summary_musts", "comfort.summary_wishes"), columns)],
                 header=True)

    def count(needs: list[NeedResult]) -> tuple[str, bool]:
        if not needs:
            return phrase("comfort.none"), False
        met = sum(n.met for n in needs)
        return phrase("comfort.count", met=met, total=len(needs)), met < len(needs)

    rows = []
    for party in report.parties:
        musts = count([n for n in party.needs if n.priority == "must"])
        wishes = count([n for n in party.needs if n.priority == "wish"])
        rows.append(row([_cell([(party.legal_name, False)], columns[0]),
                         _cell([(musts[0], musts[1])], columns[1], _OPEN_FILL if musts[1] else None),
                         _cell([(wishes[0], False)], columns[2])]))
    return table(columns, [header, *rows], borders=True)


def _party_table(needs: tuple[NeedResult, ...], phrases: Phrases, width: int) -> Node:
    phrase = phrases.text
    columns = _widths(_NEED_COLUMNS, width)
    header = row([_cell([(phrase(key), True)], w, HEADER_FILL) for key, w in
                  zip(("comfort.need", "comfort.priority", "comfort.met", "comfort.where"), columns)], header=True)
    rows = [header]
    for need in needs:
        fill = None if need.met else _OPEN_FILL
        rows.append(row([
            _cell([(need.need, False), *([(phrase("comfort.reason", reason=need.reason), False)] if need.reason else [])],
                  columns[0]),
            _cell([(phrase("comfort.must" if need.priority == "must" else "comfort.wish"), False)], columns[1]),
            _cell([(phrase("comfort.met_yes" if need.met else "comfort.met_no"), not need.met)], columns[2], fill),
            _cell(_where(need, phrases), columns[3]),
        ]))
    return table(columns, rows, borders=True)


def _where(need: NeedResult, phrases: Phrases) -> list[tuple[str, bool]]:
    """Return where the agreement gives ``need``: "artikel 9.7 (Financiën ...)" per place, or why nowhere."""
    if need.where:
        return [(phrases.text("comfort.at", number=w.number, title=w.title), False) for w in need.where]
    if not need.met:
        return [(phrases.text("comfort.not_in_agreement"), False)]
    return [(phrases.text("comfort.by_choice"), False)]
