"""Modules loaded when first used, so that a command loads only what it needs (``check`` no Word code).

A lazy module is declared at the top of the module that uses it, in plain sight, like an import:

    template = lazy.module("agreement_engine.word.template")

and is imported by the first attribute asked of it (``template.load_template``). ``function`` does the same for
one function, for a module that calls it by its own name.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable


class LazyModule:
    """A module imported on its first attribute access."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def module(name: str) -> Any:
    """Return the module ``name``, imported on its first attribute access.

    >>> json = module("json")
    >>> json.dumps([1])
    '[1]'
    """
    return LazyModule(name)


def function(name: str, attribute: str) -> Callable[..., Any]:
    """Return a function that calls ``attribute`` of module ``name``, importing the module on the first call.

    >>> dumps = function("json", "dumps")
    >>> dumps({"a": 1})
    '{"a": 1}'
    """
    lazy = LazyModule(name)

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(lazy, attribute)(*args, **kwargs)

    call.__name__ = call.__qualname__ = attribute
    call.__doc__ = f"Call ``{name}.{attribute}``, loaded on first use."
    return call
