"""Locate the data the engine ships (the clause library, the JSON Schemas, the example answer sets) and say
which answer-set schema is in use.

In a checkout they sit beside the package (``clause_library/``, ``schemas/``, ``examples/``); an installed
engine carries them inside the package as ``agreement_engine/clause_library`` and so on. A clause library of
one's own may carry its own answer-set schema (``schemas/answer-set.schema.json`` in the library's folder):
an Engine with that library reads it instead of the shipped one inside :func:`using_schema`, so every stage
that asks :func:`load_schema` (validation, defaults, the template context, lint) sees the same schema.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"map {name!r} niet gevonden naast het pakket {_PACKAGE}")


def clause_library_dir() -> Path:
    """Return the folder of the installed clause library."""
    return _data_dir("clause_library")


def example_path(name: str = "dak-en-thuis") -> Path:
    """Return the path of the shipped example answer set ``name`` (default: the founding story)."""
    return _data_dir("examples") / f"{name}.json"


def schemas_dir() -> Path:
    """Return the folder of the shipped JSON Schemas."""
    return _data_dir("schemas")


@dataclass(frozen=True, eq=False)
class AnswerSchema:
    """An answer-set schema other than the shipped one: its tree, and the sha256 of its text as a key for caches."""

    tree: dict[str, Any]
    sha256: str


_IN_USE: ContextVar[AnswerSchema | None] = ContextVar("answer_schema", default=None)


@contextmanager
def using_schema(schema: AnswerSchema | None) -> Iterator[None]:
    """Make ``schema`` the answer-set schema inside the block (None: the shipped one)."""
    token = _IN_USE.set(schema)
    try:
        yield
    finally:
        _IN_USE.reset(token)


def schema_key() -> str:
    """Return a key for what is derived from the answer-set schema in use: its sha256, "" for the shipped one."""
    schema = _IN_USE.get()
    return schema.sha256 if schema is not None else ""


def load_schema(name: str = "answer-set") -> dict:
    """Return the JSON Schema ``name`` as a dict: the answer-set schema in use, else ``schemas/<name>.schema.json``."""
    schema = _IN_USE.get() if name == "answer-set" else None
    return schema.tree if schema is not None else shipped_schema(name)


@lru_cache(maxsize=None)
def shipped_schema(name: str = "answer-set") -> dict:
    """Return the shipped JSON Schema ``schemas/<name>.schema.json`` as a dict (read once per process)."""
    path = schemas_dir() / f"{name}.schema.json"
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)



@lru_cache(maxsize=None)
def load_interview_plan() -> dict:
    """Return ``schemas/interview.json``: which questions the interview asks first and which as standard choices."""
    with (schemas_dir() / "interview.json").open(encoding="utf-8") as handle:
        return json.load(handle)
