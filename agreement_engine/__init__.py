"""Assemble Dutch alliance agreements from an answer set and a versioned clause library.

The public API mirrors the command line: :func:`check` validates an answer set and
:func:`assemble` builds the pure :class:`~agreement_engine.model.Agreement` and :func:`render` writes it
as a .docx with its manifest.
"""
from __future__ import annotations

__version__ = "0.1.0"

from agreement_engine.api import assemble, check, render  # noqa: E402

__all__ = ["__version__", "assemble", "check", "render"]
