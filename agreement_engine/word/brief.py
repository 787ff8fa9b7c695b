"""The board brief in Word: per party, in plain words and euros, what the choices of the agreement mean for it."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from agreement_engine.consequences import (Consequences, Damage, Departure, Exit, Money, PartyConsequences, budget,
                                           label)
from agreement_engine.formatting import formatter
from agreement_engine.model import Agreement
from agreement_engine.phrases import Phrases
from agreement_engine.word import styles as st
from agreement_engine.word.ooxml import Node, paragraph, run, to_xml
from agreement_engine.word.tables import HEADER_FILL, OUTER_MARGIN, bar_chart, column_widths, row, table
from agreement_engine.word.template import context, load_template


_AFTER_TABLE = {"before": 160}  # twips of space between a table and the paragraph after it


class Wording:
    """The words of the brief and the variants page for one answer set: party names, amounts, choices."""

    def __init__(self, answers: dict, phrases: Phrases) -> None:
        self.answers = answers
        self.phrases = phrases
        self.notation = formatter(phrases.language)
        self.names = {p["id"]: p.get("short_name") or p["name"] for p in answers["parties"]}

    def text(self, phrase_id: str, **values: Any) -> str:
        """Return the phrase ``phrase_id`` with ``values``; a party id under "party" becomes its name."""
        return self.phrases.text(phrase_id, **values)

    def money(self, amount: Decimal | None) -> str:
        """Return an amount as "€ 1.000,00", or the phrase for no amount."""
        return self.notation.money(amount) if amount is not None else self.text("brief.others.none")

    def choice(self, topic: str, value: str, today: str | None) -> str:
        """Return the Dutch name of a choice, marked when it is today's."""
        name = label(topic, value)
        return self.text("brief.today", choice=name) if value == today else name

    def annual(self, money: Money, model: str) -> str:
        """Return what a party receives or contributes per year under ``model``, in a few words."""
        if model == "allocation_key" and money.receives is not None:
            return self.text("brief.money.receives", amount=self.money(money.receives))
        if model == "own_costs" and money.contributes is not None:
            return self.text("brief.money.contributes", amount=self.money(money.contributes))
        return self.text("brief.money.plan")

    def paid(self, damage: Damage, party: str) -> str:
        """Return what ``party`` pays of a damage: once, or first and in the end when they differ."""
        first, final = damage.first.get(party, Decimal(0)), damage.pays.get(party, Decimal(0))
        if first != final:
            return self.text("brief.damage.first_then", first=self.money(first), final=self.money(final))
        return self.money(final)

    def exit_fee(self, cost: Exit) -> str:
        """Return what leaving costs: the fee, at most an amount, or what is still missing."""
        if cost.fee is not None:
            return self.text("brief.exit.fee", amount=self.money(cost.fee))
        if cost.maximum is not None:
            return self.text("brief.exit.at_most", amount=self.money(cost.maximum))
        if cost.kind == "remaining_commitments":
            return self.text("brief.exit.costs_share")
        return self.text("brief.exit.not_given")

    def clients(self, departure: Departure) -> str:
        """Return who takes over the clients of a party that leaves."""
        how, party = departure.clients
        if how == "designated_party" and party:
            return self.text("brief.others.clients_designated_party", party=self.names[party])
        return self.text("brief.others.clients_commissioner" if how == "commissioner"
                         else "brief.others.clients_remaining_parties")

    def failure(self, departure: Departure) -> str:
        """Return what happens when a party fails under one insolvency model, in one sentence."""
        name = self.names[departure.leaving]
        model = departure.insolvency
        if model == "step_in":
            successor = departure.clients[1]
            return (self.text("brief.others.step_in", successor=self.names[successor], party=name) if successor
                    else self.text("brief.others.step_in_unknown", party=name))
        if model == "curator_term":
            return self.text("brief.others.curator_term", party=name,
                             days=self.answers["insolvency"].get("curator_response_days", 14))
        return self.text(f"brief.others.{model}", party=name)


def render_brief(agreement: Agreement, answers: dict, result: Consequences, *,
                 template: str | Path | None = None, provenance: Mapping[str, Any]) -> bytes:
    """Return the .docx bytes of the board brief: an introduction, then one section per party (each on a new page)."""
    house = load_template(template)
    width = house.layout.text_width
    words = Wording(answers, agreement.phrases)
    title = words.text("brief.title")
    body = [paragraph(st.HEADING, [run(title)], numPr=(0, 0)),
            _sentence(words.text("brief.intro", alliance=agreement.alliance_name)),
            _sentence(words.text("brief.assumptions", damage=words.money(result.scenario.damage)))]
    for n, party in enumerate(result.parties.values()):
        body += _party(words, result, party, width, new_page=n > 0 and party.member)
    values = {**context(agreement), "title": title, "version_label": ""}
    return house.document(values, to_xml(body), title=title, subject=agreement.alliance_name,
                          phrases=agreement.phrases, provenance=provenance)


def _sentence(text: str, **props: Any) -> Node:
    """Return a paragraph of running text that starts with a capital, also when it starts with a name such as
    "de Gemeente"."""
    return paragraph(st.TEXT, [run(text[:1].upper() + text[1:])], **props)


def _text(text: str, bold: bool = False) -> list[Node]:
    return [paragraph(st.TABLE_TEXT, [run(text, bold=bold)])]


def _grid(header: list[str], lines: list[list[str]], width: int) -> Node:
    """Return a table with a repeated header row and rows that never break across pages."""
    widths = column_widths([[h, *(line[i] for line in lines)] for i, h in enumerate(header)], width)
    rows = [row([(_text(h, True), w, HEADER_FILL) for h, w in zip(header, widths)], header=True)]
    rows += [row([(_text(cell), w, None) for cell, w in zip(line, widths)]) for line in lines]
    return table(widths, rows, borders=True)


def _chart(words: Wording, items: list[tuple[str, Decimal | None, str]], width: int) -> Node:
    width -= OUTER_MARGIN
    label_width, value_width = width * 2 // 5, width * 3 // 10
    return bar_chart([(_text(name), float(value) if value else None, _text(text)) for name, value, text in items],
                     (label_width, width - label_width - value_width, value_width))


def _party(words: Wording, result: Consequences, party: PartyConsequences, width: int, *,
           new_page: bool) -> list[Node]:
    name = words.names[party.party]
    phrase = words.text
    full_name = next(p["name"] for p in words.answers["parties"] if p["id"] == party.party)
    out = [paragraph(st.HEADING, [run(phrase("brief.party_heading", party=full_name))], numPr=(0, 0),
                     pageBreakBefore=new_page)]
    if not party.member:
        return out + [_sentence(phrase("brief.commissioner", party=name))]
    out.append(_sentence(phrase("brief.member", party=name)))
    out += _money(words, result, party, width)
    out += _damage(words, result, party, width)
    out += _exit(words, result, party, width)
    out += _others(words, result, party, width)
    return out


def _money(words: Wording, result: Consequences, party: PartyConsequences, width: int) -> list[Node]:
    name, phrase = words.names[party.party], words.text
    model = result.chosen["resources"]
    today = party.money[model]
    if model == "allocation_key" and today.receives is not None:
        line = phrase("brief.money.allocation_key", party=name, amount=words.money(today.receives),
                      share=words.notation.percent(today.share), budget=words.money(budget(words.answers)))
    elif model == "own_costs" and today.contributes is not None:
        line = phrase("brief.money.own_costs", party=name, amount=words.money(today.contributes))
    else:  # output_based, annual_plan: the annual plan sets the amounts
        line = phrase(f"brief.money.{model}", party=name)
    items = [(words.choice("resources", m, model), money.annual, words.annual(money, m))
             for m, money in party.money.items()]
    return [paragraph(st.SUBHEADING, [run(phrase("brief.money.heading"))]),
            _sentence(line),
            paragraph(st.TEXT, [run(phrase("brief.money.chart", party=name), bold=True)], keepNext=True),
            _chart(words, items, width)]


def _damage(words: Wording, result: Consequences, party: PartyConsequences, width: int) -> list[Node]:
    name, phrase, pid = words.names[party.party], words.text, party.party
    today = result.chosen["liability"]
    out = [paragraph(st.SUBHEADING, [run(phrase("brief.damage.heading"))]),
           _sentence(phrase("brief.damage.scenario", party=name, causer=words.names[party.causer],
                            damage=words.money(result.scenario.damage)), keepNext=True)]
    lines, items = [], []
    for model in result.variants["liability"]:
        caused, shared = party.damage[model], party.shared_damage[model]
        lines.append([words.choice("liability", model, today), words.money(caused.first[pid]),
                      words.money(caused.pays[pid]),
                      phrase("brief.damage.stays") if shared.uncovered and not shared.pays[pid]
                      else words.paid(shared, pid)])
        most = max(caused.first[pid], shared.first[pid])
        items.append((words.choice("liability", model, today), most, words.money(most)))
    out.append(_grid([phrase("brief.choice"), phrase("brief.damage.first"), phrase("brief.damage.final"),
                      phrase("brief.damage.shared")], lines, width))
    out.append(paragraph(st.TEXT, [run(phrase("brief.damage.chart", party=name), bold=True)], keepNext=True,
                         spacing=_AFTER_TABLE))
    out.append(_chart(words, items, width))
    own = party.own_damage[today]
    if party.cap.kind in ("amount", "share_percent") and party.cap.amount is not None:
        line = phrase("brief.damage.own_cap_amount", party=name, cap=words.money(party.cap.amount),
                      paid=words.money(party.own_damage["own_acts"].pays[pid]))
    elif party.cap.kind == "insured_sum":
        line = phrase("brief.damage.own_cap_insured", party=name)
    else:
        line = phrase("brief.damage.own_cap_none", party=name)
    out.append(_sentence(line, spacing=_AFTER_TABLE))
    if today == "joint_and_several" or own.model == "joint_and_several" or party.cap.kind != "none":
        out.append(_sentence(phrase("brief.damage.joint")))
    return out


def _exit(words: Wording, result: Consequences, party: PartyConsequences, width: int) -> list[Node]:
    name, phrase = words.names[party.party], words.text
    today = result.chosen["withdrawal"]
    cost = party.exit[today]
    sentences = [phrase("brief.exit.notice", party=name, months=cost.notice_months,
                        effective=phrase(f"brief.exit.{cost.effective}"), wind_down=cost.wind_down_months)]
    if cost.lock_in_until:
        sentences.append(phrase("brief.exit.lock_in", date=words.notation.date(cost.lock_in_until)))
    lines = [[words.choice("withdrawal", kind, today), words.exit_fee(exit_cost)]
             for kind, exit_cost in party.exit.items()]
    return [paragraph(st.SUBHEADING, [run(phrase("brief.exit.heading", party=name))]),
            _sentence(" ".join(sentences), keepNext=True),
            _grid([phrase("brief.choice"), phrase("brief.exit.cost")], lines, width)]


def _others(words: Wording, result: Consequences, party: PartyConsequences, width: int) -> list[Node]:
    name, phrase, pid = words.names[party.party], words.text, party.party
    rekey = words.answers["withdrawal"].get("continuation", {}).get("rekey", "pro_rata")
    out = [paragraph(st.SUBHEADING, [run(phrase("brief.others.heading"))]),
           _sentence(phrase(f"brief.others.{rekey}"), keepNext=True)]
    lines = []
    for departure in party.departures:
        leaving = phrase("brief.others.leaves", party=words.names[departure.leaving])
        if not departure.continues:
            lines.append([leaving, phrase("brief.others.ends"), "", ""])
            continue
        share = departure.shares.get(pid)
        lines.append([leaving, words.notation.percent(share) if share is not None else phrase("brief.others.none"),
                      words.money(departure.amounts.get(pid)), words.clients(departure)])
    if lines:
        out.append(_grid([phrase("brief.choice"), phrase("brief.others.new_share"), phrase("brief.others.new_amount"),
                          phrase("brief.others.clients")], lines, width))
    if party.failures:
        today = result.chosen["insolvency"]
        out.append(_sentence(phrase("brief.others.failure", party=words.names[party.causer]), keepNext=True,
                             spacing=_AFTER_TABLE))
        lines = [[words.choice("insolvency", model, today), words.failure(departure),
                  words.money(departure.amounts.get(pid)) if departure.continues else phrase("brief.others.ends")]
                 for model, departure in party.failures.items()]
        out.append(_grid([phrase("brief.choice"), phrase("brief.others.what"), phrase("brief.others.new_amount")],
                         lines, width))
    return out
