"""Navigate the answer-set schema: follow ``$ref``, find the schema of a field, its title, its enums.

Every stage that asks the schema something (validation, the rules, lint, the interview, compare, the template
context) asks it here; :mod:`agreement_engine.resources` only finds and reads the schema files.
"""
from __future__ import annotations

import copy
from typing import Any

from agreement_engine.i18n import Text
from agreement_engine.resources import shipped_schema, load_schema


def resolve_ref(node: dict, root: dict | None = None) -> dict:
    """Return a schema node with its local ``$ref`` followed (local keywords such as a title win)."""
    root = root if root is not None else load_schema()
    while isinstance(node, dict) and "$ref" in node:
        target = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_at(path: list, *, resolve: bool = True) -> dict | None:
    """Return the schema of the field at ``path``, or None where the schema has none.

    With ``resolve`` false the field's own ``$ref`` is kept, so a caller can see which definition
    (amount, percentage, date) the field is.

    >>> schema_at(["parties", 0, "kvk"])["title"]
    'KvK-nummer'
    >>> schema_at(["parties", 0, "nonsense"]) is None
    True
    """
    node: Any = load_schema()
    for part in path:
        node = resolve_ref(node)
        if isinstance(part, int):
            node = node.get("items", {})
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
    return resolve_ref(node) if resolve else node


def field_title(path: list) -> Text:
    """Return the title of the field at ``path`` for messages, e.g. "KvK-nummer", in the current language.

    The title is a :class:`~agreement_engine.i18n.Text`: a finding that quotes it shows it in the language
    it is shown in.

    >>> field_title([])
    'De antwoordenset'
    """
    if not path:
        return Text("De antwoordenset")
    node = schema_at(path)
    if node and node.get("title"):
        return Text(node["title"])
    last = path[-1]
    return Text("Element {number}", number=last + 1) if isinstance(last, int) else Text.plain(f"'{last}'")


def path_exists(path: list[str]) -> bool:
    """Return whether the dotted answer path ``path`` (lists without indexes) names a field of the schema.

    >>> path_exists(["parties", "kvk"]), path_exists(["parties", "colour"])
    (True, False)
    """
    probe: list = []
    for part in path:
        node = schema_at(probe) or {}
        if node.get("type") == "array" or "items" in node:
            probe.append(0)
        probe.append(part)
    return schema_at(probe) is not None


def schema_enums() -> dict[str, list]:
    """Return every enum of the answer-set schema by dotted path (array items without brackets), except those of a
    section the agreement never shows (``x-not-in-agreement``), which no clause chooses by."""
    found: dict[str, list] = {}

    def walk(path: list[str]) -> None:
        node = schema_at([0 if p == "[]" else p for p in path]) or {}
        if node.get("x-not-in-agreement"):
            return
        if "enum" in node:
            found[".".join(p for p in path if p != "[]")] = node["enum"]
        for name in node.get("properties", {}):
            walk(path + [name])
        if isinstance(node.get("items"), dict):
            walk(path + ["[]"])
    walk([])
    return found


def in_schema_order(value: Any, node: dict | None = None) -> Any:
    """Return ``value`` with the keys of every object in the order of the schema's properties."""
    schema = load_schema()
    node = resolve_ref(schema if node is None else node, schema)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        extra = node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else {}
        keys = [k for k in properties if k in value] + [k for k in value if k not in properties]
        return {k: in_schema_order(value[k], properties.get(k, extra)) for k in keys}
    if isinstance(value, list):
        return [in_schema_order(item, node.get("items", {})) for item in value]
    return value


def fill_defaults(value: Any, schema: dict | None = None, root: dict | None = None) -> None:
    """Fill in place every default the schema gives for a field ``value`` lacks, and the optional objects.

    Optional objects without required fields are created (and filled), as is the list of conditions, so a
    later stage can read ``answers["disputes"]["route"]`` without asking whether ``disputes`` was given.
    """
    root = root if root is not None else load_schema()
    schema = resolve_ref(root if schema is None else schema, root)
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            sub = resolve_ref(sub, root)
            if name not in value:
                if "default" in sub:
                    value[name] = copy.deepcopy(sub["default"])
                elif sub.get("type") == "object" and "properties" in sub and not sub.get("required"):
                    value[name] = {}
                elif sub.get("type") == "array" and name == "conditions":
                    value[name] = []
            if name in value:
                fill_defaults(value[name], sub, root)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name in value:
                if name not in schema.get("properties", {}):
                    fill_defaults(value[name], extra, root)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            fill_defaults(item, schema["items"], root)



def fields_missing(schema: dict, shipped: dict | None = None) -> list[str]:
    """Return the fields of the shipped answer-set schema that ``schema`` lacks, as dotted paths (``[]``: an item).

    A library's own schema may add sections and fields to the answer set, never take one away: the rules and
    the clauses of the engine read them.

    >>> fields_missing({"properties": {}}, {"properties": {"a": {"properties": {"b": {}}}}})
    ['a']
    >>> fields_missing({"properties": {"a": {"items": {}}}}, {"properties": {"a": {"items": {"properties": {"b": {}}}}}})
    ['a[].b']
    """
    shipped = shipped if shipped is not None else shipped_schema()
    missing: list[str] = []

    def walk(own: dict, base: dict, path: str, depth: int) -> None:
        own, base = resolve_ref(own, schema), resolve_ref(base, shipped)
        if depth > 32 or not isinstance(own, dict) or not isinstance(base, dict):
            return
        for name, node in base.get("properties", {}).items():
            where = f"{path}.{name}" if path else name
            if name not in own.get("properties", {}):
                missing.append(where)
            else:
                walk(own["properties"][name], node, where, depth + 1)
        for key, suffix in (("items", "[]"), ("additionalProperties", ".*")):
            if isinstance(base.get(key), dict):
                walk(own.get(key) if isinstance(own.get(key), dict) else {}, base[key], path + suffix, depth + 1)

    walk(schema, shipped, "", 0)
    return missing


def broken_refs(schema: dict) -> list[str]:
    """Return every ``$ref`` in ``schema`` that does not name a place in it (only local ones, ``#/...``, are allowed).

    >>> broken_refs({"properties": {"a": {"$ref": "#/$defs/x"}, "b": {"$ref": "#/$defs/y"}}, "$defs": {"x": {}}})
    ['#/$defs/y']
    """
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None and not _resolves(ref, schema):
                found.append(str(ref))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def _resolves(ref: object, schema: dict) -> bool:
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return False
    target: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(target, dict) or part not in target:
            return False
        target = target[part]
    return isinstance(target, dict)
