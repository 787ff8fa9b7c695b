"""The interview: the questions of the answer-set schema asked one by one, each answer checked as it is given.

Everything asked comes from the schema, so a new field needs no new code here: titles and descriptions are
the questions, ``x-labels`` and the summaries of the clause library's variants explain the choices, and
defaults are offered. Whether a question applies follows from the schema's if/then (a field another field
makes required) and from the engine's own cross-field rules (a field or choice that a rule would reject
or call unused is not asked or offered). Every answer is checked by the engine's own validation
on the answer set so far; an error is said and the question asked again.

Whatever is typed gets an answer: a line that is not text (bytes that are not UTF-8), holds a line break or
a character that changes the reading direction, shows nothing, is too long, or a number too large to be one
is refused with a message and the question comes again. An interrupted interview keeps,
beside its answers, the lines typed so far (``$interview``); ``--resume`` types them again without showing
them and so continues exactly where the interview stopped, in the middle of a list or a choice. An answer
set without those lines (written by hand, or changed since) is continued from its answers: every answer is
checked as the walk reaches it, and one that does not fit is named, left out and asked again.

How the questions are put is data too (``schemas/interview.json``): which fields of an object come first (a
party's name before its technical id, which is proposed from the name), and which questions a facilitator
usually answers with Enter. Those are kept until a block of standard choices: they are answered with Enter
unseen, shown as groups, and only the groups the facilitator names are asked one by one; a question Enter
cannot answer is asked anyway. "terug" goes back to the previous question (by typing the lines before it again,
unseen, from the start), "overzicht" shows the answers so far; ``ScriptAnswers`` answers by question from a
script ("path: answer" lines), as tests/data/interview/ holds them.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from jsonschema import Draft202012Validator

from agreement_engine.findings import Finding, Severity, json_path, make_finding
from agreement_engine.i18n import _
from agreement_engine.library import Library, default_library
from agreement_engine.lint import equalities
from agreement_engine.errors import OutputError
from agreement_engine.output import TEMPORARY_PREFIX, TEMPORARY_SUFFIX, atomic_write, reason, slug
from agreement_engine.resources import load_interview_plan, load_schema
from agreement_engine.rules import check_rules, party_label
from agreement_engine.schema import field_title, in_schema_order, resolve_ref, schema_at
from agreement_engine.validate import BIDI, validate_part

#: Sections asked first, in this order; the other sections follow in the order of the schema.
LEADING_SECTIONS = ("alliance", "parties")
#: The list whose items define the parties; a party id anywhere else refers to one of them.
PARTIES = "parties"
PARTY_ID = "#/$defs/party_id"

#: The key under which an unfinished answer set keeps the lines typed so far (and the answers the interview
#: started from), so that --resume continues exactly where it stopped. A finished answer set has none.
PROGRESS = "$interview"
#: The longest line read as an answer: the longest text the schema allows.
MAX_ANSWER = 10_000
#: Answers the engine works out itself when the question is asked: (path pattern, where the proposal comes
#: from). The statutory seat is stated as a fact in the comparitie, so it is asked with the city proposed.
DERIVED_DEFAULTS = {("parties", int, "seat"): ("address", "city")}
#: Technical ids proposed from a name: (path pattern of the id, the name it is made from, relative to its object).
PROPOSED_IDS = {("parties", int, "id"): ("name",)}
#: Words of a name left out of the id proposed from it: legal forms and articles ("Stichting De Haven": "haven").
_ID_SKIPPED = frozenset({"stichting", "vereniging", "cooperatie", "bv", "nv", "ua", "de", "het"})
_ID_LENGTH = 32

#: What a user types instead of an answer: back to the previous question, or the answers so far by section.
BACK = ("terug", "back")
OVERVIEW = ("overzicht", "summary")
#: After the path in ``Interview.asking``: the question which groups of standard choices to adjust.
STANDARD = " (standaardkeuzes)"
#: In a path pattern of schemas/interview.json: any item of a list, and the question whether a list gets another.
_ANY, _MORE = "[]", "[+]"

Ask = Callable[[str], str]
Say = Callable[[str], None]

_MISSING = object()
#: After the path in ``Interview.asking``: the question whether an answer that drew a warning stands.
KEEP = " (toch houden?)"
#: A number as people type it once "€", "%" and spaces are gone: ASCII digits, at most one decimal separator.
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
#: The most digits a typed number may have (amounts stay below a thousand billion, with two decimals).
_MAX_DIGITS = 15
_TOO_LONG = object()
_CHOICE_NUMBER = re.compile(r"[0-9]{1,4}")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Line breaks inside a typed line (a carriage return from a Windows file, U+2028, ...): one answer is one line.
_LINE_BREAK = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
#: Characters that show nothing; an answer of only these is refused as typed (control characters are left to
#: the check, which names them).
_INVISIBLE = re.compile("[\u00ad\u034f\u115f\u1160\u180e\u200b-\u200d\u2060-\u2064\u3164\ufeff]")
_MAX_WIDTH = 100
_YES = ("j", "ja", "y", "yes")
_NO = ("n", "nee", "no")


@dataclass(frozen=True)
class _Question:
    """One question: where its answer goes, its schema (as written and resolved) and how it is put."""

    path: list
    raw: dict
    node: dict
    required: bool
    title: str
    default: Any = _MISSING
    describe: bool = True
    part: bool = False  # one value of a map that is checked as a whole afterwards


@dataclass(frozen=True)
class _Choice:
    """One numbered choice: the value written, its label and what choosing it means."""

    value: Any
    label: str
    explanation: str | None = None


class _Mismatch(Exception):
    """The typed lines of an unfinished answer set do not lead to its answers (the file was changed since)."""


class _NotStandard(Exception):
    """A question among the standard choices cannot be answered with Enter: it is asked in its turn."""


class _Back(Exception):
    """The user typed "terug": go back to the question answered by typed line ``index``."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


@dataclass(frozen=True)
class _Deferred:
    """A question (or the rest of a list) kept for a group of standard choices: how to ask it, and where."""

    run: Callable[[], None]
    path: list
    context: tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    """One group of standard choices of schemas/interview.json: its title, fields and the list it has one per item."""

    title: str
    fields: tuple[tuple, ...]
    per: tuple | None


@dataclass(frozen=True)
class _Block:
    """Groups of standard choices, shown once the walk has passed ``after`` (None: the end of the interview)."""

    after: tuple | None
    title: str
    groups: tuple[_Group, ...]


def _pattern(text: str) -> tuple:
    """Return a dotted path of schemas/interview.json as a tuple: ``"parties[].id"`` is ("parties", "[]", "id")."""
    parts: list = []
    for part in text.split("."):
        name, bracket, rest = part.partition("[")
        parts.append(name)
        if bracket:
            parts.append(f"[{rest}")
    return tuple(parts)


def _matches(pattern: tuple, path: list | tuple) -> bool:
    return len(pattern) == len(path) and all(
        p == q or (p == _ANY and isinstance(q, int) and not isinstance(q, bool)) for p, q in zip(pattern, path))


def _plan() -> tuple[dict[tuple, tuple[str, ...]], tuple[_Block, ...]]:
    """Return the interview plan: the fields asked first per object, and the blocks of standard choices."""
    plan = load_interview_plan()
    first = {_pattern(path): tuple(names) for path, names in plan.get("first", {}).items()}
    blocks = tuple(_Block(None if b["after"] == "*" else _pattern(b["after"]), b["title"], tuple(
        _Group(g["title"], tuple(_pattern(f) for f in g["fields"]), _pattern(g["per"]) if g.get("per") else None)
        for g in b["groups"])) for b in plan.get("blocks", []))
    return first, blocks


def propose_id(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """Return a technical id made from a name: its words without legal form and article, not one of ``taken``.

    >>> propose_id("Stichting Buurtwerk Zwolle"), propose_id("Vereniging De Eettafel Zwolle")
    ('buurtwerk-zwolle', 'eettafel-zwolle')
    >>> propose_id("Gemeente Utrecht", {"gemeente-utrecht"}), propose_id("3D Zorg B.V."), propose_id("Ω")
    ('gemeente-utrecht-2', 'p-3d-zorg', 'partij')
    """
    words = [w for w in slug(name, "").split("-") if len(w) > 1 and w not in _ID_SKIPPED]
    base = ""
    for word in words:
        if len(base) + len(word) + 1 > _ID_LENGTH:
            break
        base = f"{base}-{word}" if base else word
    base = base or (words[0][:_ID_LENGTH] if words else "partij")
    if not base[0].isalpha():
        base = f"p-{base}"[:_ID_LENGTH].rstrip("-")
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[:_ID_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


class Interview:
    """Ask the questions of the schema, keep the answers given so far and check each one as it is given."""

    def __init__(self, answers: dict | None = None, *, ask: Ask, say: Say, library: Library | None = None) -> None:
        self._ask = ask
        self._write = say
        self._schema = load_schema()
        self._summaries = variant_summaries(library or default_library())
        #: Every line typed (and accepted as a line) in this interview, replayed ones included.
        self.typed: list[str] = []
        self._replay: list[str] | None = None  # lines to type again without showing them (--resume)
        self._replayed = 0
        self._expected: dict = {}  # the answers the replay must arrive at
        self._buffer: list[str] | None = None  # what the replay would have shown since its last question
        self._asked = 0
        self._first, self._blocks = _plan()
        #: While a group of standard choices is offered: for each group, the JSON paths of its questions. A caller
        #: that answers by question (``ScriptAnswers``) chooses the groups that hold a question it has an answer to.
        self.standard_choices: list[list[str]] | None = None
        self._arrival = _("Verder waar het interview stopte:")
        #: The question whose answer is read now, as the JSON path it is about: the field ("$.alliance.name",
        #: every line of a list of texts too); the list item or optional section for "add one?" and "fill in?"
        #: ("$.parties[2]", "$.multi_year_plan"); the field with KEEP after it for "keep this answer despite the
        #: warning?". A caller that answers by question (tests/test_interview.py) reads it in ``ask``.
        self.asking: str | None = None
        self._start(answers if answers is not None else {})

    @classmethod
    def resume(cls, saved: dict, *, ask: Ask, say: Say, library: Library | None = None) -> Interview:
        """Return the interview that continues the answer set ``saved`` (as read from a file).

        With the lines typed before (``$interview``) they are typed again, unseen, from the answers the
        interview started from; when they arrive at the saved answers, the interview is exactly where it
        stopped. Otherwise (or without them) it continues from the saved answers.
        """
        answers = {k: v for k, v in saved.items() if k != PROGRESS}
        progress = saved.get(PROGRESS)
        typed = progress.get("typed") if isinstance(progress, dict) else None
        start = progress.get("start", {}) if isinstance(progress, dict) else None
        if not (isinstance(typed, list) and all(isinstance(line, str) for line in typed) and isinstance(start, dict)):
            return cls(copy.deepcopy(answers), ask=ask, say=say, library=library)
        session = cls(copy.deepcopy(start), ask=ask, say=say, library=library)
        session._replay, session._expected, session._buffer = list(typed), copy.deepcopy(answers), []
        return session

    def _start(self, answers: dict) -> None:
        self.answers: dict = answers
        #: The answers this interview started from (--resume), kept with the typed lines when it is interrupted.
        self.start = copy.deepcopy(answers)
        self._known = {_key(f) for f in check_rules(self.answers)}
        self._headings: list[list[str]] = []
        # Answers given before (--resume) that the walk has not reached yet. While there are any, a question
        # without an answer was skipped then (or answered "no", for "another party?"), so it is not asked.
        # Questions kept for the standard choices come later than the walk reaches them, so their answers are
        # not among these.
        fields = [field for block in self._blocks for group in block.groups for field in group.fields]
        self._pending = {path for path in _leaf_paths(self.answers)
                         if not str(path[0]).startswith("$") and schema_at(list(path)) is not None
                         and not any(_matches(f, path[:n]) for n in range(1, len(path) + 1) for f in fields)}
        # Where an answer given before was left out: the questions there are asked again.
        self._reask: set[tuple] = set()
        #: Per typed line, the question it answered (asking, prompt): "terug" goes back to an earlier question.
        self._marks: list[tuple] = []
        #: The headings of the sections and items the walk is in, shown or not (for a question asked later).
        self._context: list[str] = []
        #: Questions kept for the standard choices, by (block, group, item indexes), in the order they came.
        self._deferred: dict[tuple, list[_Deferred]] = {}
        self._settling = 0  # > 0 while kept questions are answered: they are not kept again
        self._quiet: list | None = None  # while standard choices are tried: the questions Enter answered

    def run(self) -> dict:
        """Ask every question that applies and has no answer yet; return the answer set in schema order.

        "terug" goes back: the lines typed before the previous question are typed again, unseen, from the
        answers the interview started from, so the answers after it are undone as if never given.
        """
        while True:
            try:
                return self._run_once()
            except _Back as back:
                self._replay, self._replayed, self._expected, self._buffer = self.typed[:back.index], 0, None, []
                self.typed = []
                self._arrival = _("Terug naar de vorige vraag:")
                self._start(copy.deepcopy(self.start))

    def _run_once(self) -> dict:
        if self._replay is not None:
            try:
                self._walk()
                if self._replay is not None:
                    self._arrive()
                return in_schema_order(self.answers)
            except _Mismatch:
                self._replay, self._buffer, self.typed = None, None, []
                self._start(copy.deepcopy(self._expected))
        self._walk()
        return in_schema_order(self.answers)

    def progress(self) -> dict:
        """Return what an interrupted interview keeps beside its answers to continue exactly there."""
        return {"typed": list(self.typed), **({"start": self.start} if self.start else {})}

    def _walk(self) -> None:
        names = [*LEADING_SECTIONS, *(n for n in self._schema["properties"] if n not in LEADING_SECTIONS)]
        for name in names:
            self._property([], self._schema, name)
        self._offer(None)

    # --- which questions apply ---------------------------------------------------------------------------

    def _property(self, parent: list, parent_node: dict, name: str) -> None:
        if name.startswith("$"):
            return  # keywords for editors, not answers
        path = [*parent, name]
        if not self._defer(path, path, lambda: self._property(parent, parent_node, name)):
            self._field(parent, parent_node, name)
        self._offer(path)

    def _field(self, parent: list, parent_node: dict, name: str) -> None:
        path = [*parent, name]
        required = self._requirement(parent, parent_node, name)
        raw = parent_node["properties"][name]
        if required is None or (not required and self._unused(path, self._resolve(raw))):
            return
        self._value(self._question(path, raw, required))

    def _requirement(self, parent: list, parent_node: dict, name: str) -> bool | None:
        """Return whether the field is required, or None when an if/then of the schema rules it out."""
        conditions = [branch["if"] for branch in parent_node.get("allOf", [])
                      if name in branch.get("then", {}).get("required", [])]
        if conditions:
            current = _lookup(self.answers, parent)
            current = current if isinstance(current, dict) else {}
            return True if any(Draft202012Validator(c).is_valid(current) for c in conditions) else None
        return name in parent_node.get("required", [])

    def _unused(self, path: list, node: dict) -> bool:
        """Return whether a cross-field rule objects to this optional field holding any value at all.

        The field is tried with its default, or else a value of its type; a date with the start date of the
        alliance, the date the others are measured against, so that only an objection to any date counts
        (a warranty has no deadline), not one to a date too early or too late.
        """
        value = node.get("default", _MISSING)
        if value is _MISSING and node.get("format") == "date":
            value = _lookup(self.answers, ["alliance", "start_date"])
        if value is _MISSING or (node.get("format") == "date" and not isinstance(value, str)):
            value = _sample(node)
        return bool(self._rule_findings(path, value))

    def _rule_findings(self, path: list, value: Any) -> list[Finding]:
        """Return what the cross-field rules say at or under ``path`` when it holds ``value``."""
        trial = dict(self.answers)  # a copy of the section the value goes in; the rest is only read
        if path[0] in trial:
            trial[path[0]] = copy.deepcopy(trial[path[0]])
        _put(trial, path, value)
        where = json_path(path)
        return [f for f in check_rules(trial) if _within(f.path, where)]

    # --- standard choices ------------------------------------------------------------------------------

    def _defer(self, pattern_path: list, path: list, run: Callable[[], None]) -> bool:
        """Keep the question at ``path`` for its group of standard choices, if it is in one; say whether it is."""
        if self._settling:
            return False
        for b, block in enumerate(self._blocks):
            for g, group in enumerate(block.groups):
                if any(_matches(field, pattern_path) for field in group.fields):
                    item = tuple(path[:len(group.per)]) if group.per else ()
                    self._deferred.setdefault((b, g, item), []).append(_Deferred(run, path, tuple(self._context)))
                    # an answer given there before a --resume is reached now, in the order of the walk: until
                    # the group comes, a later question without an answer is not taken for one skipped then
                    within = tuple(path)
                    self._pending = {p for p in self._pending if p[:len(within)] != within}
                    return True
        return False

    def _offer(self, path: list | None) -> None:
        """Once the walk has passed ``path`` (None: the end), offer the standard choices of the blocks after it."""
        if self._settling:
            return
        for b, block in enumerate(self._blocks):
            if (block.after is None) if path is None else (block.after is not None and _matches(block.after, path)):
                keys = [key for key in self._deferred if key[0] == b]
                if keys:
                    self._settle(block, [(key, self._deferred.pop(key)) for key in keys])

    def _settle(self, block: _Block, groups: list[tuple[tuple, list[_Deferred]]]) -> None:
        """Show the groups whose questions Enter answers, ask which to adjust; ask those and the others."""
        before = self._save()
        offered: list[tuple[int, list[str]]] = []
        for number, (key, deferred) in enumerate(groups):
            said = self._quietly(deferred)
            if said:  # questions Enter answers; a group without any (answered before a --resume) is not shown
                offered.append((number, said))
        self._restore(before)
        chosen: set[int] = set()
        if offered:
            self._new_question()
            self._flush()
            self._say("")
            self._say(f"== {_(block.title)} ==")
            for shown, (number, said) in enumerate(offered, start=1):
                key, _deferred = groups[number]
                title = party_label(self.answers, list(key[2])) if key[2] else _(block.groups[key[1]].title)
                self._say(_wrap(f"{title}: {'; '.join(said)}", f"  {shown:>2}) " if len(offered) > 1 else "  ",
                                "      " if len(offered) > 1 else "    "))
            about = (json_path(list(block.after)) if block.after else "$") + STANDARD
            self.standard_choices = [[json_path(d.path) for d in groups[number][1]] for number, _said in offered]
            try:
                picked = self._pick_groups(len(offered), about)
            finally:
                self.standard_choices = None
            chosen = {offered[n - 1][0] for n in picked}
        self._settling += 1
        try:
            for number, (key, deferred) in enumerate(groups):
                if number in chosen or self._quietly(deferred) is None:
                    self._ask_deferred(deferred)
        finally:
            self._settling -= 1

    def _pick_groups(self, count: int, about: str) -> set[int]:
        """Ask which of ``count`` groups of standard choices to adjust: yes or no for one, numbers for more."""
        if count == 1:
            return {1} if self._yes_no(_("Aanpassen?"), default=False, about=about) else set()
        while True:
            text = self._prompt(_("Aanpassen"), None, [_("nummers, gescheiden door komma's"), _("Enter: niets")],
                                about=about)
            numbers = text.replace(",", " ").split()
            if all(_CHOICE_NUMBER.fullmatch(n) and 1 <= int(n) <= count for n in numbers):
                return {int(n) for n in numbers}
            self._tell(_("Kies nummers van 1 tot en met {count}.").format(count=count))

    def _quietly(self, deferred: list[_Deferred]) -> list[str] | None:
        """Answer the kept questions with Enter, unseen; return what they then hold, or None (state unchanged)
        when one of them needs more than Enter (a required answer, a default the earlier answers rule out)."""
        before = self._save()
        self._quiet, self._settling = [], self._settling + 1
        try:
            for item in deferred:
                item.run()
        except _NotStandard:
            self._restore(before)
            return None
        finally:
            asked, self._quiet, self._settling = self._quiet, None, self._settling - 1
        return [f"{self._summary_title(about, title)}: {self._display(about, title)}" for about, title in asked]

    def _ask_deferred(self, deferred: list[_Deferred]) -> None:
        """Ask kept questions one by one, under the headings of the section or party they belong to."""
        shown: tuple[str, ...] = ()
        for item in deferred:
            common = next((n for n, (a, b) in enumerate(zip(shown, item.context)) if a != b),
                          min(len(shown), len(item.context)))
            pending = [["", line] for line in item.context[common:]]
            self._headings.extend(pending)
            item.run()
            if pending and any(lines is pending[-1] for lines in self._headings):
                self._headings = [lines for lines in self._headings if not any(lines is p for p in pending)]
            else:
                shown = item.context

    def _save(self) -> tuple:
        return (copy.deepcopy(self.answers), set(self._known), set(self._pending), set(self._reask),
                list(self._headings), self.asking)

    def _restore(self, saved: tuple) -> None:
        answers, self._known, self._pending, self._reask, headings, self.asking = saved
        self.answers = copy.deepcopy(answers)
        self._headings[:] = headings

    def _display(self, about: list | str, title: str) -> str:
        """Return the answer to the question at ``about`` as a facilitator reads it ("ja", a choice's label)."""
        if not isinstance(about, list):
            return "?"
        value = _lookup(self.answers, about)
        if value is _MISSING:
            return _("nee") if title.endswith("?") else _("niet ingevuld")
        return self.shown_value(about, value)

    def _summary_title(self, about: list | str, title: str) -> str:
        node = schema_at(about) if isinstance(about, list) else None
        return str(field_title(about)) if node and node.get("type") == "array" else title

    def shown_value(self, path: list, value: Any) -> str:
        """Return an answer as the interview shows it: a choice by its label, yes and no as words."""
        node = schema_at(path) or {}
        if isinstance(value, bool):
            return _("ja") if value else _("nee")
        if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            items = self._resolve(node.get("items", {}))
            return ", ".join(self._label(items, v) for v in value) or _("geen")
        if isinstance(value, (dict, list)):
            return _shown(value, 80)
        return self._label(node, value)

    def _label(self, node: dict, value: Any) -> str:
        label = node.get("x-labels", {}).get(str(value))
        if label:
            return _(label)
        for branch in node.get("anyOf", []):
            if branch.get("const") == value and branch.get("title"):
                return _(branch["title"])
        party = next((p for p in self._parties() if p["id"] == value), None) if isinstance(value, str) else None
        if party is not None and node.get("pattern") and node.get("title") != self._id_title():
            return f"{party.get('name', value)} ({value})"
        return _shown(value, 80, quote=False)

    def _id_title(self) -> str | None:
        return (schema_at([PARTIES, 0, "id"]) or {}).get("title")

    def overview(self) -> list[str]:
        """Return the answers so far by section, one line per answer, as "overzicht" and the end show them."""
        lines: list[str] = []
        for section, value in in_schema_order(self.answers).items():
            if section.startswith("$") or schema_at([section]) is None:
                continue
            lines.append(f"== {field_title([section])} ==")
            for path in _leaf_paths(value, (section,)):
                lines.append(_wrap(f"{self._where(list(path))}: {self.shown_value(list(path), _lookup(self.answers, list(path)))}",
                                   "  ", "    "))
        return lines

    def _where(self, path: list) -> str:
        """Return the name of the answer at ``path`` with the party or item it belongs to."""
        names: list[str] = []
        for n, part in enumerate(path):
            if isinstance(part, int):
                names.append(str(party_label(self.answers, path[:n + 1])) if path[0] == PARTIES and n == 1 else
                             f"{field_title(path[:n + 1])} {part + 1}")
        last = path[-1]
        names.append(str(field_title(path)) if not isinstance(last, int) else "")
        return " – ".join(n for n in names if n)

    # --- asking ----------------------------------------------------------------------------------------

    def _question(self, path: list, raw: dict, required: bool, **how: Any) -> _Question:
        node = self._resolve(raw)
        default = node.get("default", _MISSING)
        for pattern, source in DERIVED_DEFAULTS.items():
            if len(pattern) == len(path) and all(p == q or (p is int and isinstance(q, int))
                                                  for p, q in zip(pattern, path)):
                proposed = _lookup(self.answers, [*path[:-1], *source])
                if isinstance(proposed, str) and proposed.strip():
                    default = proposed
        for pattern, source in PROPOSED_IDS.items():
            if _matches(tuple(_ANY if p is int else p for p in pattern), path):
                name = _lookup(self.answers, [*path[:-1], *source])
                if isinstance(name, str) and name.strip():
                    siblings = _lookup(self.answers, path[:-2])
                    taken = {item[path[-1]] for n, item in enumerate(siblings if isinstance(siblings, list) else [])
                             if isinstance(item, dict) and n != path[-2] and isinstance(item.get(path[-1]), str)}
                    default = propose_id(name, taken)
        return replace(_Question(path, raw, node, required, _(node.get("title", str(path[-1]))), default), **how)

    def _value(self, q: _Question) -> None:
        """Ask the question (or the questions inside it) unless it was skipped before a --resume."""
        if not q.required and self._pending and _lookup(self.answers, q.path) is _MISSING \
                and not self._reasked(q.path):
            return
        self._repair(q)
        self._ask_value(q)
        within = tuple(q.path)
        self._pending = {p for p in self._pending if p[:len(within)] != within}

    def _ask_value(self, q: _Question) -> None:
        node = q.node
        items = self._resolve(node.get("items", {}))
        if "const" in node:
            _put(self.answers, q.path, node["const"])
        elif node.get("type") == "object":
            with self._heading(q):
                if "properties" in node:
                    self._object(q)
                else:
                    self._party_map(q)
        elif node.get("type") == "array" and items.get("type") == "object":
            with self._heading(q):
                self._list(q, items)
        elif node.get("type") == "array" and "enum" in items:
            self._several(q, items)
        elif node.get("type") == "array":
            self._lines(q)
        else:
            self._single(q)

    def _repair(self, q: _Question) -> None:
        """Leave out what an answer given before holds that cannot be an answer here, and say so.

        A value of the wrong kind (a text where a section belongs), an item of a list that is not one, or
        a field the schema does not know: each goes alone, is named with its value, and is asked again.
        """
        given = _lookup(self.answers, q.path)
        if given is _MISSING:
            return
        kind = {"object": dict, "array": list}.get(q.node.get("type"))
        if kind is not None and not isinstance(given, kind):
            self._discard(q.path, given, _("dit antwoord heeft niet de juiste vorm"))
            return
        items = self._resolve(q.node.get("items", {})) if kind is list else {}
        if items.get("type") == "object":
            for index in reversed(range(len(given))):
                if not isinstance(given[index], dict):
                    self._discard([*q.path, index], given[index], _("dit antwoord heeft niet de juiste vorm"))
                    self._reask.add(tuple(q.path))
        if kind is dict and "properties" in q.node and q.node.get("additionalProperties") is False:
            for name in [k for k in given if k not in q.node["properties"]]:
                self._discard([*q.path, name], given[name], _("dit veld bestaat niet in de antwoordenset"))

    def _discard(self, path: list, value: Any, why: str) -> None:
        self._flush()
        party = party_label(self.answers, path)
        self._tell((f"{party}: " if party else "") + _("{path}: het eerdere antwoord {value} is weggelaten; {reason}")
                   .format(path=json_path(path), value=_shown(value), reason=why))
        _drop(self.answers, path)
        within = tuple(path)
        self._pending = {p for p in self._pending if p[:len(within)] != within}
        self._reask.add(within)

    def _reasked(self, path: list) -> bool:
        return any(tuple(path[:len(r)]) == r for r in self._reask)

    def _object(self, q: _Question) -> None:
        if _lookup(self.answers, q.path) is _MISSING and not q.required and q.node.get("required"):
            self._new_question()
            if not self._yes_no(_("{title} invullen?").format(title=q.title), default=False, about=q.path):
                return
        first = next((names for pattern, names in self._first.items() if _matches(pattern, q.path)), ())
        for name in [*(n for n in first if n in q.node["properties"]),
                     *(n for n in q.node["properties"] if n not in first)]:
            self._property(q.path, q.node, name)
        if q.required and _lookup(self.answers, q.path) is _MISSING:
            _put(self.answers, q.path, {})

    def _list(self, q: _Question, items: dict, start: int = 0) -> None:
        """Ask item after item ("Nog een partij?") within the schema's minimum and maximum."""
        item_title = _(items.get("title", ""))
        low, high = q.node.get("minItems", 0), q.node.get("maxItems")
        index = start
        while high is None or index < high:
            given = _lookup(self.answers, q.path)
            if index >= (len(given) if isinstance(given, list) else 0) and index >= low:
                more = _("Nog een {item}?") if index else _("Een {item} toevoegen?")
                if self._pending and not self._reasked(q.path):
                    break
                if self._defer([*q.path, _MORE], [*q.path, index], lambda at=index: self._list(q, items, at)):
                    break
                self._new_question()
                if not self._yes_no(more.format(item=item_title.lower()), default=False, about=[*q.path, index]):
                    break
            item = replace(q, path=[*q.path, index], title=f"{item_title} {index + 1}", describe=False)
            with self._heading(item):
                self._object(self._question([*q.path, index], q.node["items"], True))
            index += 1

    def _party_map(self, q: _Question) -> None:
        """Ask for one value per party that may have one; check the whole map (e.g. shares adding up to 100)."""
        entry_raw = q.node["additionalProperties"]
        entry = self._resolve(entry_raw)
        previous: Any = {}
        given = _lookup(self.answers, q.path)
        if isinstance(given, dict):  # answers given before for a party that cannot have one here go alone
            candidates = {p["id"] for p in self._parties()
                          if not self._rule_findings([*q.path, p["id"]], _sample(entry))}
            for key in [k for k in given if k not in candidates]:
                self._discard([*q.path, key], given[key], self._not_a_candidate(q.path, key))
        again = False
        while True:
            candidates = [p for p in self._parties() if not self._rule_findings([*q.path, p["id"]], _sample(entry))]
            asked = self._asked
            for number, party in enumerate(candidates):
                self._value(self._question(
                    [*q.path, party["id"]], entry_raw, False, describe=number == 0, part=True,
                    title=f"{_(entry.get('title', ''))} – {_party_name(party)}",
                    default=previous.get(party["id"], _MISSING)))
            if _lookup(self.answers, q.path) is _MISSING:
                if not q.required:
                    return
                _put(self.answers, q.path, {})
            if self._check(q.path):
                return
            if again and self._asked == asked:
                return  # nothing here can be asked again; the check at the end names what is wrong
            previous, again = _lookup(self.answers, q.path), True
            _drop(self.answers, q.path)
            self._reask.add(tuple(q.path))  # ask every entry again, the earlier ones proposed

    def _not_a_candidate(self, path: list, key: Any) -> str:
        """Say why a party map holds an entry for ``key`` that the interview would not ask."""
        if not any(p["id"] == key for p in self._parties()):
            return _("'{id}' is geen kenmerk van een Partij in deze antwoordenset").format(id=_shown(key, 40, quote=False))
        where = json_path([*path, key])
        said = [f.message for f in check_rules(self.answers) if _within(f.path, where)]
        return said[0] if said else _("voor deze Partij hoort hier geen antwoord")

    def _single(self, q: _Question) -> None:
        if self._answered(q):
            return
        choices = self._choices(q)
        if choices is not None:
            choices = self._fitting(q, choices)
            if len(choices) == 1:
                _put(self.answers, q.path, choices[0].value)
                return
        self._describe(q, choices)
        while True:
            if choices is not None:
                value = self._pick(q, choices)
            elif q.node.get("type") == "boolean":
                value = self._yes_no(q.title, q.default, optional=not q.required, about=q.path)
            else:
                value = self._typed(q)
            if value is _MISSING:
                return
            _put(self.answers, q.path, value)
            if self._check(q.path, anywhere=not q.part):
                return
            _drop(self.answers, q.path)

    def _several(self, q: _Question, items: dict) -> None:
        """Ask for a set of choices (e.g. insolvency events) as numbers separated by commas."""
        if self._answered(q):
            return
        choices = [self._choice(q, items, value) for value in items["enum"]]
        self._describe(q, choices)
        default = ",".join(str(n) for n, c in enumerate(choices, 1) if c.value in q.default
                           ) if q.default is not _MISSING else None
        while True:
            text = self._prompt(q.title, default, [_("nummers, gescheiden door komma's")], about=q.path)
            numbers = text.replace(",", " ").split() if text.strip() else (default or "").replace(",", " ").split()
            if not numbers and not q.required:
                return
            if not all(_CHOICE_NUMBER.fullmatch(n) and 1 <= int(n) <= len(choices) for n in numbers):
                self._tell(_("Kies nummers van 1 tot en met {count}.").format(count=len(choices)))
                continue
            chosen = {int(n) for n in numbers}
            _put(self.answers, q.path, [c.value for n, c in enumerate(choices, 1) if n in chosen])
            if self._check(q.path, anywhere=not q.part):
                return
            _drop(self.answers, q.path)

    def _lines(self, q: _Question) -> None:
        """Ask for a list of texts, one per line, ended by an empty line."""
        if self._answered(q):
            return
        self._describe(q, None)
        while True:
            lines: list[str] = []
            while text := self._prompt(_("{title}, regel {number}").format(title=q.title, number=len(lines) + 1),
                                       hints=[_("lege regel: klaar")], about=q.path).strip():
                lines.append(text)
            if not lines:
                if not q.required:
                    return
                self._tell_findings([self._required(q)])
                continue
            _put(self.answers, q.path, lines)
            if self._check(q.path, anywhere=not q.part):
                return
            _drop(self.answers, q.path)

    # --- choices -----------------------------------------------------------------------------------------

    def _choices(self, q: _Question) -> list[_Choice] | None:
        """Return the choices of an enum, of a party reference, or of both (``anyOf``); None for free input."""
        if "enum" in q.node:
            return [self._choice(q, q.node, value) for value in q.node["enum"]]
        branches = q.node.get("anyOf", [q.raw] if self._refers_to_party(q) else [])
        choices: list[_Choice] = []
        for branch in branches:
            if branch.get("$ref") == PARTY_ID:
                choices += [_Choice(p["id"], f"{p.get('name', p['id'])} ({p['id']})") for p in self._parties()]
            elif "const" in branch:
                choices.append(_Choice(branch["const"], _(branch.get("title", str(branch["const"]))),
                                       _(branch["description"]) if branch.get("description") else None))
        return choices or None

    def _choice(self, q: _Question, node: dict, value: Any) -> _Choice:
        summary = self._summaries.get((".".join(p for p in q.path if isinstance(p, str)), value))
        label = node.get("x-labels", {}).get(str(value))
        return _Choice(value, _(label) if label else str(value), _(summary) if summary else None)

    def _refers_to_party(self, q: _Question) -> bool:
        return q.raw.get("$ref") == PARTY_ID and q.path[0] != PARTIES

    def _fitting(self, q: _Question, choices: list[_Choice]) -> list[_Choice]:
        """Leave out choices a cross-field rule rejects; take the only choice no rule objects to at all."""
        verdicts = [(c, {f.severity for f in self._rule_findings(q.path, c.value)}) for c in choices]
        allowed = [c for c, said in verdicts if Severity.ERROR not in said] or choices
        clean = [c for c, said in verdicts if not said]
        if len(choices) > 1 and len(clean) == 1:
            self._flush()
            self._say("")
            self._say(_("{title}: {choice} (de enige keuze die hier past)").format(
                title=q.title, choice=clean[0].label))
            return clean
        return allowed

    def _pick(self, q: _Question, choices: list[_Choice]) -> Any:
        default = next((str(n) for n, c in enumerate(choices, 1) if c.value == q.default), None)
        hints = [] if default or q.required else [_("Enter: overslaan")]
        while True:
            text = self._prompt(q.title, default, hints, about=q.path).strip()
            if not text and not default:
                if not q.required:
                    return _MISSING
                self._tell_findings([self._required(q)])
                continue
            text = text or default
            if _CHOICE_NUMBER.fullmatch(text) and 1 <= int(text) <= len(choices):
                return choices[int(text) - 1].value
            for choice in choices:  # the value itself ("fixed") is understood as well
                if str(choice.value) == text:
                    return choice.value
            self._tell(_("Kies een nummer van 1 tot en met {count}.").format(count=len(choices)))

    # --- free input --------------------------------------------------------------------------------------

    def _typed(self, q: _Question) -> Any:
        """Read text or a number; what does not parse as a number is left as text for the check to explain."""
        default = None if q.default is _MISSING else str(q.default)
        hints = [] if default is not None or q.required else [_("Enter: overslaan")]
        while True:
            text = self._prompt(q.title, default, hints, about=q.path).strip()
            if text and q.node.get("type") in ("integer", "number"):
                value = _number(text, q.node["type"])
                if value is _TOO_LONG:
                    self._tell(_("Dit getal heeft te veel cijfers (hoogstens {count}).").format(count=_MAX_DIGITS))
                    continue
                return value
            if text:
                return text
            if default is not None:
                return q.default
            if not q.required:
                return _MISSING
            self._tell_findings([self._required(q)])

    def _yes_no(self, title: str, default: Any = _MISSING, *, optional: bool = False, about: list | str) -> Any:
        """Ask a yes/no question; return True, False, or (optional, no default) _MISSING on Enter."""
        shown = {True: _("j"), False: "n"}.get(default) if default is not _MISSING else None
        hints = [_("j/n")] + ([_("Enter: overslaan")] if optional and shown is None else [])
        while True:
            text = self._prompt(title, shown, hints, about=about).strip().lower()
            if not text and default is not _MISSING:
                return default
            if not text and optional:
                return _MISSING
            if text in _YES:
                return True
            if text in _NO:
                return False
            self._tell(_("Antwoord met j (ja) of n (nee)."))

    # --- checking ----------------------------------------------------------------------------------------

    def _answered(self, q: _Question) -> bool:
        """Return whether an answer given before (--resume) stands; say what is wrong with it if not."""
        if _lookup(self.answers, q.path) is _MISSING:
            return False
        self._pending.discard(tuple(q.path))
        if self._check(q.path, anywhere=False):
            return True
        _drop(self.answers, q.path)
        return False

    def _check(self, path: list, anywhere: bool = True) -> bool:
        """Check the answer at ``path`` with the engine's validation; say the errors and whatever is new.

        An answer fails on an error of the schema at or under its path, on an error of a cross-field rule
        there and, with ``anywhere``, on a new error of a rule elsewhere (a choice that clashes with an
        earlier answer); after a new warning the user decides whether it stands. Incompleteness
        (``schema.required``) is not judged here: the interview asks for everything in its turn, and the
        command checks the whole answer set at the end.
        """
        by_rules = check_rules(self.answers)
        where = json_path(path)
        relevant = [f for f in validate_part(self.answers, path) if f.code != "schema.required"] + [
            f for f in by_rules if _within(f.path, where) or (anywhere and _key(f) not in self._known
                                                              and not _is_note(f))]
        errors = [f for f in relevant if f.severity is Severity.ERROR]
        new = [f for f in relevant if _key(f) not in self._known]
        self._tell_findings(errors or new)
        if errors or (any(f.severity is Severity.WARNING for f in new)
                      and not self._yes_no(_("Dit antwoord toch houden?"), default=True, about=where + KEEP)):
            return False
        # A note about a field elsewhere (a seat or a basis assumed while it is not yet asked) waits for the
        # question of that field: it is said there if the answer leaves the assumption in place.
        self._known = {_key(f) for f in by_rules if _within(f.path, where) or not _is_note(f)}
        return True

    def _required(self, q: _Question) -> Finding:
        return make_finding("schema.required", json_path(q.path), party=party_label(self.answers, q.path),
                            title=field_title(q.path))

    # --- output ------------------------------------------------------------------------------------------

    @contextmanager
    def _heading(self, q: _Question) -> Iterator[None]:
        """Show the title (and description) of a section before the first question asked in it, if any."""
        marker = "==" if len(q.path) == 1 else "--"
        lines = ["", f"{marker} {q.title} {marker}"]
        if q.describe and q.node.get("description"):
            lines.append(_wrap(_(q.node["description"]), ""))
        self._headings.append(lines)
        self._context.append(lines[1])
        try:
            yield
        finally:
            self._context.pop()
            if self._headings and self._headings[-1] is lines:
                self._headings.pop()

    def _say(self, line: str) -> None:
        if self._quiet is not None:
            return  # standard choices tried unseen
        if self._buffer is not None:
            self._buffer.append(line)
        else:
            self._write(line)

    def _new_question(self) -> None:
        """Mark the start of a new question: what a replay shows on arriving starts here."""
        if self._buffer is not None and self._quiet is None:
            self._buffer.clear()

    def _flush(self) -> None:
        for lines in self._headings:
            for line in lines:
                self._say(line)
        self._headings.clear()

    def _describe(self, q: _Question, choices: list[_Choice] | None) -> None:
        self._new_question()
        self._flush()
        if q.describe and q.node.get("description"):
            self._say("")
            self._say(_wrap(_(q.node["description"]), ""))
        for number, choice in enumerate(choices or [], start=1):
            self._say(_wrap(choice.label, f"  {number:>2}) ", "      "))
            if choice.explanation:
                self._say(_wrap(choice.explanation, "      "))

    def _prompt(self, title: str, default: str | None = None, hints: list[str] | None = None, *,
                about: list | str) -> str:
        """Ask for one line about the field at ``about`` (a path or the key of ``asking``); a line that cannot
        be an answer to anything is refused and asked again."""
        self.asking = about if isinstance(about, str) else json_path(about)
        if self._quiet is not None:  # standard choices tried unseen: Enter
            self._quiet.append((about, title))
            return ""
        self._flush()
        shown = (f" ({', '.join(hints)})" if hints else "") + (f" [{_shown(default, 60, quote=False)}]"
                                                                 if default else "")
        mark = (self.asking, title)
        while True:
            text = self._read(f"{title}{shown}: ")
            word = text.strip().lower()
            if word in BACK:
                earlier = [n for n, m in enumerate(self._marks[:len(self.typed)]) if m != mark]
                if earlier:
                    raise _Back(earlier[-1])
                self._tell(_("Dit is de eerste vraag; er is geen vorige."))
            elif word in OVERVIEW:
                self._say("")
                for line in self.overview() or [_("Nog geen antwoorden.")]:
                    self._say(line)
                self._say("")
            elif _SURROGATE.search(text):
                self._tell(_("Dit antwoord bevat bytes die geen tekst zijn (geen geldige UTF-8); typ het opnieuw."))
            elif _LINE_BREAK.search(text.strip()):
                self._tell(_("Een antwoord is één regel; dit antwoord bevat een regeleinde."))
            elif bidi := BIDI.search(text):
                self._tell(_("Dit antwoord bevat een teken dat de leesrichting verandert (U+{code:04X}); daarmee kan een "
                             "tekst anders lijken dan hij is.").format(code=ord(bidi.group())))
            elif text.strip() and not _INVISIBLE.sub("", text).strip():
                self._tell(_("Dit antwoord bestaat alleen uit onzichtbare tekens."))
            elif len(text) > MAX_ANSWER:
                self._tell(_("Dit antwoord is te lang: hoogstens {count} tekens.").format(count=f"{MAX_ANSWER:,}".replace(",", ".")))
            else:
                self.typed.append(text)
                self._marks[len(self.typed) - 1:] = [mark]
                return text

    def _read(self, prompt: str) -> str:
        """Return the next line: a line typed before while a resume replays them, then what the user types."""
        if self._replay is not None:
            if self._replayed < len(self._replay):
                self._replayed += 1
                line = self._replay[self._replayed - 1]
                self._say(prompt + _shown(line, 200, quote=False))  # as the screen showed it
                return line
            self._arrive()
        self._asked += 1
        return self._ask(prompt)

    def _arrive(self) -> None:
        """End the replay where the interview stopped: show what was on the screen for this question."""
        if self._expected is not None and self.answers != self._expected:
            raise _Mismatch
        shown, self._replay, self._buffer = self._buffer or [], None, None
        self._say("")
        self._say(self._arrival)
        for line in shown:
            self._say(line)

    def _tell(self, message: str) -> None:
        if self._quiet is not None:
            raise _NotStandard  # Enter is not enough here: the question is asked in its turn
        self._flush()
        self._say(_wrap(_shorter(message), "  ! ", "    "))

    def _tell_findings(self, findings: list[Finding]) -> None:
        for finding in findings:
            self._tell(f"{finding.severity.label.capitalize()}: {finding.message}")

    # --- helpers -----------------------------------------------------------------------------------------

    def _resolve(self, raw: dict) -> dict:
        return resolve_ref(raw, self._schema)

    def _parties(self) -> list[dict]:
        parties = self.answers.get(PARTIES)
        return [p for p in parties if isinstance(p, dict) and isinstance(p.get("id"), str)] \
            if isinstance(parties, list) else []


class ScriptError(Exception):
    """Raised when a script has no answer to a question the interview asks again and again (a required one)."""


class ScriptAnswers:
    """Answer an interview by question from a script: lines "path: answer", the path being ``Interview.asking``.

    Lines starting with "#" and empty lines are comments; "  # " starts a comment after an answer. A path
    given more than once gets its answers in order (the lines of a list, or a wrong answer and then the right
    one). A question the script does not name gets Enter. Where the interview offers standard choices, the
    groups that hold a question the script answers are chosen to adjust. See tests/data/interview/.
    """

    def __init__(self, text: str, session: Interview | None = None) -> None:
        self.session = session
        self.queues: dict[str, list[str]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#") or not line.strip():
                continue
            entry = line.partition("  # ")[0]
            key, colon, answer = entry.partition(": ") if ": " in entry else entry.rstrip().partition(":")
            if not colon or not key.startswith("$"):
                raise ScriptError(_("regel {number}: geen 'pad: antwoord': {line}").format(number=number,
                                                                                         line=_shown(line, 60)))
            self.queues.setdefault(key.strip(), []).append(answer.strip())
        self._last: list[str] = []

    @staticmethod
    def looks_like_one(line: str) -> bool:
        """Return whether ``line``, the first of some input, starts a script rather than being an answer."""
        return line.lstrip().startswith(("#", "$."))

    def __call__(self, prompt: str) -> str:
        """Return the script's answer to the question the interview asks now (Enter if it has none)."""
        key = self.session.asking if self.session else None
        queue = self.queues.get(key or "")
        if queue:
            answer = queue.pop(0)
        elif key and key.endswith(STANDARD) and self.session.standard_choices is not None:
            wanted = [n for n, paths in enumerate(self.session.standard_choices, start=1)
                      if any(_within(k.removesuffix(KEEP), p) for p in paths for k, q in self.queues.items() if q)]
            answer = (_("j") if wanted else "") if len(self.session.standard_choices) == 1 else \
                ",".join(map(str, wanted))
        else:
            answer = ""
        self._last = [*self._last[-2:], f"{key}\0{answer}"]
        if not answer and len(self._last) == 3 and len(set(self._last)) == 1:
            raise ScriptError(_("het script heeft geen antwoord op {path}, en die vraag komt steeds terug").format(
                path=key))
        return answer

    def left(self) -> list[str]:
        """Return the paths the script still has answers to: questions the interview did not ask."""
        return [key for key, queue in self.queues.items() if queue]


def variant_summaries(library: Library) -> dict[tuple[str, Any], str]:
    """Map (answer path, value) to the summary of the one clause variant that choosing the value selects."""
    found: dict[tuple[str, Any], list[str]] = {}
    for clause in library.clauses:
        for variant in clause.variants:
            if variant.when and variant.summary:
                for key in equalities(variant.when):
                    found.setdefault(key, []).append(variant.summary)
    return {key: summaries[0] for key, summaries in found.items() if len(summaries) == 1}


def save_answers(path: str | Path, answers: dict, *, progress: dict | None = None,
                 replacing: dict | None = None) -> Path | None:
    """Write ``answers`` as JSON to ``path`` atomically: the file appears whole or not at all.

    ``progress`` (of an interrupted interview) goes with them under ``$interview``. ``replacing`` is what
    the file at ``path`` held when the interview started: if the new answers do not hold all of it, the
    file is first copied to ``<name>.bak`` (or ``.bak-2``, ... : an earlier copy is never overwritten).
    Return that copy, if one was made.
    """
    content = in_schema_order(answers)
    if progress is not None:
        content[PROGRESS] = progress
    backup = None
    if replacing is not None and not holds(answers, replacing) and Path(path).exists():
        backup = _free_name(Path(path))
        atomic_write(backup, Path(path).read_bytes())
    text = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
    atomic_write(Path(path), text.encode("utf-8"))
    return backup


def holds(answers: dict, earlier: dict) -> bool:
    """Return whether ``answers`` holds every answer of ``earlier``, with the same value."""
    earlier = {k: v for k, v in earlier.items() if k != PROGRESS}
    return all(_lookup(answers, list(p)) == _lookup(earlier, list(p)) for p in _leaf_paths(earlier))


def check_target(path: str | Path) -> None:
    """Raise OutputError unless a file can be written at ``path`` (asked before the first question)."""
    folder = Path(path).parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=folder)
    except OSError as exc:
        raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(
            file=path, reason=reason(exc))) from exc
    os.close(handle)
    os.unlink(temporary)


class SignalGuard:
    """While the interview runs, SIGTERM and SIGHUP interrupt it as Ctrl-C does, so the answers are saved.

    :meth:`hold` then ignores every further interrupt while the answers are being written.
    """

    NAMES = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> SignalGuard:
        for name in self.NAMES[1:]:
            self._install(name, _interrupt)
        return self

    def hold(self) -> None:
        for name in self.NAMES:
            self._install(name, signal.SIG_IGN)

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _install(self, name: str, handler: Any) -> None:
        number = getattr(signal, name, None)
        if number is None:
            return
        try:
            previous = signal.signal(number, handler)
        except ValueError:  # not the main thread (an embedding program): leave its signals alone
            return
        self._previous.setdefault(number, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _free_name(path: Path) -> Path:
    candidate, number = path.with_name(f"{path.name}.bak"), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.bak-{number}")
    return candidate


def _shown(value: Any, limit: int = 80, quote: bool = True) -> str:
    """Return ``value`` as the user sees it in a message: JSON for data, cut short in the middle if long."""
    text = json.dumps(value, ensure_ascii=False) if quote or not isinstance(value, str) else value
    return text if len(text) <= limit else f"{text[:limit - 20]}…{text[-19:]}"


def _shorter(message: str, limit: int = 1000) -> str:
    """Return a message of at most ``limit`` characters: a huge answer is not repeated in full."""
    return message if len(message) <= limit else f"{message[:limit - 200]} … {message[-199:]}"


def _leaf_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Yield the path of every answer in ``value``: scalars, and lists of scalars as one answer."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*path, key))
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value):
            yield from _leaf_paths(item, (*path, index))
    elif path:
        yield path


def _is_note(finding: Finding) -> bool:
    """Return whether a finding is a note (an assumption the engine makes), said only at its own question."""
    return finding.severity is Severity.INFO


def _sample(node: dict) -> Any:
    """Return a value of the node's type, to ask the cross-field rules about a field before it is asked."""
    if "x-sample" in node:  # a text the rules read (a condition): the schema gives one they accept
        return node["x-sample"]
    if "enum" in node:
        return node["enum"][0]
    if "anyOf" in node:
        return next((b["const"] for b in node["anyOf"] if "const" in b), "x")
    return {"object": {}, "array": [], "boolean": True, "integer": node.get("minimum", 0),
            "number": node.get("minimum", 0)}.get(node.get("type"), "x")


def _number(text: str, kind: str) -> int | float | str:
    """Read a number as people type it ("2450000", "33,33", "€ 1250.50"); leave anything else as text.

    >>> _number("33,33", "number"), _number("€ 2450000", "number"), _number("12", "integer")
    (33.33, 2450000, 12)
    >>> _number("twaalf", "integer"), _number("²", "integer"), _number("1e999999", "number")
    ('twaalf', '²', '1e999999')
    """
    cleaned = text.replace("€", "").replace("%", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        return text  # "²", "①", "1e999999", "0x10", "NaN": not a number as people type one
    if sum(ch.isdigit() for ch in cleaned) > _MAX_DIGITS:
        return _TOO_LONG
    value = Decimal(cleaned)
    return int(value) if "." not in cleaned else float(value) + 0.0  # + 0.0: never "-0,00"


def _party_name(party: dict) -> str:
    return party.get("short_name") or party.get("name") or party["id"]


def _wrap(text: str, first: str, rest: str | None = None) -> str:
    width = min(shutil.get_terminal_size((_MAX_WIDTH, 24)).columns, _MAX_WIDTH)
    return click.wrap_text(text, width, initial_indent=first, subsequent_indent=first if rest is None else rest)


def _key(finding: Finding) -> tuple[str, str]:
    return finding.code, finding.path


def _within(finding_path: str, path: str) -> bool:
    return finding_path == path or finding_path.startswith((path + ".", path + "["))


def _lookup(root: Any, path: list) -> Any:
    node = root
    for part in path:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _MISSING
    return node


def _put(root: dict, path: list, value: Any) -> None:
    node: Any = root
    for part, following in zip(path[:-1], path[1:]):
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(node, list):
            if part == len(node):
                node.append(fresh)
            node = node[part]
        else:
            node = node.setdefault(part, fresh)
    if isinstance(node, list) and path[-1] == len(node):
        node.append(value)
    else:
        node[path[-1]] = value


def _drop(root: dict, path: list) -> None:
    parent = _lookup(root, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
        del parent[path[-1]]
