"""The babel extractors named in babel.cfg: the messages of the sources, the schema and the clause library.

``pybabel extract`` calls them (see "Vertalingen" in the README); the engine itself never imports this module.
Besides babel's Python extractor they find :class:`~agreement_engine.i18n.Text` messages and the docstrings of
click commands (their help), the titles, descriptions and choice labels of the answer-set schema, and the
summaries of the clause variants.
"""
from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

from babel.messages.extract import extract_python

from agreement_engine.library import parse_clause


def extract_python_and_help(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Extract what babel's Python extractor finds, plus :class:`Text` messages and the docstrings of click
    commands (their help)."""
    aliases = {"Text": "_", "plural": "ngettext"}  # Text("..."), Text.plural("...", "...", n)
    for lineno, function, messages, comments in extract_python(fileobj, [*keywords, *aliases], comment_tags,
                                                               options):
        yield lineno, aliases.get(function, function), messages, comments
    fileobj.seek(0)
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_command_decorator(d) for d in node.decorator_list):
            docstring = ast.get_docstring(node)
            if docstring:
                yield node.body[0].lineno, None, docstring, []


def _is_command_decorator(node: ast.expr) -> bool:
    function = node.func if isinstance(node, ast.Call) else node
    return isinstance(function, ast.Attribute) and function.attr in ("command", "group")


def extract_schema_texts(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Extract the titles, descriptions and choice labels (``x-labels``) of a JSON Schema."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for value in _schema_texts(json.loads(text)):
        encoded = json.dumps(value, ensure_ascii=False)
        lineno = next((n for n, line in enumerate(lines, start=1) if encoded in line), 0)
        yield lineno, None, value, []


def _schema_texts(node: Any) -> Iterator[str]:
    """Yield every title, description and choice label in a schema node, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description") and isinstance(value, str):
                yield value
            elif key == "x-labels" and isinstance(value, dict):
                yield from value.values()
            else:
                yield from _schema_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_texts(item)


def extract_variant_summaries(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Extract the summaries of a clause file's variants: what each choice means, shown by the interview."""
    clause = parse_clause(fileobj.read().decode("utf-8"), getattr(fileobj, "name", "clause"))
    for variant in clause.variants:
        if variant.summary:
            yield variant.line, None, variant.summary, []
