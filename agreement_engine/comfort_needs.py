"""Comfort needs as the answers state them: reading a ``requires`` condition and what is wrong with a need.

The part of comfort that needs no assembly, so that the cross-field rules (:mod:`agreement_engine.rules`) can
use it: parsing a condition, the fields it reads, the ids of the conditions precedent, and the findings on the
needs themselves. Whether a need is met, and where, is :mod:`agreement_engine.comfort`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from jinja2 import TemplateSyntaxError, nodes

from agreement_engine.context import COMPUTED, PARTY_EXTRAS, PARTY_LISTS, PARTY_ONE, answer_sections
from agreement_engine.findings import Finding, json_path, make_finding
from agreement_engine.library import Library, library_in_use
from agreement_engine.schema import path_exists
from agreement_engine.templating import make_environment

#: Names every condition may use besides the answer sections and the computed names.
_JINJA_NAMES = ("true", "false", "none", "True", "False", "None")


# --- reading a condition -------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def parse_requires(expression: str) -> nodes.Expr:
    """Return the Jinja expression tree of a ``requires`` condition; raise TemplateSyntaxError if it does not parse.

    >>> type(parse_requires("liability.model in ['own_acts', 'pro_rata']")).__name__
    'Compare'
    """
    tree = make_environment().parse(f"{{{{ ({expression}) }}}}")
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output) or len(tree.body[0].nodes) != 1:
        raise TemplateSyntaxError("not one expression", 1)
    return tree.body[0].nodes[0]


def _chain(node: nodes.Node) -> str | None:
    """Return the dotted path of a Name/Getattr chain ("liability.cap.kind"), or None when it is not one."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _chain(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _chain(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


def requires_paths(expression: str) -> list[str]:
    """Return the longest name paths a condition reads, in order of appearance, each once.

    >>> requires_paths("liability.cap.kind != 'none' and withdrawal.notice_months <= 6")
    ['liability.cap.kind', 'withdrawal.notice_months']
    """
    found: list[str] = []

    def visit(node: nodes.Node) -> None:
        path = _chain(node) if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem) else None
        if path is not None:
            if path not in found:
                found.append(path)
            return
        for child in node.iter_child_nodes():
            visit(child)
    visit(parse_requires(expression))
    return found


def comparisons(expression: str) -> list[tuple[str, Any]]:
    """Return (path, constant) for every comparison of a path with a constant (or a list of constants).

    >>> comparisons("withdrawal.notice_months <= 6 and liability.model in ['own_acts', 'pro_rata']")
    [('withdrawal.notice_months', 6), ('liability.model', 'own_acts'), ('liability.model', 'pro_rata')]
    >>> comparisons("withdrawal.notice_months >= 12")
    [('withdrawal.notice_months', 12)]
    """
    out: list[tuple[str, Any]] = []
    tree = parse_requires(expression)
    for compare in [tree, *tree.find_all(nodes.Compare)] if isinstance(tree, nodes.Compare) else tree.find_all(nodes.Compare):
        operands = [compare.expr, *(op.expr for op in compare.ops)]
        for left, right in zip(operands, operands[1:]):
            for a, b in ((left, right), (right, left)):
                path = _chain(a)
                if path is None:
                    continue
                if isinstance(b, nodes.Const):
                    out.append((path, b.value))
                elif isinstance(b, nodes.List | nodes.Tuple):
                    out.extend((path, item.value) for item in b.items if isinstance(item, nodes.Const))
    return out


def unknown_fields(expression: str) -> list[str]:
    """Return the paths a condition reads that name no field of the answer set and no computed name.

    >>> unknown_fields("liability.modle == 'own_acts' and withdrawal.notice_months <= 6 and n_members > 2")
    ['liability.modle']
    """
    sections = set(answer_sections())
    unknown = []
    for path in requires_paths(expression):
        parts = path.split(".")
        if parts[0] in sections:
            if len(parts) > 1 and not path_exists(parts):
                unknown.append(path)
        elif parts[0] in PARTY_LISTS or parts[0] in PARTY_ONE:
            if len(parts) > 1 and parts[1] not in PARTY_EXTRAS and not path_exists(["parties", *parts[1:]]):
                unknown.append(path)
        elif parts[0] not in COMPUTED and parts[0] not in _JINJA_NAMES:
            unknown.append(path)
    return unknown


# --- the findings of check ---------------------------------------------------------------------------------

def _needs(answers: dict) -> list[tuple[int, dict]]:
    comfort = answers.get("comfort")
    return [(i, n) for i, n in enumerate(comfort) if isinstance(n, dict)] if isinstance(comfort, list) else []


def condition_ids(answers: dict) -> set[str]:
    """Return the ids of the conditions precedent (and warranties) of the answer set."""
    conditions = answers.get("conditions")
    return {c["id"] for c in conditions if isinstance(c, dict) and isinstance(c.get("id"), str)} \
        if isinstance(conditions, list) else set()


def static_findings(answers: dict, library: Library | None = None) -> Iterator[Finding]:
    """Yield what is wrong with the needs themselves: two sources, a condition that does not parse or
    reads an unknown field, a ``provided_by`` that names nothing, a condition id used twice."""
    conditions = answers.get("conditions")
    seen: dict[str, int] = {}
    for i, condition in enumerate(conditions if isinstance(conditions, list) else []):
        cid = condition.get("id") if isinstance(condition, dict) else None
        if isinstance(cid, str):
            if cid in seen:
                yield make_finding("condition.duplicate_id", json_path(["conditions", i, "id"]), id=cid,
                                   other=seen[cid] + 1)
            seen.setdefault(cid, i)
    labels = None
    for i, need in _needs(answers):
        requires, provided = need.get("requires"), need.get("provided_by")
        if requires is not None and provided is not None:  # neither: the schema asks for provided_by
            yield make_finding("comfort.source", json_path(["comfort", i, "provided_by"]))
        if isinstance(requires, str):
            try:
                unknown = unknown_fields(requires)
            except TemplateSyntaxError as exc:
                yield make_finding("comfort.syntax", json_path(["comfort", i, "requires"]), reason=exc.message)
                continue
            for path in unknown:
                yield make_finding("comfort.unknown_field", json_path(["comfort", i, "requires"]), field=path)
        if isinstance(provided, str):
            if labels is None:
                labels = (library or library_in_use()).labels
            if provided not in labels and provided not in condition_ids(answers):
                yield make_finding("comfort.unknown_provider", json_path(["comfort", i, "provided_by"]),
                                   label=provided)
