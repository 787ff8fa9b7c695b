"""The engine's exceptions; the command line alone turns them into exit codes."""
from __future__ import annotations

from dataclasses import dataclass

from agreement_engine.i18n import _, ngettext


class EngineError(Exception):
    """Raised when the engine cannot do what was asked; the message is Dutch and says where."""


class InputError(EngineError):
    """Raised when an answer set cannot be read: missing file, wrong encoding, not JSON, not an object."""


@dataclass(frozen=True)
class Problem:
    """What is wrong in the clause library or a template, and where: file, clause and line (each if known).

    ``library lint`` lists Problems; :class:`LibraryError` and :class:`TemplateError` carry one, so a caller
    reads where an error happened from its fields, never from its text. In a Word template ``part`` is the part
    of the package (``word/document.xml``) and ``line`` and ``column`` count in that part; the message names
    them, since no one finds a line of a part in Word.
    """

    file: str | None
    clause: str | None
    line: int | None
    message: str
    part: str | None = None
    column: int | None = None

    @property
    def place(self) -> str | None:
        """Return the file and line as ``file:line`` (or the file alone), None when the file is unknown.

        The line is shown only when it counts in the file itself, not in a part of it.
        """
        return self.file and (f"{self.file}:{self.line}" if self.line and not self.part else self.file)

    def __str__(self) -> str:
        """Return the problem as ``library lint`` lists it: ``file:line: clausule id: message``."""
        clause = f"clausule {self.clause}: " if self.clause else ""
        return f"{self.place}: {clause}{self.message}" if self.place else f"{clause}{self.message}"


class LocatedError(EngineError):
    """Raised when something in the clause library or a template is wrong; ``problem`` says what and where."""

    def __init__(self, message: str, *, file: str | None = None, clause: str | None = None,
                 line: int | None = None, part: str | None = None, column: int | None = None) -> None:
        self.problem = Problem(file, clause, line, message, part, column)
        where = ", ".join(piece for piece in (
            self.problem.place, clause and _("clausule {clause}").format(clause=clause)) if piece)
        super().__init__(f"{where}: {message}" if where else message)

    @property
    def file(self) -> str | None:
        """Return the file the error is in, if known."""
        return self.problem.file

    @property
    def clause(self) -> str | None:
        """Return the id of the clause the error is in, if known."""
        return self.problem.clause

    @property
    def line(self) -> int | None:
        """Return the line the error is on, if known."""
        return self.problem.line

    @property
    def part(self) -> str | None:
        """Return the part of a Word template the error is in (``word/document.xml``), if known."""
        return self.problem.part

    @property
    def column(self) -> int | None:
        """Return the column the error is at, if known."""
        return self.problem.column


class LibraryError(LocatedError):
    """Raised when the clause library is broken: unreadable file, bad clause, failing template."""


class TemplateError(LocatedError):
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
