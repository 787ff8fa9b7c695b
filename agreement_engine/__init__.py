"""Assemble Dutch alliance agreements from an answer set and a versioned clause library.

The public API mirrors the command line: :func:`check` validates an answer set.
"""
from __future__ import annotations

__version__ = "0.1.0"

from agreement_engine.api import check  # noqa: E402

__all__ = ["__version__", "check"]
