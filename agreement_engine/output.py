"""The last pipeline stage: output names, provenance, manifests, atomic writes and the PDF copy.

Everything the engine writes to disk goes through :func:`atomic_write`, so a file appears whole or not at
all: a crash, a kill or a full disk leaves at most a hidden temporary file that is removed on the way out.
Output names are slugs (:func:`slug`) that cannot leave the output folder.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agreement_engine import __version__
from agreement_engine.errors import OutputError
from agreement_engine.i18n import N_, _
from agreement_engine.library import Library
from agreement_engine.model import Agreement

try:
    import fcntl
except ImportError:  # Windows: no lock, so a batch's cleanup must not meet a live temporary file there
    fcntl = None  # type: ignore[assignment]

#: Bumped when the provenance layout changes, so that readers can tell the versions apart.
PROVENANCE_FORMAT = 1
#: Names Windows refuses as file names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_MAX_SLUG = 60
#: The names of atomic_write's temporary files: short (a long output name must still fit) and the engine's
#: own, so that cleaning up after a killed batch touches no other program's files.
TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".agreement-engine-", ".tmp"
#: Letters that Unicode does not decompose into a Latin base letter, spelled the usual way in ASCII.
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "þ": "th", "ı": "i"})
_REASONS = {
    errno.ENOSPC: N_("de schijf is vol"),
    errno.EDQUOT: N_("de schijfruimte (quotum) is op"),
    errno.EACCES: N_("geen schrijfrechten"),
    errno.EPERM: N_("geen schrijfrechten"),
    errno.EROFS: N_("het bestandssysteem is alleen-lezen"),
    errno.ENOTDIR: N_("een deel van het pad is geen map"),
    errno.EEXIST: N_("een deel van het pad is geen map"),  # what mkdir says when a file stands in the way
    errno.EISDIR: N_("dit is een map"),
    errno.ENOENT: N_("de map bestaat niet"),
    errno.ENAMETOOLONG: N_("de naam is te lang"),
}


def slug(text: str, fallback: str = "overeenkomst") -> str:
    """Return a file-name slug of ``text``: lower-case ASCII letters, digits and hyphens, at most 60 long.

    >>> slug("Alliantie Dak & Thuis (Utrecht) – Concept 2")
    'alliantie-dak-thuis-utrecht-concept-2'
    >>> slug("Ærø Coöperatie"), slug("../../x"), slug("CON"), slug("{{ 7*7 }}")
    ('aero-cooperatie', 'x', 'con-overeenkomst', '7-7')
    >>> slug("Жилье")
    'overeenkomst'
    """
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII))
    folded = folded.encode("ascii", "ignore").decode("ascii")
    words = "".join(ch if ch.isalnum() else " " for ch in folded).split()
    result = "-".join(words)[:_MAX_SLUG].strip("-")
    if not result:
        return fallback
    return f"{result}-{fallback}" if result in _RESERVED else result


def output_name(answers: Mapping[str, Any]) -> str:
    """Return the default output name (without extension) of a valid answer set: alliance and version."""
    document = answers.get("document", {})
    return slug(" ".join(part for part in (answers["alliance"]["name"], document.get("version_label")) if part))


def answers_hash(answers: Mapping[str, Any]) -> str:
    """Return the SHA-256 of the answer set as canonical JSON (key order and spacing do not count)."""
    canonical = json.dumps(answers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def provenance(agreement: Agreement, *, answers_sha256: str, library: Library, template_sha256: str) -> dict:
    """Return what a generated agreement was made from: engine, answers, template, library and clauses.

    It holds no clock time and no file names, so identical inputs give an identical document.
    """
    return {
        "format": PROVENANCE_FORMAT,
        "engine": "agreement-engine",
        "engine_version": __version__,
        "title": agreement.title,
        "alliance": agreement.alliance_name,
        "answers_sha256": answers_sha256,
        "template_sha256": template_sha256,
        "library": library.name,
        "library_version": library.version,
        "library_sha256": library.content_hash,
        "clauses": [
            {"id": use.clause_id, "variant": use.variant_id, "version": use.version, "status": use.status,
             "sha256": use.content_hash, "article": use.article}
            for use in agreement.clauses
        ],
    }


def manifest(provenance_: Mapping[str, Any], *, document: Path, document_bytes: bytes,
             findings: list[dict[str, Any]]) -> bytes:
    """Return the sidecar manifest: the provenance plus the document's name, hash and remaining findings."""
    content = {
        **provenance_,
        "document": document.name,
        "document_sha256": hashlib.sha256(document_bytes).hexdigest(),
        "findings": findings,
    }
    return (json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def manifest_path(document: Path) -> Path:
    """Return where the manifest of ``document`` goes: beside it, ``<name>.manifest.json``."""
    return document.with_name(f"{document.stem}.manifest.json")


def reason(exc: OSError) -> str:
    """Return a short Dutch reason for an operating-system error."""
    return _(_REASONS[exc.errno]) if exc.errno in _REASONS else exc.strerror or str(exc)


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file appears whole or not at all; raise OutputError if not.

    The bytes go to a hidden temporary file in the same folder, are flushed to disk and then renamed over
    ``path`` (an atomic step on POSIX and Windows). On any failure, including KeyboardInterrupt, the
    temporary file is removed and an existing ``path`` is left as it was. While it is written the temporary
    file is locked (POSIX), so that a batch cleaning up after a killed run leaves it alone.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = _locked_temporary(path.parent)
    except OSError as exc:
        raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(file=path, reason=reason(exc))) from exc
    try:
        with os.fdopen(handle, "wb", closefd=False) as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, FileNotFoundError) and path.parent.is_dir():
            raise OutputError(_("{file}: kan niet worden geschreven: het tijdelijke bestand {temporary} werd "
                                "tijdens het schrijven door een ander programma verwijderd").format(
                file=path, temporary=Path(temporary).name)) from exc
        if isinstance(exc, OSError):
            raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(file=path, reason=reason(exc))) from exc
        raise
    finally:
        os.close(handle)  # only now: closing the file releases its lock


def _locked_temporary(folder: Path) -> tuple[int, str]:
    """Create a temporary file in ``folder``, locked against cleanup; return its descriptor and path."""
    for _attempt in range(5):
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=folder)
        if fcntl is None:
            return handle, temporary
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if os.path.samestat(os.fstat(handle), os.stat(temporary)):
                return handle, temporary
        except FileNotFoundError:
            pass
        os.close(handle)  # a cleanup removed it between creating and locking it: make another
    raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), temporary)


def _read_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


#: The process's umask, read once at import: setting it to read it is not safe while other threads create files.
_UMASK = _read_umask()


def soffice() -> str | None:
    """Return the LibreOffice command on this machine, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_pdf(document: Path, target: Path, *, timeout: int = 180) -> None:
    """Convert the .docx at ``document`` to a PDF at ``target`` with headless LibreOffice, atomically.

    LibreOffice runs with a profile of its own in a temporary folder, so that conversions in parallel and
    a LibreOffice the user has open do not get in each other's way.
    """
    command = soffice()
    if command is None:
        raise OutputError(_("{file}: geen PDF gemaakt, want LibreOffice (soffice) is niet geïnstalleerd; "
                            "installeer bijvoorbeeld het pakket libreoffice-writer").format(file=target))
    try:
        with tempfile.TemporaryDirectory(prefix="agreement-engine-pdf-") as work:
            work_dir = Path(work)
            source = work_dir / "document.docx"
            shutil.copyfile(document, source)
            returncode, messages = _convert([command, f"-env:UserInstallation={(work_dir / 'profile').as_uri()}",
                                             "--headless", "--convert-to", "pdf", "--outdir", str(work_dir),
                                             str(source)], timeout)
            produced = work_dir / "document.pdf"
            if returncode != 0 or not produced.is_file():
                detail = messages.strip().splitlines()
                raise OutputError(_("{file}: LibreOffice kon het document niet naar PDF omzetten").format(file=target)
                                  + (f" ({detail[-1]})" if detail else ""))
            atomic_write(target, produced.read_bytes())
    except subprocess.TimeoutExpired as exc:
        raise OutputError(_("{file}: LibreOffice gaf binnen {seconds} seconden geen PDF").format(
            file=target, seconds=timeout)) from exc
    except OSError as exc:
        raise OutputError(_("{file}: geen PDF gemaakt: {reason}").format(file=target, reason=reason(exc))) from exc


def _convert(command: list[str], timeout: int) -> tuple[int, str]:
    """Run LibreOffice in a session of its own; on a timeout end the whole session, not only the wrapper.

    ``soffice`` is a script that starts ``soffice.bin``; killing only the script would leave LibreOffice
    running and holding its temporary profile.
    """
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        out, _unused = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return process.returncode, out or ""
