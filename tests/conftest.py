"""Shared fixtures: the example answer sets and a way to derive variations from them."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from agreement_engine.i18n import language

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def dutch(monkeypatch):
    """Pin the language to Dutch: the machine's LANG (often en_US.UTF-8) must not decide what tests see."""
    monkeypatch.setenv("AGREEMENT_ENGINE_LANG", "nl")
    with language("nl"):
        yield


def example(name: str) -> dict:
    """Return a fresh copy of the example answer set ``examples/<name>.json``."""
    with (EXAMPLES / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def apply_changes(answers: dict, changes: list) -> dict:
    """Return ``answers`` with ``[["set", path, value] | ["remove", path]]`` applied to a copy."""
    result = copy.deepcopy(answers)
    for change in changes:
        op, path = change[0], change[1]
        parent = result
        for part in path[:-1]:
            parent = parent[part]
        if op == "set":
            if isinstance(parent, list) and path[-1] == len(parent):
                parent.append(change[2])
            else:
                parent[path[-1]] = change[2]
        elif op == "remove":
            del parent[path[-1]]
        else:
            raise ValueError(f"unknown change {op!r}")
    return result


def variation(base: str, *changes: list) -> dict:
    """Return the example ``base`` with ``changes`` applied."""
    return apply_changes(example(base), list(changes))


@pytest.fixture(params=sorted(p.stem for p in EXAMPLES.glob("*.json")))
def example_name(request) -> str:
    """Each example answer set by name."""
    return request.param
