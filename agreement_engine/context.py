"""The names a clause text can use: owns the one list of the template context.

The answer-set sections come from the schema (every top-level property that is an object or a list), so a
new section needs an edit in the schema and in the clause that uses it, nowhere else. The computed names are
the ones assembly derives from the answers; ``build_context`` in assemble.py fills them, lint and the clause
README (checked by a test) read this list.
"""
from __future__ import annotations

from functools import lru_cache

from agreement_engine.resources import load_schema, schema_key
from agreement_engine.schema import resolve_ref

#: Names assembly computes from the answers (helpers), in the order of the clause README's table.
COMPUTED = ("members", "commissioners", "gemeenten", "warranties", "lead", "step_in", "body", "term_end",
            "alliance_term", "n_parties", "n_members", "party", "ref")
#: Names that stand for parties: lists of them, or one of them.
PARTY_LISTS = ("parties", "members", "commissioners", "gemeenten")
PARTY_ONE = ("lead", "step_in")
#: Fields assembly adds to every party, besides the fields of the answer set.
PARTY_EXTRAS = ("number", "term", "is_member", "is_gemeente", "share", "amount")


def answer_sections(schema: dict | None = None) -> tuple[str, ...]:
    """Return the top-level sections of the answer set that a clause may read, in the schema's order.

    Without ``schema``: those of the answer-set schema in use (the shipped one, or a library's own).

    A section is a top-level property whose value is an object or a list; the bookkeeping fields
    (``$schema``, ``$interview``, ``schema_version``, ``language``) are not, nor is a section the agreement never
    shows (``x-not-in-agreement``: what each party needs before it signs, ``comfort``).
    """
    if schema is None:
        return _sections_in_use(schema_key())
    sections = []
    for name, node in schema["properties"].items():
        if name.startswith("$") or node.get("x-not-in-agreement"):
            continue
        kinds = resolve_ref(node, schema).get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "object" in kinds or "array" in kinds:
            sections.append(name)
    return tuple(sections)


@lru_cache(maxsize=None)
def _sections_in_use(_schema: str) -> tuple[str, ...]:
    """Return the sections of the answer-set schema in use (``_schema``, its key, keys the cache)."""
    return answer_sections(load_schema())
