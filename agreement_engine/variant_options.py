"""Variants of one topic: the same alliance assembled once for every variant of the topic's clause.

A variant is chosen by its condition in the clause library (``withdrawal.exit_fee.kind == 'fixed'``), so
showing it means answering that condition. What a variant needs besides is never guessed: it comes from
the alliance's own answers where they hold the same fact in another form (a budget and an allocation key
give the contributions, and the other way round), and is otherwise named as missing.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from agreement_engine.assemble import allocate, assemble_valid, templates
from agreement_engine.compare import AnswerChange, answer_changes
from agreement_engine.errors import EngineError
from agreement_engine.findings import has_errors
from agreement_engine.formatting import formatter
from agreement_engine.library import Clause, Library, Variant, default_library
from agreement_engine.model import Agreement
from agreement_engine.schema import field_title, schema_at
from agreement_engine.templating import Templates
from agreement_engine.validate import validate


@dataclass(frozen=True)
class Option:
    """One variant of a topic for this alliance: the answers that choose it, and its agreement or why not."""

    clause: Clause
    variant: Variant
    chosen: bool  # the answer set itself chooses this variant
    answers: tuple[AnswerChange, ...]  # what differs from the answer set to show this variant
    agreement: Agreement | None
    problems: tuple[str, ...] = ()  # why the variant cannot be shown for this alliance
    incomplete: bool = False  # it lacks answers the answer set could give
    paths: tuple[str, ...] = ()  # the JSON path of each problem that a finding gives ("" for the others)
    answer_set: dict | None = None  # the answers the variant is worked out with


def topics(library: Library | None = None) -> list[str]:
    """Return the topics that have a clause, in the order of the library."""
    library = library or default_library()
    return [topic for topic in library.topics if library.by_topic(topic)]


def options(answers: dict, topic: str, library: Library | None = None, *,
            compiled: dict[str, Templates] | None = None) -> list[Option]:
    """Return every variant of ``topic`` worked out for the alliance of ``answers`` (a valid answer set).

    ``answers`` is not validated again; each variant's own answers are validated once.
    """
    library = library or default_library()
    clauses = library.by_topic(topic)
    if not clauses:
        raise EngineError(f"onbekend onderwerp '{topic}'; bekend zijn: {', '.join(topics(library))}")
    base = assemble_valid(answers, library, compiled=compiled)
    chosen = {use.clause_id: use.variant_id for use in base.clauses}
    return [_option(answers, base, clause, variant, chosen.get(clause.id) == variant.id, library, compiled)
            for clause in clauses for variant in clause.variants]


def _option(answers: dict, base: Agreement, clause: Clause, variant: Variant, chosen: bool,
            library: Library, compiled: dict[str, Templates] | None) -> Option:
    if chosen:
        return Option(clause, variant, True, (), base, answer_set=answers)
    include = _assignments(clause.include) if clause.include else {}
    when = _assignments(variant.when) if variant.when else {}
    phrases = base.phrases
    # An include that the variant's own answers satisfy ("financing.basis is defined") asks nothing more of
    # them; whether the clause is then included is checked on the assembled agreement below.
    if when is None or (include is None and not when):
        conditions = formatter(phrases.language).enum([c for c in (clause.include, variant.when) if c])
        return Option(clause, variant, False, (), None,
                      (phrases.text("variants.no_single_answer", conditions=conditions),))
    candidate = copy.deepcopy(answers)
    for assignment in (include or {}, when):
        for path, value in assignment.items():
            _put(candidate, path, value)
    findings = _complete(candidate)
    changes = tuple(answer_changes(answers, candidate, phrases))
    if has_errors(findings):
        errors = [f for f in findings if f.severity.value == "error"]
        return Option(clause, variant, False, changes, None, tuple(str(f.message) for f in errors),
                      incomplete=any(f.code == "schema.required" for f in errors),
                      paths=tuple(f.path for f in errors))
    agreement = assemble_valid(candidate, library, compiled=compiled)
    if (clause.id, variant.id) not in {(use.clause_id, use.variant_id) for use in agreement.clauses}:
        return Option(clause, variant, False, changes, None, (phrases.text("variants.other_variant"),))
    return Option(clause, variant, False, changes, agreement, answer_set=candidate)


def answer_party(change: AnswerChange, answers: dict) -> tuple[str, str] | None:
    """Return (the title of the field, the party) of an answer held per party (a share, a contribution), else None.

    >>> change = AnswerChange("$.resources.contributions.a", "Jaarlijkse bijdrage van de Partij (euro)", "", "")
    >>> answer_party(change, {"parties": [{"id": "a"}]})
    ('Bijdragen aan de gezamenlijke kosten', 'a')
    """
    parts = [name or int(index) for name, index in re.findall(r"\.([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]", change.path)]
    if len(parts) < 2 or parts[-1] not in {p["id"] for p in answers["parties"]}:
        return None
    parent = schema_at(parts[:-1]) or {}
    if not parent.get("propertyNames", {}).get("$ref", "").endswith("/party_id"):
        return None
    return str(field_title(parts[:-1])), parts[-1]


def _assignments(condition: str) -> dict[tuple[str, ...], Any] | None:
    """Return what a condition ``a.b == 'x' and c == 'y'`` asks of the answers; None for any other form.

    >>> _assignments("withdrawal.exit_fee.kind == 'fixed' and alliance.term.kind == 'fixed'")
    {('withdrawal', 'exit_fee', 'kind'): 'fixed', ('alliance', 'term', 'kind'): 'fixed'}
    >>> _assignments("conditions | length > 0") is None
    True
    """
    try:
        node = templates().env.parse(f"{{{{ {condition} }}}}").body[0].nodes[0]
    except (TemplateSyntaxError, AttributeError, IndexError):
        return None

    def walk(node: nodes.Node) -> dict | None:
        if isinstance(node, nodes.And):
            left, right = walk(node.left), walk(node.right)
            return None if left is None or right is None else {**left, **right}
        if (isinstance(node, nodes.Compare) and len(node.ops) == 1 and node.ops[0].op == "eq"
                and isinstance(node.ops[0].expr, nodes.Const)):
            path = _path(node.expr)
            return None if path is None else {path: node.ops[0].expr.value}
        return None

    return walk(node)


def _path(node: nodes.Node) -> tuple[str, ...] | None:
    if isinstance(node, nodes.Name):
        return (node.name,)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return None if base is None else (*base, node.attr)
    return None


def _put(answers: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        answers = answers.setdefault(key, {})
    answers[path[-1]] = value


# facts a variant needs, derived from the same facts in another form ---------------------------------

def _members(answers: dict) -> list[str]:
    return [p["id"] for p in answers["parties"] if p.get("role", "member") == "member"]


def _contributions(answers: dict) -> dict | None:
    resources = answers["resources"]
    if "annual_budget" not in resources or not resources.get("shares"):
        return None
    shares = {pid: Decimal(str(resources["shares"][pid])) for pid in _members(answers) if pid in resources["shares"]}
    return {pid: float(amount) for pid, amount in allocate(Decimal(str(resources["annual_budget"])), shares).items()}


def _budget(answers: dict) -> float | None:
    contributions = answers["resources"].get("contributions")
    return float(sum(Decimal(str(v)) for v in contributions.values())) if contributions else None


def _shares(answers: dict) -> dict | None:
    contributions = answers["resources"].get("contributions")
    if not contributions:
        return None
    total = sum(Decimal(str(v)) for v in contributions.values())
    weights = {pid: Decimal(str(contributions[pid])) * 100 / total for pid in _members(answers) if pid in contributions}
    return {pid: float(share) for pid, share in allocate(Decimal(100), weights).items()}


#: A field a variant requires (by the path of its finding) and how to derive it from the alliance's answers.
DERIVED: dict[str, tuple[tuple[str, ...], Callable[[dict], Any]]] = {
    "$.resources.contributions": (("resources", "contributions"), _contributions),
    "$.resources.annual_budget": (("resources", "annual_budget"), _budget),
    "$.resources.shares": (("resources", "shares"), _shares),
}


def _complete(answers: dict) -> list:
    """Derive in place what the findings say is missing and can be derived; return the final findings."""
    while True:
        findings = validate(answers)
        derived = False
        for finding in findings:
            path, derive = DERIVED.get(finding.path, ((), None))
            if finding.severity.value == "error" and derive and (value := derive(answers)) is not None:
                _put(answers, path, value)
                derived = True
        if not derived:
            return findings


def variant_name(clause: Clause, variant: Variant) -> str:
    """Return the Dutch name of a variant: the schema's labels of the answers that choose it, without a code.

    A variant chosen otherwise (``conditions | length > 0``) is named by its id in words.

    >>> lib = default_library()
    >>> clause = lib.get("insolventie")
    >>> variant_name(clause, next(v for v in clause.variants if v.id == "I1"))
    'Deelname eindigt van rechtswege (afgeraden)'
    >>> variant_name(lib.get("duur"), lib.get("duur").variants[1])
    'Bepaalde tijd; Stilzwijgende verlenging'
    >>> clause = lib.get("voorwaarden")
    >>> variant_name(clause, clause.variants[0])
    'Met voorwaarden'
    """
    labels = []
    for path, value in (_assignments(variant.when) or {}).items() if variant.when else ():
        node = schema_at(list(path)) or {}
        label = node.get("x-labels", {}).get(str(value), str(value))
        labels.append(re.sub(r"^[A-Z][0-9]+[a-z]? ", "", label))  # "M4 Ieder eigen kosten": the code is not a name
    if labels:
        return "; ".join(labels)
    words = variant.id.replace("_", " ")
    return words[:1].upper() + words[1:]
