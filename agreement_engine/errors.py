"""The engine's exceptions; the command line alone turns them into exit codes."""
from __future__ import annotations

from agreement_engine.i18n import _, ngettext


class EngineError(Exception):
    """Raised when the engine cannot do what was asked; the message is Dutch and says where."""


class InputError(EngineError):
    """Raised when an answer set cannot be read: missing file, wrong encoding, not JSON, not an object."""


class LibraryError(EngineError):
    """Raised when the clause library is broken: unreadable file, bad clause, failing template."""

    def __init__(self, message: str, *, file: str | None = None, clause: str | None = None,
                 line: int | None = None) -> None:
        self.file = file
        self.clause = clause
        self.line = line
        where = ", ".join(part for part in (
            file and (f"{file}:{line}" if line else file),
            clause and _("clausule {clause}").format(clause=clause),
        ) if part)
        super().__init__(f"{where}: {message}" if where else message)


class TemplateError(EngineError):
    """Raised when a Word template lacks a placeholder or cannot be rendered."""


class InvalidAnswersError(EngineError):
    """Raised when an answer set has findings of severity error and so cannot be rendered.

    ``findings`` holds every finding of the answer set (warnings too), so a caller can report them all.
    """

    def __init__(self, findings: list) -> None:
        self.findings = findings
        errors = sum(1 for f in findings if getattr(f.severity, "value", None) == "error")
        super().__init__(ngettext("de antwoordenset bevat {count} fout", "de antwoordenset bevat {count} fouten",
                                  errors).format(count=errors))


class OutputError(EngineError):
    """Raised when an output file cannot be written (unwritable folder, full disk)."""
