"""Assemble Dutch alliance agreements from an answer set and a versioned clause library.

The public API mirrors the command line: :func:`check` validates an answer set and
:func:`assemble` builds the pure :class:`~agreement_engine.model.Agreement` and :func:`render` writes it
as a .docx with its manifest. :class:`Engine` does the same with its own library, template and languages.

The names are loaded when first used (PEP 562), so ``import agreement_engine.model`` loads no Word code.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from agreement_engine.version import __version__

if TYPE_CHECKING:
    from agreement_engine.api import assemble, check, render
    from agreement_engine.engine import Engine

#: Each public name and the module it comes from.
_PUBLIC = {"assemble": "agreement_engine.api", "check": "agreement_engine.api", "render": "agreement_engine.api",
           "Engine": "agreement_engine.engine"}

__all__ = ["__version__", "Engine", "assemble", "check", "render"]


def __getattr__(name: str):
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
