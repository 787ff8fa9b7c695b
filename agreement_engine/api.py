"""The Python API, mirroring the command line: ``check``, ``assemble``, ``render``, ``compare`` and ``variants``.

Each function is the method of the same name of an :class:`~agreement_engine.engine.Engine` with the installed
library and house template, or with the library and template the call names (one engine per pair, kept).
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from agreement_engine.engine import (
    DEFAULT_OUT_DIR,
    DOCUMENT_LANGUAGE,
    Checked,
    Engine,
    Rendered,
    RenderResult,
    Source,
    write,
)
from agreement_engine.findings import Finding
from agreement_engine.library import Library
from agreement_engine.model import Agreement

__all__ = ["DEFAULT_OUT_DIR", "DOCUMENT_LANGUAGE", "Checked", "Engine", "RenderResult", "Rendered", "Source",
           "assemble", "check", "compare", "default_engine", "render", "render_document", "variants", "write"]

#: The engines of the module functions, by library and template; the first is the default engine.
_ENGINES: OrderedDict[tuple, Engine] = OrderedDict()
_KEPT = 8


def default_engine(library: Library | None = None, template: str | Path | None = None) -> Engine:
    """Return the engine for ``library`` and ``template`` (default: the installed ones), made once and kept.

    A template file is known by its path and its size and time of change, so a template changed on disk gets
    a new engine.
    """
    key: tuple = (library.content_hash if library is not None else None,)
    if template is not None:
        try:
            info = Path(template).stat()
            key += (str(Path(template).resolve()), info.st_mtime_ns, info.st_size)
        except (OSError, ValueError):
            key += (str(template),)  # the engine reports the template when it reads it
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = Engine(library, template)
        while len(_ENGINES) > _KEPT:
            _ENGINES.popitem(last=False)
    return engine


def check(source: Source) -> list[Finding]:
    """Return every finding for the answer set at ``source`` (a path) or ``source`` itself (a dict)."""
    return default_engine().check(source)


def assemble(source: Source, library: Library | None = None) -> Agreement:
    """Return the Agreement for the answer set at ``source``; raise InvalidAnswersError when invalid."""
    return default_engine(library).assemble(source)


def render_document(source: Source, *, template: str | Path | None = None,
                    library: Library | None = None) -> Rendered:
    """Validate, assemble and render the answer set at ``source`` in memory; raise InvalidAnswersError."""
    return default_engine(library, template).render_document(source)


def render(source: Source, target: str | Path | None = None, *, template: str | Path | None = None,
           pdf: bool = False, out_dir: str | Path = DEFAULT_OUT_DIR, library: Library | None = None,
           force: bool = False) -> RenderResult:
    """Render the answer set at ``source`` to ``target`` (default ``out_dir/<slug>.docx``) plus a manifest.

    See :meth:`Engine.render <agreement_engine.engine.Engine.render>`.
    """
    return default_engine(library, template).render(source, target, pdf=pdf, out_dir=out_dir, force=force)


def compare(old: Source, new: Source, target: str | Path, *, date: str | None = None,
            template: str | Path | None = None, library: Library | None = None) -> Path:
    """Write the agreement of ``new`` against that of ``old`` as tracked changes to ``target`` (.docx).

    See :meth:`Engine.compare <agreement_engine.engine.Engine.compare>`.
    """
    return default_engine(library, template).compare(old, new, target, date=date)


def variants(topic: str, target: str | Path, source: Source | None = None, *,
             template: str | Path | None = None, library: Library | None = None) -> Path:
    """Write every variant of ``topic`` side by side for the alliance of ``source`` to ``target`` (.docx).

    See :meth:`Engine.variants <agreement_engine.engine.Engine.variants>`.
    """
    return default_engine(library, template).variants(topic, target, source)
