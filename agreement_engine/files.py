"""Reading input files safely: only regular files, never more than a limit, never waiting on a pipe.

Every file a user names (an answer set, a template, a document for ``explain``, a resume file) is read
through :func:`read_regular_file`. A device such as ``/dev/zero`` would otherwise be read until memory runs
out, and a named pipe would make the engine wait for ever; both are refused before a byte is read.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from agreement_engine.errors import InputError
from agreement_engine.i18n import _

#: The largest answer set (or resume file) the engine reads. A real one is tens of kilobytes.
MAX_ANSWERS_BYTES = 8 * 1024 * 1024
#: The largest Word template and the largest .docx that ``explain`` opens.
MAX_TEMPLATE_BYTES = 32 * 1024 * 1024
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024

_CHUNK = 1024 * 1024


class FileReadError(InputError):
    """Raised when a file cannot be read; ``kind`` says why: missing, not_regular, too_large or unreadable.

    The message is in the current language and names the file.
    """

    def __init__(self, kind: str, message: str, *, path: Path, reason: str = "", limit: int = 0) -> None:
        self.kind = kind
        self.path = path
        self.reason = reason
        self.limit = limit
        super().__init__(message)


def size_text(size: int) -> str:
    """Return a size in bytes as a short text: "8 MiB", "512 KiB", "12 bytes".

    >>> size_text(8 * 1024 * 1024), size_text(1536), size_text(12)
    ('8 MiB', '1,5 KiB', '12 bytes')
    """
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{value} {unit}"
    return f"{size} bytes"


def kind_of(mode: int) -> str:
    """Return in Dutch what a file of this mode is, when it is not a regular file ("een pijp (FIFO)")."""
    if stat.S_ISDIR(mode):
        return _("een map")
    if stat.S_ISFIFO(mode):
        return _("een pijp (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("een apparaat")
    if stat.S_ISSOCK(mode):
        return _("een socket")
    return _("geen gewoon bestand")


def os_reason(exc: OSError) -> str:
    """Return a short Dutch reason for an error while opening or reading a file."""
    reasons = {
        errno.EACCES: _("geen leesrechten"),
        errno.EPERM: _("geen leesrechten"),
        errno.ENAMETOOLONG: _("de naam is te lang"),
        errno.ENOTDIR: _("een deel van het pad is geen map"),
        errno.ELOOP: _("te veel symbolische koppelingen (een lus?)"),
        errno.EISDIR: _("dit is een map"),
        errno.EIO: _("leesfout van het apparaat"),
    }
    return reasons.get(exc.errno, exc.strerror or str(exc))


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """Return the bytes of the regular file at ``path``; raise FileReadError when it is anything else.

    A directory, device, pipe or socket is refused without reading or waiting (the file is opened
    non-blocking and checked with ``fstat`` on the same descriptor, so it cannot be swapped in between);
    a file larger than ``limit`` bytes is refused, also when it grows while being read.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise FileReadError("missing", _("{file}: bestand niet gevonden").format(file=path), path=path) from exc
    except IsADirectoryError as exc:
        raise FileReadError("not_regular", _("{file} is een map, geen bestand").format(file=path),
                            path=path, reason=_("een map")) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        reason = os_reason(exc) if isinstance(exc, OSError) else _("ongeldig teken in de naam")
        raise FileReadError("unreadable", _("{file}: kan niet worden gelezen: {reason}").format(
            file=path, reason=reason), path=path, reason=reason) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = kind_of(info.st_mode)
            raise FileReadError("not_regular", _("{file} is {kind}, geen gewoon bestand; de engine leest alleen "
                                                 "gewone bestanden").format(file=path, kind=kind),
                                path=path, reason=kind)
        too_large = FileReadError("too_large", _("{file} is groter dan {limit}; zo groot is dit soort bestand "
                                                 "nooit").format(file=path, limit=size_text(limit)),
                                  path=path, limit=limit)
        if info.st_size > limit:
            raise too_large
        chunks, total = [], 0
        while True:
            try:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            except OSError as exc:
                reason = os_reason(exc)
                raise FileReadError("unreadable", _("{file}: kan niet worden gelezen: {reason}").format(
                    file=path, reason=reason), path=path, reason=reason) from exc
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise too_large
    finally:
        os.close(fd)
