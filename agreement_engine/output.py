"""The last pipeline stage: output names, provenance, manifests, atomic writes and the PDF copy.

Everything the engine writes to disk goes through :func:`atomic_write`, so a file appears whole or not at
all: a crash, a kill or a full disk leaves at most a hidden temporary file that is removed on the way out.
Output names are slugs (:func:`slug`) that cannot leave the output folder.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agreement_engine.version import __version__
from agreement_engine.errors import OutputError
from agreement_engine.files import MAX_DOCUMENT_BYTES, FileReadError, read_regular_file
from agreement_engine.i18n import N_, _

if TYPE_CHECKING:  # only for annotations: writing a file loads no clause library
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
             findings: list[dict[str, Any]], articles: list[dict[str, Any]] | None = None) -> bytes:
    """Return the sidecar manifest: the provenance plus the document's name, hash and remaining findings.

    ``articles`` is what the engine wrote per article (text per paragraph and a hash, see
    :func:`agreement_engine.word.reader.written_articles`), so that ``explain`` can say what changed since.
    """
    content = {
        **provenance_,
        "document": document.name,
        "document_sha256": hashlib.sha256(document_bytes).hexdigest(),
        "findings": findings,
        **({"articles": articles} if articles is not None else {}),
    }
    return indented_json(content)


def indented_json(content: Any) -> bytes:
    r"""Return ``content`` as UTF-8 JSON, keys sorted, indented by two, with a final line end.

    The bytes are those of ``json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True)``: orjson writes
    them when ``content`` holds only what both write alike (objects with text keys, arrays, text, integers,
    true, false and null); anything else (a float, which the two spell differently) goes through json, whose
    indented output is pure Python and some thirty times slower.

    >>> indented_json({"b": [1, None], "a": "é\x01"}) == (json.dumps(
    ...     {"b": [1, None], "a": "é\x01"}, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    True
    >>> indented_json({"x": 1.0})
    b'{\n  "x": 1.0\n}\n'
    """
    if _plain(content):
        import orjson  # here, not at the top: checking an answer set writes no JSON

        try:
            return orjson.dumps(content, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        except TypeError:  # an integer beyond 64 bits, text that is not valid Unicode: json decides
            pass
    return (json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _plain(value: Any) -> bool:
    """Return whether ``value`` holds only dicts, lists, tuples, text, integers, booleans and None (exactly
    these types: a subclass may write itself otherwise). Keys need no look: orjson refuses any but text."""
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            stack.extend(node.values())
        elif kind is list or kind is tuple:
            stack.extend(node)
        elif kind not in _LEAVES:
            return False
    return True


_LEAVES = frozenset({str, int, bool, type(None)})


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
    atomic_write_all([(Path(path), data)])


def atomic_write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write several files so that they appear together or not at all (as far as a file system allows).

    Every file is first written whole to its temporary file; only when all are on disk are they renamed, in
    order. So a full disk or a name that is too long for the second file (a document's manifest) leaves
    nothing behind, not a document without its manifest. Should a rename itself fail after an earlier one
    succeeded, the OutputError says which files were written.
    """
    temporaries: list[str] = []
    handles: list[int] = []
    current = files[0][0]
    try:
        for path, data in files:
            current = Path(path)
            problem = name_problem(current)
            if problem:
                raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(file=current, reason=problem))
            current.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = _locked_temporary(current.parent)
            handles.append(handle)
            temporaries.append(temporary)
            with os.fdopen(handle, "wb", closefd=False) as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o666 & ~_UMASK)
        done: list[Path] = []
        for index, ((path, _data), temporary) in enumerate(zip(files, temporaries)):
            current = Path(path)
            try:
                os.replace(temporary, path)
            except OSError as exc:
                if done:
                    raise OutputError(_("{file}: kan niet worden geschreven: {reason}; wel geschreven: {written}").format(
                        file=current, reason=reason(exc), written=", ".join(map(str, done)))) from exc
                raise
            done.append(current)
            temporaries[index] = ""
    except BaseException as exc:
        for temporary in temporaries:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, FileNotFoundError) and current.parent.is_dir() and temporaries:
            raise OutputError(_("{file}: kan niet worden geschreven: het tijdelijke bestand {temporary} werd "
                                "tijdens het schrijven door een ander programma verwijderd").format(
                file=current, temporary=Path(temporaries[-1] or "?").name)) from exc
        if isinstance(exc, OSError):
            raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(
                file=current, reason=reason(exc))) from exc
        raise
    finally:
        for handle in handles:
            os.close(handle)  # only now: closing a file releases its lock


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


#: The longest name of one file or folder that common file systems allow, in bytes.
NAME_MAX = 255


def name_problem(path: str | Path) -> str | None:
    """Return why ``path`` cannot be a file name on common file systems (a part longer than NAME_MAX bytes).

    >>> name_problem("output/" + "a" * 300 + ".docx")
    'de naam aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… is te lang: 305 bytes, hoogstens 255'
    >>> name_problem("output/x.docx") is None
    True
    """
    for part in Path(path).parts:
        length = len(os.fsencode(part))
        if length > NAME_MAX:
            return _("de naam {name}… is te lang: {length} bytes, hoogstens {limit}").format(
                name=part[:30], length=length, limit=NAME_MAX)
    return None


def names_folder(target: str | Path) -> bool:
    """Return whether an output ``target`` names a folder: it ends in a slash, or is an existing folder.

    A folder that does not exist yet is made when the document is written, as ``batch`` makes its --out-dir.

    >>> names_folder("nieuw/"), names_folder("nieuw/x.docx"), names_folder(".")
    (True, False, True)
    """
    text = os.fspath(target)
    if text.endswith(("/", os.sep)):
        return True
    return name_problem(text) is None and Path(text).is_dir()


class TargetExists(OutputError):
    """Raised when a target exists that the engine did not write, or that changed since: it may be a user's work."""


def unchanged_manifest(document: Path) -> dict | None:
    """Return the manifest beside ``document`` when the document is exactly what the engine wrote, else None.

    Exactly: the manifest names the document and records the hash of its bytes as they are now.
    """
    try:
        record = json.loads(read_regular_file(manifest_path(document), 4 * 1024 * 1024))
        data = read_regular_file(document, MAX_DOCUMENT_BYTES)
    except (FileReadError, ValueError):
        return None
    if (isinstance(record, dict) and record.get("document") == document.name
            and record.get("document_sha256") == hashlib.sha256(data).hexdigest()):
        return record
    return None


def edited(document: Path, data: bytes | None = None) -> bool:
    """Return whether a file stands at ``document`` that a new document may not simply replace.

    That is any file the engine did not write, or wrote and that changed since (its bytes no longer match its
    manifest): a lawyer's edited draft. A file that already holds exactly ``data`` (what would be written)
    loses nothing, so it is not edited, even without its manifest (a run stopped between the two renames).
    """
    try:
        if not (document.exists() or document.is_symlink()) or unchanged_manifest(document) is not None:
            return False
    except OSError:
        return True
    if data is not None:
        try:
            return read_regular_file(document, MAX_DOCUMENT_BYTES) != data
        except FileReadError:
            return True
    return True


#: The copy of an edited document that ``--force`` keeps: ``<name>.edited-<n>.docx``.
EDITED_COPY = "{stem}.edited-{n}{suffix}"


def keep_copy(document: Path) -> Path:
    """Copy the edited ``document`` (and its manifest, if any) to ``<name>.edited-<n>.docx``; return the copy.

    ``n`` is the first number not taken; a copy is never overwritten, also not by a render running at the
    same time (the copy is created exclusively). Raise OutputError when the copy cannot be made: then the
    document must not be replaced either.
    """
    try:
        data = read_regular_file(document, MAX_DOCUMENT_BYTES)
    except FileReadError as exc:
        raise OutputError(_("{file}: kan niet worden bewaard voordat het wordt vervangen: {reason}").format(
            file=document, reason=exc)) from exc
    sidecar = manifest_path(document)
    try:
        record = read_regular_file(sidecar, 4 * 1024 * 1024) if sidecar.exists() else None
    except FileReadError:
        record = None
    for n in itertools.count(1):
        copy = document.with_name(EDITED_COPY.format(stem=document.stem, n=n, suffix=document.suffix))
        if copy.exists() or copy.is_symlink() or manifest_path(copy).exists():
            continue
        if name_problem(copy) or name_problem(manifest_path(copy)):
            raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(
                file=copy, reason=name_problem(copy) or name_problem(manifest_path(copy))))
        try:
            _create_exclusively(copy, data)
        except FileExistsError:
            continue
        if record is not None:
            atomic_write(manifest_path(copy), record)
        return copy
    raise AssertionError("unreachable")  # pragma: no cover


def _create_exclusively(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all, and only if it does not exist yet (FileExistsError otherwise)."""
    handle, temporary = _locked_temporary(path.parent)
    try:
        with os.fdopen(handle, "wb", closefd=False) as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)
        try:
            os.link(temporary, path)  # fails when the name is taken: never replaces a copy
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            if path.exists():
                raise FileExistsError(path) from None
            os.replace(temporary, path)
    except FileExistsError:
        raise
    except OSError as exc:
        raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(file=path,
                                                                                  reason=reason(exc))) from exc
    finally:
        Path(temporary).unlink(missing_ok=True)
        os.close(handle)


def check_target(document: Path, *, force: bool = False, data: bytes | None = None) -> None:
    """Raise OutputError when ``document`` (and its manifest) cannot or may not be written.

    A name too long for the file system is refused before anything is made. An existing file is replaced only
    when the engine wrote it and it is unchanged since (its manifest says so), when it already holds ``data``,
    or with ``force`` (and then :func:`keep_copy` keeps it first): a lawyer's edited draft is never lost to a
    new render.
    """
    for path in (document, manifest_path(document)):
        problem = name_problem(path)
        if problem:
            raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(file=path, reason=problem))
    try:
        document.exists()
    except OSError as exc:
        raise OutputError(_("{file}: kan niet worden geschreven: {reason}").format(file=document,
                                                                                  reason=reason(exc))) from exc
    if not force and edited(document, data):
        raise TargetExists(_("{file} bestaat al en is niet ongewijzigd door de engine geschreven (misschien is het "
                             "bewerkt; 'agreement-engine explain' toont wat er veranderde); kies een ander bestand "
                             "met -o, of overschrijf het met --force, dat het eerst bewaart als {copy}").format(
            file=document, copy=EDITED_COPY.format(stem=document.stem, n="N", suffix=document.suffix)))


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
