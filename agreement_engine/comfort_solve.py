"""Solve comfort across the parties: the closest choices that meet every must and most wishes, or the needs that
cannot hold together.

The search space is small and discrete: the fields that the needs' ``requires`` conditions read, in the topics a
facilitator negotiates (money, liability, withdrawal, insolvency, governance, disputes), each with the values
its schema allows (an enum's choices; for a number, today's value and the values just around the constants the
needs compare it with, within the schema's range). Every need is turned into a table over the few fields it
reads, once; a depth-first search then tries today's value first and allows at most k changes, k = 0, 1, 2, ...,
pruning as soon as a must fails. The best candidates are made into whole answer sets and kept only when
``check`` finds no error in them and every must is met there too (a label that only one variant has, a rule
between fields). No constraint library is needed for a space this size, and none would know the schema's rules.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from agreement_engine.comfort import ComfortReport, NeedResult, evaluate, evaluation_context, holds, provider_condition
from agreement_engine.comfort_needs import comparisons, requires_paths
from agreement_engine.library import Library, default_library
from agreement_engine.findings import Severity, json_path
from agreement_engine.i18n import _
from agreement_engine.rules import check_rules
from agreement_engine.schema import schema_at
from agreement_engine.validate import validate_part

#: The topics whose choices the solver may change.
SEARCHED = ("resources", "liability", "withdrawal", "insolvency", "governance", "disputes")

#: How many partial assignments one search may visit before it gives up (it never gets near this for 20 x 5).
_BUDGET = 200_000


class _Missing:
    """The value of a field that is not filled in."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass(frozen=True)
class Change:
    """One answer that changes: its path, today's value and the proposed one (MISSING: not filled in)."""

    path: tuple[str, ...]
    before: Any
    after: Any

    @property
    def json_path(self) -> str:
        """Return the JSON path of the answer ("$.liability.model")."""
        return json_path(list(self.path))

    def to_dict(self, answers: dict) -> dict:
        """Return the change as plain JSON-ready data, with the values in Dutch words."""
        return {"path": self.json_path, "field": field_label(self.path),
                "from": None if self.before is MISSING else self.before,
                "to": None if self.after is MISSING else self.after,
                "from_words": value_words(self.path, self.before, answers),
                "to_words": value_words(self.path, self.after, answers)}


@dataclass(frozen=True)
class Solution:
    """A new answer set that meets every must: what changes, what falls away, which wishes stay open."""

    changes: tuple[Change, ...]
    removed: tuple[Change, ...]
    answers: dict
    report: ComfortReport

    @property
    def open_wishes(self) -> list[NeedResult]:
        """Return the wishes this solution leaves unmet."""
        return self.report.open_wishes

    def to_dict(self, original: dict) -> dict:
        """Return the solution as plain JSON-ready data."""
        return {"changes": [c.to_dict(original) for c in self.changes],
                "removed": [c.to_dict(original) for c in self.removed],
                "wishes_met": sum(1 for n in self.report.needs if n.priority == "wish" and n.met),
                "open_wishes": [n.to_dict() for n in self.open_wishes]}


@dataclass(frozen=True)
class SolveResult:
    """What solving found: solutions best first, or the smallest sets of musts that cannot hold together."""

    report: ComfortReport  # today's comfort
    solutions: tuple[Solution, ...]
    conflicts: tuple[tuple[NeedResult, ...], ...]
    exhausted: bool = False  # the search gave up before it was complete

    def to_dict(self, original: dict) -> dict:
        """Return the result as plain JSON-ready data (for ``comfort --solve --format json``)."""
        return {"all_met": self.report.all_met, "open_musts": len(self.report.open_musts),
                "solutions": [s.to_dict(original) for s in self.solutions],
                "conflicts": [[n.to_dict() for n in conflict] for conflict in self.conflicts],
                "exhausted": self.exhausted}


# --- words for values -------------------------------------------------------------------------------------

def field_label(path: tuple[str, ...] | list[str]) -> str:
    """Return the Dutch title of the field at ``path`` ("Aansprakelijkheidsmodel")."""
    node = schema_at(list(path)) or {}
    return _(node["title"]) if node.get("title") else path[-1]


def value_words(path: tuple[str, ...] | list[str], value: Any, answers: dict) -> str:
    """Return a value in Dutch words: a choice by its name, a party by its name, yes/no, "niet ingevuld"."""
    if value is MISSING:
        return _("niet ingevuld")
    node = schema_at(list(path)) or {}
    labels = node.get("x-labels", {})
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, str) and value in labels:
        return _(labels[value])
    raw = schema_at(list(path), resolve=False) or {}
    if raw.get("$ref", "").endswith("/party_id"):
        return next((p.get("name", value) for p in answers.get("parties", []) if p.get("id") == value), value)
    return str(value)


# --- the search space -------------------------------------------------------------------------------------

@dataclass
class _Variable:
    path: tuple[str, ...]
    current: Any
    domain: list[Any]


def _get(tree: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(tree, dict) or part not in tree:
            return MISSING
        tree = tree[part]
    return tree


def _set(tree: dict, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        tree = tree.setdefault(part, {})
    if value is MISSING:
        tree.pop(path[-1], None)
    else:
        tree[path[-1]] = value


def _domain(path: tuple[str, ...], current: Any, constants: list[Any], answers: dict) -> list[Any] | None:
    """Return the values the solver may give the field at ``path`` (today's first), or None if it cannot."""
    node = schema_at(list(path))
    if node is None:
        return None
    raw = schema_at(list(path), resolve=False) or {}
    values: list[Any] = []
    if "enum" in node:
        values = list(node["enum"])
    elif node.get("type") == "boolean":
        values = [False, True]
    elif raw.get("$ref", "").endswith("/party_id"):
        values = [p["id"] for p in answers["parties"] if p.get("role", "member") == "member"]
    elif node.get("type") in ("integer", "number"):
        low, high = node.get("minimum"), node.get("maximum")
        integer = node.get("type") == "integer"
        for c in constants:
            if isinstance(c, bool) or not isinstance(c, int | float):
                continue
            step = 1 if integer or float(c).is_integer() else Decimal("0.01")
            for v in (c - step, c, c + step):
                v = int(v) if integer else (float(v) if isinstance(v, Decimal) else v)
                if (low is None or v >= low) and (high is None or v <= high) and v not in values:
                    values.append(v)
        if isinstance(current, int | float) and not isinstance(current, bool):
            values.sort(key=lambda v: (abs(v - current), v))  # the nearest numbers first
    else:
        return None
    return [current] + [v for v in values if differs(v, current)]


def differs(value: Any, other: Any) -> bool:
    """Return whether two answer values differ (``True`` is not ``1``; a missing value differs from any).

    >>> differs(6, 6), differs(True, 1), differs("none", MISSING)
    (False, True, True)
    """
    return value != other or isinstance(value, bool) != isinstance(other, bool) or (value is MISSING) != (other is MISSING)


def _variables(needs: list[tuple[int, dict]], normalized: dict) -> dict[tuple[str, ...], _Variable]:
    constants: dict[tuple[str, ...], list[Any]] = {}
    for _i, need in needs:
        for path, value in comparisons(need["requires"]):
            constants.setdefault(tuple(path.split(".")), []).append(value)
    variables: dict[tuple[str, ...], _Variable] = {}
    for _i, need in needs:
        for dotted in requires_paths(need["requires"]):
            path = tuple(dotted.split("."))
            if path[0] not in SEARCHED or len(path) < 2 or path in variables:
                continue
            current = _get(normalized, path)
            domain = _domain(path, current, constants.get(path, []), normalized)
            if domain and len(domain) > 1:
                variables[path] = _Variable(path, current, domain)
    return variables


class _Tables:
    """Each need with ``requires`` as a table over the variables it reads: values -> holds."""

    def __init__(self, needs: list[tuple[int, dict]], variables: dict, context: dict) -> None:
        self.context = context
        self.scope: dict[int, tuple[tuple[str, ...], ...]] = {}
        self.table: dict[int, dict[tuple, bool]] = {}
        for index, need in needs:
            paths = [tuple(p.split(".")) for p in requires_paths(need["requires"])]
            scope = tuple(dict.fromkeys(p for p in paths if p in variables))
            self.scope[index] = scope
            self.table[index] = {values: self._holds(need["requires"], dict(zip(scope, values)))
                                 for values in itertools.product(*(variables[p].domain for p in scope))}

    def _holds(self, expression: str, values: dict[tuple[str, ...], Any]) -> bool:
        context = self.context
        if values:
            context = dict(context)
            for section in {p[0] for p in values}:
                context[section] = copy.deepcopy(self.context[section])
            for path, value in values.items():
                _set(context, path, value)
        return holds(expression, context)

    def holds(self, index: int, assignment: dict) -> bool:
        return self.table[index][tuple(assignment[p] for p in self.scope[index])]


# --- solving ----------------------------------------------------------------------------------------------

def solve(answers: dict, library: Library | None = None, *, limit: int = 3) -> SolveResult:
    """Return up to ``limit`` new answer sets that meet every must (and most wishes), fewest changes first; or,
    when no choice of the searched answers meets every must, the smallest sets of musts that conflict.

    ``answers`` must be free of errors. Every solution passes ``check`` without errors.
    """
    library = library or default_library()
    report = evaluate(answers, library)
    normalized, context = evaluation_context(answers, library)
    by_index = {n.index: n for n in report.needs}
    needs = [(n.index, {"requires": n.requires or _provided(n, library)}) for n in report.needs]
    variables = _variables(needs, normalized)
    tables = _Tables(needs, variables, context)
    musts = [i for i, _n in needs if by_index[i].priority == "must"]
    wishes = [i for i, _n in needs if by_index[i].priority == "wish"]
    hopeless = [i for i in musts if not any(tables.table[i].values())]
    if hopeless:
        return SolveResult(report, (), tuple((by_index[i],) for i in hopeless))

    order = sorted(variables, key=lambda p: (-sum(p in tables.scope[i] for i in musts), p))
    position = {p: k for k, p in enumerate(order)}
    complete_at: dict[int, list[int]] = {}
    for i, _n in needs:
        complete_at.setdefault(max((position[p] for p in tables.scope[i]), default=-1), []).append(i)
    if any(not tables.holds(i, {}) for i in complete_at.get(-1, []) if i in musts):
        return SolveResult(report, (), ())  # unreachable: a must without variables is hopeless above
    base_unmet = sum(1 for i in complete_at.get(-1, []) if i in wishes and not tables.holds(i, {}))

    found: list[tuple[tuple[int, int, int], dict]] = []
    visited = 0
    exhausted = False
    wanted = limit * 4

    def search(depth: int, assignment: dict, changes: int, unmet: int, budget: int) -> None:
        nonlocal visited, exhausted
        visited += 1
        if visited > _BUDGET:
            exhausted = True
            return
        if depth == len(order):
            if changes == budget:
                found.append(((changes, unmet, len(found)), dict(assignment)))
            return
        variable = variables[order[depth]]
        for value in variable.domain:
            changed = changes + differs(value, variable.current)
            if changed > budget or (changed == changes and budget - changes > len(order) - depth - 1):
                continue  # too many changes, or too few left to reach exactly ``budget``
            assignment[variable.path] = value
            ok, extra = True, 0
            for i in complete_at.get(depth, []):
                if not tables.holds(i, assignment):
                    if i in wishes:
                        extra += 1
                    else:
                        ok = False
                        break
            if ok:
                search(depth + 1, assignment, changed, unmet + extra, budget)
            if exhausted:
                break
        assignment.pop(variable.path, None)

    solutions: list[Solution] = []
    first, best = None, len(wishes) + 1
    for budget in range(len(order) + 1):
        if first is not None and (budget > first + 1 or len(solutions) >= limit):
            break
        found.clear()
        search(0, {}, 0, base_unmet, budget)
        for (_changes, unmet, _n), assignment in sorted(found, key=lambda item: item[0]):
            if len(solutions) >= limit:
                break
            if solutions and not (unmet < best or (budget == first and unmet == best)):
                continue  # more changes (or as many) for no more wishes: not worth proposing
            solution = _make(answers, variables, assignment, library)
            if solution is not None:
                solutions.append(solution)
                first = budget if first is None else first
                best = min(best, unmet)
        if exhausted:
            break
    solutions.sort(key=lambda s: (len(s.changes), len(s.open_wishes)))
    if solutions:
        return SolveResult(report, tuple(solutions[:limit]), (), exhausted)
    return SolveResult(report, (), _conflicts(musts, tables, variables, by_index), exhausted)


def _provided(need: NeedResult, library: Library) -> str:
    """Return a need provided by a member as the condition under which the agreement has that member; a need
    provided by a condition precedent (which is there whatever the choices) as what it is today."""
    condition = provider_condition(need.provided_by, library)
    return condition if condition is not None else ("true" if need.met else "false")


def _make(answers: dict, variables: dict, assignment: dict, library: Library) -> Solution | None:
    """Return the answer set of ``assignment`` if check finds no error in it and it meets every must; else None.

    A field the new choice no longer uses falls away. The answers were valid, so the schema of the changed sections
    and the cross-field rules say what ``check`` would.
    """
    changes = tuple(Change(path, variables[path].current, value) for path, value in assignment.items()
                    if differs(value, variables[path].current))
    candidate = copy.deepcopy(answers)
    for change in changes:
        _set(candidate, change.path, change.after)
    sections = sorted({c.path[0] for c in changes})
    removed = []
    for _round in range(3):  # what falls away can free more
        findings = [f for section in sections for f in validate_part(candidate, [section])] + check_rules(candidate)
        if any(f.severity is Severity.ERROR for f in findings):
            return None
        unused = [f for f in findings if f.code.endswith(".ignored_field")]
        if not unused:
            break
        for finding in unused:
            path = tuple(finding.path.removeprefix("$.").split("."))
            before = _get(candidate, path)
            if before is not MISSING and path[0] in SEARCHED:
                removed.append(Change(path, before, MISSING))
                _set(candidate, path, MISSING)
    report = evaluate(candidate, library)
    if report.open_musts:
        return None
    return Solution(changes, tuple(removed), candidate, report)


def _conflicts(musts: list[int], tables: _Tables, variables: dict, by_index: dict) -> tuple[tuple[NeedResult, ...], ...]:
    """Return the smallest sets of musts (up to three) that no choice of the variables meets together."""
    def jointly(indexes: tuple[int, ...]) -> bool:
        scope = tuple(dict.fromkeys(p for i in indexes for p in tables.scope[i]))
        for values in itertools.product(*(variables[p].domain for p in scope)):
            assignment = dict(zip(scope, values))
            if all(tables.holds(i, assignment) for i in indexes):
                return True
        return False

    found: list[tuple[int, ...]] = []
    for size in (1, 2, 3):
        for group in itertools.combinations(musts, size):
            if any(set(f) <= set(group) for f in found):
                continue
            if size > 1 and not _connected(group, tables):
                continue
            if not jointly(group):
                found.append(group)
        if found and size >= 2:
            break
    return tuple(tuple(by_index[i] for i in group) for group in found)


def _connected(group: tuple[int, ...], tables: _Tables) -> bool:
    """Return whether the needs of ``group`` are linked by the variables they share."""
    reached = {group[0]}
    changed = True
    while changed:
        changed = False
        for i in group:
            if i not in reached and any(set(tables.scope[i]) & set(tables.scope[j]) for j in reached):
                reached.add(i)
                changed = True
    return len(reached) == len(group)
