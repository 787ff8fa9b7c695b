"""The compiled-library cache: a clause library once built and checked is kept, keyed by its hash, for the next run.

Building the library (reading the YAML and checking every clause against its schema) is most of what a command
does before it can answer. The same files checked by the same engine give the same library, so the built library
is kept in ``$XDG_CACHE_HOME/agreement-engine`` (else ``~/.cache/agreement-engine``), one file per key: the
sha256 of the library's files, of the engine's own code and schemas, and of the engine and Python versions. A
changed clause, schema or engine is a new key, so a stale library is never used.

A cache file is read only when it belongs to the current user and nobody else may write it (nor its folder),
and when the sha256 written at its head matches its contents. A missing, damaged, tampered-with or unreadable
file means the library is built and checked again and the file written anew, silently; a cache that cannot be
written is skipped. ``AGREEMENT_ENGINE_NO_CACHE=1`` turns the cache off.

Beside the libraries lie values worked out from single texts (:class:`Store`: the compiled Jinja code of clause
texts and conditions, lint's reading of each text) and lint's verdict (:func:`remembered`), kept with the same
checks: compiling a text from scratch costs a millisecond or two, loading its code a few microseconds.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import marshal
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from agreement_engine.version import __version__

T = TypeVar("T")

#: The environment variable that turns the cache off (any value but empty or 0).
DISABLE = "AGREEMENT_ENGINE_NO_CACHE"
#: The first line of every cache file.
_MAGIC = b"agreement-engine library cache 1\n"
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """Return the folder of the cache, or None when the cache is turned off."""
    if os.environ.get(DISABLE, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "agreement-engine"


@functools.lru_cache(maxsize=1)
def _engine_digest() -> bytes:
    """Return the sha256 of the engine's own code, schemas and message catalogs: what turns library files into a
    library (and a library into lint's verdict)."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for path in sorted([*_PACKAGE.glob("*.py"), *(_PACKAGE.parent / "schemas").glob("*.json"),
                        *(_PACKAGE / "schemas").glob("*.json"), *_PACKAGE.glob("locale/*/LC_MESSAGES/*.mo")]):
        try:
            digest.update(f"\0{path.name}\0".encode() + path.read_bytes())
        except OSError:
            continue
    return digest.digest()


def key(files: Mapping[str, str]) -> str:
    """Return the cache key of a library made of ``files`` (relative name to text) by this engine."""
    digest = hashlib.sha256(_engine_digest())
    for name, text in sorted(files.items()):
        digest.update(f"\0{name}\0".encode() + text.encode("utf-8"))
    return digest.hexdigest()


def _trusted(path: Path) -> bool:
    """Return whether ``path`` belongs to this user and nobody else may write it."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's profile folder is private
    info = os.stat(path, follow_symlinks=False)
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path, loads: Callable[[bytes], Any] = pickle.loads) -> object | None:
    """Return the object in the cache file ``path`` (read by ``loads``), or None when it is missing, damaged or not
    to be trusted."""
    try:
        if not (_trusted(path.parent) and _trusted(path)) or not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        data = path.read_bytes()
        if not data.startswith(_MAGIC):
            return None
        stored, payload = data[len(_MAGIC):len(_MAGIC) + 64], data[len(_MAGIC) + 65:]
        if stored.decode("ascii", "replace") != hashlib.sha256(payload).hexdigest():
            return None
        return loads(payload)  # noqa: S301 - a file of this user that nobody else can write, hash checked
    except Exception:  # noqa: BLE001 - any damaged cache is rebuilt
        return None


def _write(path: Path, value: object, dumps: Callable[[Any], bytes] | None = None) -> None:
    """Write ``value`` to the cache file ``path`` atomically (written by ``dumps``, default pickle); give up
    silently when that cannot be done."""
    try:
        payload = dumps(value) if dumps else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted(path.parent):
            return
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".lib")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_MAGIC + hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n" + payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        _prune(path)
    except Exception:  # noqa: BLE001 - a read-only or full disk: the library is simply built next time too
        return


#: How many cache files of one kind (libraries, lint verdicts, ...) are kept; older ones go when a new one comes.
KEEP = 32


def _prune(path: Path) -> None:
    """Remove the oldest cache files of the kind of ``path`` beyond :data:`KEEP`: every change to a library or the
    engine is a new key, and the files of old keys would otherwise pile up."""
    kind = path.name.rsplit("-", 1)[0]
    same = [p for p in path.parent.glob(f"{kind}-*{path.suffix}") if p.name.rsplit("-", 1)[0] == kind]
    if len(same) <= KEEP:
        return
    for old in sorted(same, key=lambda p: p.stat().st_mtime_ns)[:-KEEP]:
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()


def cached(files: Mapping[str, str], build: Callable[[], T], kind: type[T]) -> T:
    """Return the library of ``files`` from the cache, or ``build()`` it (raising what it raises) and keep it."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"library-{key(files)}.pickle"
    found = _read(path)
    if isinstance(found, kind):
        return found
    value = build()
    _write(path, value)
    return value


def remembered(kind: str, inputs: list[str], work: Callable[[], T], fits: Callable[[object], bool]) -> T:
    """Return what ``work()`` returned the last time this engine did it on the same ``inputs`` (texts that together
    determine its result), or do it and keep the result; ``fits`` tells whether a stored value is one."""
    folder = cache_dir()
    if folder is None:
        return work()
    digest = hashlib.sha256(_engine_digest())
    for text in inputs:
        digest.update(b"\0" + text.encode("utf-8"))
    path = folder / f"{kind}-{digest.hexdigest()}.pickle"
    found = _read(path)
    if found is not None and fits(found):
        return found  # type: ignore[return-value]
    value = work()
    _write(path, value)
    return value


class Store:
    """Values worked out from texts (compiled Jinja code, lint's reading of a text), by key: read from the cache
    on first use, written back at exit when this process added some.

    The file is keyed by the engine's hash, ``kind`` and ``version`` (of what makes the values, such as Jinja's);
    the values are written with marshal, so they are code, text, numbers and containers of those, and each read
    value must pass ``fits``. At most :data:`LIMIT` entries are kept; beyond that only those this process used.
    """

    LIMIT = 20_000

    def __init__(self, kind: str, version: str, fits: Callable[[object], bool]) -> None:
        self.kind, self.version, self.fits = kind, version, fits
        self._values: dict[str, Any] | None = None
        self._used: set[str] = set()
        self._changed = False

    def _path(self) -> Path | None:
        folder = cache_dir()
        if folder is None:
            return None
        digest = hashlib.sha256(_engine_digest() + f"\0{self.kind} {self.version}\0marshal {marshal.version}".encode())
        return folder / f"{self.kind}-{digest.hexdigest()}.marshal"

    def _loaded(self) -> dict[str, Any]:
        if self._values is None:
            path = self._path()
            found = _read(path, marshal.loads) if path else None
            fine = isinstance(found, dict) and all(isinstance(k, str) and self.fits(v) for k, v in found.items())
            self._values = found if fine else {}  # type: ignore[assignment]
        return self._values  # type: ignore[return-value]

    def get(self, key: str) -> Any:
        """Return the value kept under ``key``, or None."""
        value = self._loaded().get(key)
        if value is not None:
            self._used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key``, for this run and (at exit) the next."""
        values = self._loaded()
        if not self._changed:
            atexit.register(self.save)
        values[key] = value
        self._used.add(key)
        self._changed = True

    def save(self) -> None:
        """Write the values to the cache, what this run added beside what was there (silently skipped when
        impossible)."""
        path = self._path()
        if not self._changed or self._values is None or path is None:
            return
        keep = self._values if len(self._values) <= self.LIMIT else {k: self._values[k] for k in self._used}
        _write(path, keep, marshal.dumps)
        self._changed = False
