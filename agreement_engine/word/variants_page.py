"""The variants page in Word: every variant of one topic for the same alliance, side by side on landscape pages."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agreement_engine.answers import normalize
from agreement_engine.compare import Change, Pair, members, paragraphs, words
from agreement_engine.consequences import CORE, Scenario, choice, damage, departure, exit_cost, money
from agreement_engine.consequences import members as participants
from agreement_engine.formatting import formatter
from agreement_engine.model import Agreement, Member, Paragraph, Ref, Segment, Term
from agreement_engine.phrases import Phrases
from agreement_engine.variant_options import Option, answer_party, variant_name
from agreement_engine.word import styles as st
from agreement_engine.word.body import segment_runs
from agreement_engine.word.brief import Wording
from agreement_engine.word.ooxml import Node, marked_run, paragraph, run, to_xml
from agreement_engine.word.tables import HEADER_FILL, Cell, row, table
from agreement_engine.word.template import context, load_template

_LABEL_WIDTH = 1700  # twips: the column that names each row
_INDENT = 567  # twips: hanging indent of a member number, and again for an item letter
_HIGHLIGHT = "yellow"  # what differs from the chosen variant
_CODE_COLOR = "595959"  # the variant's code under its name, small and grey


def render_variants(agreement: Agreement, topic_title: str, options: Sequence[Option], *,
                    template: str | Path | None = None, provenance: Mapping[str, Any],
                    comfort_met: Callable[[dict], Mapping[str, bool]] | None = None,
                    scenario: Scenario | None = None) -> bytes:
    """Return the .docx bytes of a table with ``options`` side by side, for the alliance of ``agreement``.

    Each column is a variant, headed by its name in words and its code: what it means, the legal points of
    attention from the library, the answers it takes, for a core topic what it means per party in euros
    (``scenario`` gives the damage and who causes it), with ``comfort_met`` per party whether its comfort is met,
    and its article as it would read in this agreement, member by member, with what differs from the chosen
    variant highlighted (or why this alliance cannot choose it). No row breaks across a page.
    """
    house = load_template(template)
    width = house.landscape_layout.text_width
    columns = [_LABEL_WIDTH] + _split(width - _LABEL_WIDTH, len(options))
    phrases = agreement.phrases
    phrase = phrases.text
    chosen = [o.variant.id for o in options if o.chosen]
    intro = " ".join([phrase("variants.intro", topic=topic_title.lower(), alliance=agreement.alliance_name),
                      *([phrase("variants.chosen", variants=formatter(phrases.language).enum(chosen))] if chosen else []),
                      phrase("variants.explanation"), phrase("variants_board.marked")])
    rows = [
        row([_label(phrase("variants.variant"), columns[0], HEADER_FILL),
             *((_heading(o, phrases), w, HEADER_FILL) for o, w in zip(options, columns[1:]))], header=True),
        row(_cells(columns, phrase("variants.summary"),
                   [[(" ".join(o.variant.summary.split()), False)] for o in options])),
        *_stacked(phrase("variants.attention"), [[[paragraph(st.TABLE_TEXT, [run(f"\u2013 {' '.join(p.split())}")])]
                                                  for p in o.variant.attention] for o in options], columns),
        row(_cells(columns, phrase("variants.answers"), [_answers(o, phrases) for o in options])),
        *(row(_cells(columns, label, lines)) for label, lines in _per_party(options, phrases, scenario, comfort_met)),
        *_text_rows(options, phrases, columns),
    ]
    title = phrase("variants.title", topic=topic_title)
    body = [paragraph(st.HEADING, [run(title)], numPr=(0, 0)),
            paragraph(st.TEXT, [run(intro)]),
            table(columns, rows, borders=True)]
    values = {**context(agreement), "title": title, "version_label": ""}
    return house.document(values, to_xml(body), title=values["title"], subject=agreement.alliance_name,
                          phrases=phrases, provenance=provenance, landscape=True)


def _heading(option: Option, phrases: Phrases) -> list[Node]:
    """Return a column's heading: the variant's name in words, its code small below (and whether it is chosen)."""
    code = phrases.text("variants.chosen_variant", variant=option.variant.id) if option.chosen else option.variant.id
    name = variant_name(option.clause, option.variant)
    lines = [paragraph(st.TABLE_TEXT, [run(name, bold=True)])] if name else []
    return lines + [paragraph(st.TABLE_TEXT, [marked_run(code, bold=not name, size=None if not name else 16,
                                                         color=None if not name else _CODE_COLOR)])]


def _per_party(options: Sequence[Option], phrases: Phrases, scenario: Scenario | None,
               comfort_met: Callable[[dict], Mapping[str, bool]] | None) -> list[tuple[str, list[list[tuple[str, bool]]]]]:
    """Return the rows of what each variant means per party: (label, per variant its lines (text, bold))."""
    base = next((o.answer_set for o in options if o.answer_set is not None), None)
    if base is None:
        return []
    words = Wording(normalize(base, phrases), phrases)
    rows: list[tuple[str, list[list[tuple[str, bool]]]]] = []
    if comfort_met is not None:
        def comfort(option: Option) -> list[tuple[str, bool]]:
            met = comfort_met(option.answer_set) if option.answer_set is not None else {}
            return [(phrases.text("variants_board.party_line", party=words.names[pid], value=phrases.text(
                "variants_board.comfort_met" if ok else "variants_board.comfort_unmet")), False)
                for pid, ok in met.items()]
        rows.append((phrases.text("variants_board.comfort"), [comfort(o) for o in options]))
    topic = next((t for t, path in CORE.items() if all(_decides(o, path) for o in options)), None)
    if topic is None:
        return rows
    scenario = scenario or Scenario()
    sets = [normalize(o.answer_set, phrases) if o.answer_set is not None else None for o in options]
    ids = participants(words.answers)
    causer = scenario.causer if scenario.causer in ids else (ids[0] if ids else None)
    amount = words.money(scenario.damage)

    def lines(value: Callable[[dict, str, str], str | None]) -> list[list[tuple[str, bool]]]:
        """Return per variant a line per participating party: its name and ``value(answers, party, choice)``."""
        return [[] if answers is None else
                [(phrases.text("variants_board.party_line", party=words.names[pid], value=text), False)
                 for pid in participants(answers) if (text := value(answers, pid, choice(answers, topic))) is not None]
                for answers in sets]

    def shared(answers: dict, pid: str, model: str) -> str:
        found = damage(answers, model, scenario.damage, None)
        return words.paid(found, pid) if found.pays[pid] or not found.uncovered else phrases.text("brief.damage.stays")

    def failed(answers: dict, pid: str, model: str) -> str | None:
        if pid == causer:
            return None
        found = departure(answers, causer, model)
        return words.money(found.amounts.get(pid)) if found.continues else phrases.text("brief.others.ends")

    if topic == "resources":
        rows.append((phrases.text("variants_board.money"), lines(lambda a, pid, m: words.annual(money(a, m)[pid], m))))
    elif topic == "withdrawal":
        rows.append((phrases.text("variants_board.exit"), lines(lambda a, pid, m: words.exit_fee(exit_cost(a, m, pid)))))
    elif causer and topic == "liability":
        rows.append((phrases.text("variants_board.damage", damage=amount, causer=words.names[causer]),
                     lines(lambda a, pid, m: words.paid(damage(a, m, scenario.damage, causer), pid))))
        rows.append((phrases.text("variants_board.shared_damage", damage=amount), lines(shared)))
    elif causer and topic == "insolvency":
        rows.append((phrases.text("variants_board.failure", party=words.names[causer]), lines(failed)))
    return rows


def _decides(option: Option, path: tuple[str, ...]) -> bool:
    """Return whether the variant of ``option`` is chosen by the answer at ``path`` (a core topic's choice)."""
    return bool(option.variant.when) and option.variant.when.startswith(".".join(path) + " ==")


def _split(width: int, parts: int) -> list[int]:
    widths = [width // parts] * parts
    widths[-1] += width - sum(widths)
    return widths


def _label(text: str, width: int, fill: str | None = None) -> Cell:
    return [paragraph(st.TABLE_TEXT, [run(text, bold=True)])], width, fill


def _cells(columns: list[int], label: str, lines: list[list[tuple[str, bool]]], fill: str | None = None) -> list[Cell]:
    """Return a row's cells: its label, then per variant its lines of (text, bold)."""
    cells = [([paragraph(st.TABLE_TEXT, [run(text, bold=bold)]) for text, bold in column] or [paragraph(st.TABLE_TEXT)],
              width, fill) for column, width in zip(lines, columns[1:])]
    return [_label(label, columns[0], fill), *cells]


def _answers(option: Option, phrases: Phrases) -> list[tuple[str, bool]]:
    """Return the answers a variant takes, an answer held per party named with the party, never a JSON path."""
    if option.chosen:
        return [(phrases.text("variants.as_answered"), False)]
    names = {p["id"]: p.get("short_name") or p["name"] for p in (option.answer_set or {}).get("parties", [])}
    lines = []
    for answer in option.answers:
        per_party = answer_party(answer, option.answer_set) if option.answer_set is not None else None
        title = (phrases.text("variants_board.party_answer", title=per_party[0], party=names[per_party[1]])
                 if per_party else answer.title)
        lines.append((f"{title}: {answer.new}", False))
    return lines or [(phrases.text("variants.no_answers"), False)]


def _text_rows(options: Sequence[Option], phrases: Phrases, columns: list[int]) -> list[Node]:
    """Return the rows of the variants' articles: a row per member, each kept on one page.

    In a variant that is not chosen, what differs from the chosen variant's member is highlighted.
    """
    base = next((o for o in options if o.chosen and o.agreement is not None), None)
    return _stacked(phrases.text("variants.text"), [_blocks(o, base, phrases) for o in options], columns)


def _stacked(label: str, blocks: list[list[list[Node]]], columns: list[int]) -> list[Node]:
    """Return rows that show per variant its blocks of paragraphs side by side: the n-th block of every variant in
    the n-th row, ``label`` on the first. A row never breaks across a page, so no block should be longer than one."""
    rows = []
    for index in range(max((len(b) for b in blocks), default=0) or 1):
        rows.append(row([_label(label if index == 0 else "", columns[0]),
                         *((b[index] if index < len(b) else [paragraph(st.TABLE_TEXT)], w, None)
                           for b, w in zip(blocks, columns[1:]))]))
    return rows


def _blocks(option: Option, base: Option | None, phrases: Phrases) -> list[list[Node]]:
    """Return the variant's article as blocks of paragraphs, one per member, or why the alliance cannot choose it."""
    if option.agreement is None:
        lines = [paragraph(st.TABLE_TEXT, [run(phrases.text("variants.impossible"), bold=True)])]
        lines += [paragraph(st.TABLE_TEXT, [run(f"\u2013 {problem}")]) for problem in option.problems]
        if option.incomplete:
            lines.append(paragraph(st.TABLE_TEXT, [run(phrases.text("variants.incomplete"))]))
        return [lines]
    if option.clause.kind == "signature":
        return [[_numbered("", option.agreement.signature_intro, 0)]]
    article = option.agreement.article(option.clause.id)
    letter = formatter(phrases.language).list_letter
    counterpart: dict[int, Member | None] = {}
    if base is not None and base is not option:
        for pair in members(Pair(base.agreement.article(option.clause.id).members, article.members)):
            if pair.new is not None:
                counterpart[id(pair.new)] = pair.old
    heading = paragraph(st.TABLE_TEXT, [run(phrases.text("variants.article", number=article.number,
                                                           title=article.title), bold=True)])
    blocks = []
    for member in article.members:
        marked = base is not None and base is not option
        old = counterpart.get(id(member))
        block = [_numbered(f"{member.number}\t", member.body, _INDENT, old.body if old else None, marked)]
        items = paragraphs(Pair(old.items if old else (), member.items)) if marked else [Pair(i, i) for i in member.items]
        block += [_numbered(f"{letter(n)}.\t", pair.new, 2 * _INDENT, pair.old, marked)
                  for n, pair in enumerate(p for p in items if p.new is not None)]
        blocks.append(block)
    return [[heading], *blocks]


def _numbered(number: str, text: Paragraph, indent: int, old: Paragraph | None = None, marked: bool = False) -> Node:
    """Return a paragraph of text behind its number, hanging; references show their number as plain text.

    With ``marked``, the words that differ from ``old`` (all of them without ``old``) are highlighted.
    """
    if marked:
        runs = [r for segment, change in words(old, text) if change is not Change.DELETED
                for r in _runs(segment, change is Change.INSERTED)]
    else:
        runs = [r for segment in text.segments for r in segment_runs(segment)]
    return paragraph(st.TABLE_TEXT, [run(number), *runs] if number else runs,
                     ind={"left": indent, "hanging": _INDENT} if number else None)


def _runs(segment: Segment, highlight: bool) -> list[Node]:
    if not highlight:
        return segment_runs(segment)
    text = segment.number if isinstance(segment, Ref) else segment.text if isinstance(segment, Term) else segment
    return [marked_run(text, bold=isinstance(segment, Term), highlight=_HIGHLIGHT)]
