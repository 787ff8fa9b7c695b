"""Hypothesis strategies for answer sets: valid ones across every enum and range, and mutations that break them.

Enum values, ranges and text limits are read from the shipped schema, so a value added to the schema is
generated without a change here; the cross-field rules of the contract (answer-set.md) are built in: shares
over exactly the members summing to 100, references to existing parties, a notice shorter than the term.
"""
from __future__ import annotations

import copy
import datetime as dt
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from agreement_engine.resources import load_schema
from agreement_engine.rules import defined_terms, term_end
from agreement_engine.validate import schema_at

MAX_CENTS = 99_999_999_999_999  # the schema's largest amount, 999999999999.99, in cents
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 1), dt.date(2040, 12, 31)


@lru_cache(maxsize=None)
def _schema_of(shape: tuple) -> dict:
    return schema_at(list(shape)) or {}


def schema_of(path: tuple) -> dict:
    """Return the schema of the field at ``path`` (cached by its shape: every index counts as 0)."""
    return _schema_of(tuple(0 if isinstance(key, int) else key for key in path))


def enum(*path: str | int) -> st.SearchStrategy:
    """Draw one value of the enum at ``path`` in the schema (0 stands for any array item)."""
    return st.sampled_from(schema_of(path)["enum"])


def integer(*path: str | int, high: int | None = None) -> st.SearchStrategy[int]:
    """Draw an integer within the schema's range at ``path``, at most ``high`` when given."""
    node = schema_of(path)
    return st.integers(node["minimum"], node["maximum"] if high is None else min(node["maximum"], high))


def _two_decimals(cents: int) -> int | float:
    """Write an amount in cents as JSON would: a whole number when it is one, else with its decimals."""
    return cents // 100 if cents % 100 == 0 else cents / 100


amounts = st.integers(0, MAX_CENTS).map(_two_decimals)
#: Words of a name or text: letters and digits of any script, punctuation and symbols (so also &<>"'{}%),
#: never a control character, a surrogate or the private-use reference markers.
#: Nor the letters and symbols that draw nothing (a Hangul filler, a blank Braille pattern): a name of only
#: those is refused as invisible.
words = st.text(st.characters(categories=["L", "N", "P", "S"], exclude_characters="\u115f\u1160\u2800\u3164\uffa0"),
                min_size=1, max_size=12)


def texts(limit: int, max_words: int = 8) -> st.SearchStrategy[str]:
    """Draw a text of single-spaced words, at most ``limit`` characters (the schema's maxLength)."""
    return st.lists(words, min_size=1, max_size=max_words).map(" ".join).map(lambda s: s[:limit].strip() or "x")


names = texts(load_schema()["$defs"]["name"]["maxLength"], 4)
sentences = texts(load_schema()["$defs"]["text"]["maxLength"], 20)
party_ids = st.from_regex(load_schema()["$defs"]["party_id"]["pattern"], fullmatch=True)
dates = st.dates(FIRST_DAY, LAST_DAY)
postal_codes = st.builds("{}{}{}".format, st.integers(1000, 9999), st.sampled_from(["", " "]),
                         st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2))


def shares_of(ids: list[str]) -> st.SearchStrategy[dict]:
    """Draw a percentage with at most two decimals for each id, together exactly 100."""
    cuts = st.lists(st.integers(0, 10_000), min_size=len(ids) - 1, max_size=len(ids) - 1).map(sorted)
    return cuts.map(lambda c: {pid: _two_decimals(high - low)
                               for pid, low, high in zip(ids, [0, *c], [*c, 10_000])})


def optional(draw, strategy: st.SearchStrategy) -> Any | None:
    """Draw from ``strategy`` or nothing (None), half the time each."""
    return draw(strategy) if draw(st.booleans()) else None


def _put(target: dict, key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


@st.composite
def representatives(draw, gemeente: bool) -> dict:
    """Draw one representative; a gemeente's is its burgemeester (art. 171 lid 1 Gemw) or appointed (lid 2)."""
    if gemeente and draw(st.booleans()):
        return {"name": draw(names), "function": "burgemeester", "basis": "statutory"}
    if gemeente:
        appointment: dict[str, Any] = {}
        _put(appointment, "date", optional(draw, dates.map(dt.date.isoformat)))
        if not appointment or draw(st.booleans()):
            appointment["reference"] = draw(names)
        return {"name": draw(names), "function": draw(names), "basis": "power_of_attorney",
                "appointment": appointment}
    return {"name": draw(names), "function": draw(names),
            **({"basis": draw(enum("parties", 0, "representatives", 0, "basis"))} if draw(st.booleans()) else {})}


@st.composite
def parties(draw, ids: list[str], member_ids: list[str], joint: bool) -> list[dict]:
    """Draw the parties with ``ids``: those in ``member_ids`` are members, the others commissioners."""
    result = []
    for pid in ids:
        form = draw(enum("parties", 0, "legal_form"))
        party: dict[str, Any] = {"id": pid, "name": draw(names), "legal_form": form,
                                 "address": {"street": draw(names),
                                             "postal_code": draw(postal_codes),
                                             "city": draw(names)},
                                 "representatives": [draw(representatives(form == "gemeente"))
                                                     for _ in range(draw(st.integers(1, 3)))]}
        if pid not in member_ids or draw(st.booleans()):
            party["role"] = "member" if pid in member_ids else "commissioner"
        if form != "gemeente" or draw(st.booleans()):
            party["kvk"] = draw(st.integers(0, 99_999_999).map("{:08d}".format))
        for key in ("short_name", "seat"):
            _put(party, key, optional(draw, names))
        # a stichting or vereniging that must be bound jointly and severally must be allowed to be
        allowed = st.sampled_from([True, None]) if joint and form in ("stichting", "vereniging") else \
            st.sampled_from([True, False, None])
        _put(party, "articles_allow_joint_liability", draw(allowed))
        if form == "gemeente" and draw(st.booleans()):
            party["council_decision"] = {"date": draw(dates).isoformat(), "reference": draw(names)}
        result.append(party)
    return result


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@st.composite
def conditions(draw, ids: list[str], start: dt.date, signing: dt.date | None) -> dict:
    """Draw one condition: a condition precedent whose deadline lies after signing, or a warranty."""
    condition: dict[str, Any] = {"party": draw(st.sampled_from(ids)), "condition": draw(sentences)}
    after_signing = signing + dt.timedelta(days=1) if signing else FIRST_DAY
    if after_signing > start or draw(st.booleans()):
        condition["form"] = "warranty"
    else:
        _put(condition, "form", optional(draw, st.just("condition")))
        _put(condition, "deadline", optional(draw, st.dates(after_signing, start).map(dt.date.isoformat)))
    _put(condition, "waivable_by", optional(draw, enum("conditions", 0, "waivable_by")))
    return condition


@st.composite
def answer_sets(draw) -> dict:
    """Draw a valid answer set: 2 to 8 parties, every enum value and range of the schema reachable."""
    count = draw(st.integers(2, 8))
    ids = draw(st.lists(party_ids, min_size=count, max_size=count, unique=True))
    members = draw(st.integers(2, count))
    member_ids = draw(st.permutations(ids))[:members]
    liability_model = draw(enum("liability", "model"))
    route = draw(enum("resources", "route"))  # with A3, joint contracting binds the members jointly too
    start = draw(st.dates(FIRST_DAY, dt.date(2035, 12, 31)))

    term: dict[str, Any] = {"kind": draw(enum("alliance", "term", "kind"))}
    years = None
    if term["kind"] == "fixed":
        years = term["years"] = draw(integer("alliance", "term", "years"))
        if draw(st.booleans()):
            term["renewal"] = draw(enum("alliance", "term", "renewal"))
            if term["renewal"] == "tacit":
                term["renewal_years"] = draw(integer("alliance", "term", "renewal_years"))
    if draw(st.booleans()):
        end = term_end(start, years) if years else LAST_DAY
        term["lock_in_until"] = draw(st.dates(start, end)).isoformat()
    alliance: dict[str, Any] = {"name": draw(names), "purpose": draw(sentences), "start_date": start.isoformat(),
                                "term": term}
    _put(alliance, "recitals", optional(draw, st.lists(sentences, min_size=1, max_size=3)))
    _put(alliance, "obligation", optional(draw, enum("alliance", "obligation")))
    if draw(st.booleans()):
        signing: dict[str, Any] = {}
        _put(signing, "place", optional(draw, names))
        _put(signing, "date", optional(draw, st.dates(FIRST_DAY, start).map(dt.date.isoformat)))
        _put(signing, "mode", optional(draw, enum("alliance", "signing", "mode")))
        alliance["signing"] = signing

    answers: dict[str, Any] = {"schema_version": "1", "alliance": alliance,
                               "parties": draw(parties(ids, member_ids, liability_model == "joint_and_several"
                                                          or route == "joint_contracting"))}
    if draw(st.booleans()):
        document: dict[str, Any] = {}
        _put(document, "title", optional(draw, names))
        _put(document, "kind", optional(draw, enum("document", "kind")))
        _put(document, "draft", optional(draw, st.booleans()))
        _put(document, "version_label", optional(draw, names))
        answers["document"] = document
    if draw(st.booleans()):
        rule = draw(enum("governance", "decision_rule"))
        governance: dict[str, Any] = {"decision_rule": rule}
        if rule == "qualified_majority":
            governance["qualified_majority_percent"] = draw(integer("governance", "qualified_majority_percent"))
        _put(governance, "body_name", optional(draw, names))
        _put(governance, "chair", optional(draw, st.sampled_from(["rotating", *ids])))
        for key in ("members_per_party", "meetings_per_year"):
            _put(governance, key, optional(draw, integer("governance", key)))
        answers["governance"] = governance
    answers["resources"] = draw(_resources(ids, member_ids, route))
    answers["liability"] = draw(_liability(liability_model, answers["resources"], member_ids))
    answers["withdrawal"] = draw(_withdrawal(years, members))
    answers["insolvency"] = draw(_insolvency(member_ids))
    answers["disputes"] = draw(_disputes())
    for key, field, values in (("confidentiality", "survival_years", integer("confidentiality", "survival_years")),
                               ("privacy", "role", enum("privacy", "role")),
                               ("intellectual_property", "joint_results",
                                enum("intellectual_property", "joint_results"))):
        if draw(st.booleans()):
            answers[key] = {field: draw(values)}
    if draw(st.booleans()):
        answers["conditions"] = [draw(conditions(ids, start, _date(alliance.get("signing", {}).get("date"))))
                                 for _ in range(draw(st.integers(1, 3)))]
    if draw(st.booleans()):
        plan: dict[str, Any] = {"ambition": draw(sentences)}
        if draw(st.booleans()):
            first = draw(st.integers(2024, 2040))
            plan["period"] = f"{first}-{first + draw(st.integers(0, 10))}"
        _put(plan, "collective_tasks", optional(draw, st.lists(sentences, min_size=1, max_size=3)))
        if draw(st.booleans()):
            owners = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
            plan["party_tasks"] = {pid: draw(st.lists(sentences, min_size=1, max_size=2)) for pid in owners}
        answers["multi_year_plan"] = plan
    _distinct_terms(answers)
    return answers


def _distinct_terms(answers: dict) -> None:
    """Give every party a defined term of its own: not a term of the library, the body's name or another's."""
    taken = set(defined_terms(answers.get("document", {}).get("kind", "alliance")))
    taken.add(answers.get("governance", {}).get("body_name", "Stuurgroep").strip().casefold())
    for party in answers["parties"]:
        key = "short_name" if "short_name" in party else "name"
        while party[key].strip().casefold() in taken:
            party[key] = f"{party[key]} {party['id']}"[-300:]
        taken.add(party[key].strip().casefold())


@st.composite
def _resources(draw, ids: list[str], member_ids: list[str], route: str) -> dict:
    model = draw(enum("resources", "model"))
    resources: dict[str, Any] = {"model": model}
    if model != "own_costs":
        resources["annual_budget"] = draw(amounts)
    if model == "allocation_key":
        resources["shares"] = draw(shares_of(member_ids))
    if model == "own_costs":
        payers = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        resources["contributions"] = {pid: draw(amounts) for pid in payers}
    if route != "direct" or draw(st.booleans()):
        resources["route"] = route
    if route != "direct":
        resources["lead_party"] = draw(st.sampled_from(member_ids))
        _put(resources, "payment_term_days", optional(draw, integer("resources", "payment_term_days")))
        fee = st.integers(0, schema_of(("resources", "lead_party_fee_percent"))["maximum"] * 100)
        _put(resources, "lead_party_fee_percent", optional(draw, fee.map(_two_decimals)))
    return resources


@st.composite
def _liability(draw, model: str, resources: dict, member_ids: list[str]) -> dict:
    liability: dict[str, Any] = {"model": model}
    if draw(st.booleans()):
        cap = {"kind": draw(enum("liability", "cap", "kind"))}
        if cap["kind"] == "amount":
            cap["amount"] = draw(amounts)
        if cap["kind"] == "share_percent":
            # a percentage of a share needs every member to have a share or contribution above nil
            held = resources.get("shares", resources.get("contributions", {}))
            if resources["model"] in ("allocation_key", "own_costs") and not all(held.get(m) for m in member_ids):
                cap = {"kind": "insured_sum"}
            else:
                cap["percent"] = draw(st.integers(1, 100))
        liability["cap"] = cap
    _put(liability, "exclude_indirect_damage", optional(draw, st.booleans()))
    if draw(st.booleans()):
        insurance: dict[str, Any] = {}
        for key in ("general_liability_min", "professional_liability_min"):
            _put(insurance, key, optional(draw, amounts))
        liability["insurance"] = insurance
    return liability


@st.composite
def _withdrawal(draw, years: int | None, members: int) -> dict:
    withdrawal: dict[str, Any] = {
        "notice_months": draw(integer("withdrawal", "notice_months", high=years * 12 - 1 if years else None))}
    _put(withdrawal, "effective", optional(draw, enum("withdrawal", "effective")))
    if draw(st.booleans()):
        fee = {"kind": draw(enum("withdrawal", "exit_fee", "kind"))}
        if fee["kind"] == "fixed":
            fee["amount"] = draw(amounts)
        if fee["kind"] == "annual_share":
            fee["months"] = draw(integer("withdrawal", "exit_fee", "months"))
        withdrawal["exit_fee"] = fee
    _put(withdrawal, "wind_down_months", optional(draw, integer("withdrawal", "wind_down_months")))
    if draw(st.booleans()):
        continuation: dict[str, Any] = {}
        _put(continuation, "min_parties",
             optional(draw, integer("withdrawal", "continuation", "min_parties", high=members)))
        _put(continuation, "rekey", optional(draw, enum("withdrawal", "continuation", "rekey")))
        withdrawal["continuation"] = continuation
    return withdrawal


@st.composite
def _insolvency(draw, member_ids: list[str]) -> dict:
    insolvency: dict[str, Any] = {}
    model = optional(draw, enum("insolvency", "model"))
    _put(insolvency, "model", model)
    if model == "step_in":
        insolvency["step_in_party"] = draw(st.sampled_from(member_ids))
    _put(insolvency, "curator_response_days", optional(draw, integer("insolvency", "curator_response_days")))
    events = st.lists(enum("insolvency", "events", 0), min_size=1, unique=True)
    _put(insolvency, "events", optional(draw, events))
    return insolvency


@st.composite
def _disputes(draw) -> dict:
    disputes: dict[str, Any] = {}
    route = optional(draw, enum("disputes", "route"))
    _put(disputes, "route", route)
    if route in (None, "court", "mediation_then_court") or draw(st.booleans()):
        disputes["court"] = draw(names)
    _put(disputes, "arbitrators", optional(draw, enum("disputes", "arbitrators")))
    _put(disputes, "place", optional(draw, names))
    return disputes


# invalid answer sets: a valid one with one thing broken ------------------------------------------------

def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Return the path of every value in ``value`` (the root excluded)."""
    found = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return found
    for key, child in items:
        found.append(path + (key,))
        found.extend(_paths(child, path + (key,)))
    return found


def _replace(answers: dict, path: tuple, value: Any = ...) -> dict:
    """Return a copy of ``answers`` with the value at ``path`` replaced (or removed when ``value`` is ...)."""
    result = copy.deepcopy(answers)
    node = result
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return result


#: For each JSON Schema type, values of other JSON types.
_OTHER_TYPES = {"string": [12, None, [], {}, True], "integer": ["12", 1.5, None, True, []],
                "number": ["12", None, True, {}], "boolean": ["ja", 1, None],
                "array": ["a", {}, 3], "object": ["a", [], 0]}


@st.composite
def wrong_type(draw, answers: dict) -> tuple[dict, tuple]:
    """Put a value of a type the schema does not allow at a random path; return the answers and the path."""
    path = draw(st.sampled_from(_paths(answers)))
    replacement = draw(st.sampled_from(_OTHER_TYPES[schema_of(path)["type"]]))
    return _replace(answers, path, replacement), path


@st.composite
def without_required(draw, answers: dict) -> tuple[dict, tuple]:
    """Remove a field the schema requires where it stands; return the answers and the removed field's path."""
    candidates = [path for path in _paths(answers) if isinstance(path[-1], str)
                  and path[-1] in schema_of(path[:-1]).get("required", [])]
    path = draw(st.sampled_from(candidates))
    return _replace(answers, path), path


@st.composite
def out_of_range(draw, answers: dict) -> tuple[dict, tuple]:
    """Put a number just outside its schema range, or a text beyond its maxLength; return answers and path."""
    candidates = []
    for path in _paths(answers):
        node = schema_of(path)
        if "minimum" in node:
            candidates.append((path, node["minimum"] - (1 if node.get("type") == "integer" else 0.01)))
        if "maximum" in node:
            candidates.append((path, node["maximum"] + (1 if node.get("type") == "integer" else 0.01)))
        if "maxLength" in node:
            candidates.append((path, "x" * (node["maxLength"] + 1)))
    path, value = draw(st.sampled_from(candidates))
    return _replace(answers, path, value), path


@st.composite
def bad_enum(draw, answers: dict) -> tuple[dict, tuple]:
    """Put a value no enum of the schema allows where an enum stands; return the answers and the path."""
    candidates = [path for path in _paths(answers) if "enum" in schema_of(path)]
    path = draw(st.sampled_from(candidates))
    return _replace(answers, path, draw(st.sampled_from(["onbekend", "Member", "", 2]))), path


@st.composite
def invalid_answer_sets(draw) -> tuple[dict, tuple]:
    """Draw a valid answer set with one mutation that breaks it; return it and the path of the mutation."""
    answers = draw(answer_sets())
    mutation = draw(st.sampled_from([wrong_type, without_required, out_of_range, bad_enum]))
    return draw(mutation(answers))
