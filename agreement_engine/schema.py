"""Navigate the answer-set schema: follow ``$ref``, find the schema of a field, its title, its enums.

Every stage that asks the schema something (validation, the rules, lint, the interview, compare, the template
context) asks it here; :mod:`agreement_engine.resources` only finds and reads the schema files.
"""
from __future__ import annotations

import copy
from typing import Any

from agreement_engine.i18n import Text
from agreement_engine.resources import load_schema


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

