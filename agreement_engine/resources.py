"""Locate the data the engine ships: the clause library, the JSON Schemas and the example answer sets.

In a checkout they sit beside the package (``clause_library/``, ``schemas/``, ``examples/``); an installed
engine carries them inside the package as ``agreement_engine/clause_library`` and so on.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=None)
def load_schema(name: str = "answer-set") -> dict:
    """Return the JSON Schema ``schemas/<name>.schema.json`` as a dict (cached per process)."""
    path = schemas_dir() / f"{name}.schema.json"
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)



@lru_cache(maxsize=None)
def load_interview_plan() -> dict:
    """Return ``schemas/interview.json``: which questions the interview asks first and which as standard choices."""
    with (schemas_dir() / "interview.json").open(encoding="utf-8") as handle:
        return json.load(handle)
