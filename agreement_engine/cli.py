"""The command line: parse arguments, call the engine, print results and decide every exit code.

Exit codes: 0 ok, 1 a content problem (invalid answers, broken library, unwritable output), 2 a usage
error. Only this module turns engine exceptions into exit codes; nothing else calls ``sys.exit``.
"""
from __future__ import annotations

import gc
import inspect
import io
import json
import os
import re
import shlex
import signal
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agreement_engine.version import __version__
from agreement_engine import lazy
from agreement_engine.answers import load as load_answers
from agreement_engine.api import default_engine
from agreement_engine.engine import Checked, Engine
from agreement_engine.errors import EngineError, InvalidAnswersError, OutputError
from agreement_engine.files import os_reason
from agreement_engine.findings import Finding, Severity
from agreement_engine.i18n import (LANGUAGES, N_, _, format_seconds, language, language_from_environment,
                                   ngettext, set_language)
from agreement_engine.library import DirectoryLoader, Library, default_library
from agreement_engine.resources import example_path, load_schema

if TYPE_CHECKING:
    from agreement_engine.interview import Interview, ScriptAnswers

# Loaded by the commands that need them: ``check`` loads no Word code, no batch, portfolio or interview machinery.
batch_stage = lazy.module("agreement_engine.batch")
consequences_stage = lazy.module("agreement_engine.consequences")
interview_stage = lazy.module("agreement_engine.interview")
output = lazy.module("agreement_engine.output")
lint = lazy.function("agreement_engine.lint", "lint")
portfolio_stage = lazy.module("agreement_engine.portfolio")
progress = lazy.module("agreement_engine.progress")
drift = lazy.module("agreement_engine.drift")
read_provenance = lazy.function("agreement_engine.word", "read_provenance")
printable = lazy.function("agreement_engine.word.package", "printable")


#: Help texts that click itself writes, with the Dutch message id they are shown as.
_CLICK_HELP = {
    "Show this message and exit.": N_("Toon deze hulptekst en stop."),
    "Show the version and exit.": N_("Toon het versienummer en stop."),
}


#: What click itself says (its own gettext message ids, English) and the Dutch message id it is shown as. Texts
#: not listed stay as click wrote them.
_CLICK_MESSAGES = {
    "Usage:": N_("Gebruik:"),
    "Error: {message}": N_("Fout: {message}"),
    "Try '{command} {option}' for help.": N_("Probeer '{command} {option}' voor hulp."),
    "Options": N_("Opties"),
    "Commands": N_("Opdrachten"),
    "Aborted!": N_("Afgebroken."),
    "Missing command.": N_("Opdracht ontbreekt."),
    "Missing argument": N_("Ontbrekend argument"),
    "Missing option": N_("Ontbrekende optie"),
    "Missing parameter": N_("Ontbrekende parameter"),
    "Missing {param_type}": N_("Ontbrekende {param_type}"),
    "Missing parameter: {param_name}": N_("Parameter ontbreekt: {param_name}"),
    "No such option {name!r}.": N_("Onbekende optie {name!r}."),
    "No such command {name!r}.": N_("Onbekende opdracht {name!r}."),
    "Invalid value: {message}": N_("Ongeldige waarde: {message}"),
    "Invalid value for {param_hint}: {message}": N_("Ongeldige waarde voor {param_hint}: {message}"),
    "Option {name!r} does not take a value.": N_("Optie {name!r} neemt geen waarde."),
    "Argument {name!r} takes {nargs} values.": N_("Argument {name!r} neemt {nargs} waarden."),
    "{value!r} is not a valid {number_type}.": N_("{value!r} is geen geldig {number_type}."),
    "{value} is not in the range {range}.": N_("{value} ligt niet in het bereik {range}."),
    "default: {default}": N_("standaard: {default}"),
    "unknown error": N_("onbekende fout"),
    "Show this message and exit.": N_("Toon deze hulptekst en stop."),
    "Show the version and exit.": N_("Toon het versienummer en stop."),
}
#: click's plural messages: the English singular -> the Dutch singular and plural message ids.
_CLICK_PLURALS = {
    "Got unexpected extra argument ({args})": (N_("Onverwacht extra argument ({args})"),
                                               N_("Onverwachte extra argumenten ({args})")),
    "Option {name!r} requires an argument.": (N_("Optie {name!r} vereist een waarde."),
                                              N_("Optie {name!r} vereist {nargs} waarden.")),
    "{value!r} is not {choice}.": (N_("{value!r} is niet {choice}."), N_("{value!r} is niet een van {choices}.")),
    "{value!r} does not match the format {format}.": (N_("{value!r} heeft niet de vorm {format}."),
                                                      N_("{value!r} heeft geen van de vormen {formats}.")),
    "Did you mean {possibility}?": (N_("Bedoelt u {possibility}?"), N_("(Bedoelt u een van: {possibilities}?)")),
}


def _click_gettext(message: str) -> str:
    dutch = _CLICK_MESSAGES.get(message)
    return _(dutch) if dutch else message


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    dutch = _CLICK_PLURALS.get(singular)
    if dutch:  # two message ids, not one plural entry: click's forms are not all "one" and "more"
        return _(dutch[0] if n == 1 else dutch[1])
    return singular if n == 1 else plural


def translate_click() -> None:
    """Make click's own messages ("Usage:", "Error: ...", "No such option") speak the current language.

    click writes them through the module-level ``gettext`` functions it imports as ``_`` and ``ngettext``; those
    are replaced by lookups in :data:`_CLICK_MESSAGES` that go through this package's catalog.
    """
    import click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui, click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                   click.types):
        if hasattr(module, "_"):
            module._ = _click_gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext


def help_text(text: str) -> str:
    """Return a click help text (a Dutch message id, or a text click itself wrote) in the current language."""
    text = inspect.cleandoc(text)
    return _(_CLICK_HELP.get(text, text))


@contextmanager
def _translated_help(things: Iterable[Any]) -> Iterator[None]:
    """Show the help texts of commands and parameters in the current language inside the block."""
    saved = [(thing, thing.help) for thing in things if getattr(thing, "help", None)]
    for thing, text in saved:
        thing.help = help_text(text)
    try:
        yield
    finally:
        for thing, text in saved:
            thing.help = text


class _TranslatedHelp:
    """Show a command's help (its docstring and its options' ``help``) in the language of the moment."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the help page with every help text translated."""
        with _translated_help([self, *self.get_params(ctx)]):
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def get_short_help_str(self, limit: int = 45) -> str:
        """Return the one-line help shown in the list of commands, translated."""
        with _translated_help([self]):
            return super().get_short_help_str(limit)  # type: ignore[misc]


class TranslatedCommand(_TranslatedHelp, click.Command):
    """A click command whose help texts are Dutch message ids, shown in the current language."""


class TranslatedGroup(_TranslatedHelp, click.Group):
    """A click group whose help texts, and those of every command and group made in it, are translated."""

    command_class = TranslatedCommand
    group_class = type  # subgroups are of the same class as their parent


translate_click()

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


#: The youngest generation's threshold in a process that runs one command (Python's default is 700).
_OWN_PROCESS_GEN0 = 50_000


class _Group(TranslatedGroup):
    """A group that speaks the language of the environment and turns engine errors into one-line messages."""

    def main(self, args: list[str] | None = None, *more, **kwargs):
        """Run the command line in the language of the environment (``--lang`` may change it).

        A process that runs it on its own arguments (the installed command, ``python -m agreement_engine``) ends
        right after it; the objects it made are frozen first, so that the interpreter's last garbage collection
        does not walk them all only to free memory that the operating system takes back anyway (a fifth of the
        time of ``check``). Such a process also freezes what it imported and collects its youngest generation less
        often, as a batch does (``batch._batch_memory``): a command makes many short-lived objects and few cycles,
        and a full collection would walk every module and compiled clause each time (render: ~0.1 s of ~0.6 s).
        """
        if args is None:
            gc.freeze()
            gc.set_threshold(_OWN_PROCESS_GEN0, *gc.get_threshold()[1:])
        try:
            with language(language_from_environment()):
                return super().main(args, *more, **kwargs)
        finally:
            if args is None:
                gc.freeze()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            raise click.ClickException(str(exc)) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt, BrokenPipeError):
            raise  # a closed pipe (``| head``): click ends quietly
        except Exception as exc:  # a bug: report it in one line, keep the traceback for debugging
            if os.environ.get("AGREEMENT_ENGINE_DEBUG"):
                raise
            raise click.ClickException(
                _("interne fout ({error}); zet AGREEMENT_ENGINE_DEBUG=1 voor details").format(
                    error=f"{type(exc).__name__}: {exc}")
            ) from exc


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        set_language(value.lower())


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="agreement-engine",
                      message="%(prog)s %(version)s")
@click.option("--lang", type=click.Choice(LANGUAGES, case_sensitive=False), is_eager=True, expose_value=False,
              callback=_choose_language,
              help=N_("Taal van meldingen en hulpteksten: nl (standaard) of en. Zonder deze optie beslist de "
                      "omgeving: de eerste van AGREEMENT_ENGINE_LANG, LANGUAGE, LC_ALL, LC_MESSAGES en LANG die is "
                      "gezet; begint die met \"en\", dan Engels, anders Nederlands."))
def main() -> None:
    """Stel Nederlandse alliantieovereenkomsten samen uit een antwoordenset (JSON)."""


def _existing_file(path: str) -> Path:
    """Return ``path`` if something exists there that is not a folder; else a usage error (exit 2).

    Whether it is a regular file of a sensible size is decided where it is read (files.read_regular_file).
    """
    if not path:
        raise click.UsageError(_("lege bestandsnaam"))
    candidate = Path(path)
    try:
        info = candidate.stat()
    except FileNotFoundError:
        raise click.UsageError(_("bestand niet gevonden: {path}").format(path=path)) from None
    except (OSError, ValueError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else _("ongeldig teken in de naam")
        raise click.UsageError(_("{path}: kan niet worden gelezen: {reason}").format(path=path, reason=reason)) from None
    if stat.S_ISDIR(info.st_mode):
        raise click.UsageError(_("{path} is een map, geen bestand").format(path=path))
    return candidate


def _output_target(target: str, *, folder_allowed: bool = False) -> Path:
    """Return ``target`` if it can name a .docx to write (or, with ``folder_allowed``, a folder); else exit 2."""
    if not target.strip():
        raise click.UsageError(_("lege naam voor het uitvoerbestand; geef een .docx-bestand of een map")
                               if folder_allowed else _("lege naam voor het uitvoerbestand; geef een .docx-bestand"))
    problem = output.name_problem(target)
    if problem:
        raise click.UsageError(_("{file}: {reason}").format(file=target, reason=problem))
    path = Path(target)
    if folder_allowed and output.names_folder(target):
        return path
    if path.suffix.lower() != ".docx":
        raise click.UsageError((_("{file}: het uitvoerbestand moet op .docx eindigen (of een map zijn: een bestaande map, of een naam die op / "
                                  "eindigt)") if folder_allowed
                                else _("{file}: het uitvoerbestand moet op .docx eindigen")).format(file=target))
    if path.is_dir():
        raise click.UsageError(_("{path} is een map, geen bestand").format(path=target))
    return path


def _engine(library: str | None = None, template: str | None = None) -> Engine:
    """Return the engine of a command: the clause library in the folder ``library`` (default: the installed
    one) and ``template`` (default: the house template); an engine already made for them is used again."""
    return default_engine(_library(library) if library else None, template)


def _library(folder: str | None) -> Library:
    """Return the clause library in ``folder`` (default: the installed one); LibraryError when it is broken."""
    return DirectoryLoader(folder).load() if folder else default_library()


#: The option that names a clause library of one's own (check, render, compare, variants, library, schema).
_library_option = click.option(
    "--library", metavar="MAP",
    help=N_("Een eigen clausulebibliotheek (een map met library.yaml en clauses/, eventueel met een eigen "
            "schemas/answer-set.schema.json) in plaats van de meegeleverde."))


def _format_findings(findings: list[Finding]) -> str:
    width_code = max((len(f.code) for f in findings), default=0)
    width_path = max((len(f.path) for f in findings), default=0)
    width_sev = max((len(f.severity.label) for f in findings), default=0)
    return "\n".join(
        f"  {f.severity.label:<{width_sev}}  {f.code:<{width_code}}  {f.path:<{width_path}}  {f.message}"
        for f in findings
    )


def summary_line(name: str, findings: list[Finding], strict: bool = False) -> str:
    """Return the one-line verdict on an answer set, e.g. "x.json: ongeldig (2 fouten, 1 waarschuwing)".

    With ``strict`` a warning makes the set invalid, as it makes ``check --strict`` exit 1.
    """
    n = Counter(f.severity for f in findings)
    counts = [text.format(count=n[severity]) for severity, text in (
        (Severity.ERROR, ngettext("{count} fout", "{count} fouten", n[Severity.ERROR])),
        (Severity.WARNING, ngettext("{count} waarschuwing", "{count} waarschuwingen", n[Severity.WARNING])),
        (Severity.INFO, ngettext("{count} opmerking", "{count} opmerkingen", n[Severity.INFO])),
    ) if n[severity]]
    if n[Severity.ERROR]:
        verdict = _("ongeldig")
    elif strict and n[Severity.WARNING]:
        verdict = _("ongeldig met --strict")
    else:
        verdict = _("geldig")
    return f"{name}: {verdict}" + (f" ({', '.join(counts)})" if counts else "")


@main.command()
@click.argument("answers", metavar="ANTWOORDEN.json")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Uitvoer als leesbare tekst of als JSON-lijst."))
@click.option("--strict", is_flag=True, help=N_("Behandel waarschuwingen als fouten (exitcode 1)."))
@_library_option
def check(answers: str, fmt: str, strict: bool, library: str | None) -> None:
    """Controleer een antwoordenset tegen het schema en de samenhangregels."""
    path = _existing_file(answers)
    findings = _engine(library).check(path)
    if fmt == "json":
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        _report(str(path), findings, strict)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(f.severity in failing for f in findings):
        sys.exit(1)


def _report(name: str, findings: list[Finding], strict: bool = False) -> None:
    click.echo(summary_line(name, findings, strict))
    if findings:
        click.echo(_format_findings(findings))


@main.command()
@click.argument("answers", metavar="ANTWOORDEN.json")
@click.option("-o", "--output", "target", metavar="UIT.docx",
              help=N_("Waar het document komt: een .docx-bestand, of een map (een bestaande map of een naam die op / "
                      "eindigt; een nieuwe map wordt gemaakt). Standaard: output/<naam>.docx."))
@click.option("--template", metavar="SJABLOON.docx", help=N_("Een eigen huisstijlsjabloon in plaats van het "
                                                              "meegeleverde (zie README voor de verplichte "
                                                              "plaatshouders)."))
@click.option("--pdf", is_flag=True, help=N_("Maak met LibreOffice ook een PDF naast het .docx-bestand."))
@click.option("--force", is_flag=True, help=N_("Overschrijf ook een bestaand document dat de engine niet (zo) schreef, "
                                              "bijvoorbeeld een bewerkt concept; dat wordt eerst bewaard als "
                                              "<naam>.edited-<n>.docx."))
@click.option("--toc/--no-toc", default=None,
              help=N_("Wel of geen inhoudsopgave; standaard alleen bij een overeenkomst van meer dan tien pagina's."))
@_library_option
def render(answers: str, target: str | None, template: str | None, pdf: bool, force: bool, toc: bool | None,
           library: str | None) -> None:
    """Stel de overeenkomst samen en schrijf haar als Word-document met een herkomstmanifest.

    Bij fouten in de antwoordenset wordt niets geschreven (exitcode 1). Een bestaand document wordt alleen
    vervangen als de engine het schreef en het sindsdien niet is gewijzigd (het manifest ernaast zegt dat), of
    met --force.
    """
    path = _existing_file(answers)
    if template is not None:
        _existing_file(template)
    if target is not None:
        _output_target(target, folder_allowed=True)
    engine = _engine(library, template) if toc is None else \
        Engine(_library(library) if library else None, template, toc=toc)
    try:
        result = engine.render(path, target, force=force)
    except output.TargetExists as exc:
        raise click.UsageError(str(exc)) from exc
    except InvalidAnswersError as exc:
        _report(str(path), exc.findings)
        click.echo(_("niets geschreven"))
        sys.exit(1)
    _report(str(path), result.findings)
    for warning in engine.house.warnings:
        click.echo(_("let op: {warning}").format(warning=warning), err=True)
    click.echo(_labelled([(_("document:"), result.document), (_("manifest:"), result.manifest)]
                         + ([(_("bewaard:"), result.kept)] if result.kept else [])))
    if pdf:
        try:
            output.write_pdf(result.document, result.document.with_suffix(".pdf"))
        except OutputError as exc:
            raise click.ClickException(_("{error} (het .docx-bestand is wel geschreven)").format(error=exc)) from exc
        click.echo(_labelled([(_("pdf:"), result.document.with_suffix(".pdf"))]))


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INVOER...")
@click.option("--out-dir", required=True, metavar="MAP", help=N_("De map voor de documenten en het rapport."))
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help=N_("Aantal processen naast elkaar (standaard: het aantal processorkernen; nooit meer dan er "
                      "documenten te maken zijn, nooit meer dan twee keer het aantal kernen)."))
@click.option("--force", is_flag=True, help=N_("Maak alles opnieuw, ook documenten die al actueel zijn; een met de hand "
                                              "bewerkt document wordt eerst bewaard als <naam>.edited-<n>.docx."))
@click.option("--template", metavar="SJABLOON.docx", help=N_("Een eigen huisstijlsjabloon."))
@click.option("--csv-sep", "separator", type=click.Choice([";", ",", "tab"]), default=";", show_default=True,
              help=N_("Scheidingsteken in choices.csv: een puntkomma voor Nederlandse Excel, een komma voor "
                      "Engelse."))
def batch(inputs: tuple[str, ...], out_dir: str, jobs: int | None, force: bool, template: str | None,
          separator: str) -> None:
    """Maak overeenkomsten voor veel antwoordensets tegelijk (bestanden, mappen of patronen als '*.json').

    Een portfolio-werkmap (.xlsx, zie 'portfolio template') telt als een antwoordenset per alliantie.
    Schrijft per antwoordenset MAP/<naam>.docx met manifest, en MAP/batch-report.json, het ochtendrapport
    MAP/batch-report.xlsx en MAP/choices.csv; ieder rapport blijft ook bewaard als
    MAP/batch-report-<starttijd>.json en .xlsx. Actuele documenten worden overgeslagen, dus een afgebroken
    batch gaat verder waar hij stopte.
    Exitcode 0 als alles gelukt is, 1 als er een antwoordenset ongeldig is of mislukte.
    """
    if template is not None:
        _existing_file(template)
    if not out_dir.strip():
        raise click.UsageError(_("lege naam voor --out-dir"))
    if output.name_problem(out_dir):
        raise click.UsageError(_("{file}: {reason}").format(file=out_dir, reason=output.name_problem(out_dir)))
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise click.UsageError(_("{folder} is een bestand, geen map").format(folder=out_dir))
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    bar = None
    if sys.stdout.isatty():
        bar, advance = _progress_bar(_documents_to_make(batch_stage.find_inputs(inputs)[0]))
        bar.__enter__()
    try:
        summary = batch_stage.run(inputs, out_dir, jobs=jobs, force=force, template=template,
                                  separator="\t" if separator == "tab" else separator,
                                  progress=advance if bar else None)
    except KeyboardInterrupt:
        raise click.ClickException(_("batch afgebroken; ieder geschreven document is compleet; start dezelfde "
                                     "opdracht opnieuw om verder te gaan")) from None
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(batch_summary(summary))
    if summary.problems:  # the documents are there and the summary shown, but a report is missing
        raise click.ClickException("\n".join(summary.problems))
    if not summary.ok:
        sys.exit(1)


def _documents_to_make(files: list[Path]) -> int:
    """Return how many documents the batch of ``files`` makes: one per answer set, one per alliance of a
    portfolio workbook (a workbook that cannot be read counts once; the batch reports it)."""
    total = 0
    for path in files:
        if path.suffix.lower() == batch_stage.WORKBOOK_SUFFIX:
            try:
                total += max(1, len(portfolio_stage.read_portfolio(path, check=False)))
            except EngineError:
                total += 1
        else:
            total += 1
    return total


def _progress_bar(total: int, clock: Callable[[], float] = time.monotonic) -> tuple[Any, Callable[[Any], None]]:
    """Return a progress bar for ``total`` documents and the function that advances it by one document.

    The time left is estimated from the documents done (``progress.Estimate``), not from the start of the
    bar, so the start-up of the processes does not make the first estimate minutes too long.
    """
    estimate = progress.Estimate(total, clock=clock)
    bar = click.progressbar(length=total, label=_("overeenkomsten"), show_pos=True, show_eta=False,
                            item_show_func=lambda _item: estimate.text() or None)

    def advance(item: Any) -> None:
        estimate.done()
        bar.update(1, current_item=item)

    return bar, advance


def _labelled(pairs: list[tuple[str, object]]) -> str:
    """Return ``label value`` lines with the values aligned, whatever the labels' language."""
    width = max(len(label) for label, _value in pairs) + 2
    return "\n".join(f"{label:<{width}}{value}" for label, value in pairs)


#: How many kinds of warning the summary of a batch names; the rest are counted.
WARNING_KINDS_SHOWN = 5


def batch_summary(summary: batch_stage.Summary) -> str:
    """Return the end-of-batch report: the counts, the warnings by kind, each input that did not succeed, and
    where the reports are."""
    words = {status: _(word) for status, word in batch_stage.STATUS_WORDS.items()}
    counts = ", ".join(f"{summary.count(status)} {word}" for status, word in words.items()
                       if status != batch_stage.EDITED or summary.count(status))
    total = len(summary.items)
    lines = [ngettext("{count} antwoordenset in {seconds} s: {counts}", "{count} antwoordensets in {seconds} s: {counts}",
                      total).format(count=total, seconds=format_seconds(summary.seconds), counts=counts)]
    lines += _warning_lines(summary)
    shown = (batch_stage.INVALID, batch_stage.FAILED, batch_stage.EDITED)
    width = max(len(words[status]) for status in shown if status != batch_stage.EDITED or summary.count(status))
    kept = _("bewaard")
    for item in summary.items:
        if item.kept:
            lines.append(f"  {kept:<{width}}  {item.input}: {item.kept}")
        if item.status in shown:
            errors = [f for f in item.findings if f["severity"] == "error"] or item.findings
            first = errors[0] if errors else {"path": "$", "message": _("onbekende fout")}
            more = _(" (en {count} meer)").format(count=len(errors) - 1) if len(errors) > 1 else ""
            lines.append(f"  {words[item.status]:<{width}}  {item.input}: {first.get('where') or first['path']}: "
                         f"{first['message']}{more}")
    written = ([(_("rapport:"), summary.out_dir / batch_stage.REPORT), (_("deze run:"), summary.report)]
               if summary.report else []) + ([(_("ochtendrapport:"), summary.morning)] if summary.morning else []) \
        + ([(_("keuzes:"), summary.choices)] if summary.choices else [])
    if written:
        lines.append(_labelled(written))
    return "\n".join(lines)


def _warning_lines(summary: batch_stage.Summary) -> list[str]:
    """Return how many documents have warnings, and per kind of warning in how many ("61× ...")."""
    made = [item for item in summary.items if item.status in (batch_stage.RENDERED, batch_stage.SKIPPED)]
    kinds: Counter[str] = Counter()
    warned = 0
    for item in made:
        found = {warning_kind(f["message"]) for f in item.findings if f.get("severity") == "warning"}
        warned += bool(found)
        kinds.update(found)
    if not warned:
        return []
    lines = ["  " + ngettext("{count} document, waarvan {warned} met waarschuwingen:",
                             "{count} documenten, waarvan {warned} met waarschuwingen:",
                             len(made)).format(count=len(made), warned=warned)]
    ranked = sorted(kinds.items(), key=lambda pair: (-pair[1], pair[0]))
    lines += [f"    {count}× {kind}" for kind, count in ranked[:WARNING_KINDS_SHOWN]]
    rest = ranked[WARNING_KINDS_SHOWN:]
    if rest:
        lines.append("    " + ngettext("en nog {count} andere soort waarschuwing (zie het ochtendrapport)",
                                         "en nog {count} andere soorten waarschuwingen (zie het ochtendrapport)",
                                         len(rest)).format(count=len(rest)))
    return lines


def warning_kind(message: str) -> str:
    """Return what a warning says without the party it names and without its explanation after ";".

    >>> warning_kind("Partij 2 (Stichting De Haven): automatische beëindiging wordt afgeraden; een beding ...")
    'automatische beëindiging wordt afgeraden'
    """
    message = re.sub(r"^\S+ \d+(?: \([^)]*\))?: ", "", message)
    return message.split("; ", 1)[0].strip()


@main.command()
@click.argument("document", metavar="DOCUMENT.docx")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Uitvoer als leesbare tekst of als JSON."))
@click.option("--manifest", metavar="MANIFEST.json",
              help=N_("Het manifest waartegen het document wordt gecontroleerd (standaard: <naam>.manifest.json "
                      "naast het document)."))
def explain(document: str, fmt: str, manifest: str | None) -> None:
    """Toon de herkomst van een gegenereerde overeenkomst en wat er sindsdien per artikel veranderde.

    Met het manifest ernaast zegt explain per artikel of de tekst nog is wat de engine schreef, of dat die is
    bewerkt (met de woorden die veranderden), verplaatst of verwijderd, en of nummers en verwijzingen nog
    kloppen. Exitcode 0 als alles ongewijzigd is, 1 als er iets is bewerkt.
    """
    path = _existing_file(document)
    origin = read_provenance(path)
    checked = None
    if "kind" not in origin:  # a comparison or an overview of variants has no manifest
        checked = drift.check_document(path, origin, _existing_file(manifest) if manifest else None)
    if fmt == "json":
        data = {**origin, **({"drift": checked.to_dict()} if checked is not None else {})}
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        click.echo("\n".join(printable(line) for line in text.split("\n")))  # \uXXXX inside a JSON string
    else:
        click.echo(explanation(origin))
        if "kind" not in origin:
            click.echo(drift_report(checked))
    if checked is not None and not checked.consistent:
        sys.exit(1)


#: At most this many cross-references with an old number are named one by one; the rest are counted.
_SHOWN_REFERENCES = 5
_QUOTED = 80


def _quoted(text: str) -> str:
    return '"' + printable(text, _QUOTED) + '"'


def _word_change(change) -> str:
    if change.old and change.new:
        return f"{_quoted(change.old)} \u2192 {_quoted(change.new)}"
    if change.old:
        return _("geschrapt: {words}").format(words=_quoted(change.old))
    return _("toegevoegd: {words}").format(words=_quoted(change.new))


def _paragraph_change(change) -> str:
    where = _("lid {number}").format(number=change.member) if change.member else _("kop")
    if change.old is None and not change.member:
        return _("nieuwe alinea (na de kop): {text}").format(text=_quoted(change.new))
    if change.old is None:
        return _("nieuwe alinea ({where}): {text}").format(where=where, text=_quoted(change.new))
    if change.new is None:
        return _("{where} geschrapt: {text}").format(where=where, text=_quoted(change.old))
    shown = [_word_change(c) for c in change.words[:_SHOWN_REFERENCES]]
    if len(change.words) > _SHOWN_REFERENCES:
        shown.append(_("en nog {count} wijzigingen").format(count=len(change.words) - _SHOWN_REFERENCES))
    return f"{where}: " + "; ".join(shown)


def _ranges(pairs: tuple[tuple[int, int], ...]) -> str:
    """Return renumbered articles as ranges: ((13, 12), (14, 13), (20, 18)) -> "13–14 is nu 12–13, 20 is nu 18"."""
    groups: list[list[tuple[int, int]]] = []
    for was, now in pairs:
        if groups and groups[-1][-1][0] + 1 == was and groups[-1][-1][1] + 1 == now:
            groups[-1].append((was, now))
        else:
            groups.append([(was, now)])
    return ", ".join(_("{was} is nu {now}").format(
        was=f"{g[0][0]}\u2013{g[-1][0]}" if len(g) > 1 else g[0][0],
        now=f"{g[0][1]}\u2013{g[-1][1]}" if len(g) > 1 else g[0][1]) for g in groups)


def drift_report(checked) -> str:
    """Return, as readable text, how a document drifted from its manifest (None: it has no manifest)."""
    if checked is None:
        return _("Geen manifest met de tekst per artikel naast het document: alleen de herkomst is getoond.")
    lines = [_("Controle tegen het manifest ({file}):").format(file=printable(checked.manifest))]
    words = {drift.EDITED: _("bewerkt"), drift.DELETED: _("verwijderd"), drift.MOVED: _("verplaatst"),
             drift.ADDED: _("toegevoegd")}
    for article in checked.changed:
        name = printable(f"{article.title} ({article.id})" if article.id else article.title)
        if article.status == drift.ADDED:
            head = _("artikel {number} {name}: toegevoegd, niet door de engine geschreven").format(
                number=article.now, name=name)
        elif article.status == drift.MOVED:
            head = _("artikel {number} {name}: verplaatst, nu artikel {now}").format(
                number=article.number, name=name, now=article.now)
        else:
            head = _("artikel {number} {name}: {status}").format(number=article.number, name=name,
                                                                 status=words[article.status])
        lines.append("  " + head)
        if article.status != drift.ADDED:
            lines += ["    " + _paragraph_change(change) for change in article.changes]
    if checked.renumbered:
        lines.append("  " + _("nummering: artikel {ranges}").format(ranges=_ranges(checked.renumbered)))
    gone = [r for r in checked.references if r.should is None]
    stale = [r for r in checked.references if r.should is not None]
    for reference in gone:
        lines.append("  " + _("verwijzing in {where} naar {shown}: dat bestaat niet meer").format(
            where=reference.where, shown=_quoted(reference.shown)))
    if stale:
        examples = ", ".join(_("in {where} {shown} is nu {should}").format(
            where=r.where, shown=_quoted(r.shown), should=r.should) for r in stale[:_SHOWN_REFERENCES])
        lines.append("  " + ngettext("{count} verwijzing toont een oud nummer ({examples}); werk de velden bij "
                                     "(Word: Ctrl+A, F9)", "{count} verwijzingen tonen een oud nummer ({examples}"
                                     "{more}); werk de velden bij (Word: Ctrl+A, F9)", len(stale)).format(
            count=len(stale), examples=examples, more=", \u2026" if len(stale) > _SHOWN_REFERENCES else ""))
    total = len([a for a in checked.articles if a.status != drift.ADDED])
    if checked.changed:
        lines.append("  " + ngettext("{count} van de {total} artikelen wijkt af van de tekst die de engine schreef.",
                                     "{count} van de {total} artikelen wijken af van de tekst die de engine schreef.",
                                     len(checked.changed)).format(count=len(checked.changed), total=total))
    else:
        lines.append("  " + _("Alle {total} artikelen hebben nog de tekst die de engine schreef.").format(total=total))
        if checked.document_changed:
            lines.append("  " + _("Het document zelf is wel gewijzigd (de opmaak, of een ander onderdeel dan de "
                                  "artikelen)."))
    return "\n".join(lines)


def explanation(origin: dict) -> str:
    """Return the provenance of a document as readable text, one clause per line (a redline: both sides)."""
    if isinstance(origin.get("old"), dict) and isinstance(origin.get("new"), dict):
        head = _("Vergelijking met bijgehouden wijzigingen van {date}").format(
            date=printable(str(origin.get("created", "?"))[:10]))
        return "\n".join([head, _("A (was):"), _indent(_explain_one(origin["old"])),
                          _("B (wordt):"), _indent(_explain_one(origin["new"]))])
    return _explain_one(origin)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _explain_one(origin: dict) -> str:
    def value(key: str) -> str:
        return printable(origin.get(key, _("onbekend")))

    lines = [value("title")] + ["  " + line for line in _labelled([
        (_("gemaakt met:"), f"{value('engine')} {value('engine_version')}"),
        (_("antwoordenset:"), f"sha256 {value('answers_sha256')}"),
        (_("sjabloon:"), f"sha256 {value('template_sha256')}"),
        (_("bibliotheek:"), f"{value('library')} {value('library_version')} (sha256 {value('library_sha256')})"),
    ]).splitlines()] + ["  " + _("clausules:")]
    clauses = origin.get("clauses", [])
    rows = [(_("artikel"), _("clausule"), _("variant"), _("versie"), _("status"), _("sha256 (begin)"))] + [
        (printable(c.get("article") or "-"), printable(c.get("id")), printable(c.get("variant")),
         printable(c.get("version")), printable(c.get("status")), printable(c.get("sha256") or "")[:12])
        for c in clauses]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines += ["    " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


@main.group()
def library() -> None:
    """Blader door de clausulebibliotheek en controleer haar."""


@library.command("list")
@_library_option
def library_list(library: str | None) -> None:
    """Toon alle clausules in de volgorde van de overeenkomst."""
    lib = _library(library)
    click.echo(f"{lib.name} {lib.version}")
    for clause in lib.clauses:
        variants = ", ".join(v.id for v in clause.variants) if len(clause.variants) > 1 else "-"
        click.echo(f"  {clause.position:>5}  {clause.id:<24} {clause.version:<8} {clause.status:<9}"
                   f" {clause.title}  [{variants}]")


@library.command("show")
@click.argument("clause_id", metavar="ID")
@_library_option
def library_show(clause_id: str, library: str | None) -> None:
    """Toon één clausule: varianten, parameters, begrippen en tekst."""
    lib = _library(library)
    try:
        clause = lib.get(clause_id)
    except EngineError as exc:
        known = ", ".join(c.id for c in lib.clauses)
        raise click.UsageError(_("{error}; bekend zijn: {known}").format(error=exc, known=known)) from exc
    click.echo(f"{clause.id} {clause.version} ({clause.status}) - {clause.title}")
    click.echo(_("bestand: {file}; positie {position}; soort {kind}").format(
        file=clause.file, position=clause.position, kind=clause.kind)
        + (_("; onderwerp {topic}").format(topic=clause.topic) if clause.topic else ""))
    if clause.include:
        click.echo(_("opgenomen als: {condition}").format(condition=clause.include))
    if clause.parameters:
        click.echo(_("parameters: {names}").format(names=", ".join(clause.parameters)))
    if clause.defines:
        click.echo(_("introduceert: {terms}").format(terms=", ".join(d.term for d in clause.defines)))
    if clause.uses:
        click.echo(_("gebruikt: {terms}").format(terms=", ".join(clause.uses)))
    when = _("als {condition}")
    for variant in clause.variants:
        click.echo("")
        click.echo(_("variant {id}").format(id=variant.id)
                   + (f"  ({when.format(condition=variant.when)})" if variant.when else ""))
        if variant.summary:
            click.echo(f"  {_(variant.summary)}")
        for point in variant.attention:
            click.echo("  " + _("let op: {point}").format(point=point))
        for n, member in enumerate(variant.members, start=1):
            tags = [_("label {label}").format(label=member.label)] if member.label else []
            tags += [when.format(condition=member.when)] if member.when else []
            tags += [_("voor iedere {alias} in {list}").format(alias=member.alias, list=member.repeat)
                     ] if member.repeat else []
            click.echo("  " + _("lid {number}").format(number=n) + (f" ({'; '.join(tags)})" if tags else "") + ":")
            click.echo("    " + " ".join(member.text.split()))
            for item in member.items:
                click.echo("      - " + " ".join(item.text.split())
                           + (f"  ({when.format(condition=item.when)})" if item.when else ""))


@library.command("lint")
@_library_option
def library_lint(library: str | None) -> None:
    """Controleer de bibliotheek: variabelen, verwijzingen, begrippen, voorwaarden en varianten."""
    problems = lint(DirectoryLoader(library))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(ngettext("{count} probleem gevonden", "{count} problemen gevonden",
                            len(problems)).format(count=len(problems)))
        sys.exit(1)
    lib = _library(library)
    click.echo(_("{name} {version}: {count} clausules, geen problemen").format(
        name=lib.name, version=lib.version, count=len(lib.clauses)))


@main.command()
@_library_option
def schema(library: str | None) -> None:
    """Druk het JSON Schema van de antwoordenset af (met --library: dat van die bibliotheek)."""
    own = _library(library).answer_schema if library else None
    click.echo(json.dumps(own.tree if own else load_schema(), ensure_ascii=False, indent=2))


@main.group()
def portfolio() -> None:
    """Houd allianties bij in een Excel-werkmap: een sjabloon om in te vullen, import en export."""


def _workbook_target(target: str, force: bool) -> Path:
    """Return the .xlsx ``target``; an existing file is replaced only with --force (else exit 2)."""
    if not target.strip():
        raise click.UsageError(_("lege naam voor het uitvoerbestand; geef een .xlsx-bestand"))
    problem = output.name_problem(target)
    if problem:
        raise click.UsageError(_("{file}: {reason}").format(file=target, reason=problem))
    path = Path(target)
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(_("{file}: het uitvoerbestand moet op .xlsx eindigen").format(file=target))
    if path.is_dir():
        raise click.UsageError(_("{path} is een map, geen bestand").format(path=target))
    if not force and (path.exists() or path.is_symlink()):
        raise click.UsageError(_("{file} bestaat al; kies een ander bestand met -o, of overschrijf het met --force"
                                 ).format(file=target))
    return path


@portfolio.command("template")
@click.option("-o", "--output", "target", required=True, metavar="PORTFOLIO.xlsx",
              help=N_("De werkmap die wordt geschreven."))
@click.option("--force", is_flag=True, help=N_("Overschrijf een bestaand bestand."))
def portfolio_template(target: str, force: bool) -> None:
    """Schrijf een lege werkmap om allianties in te vullen: een blad per soort gegeven, een regel per item.

    Kolomkoppen, keuzelijsten en invoerhulp komen uit het schema van de antwoordenset.
    """
    path = _workbook_target(target, force)
    portfolio_stage.write_portfolio(path)
    click.echo(_("{file}: werkmap om in te vullen; lees ze in met 'agreement-engine portfolio import {file} "
                 "--out-dir MAP'").format(file=path))


@portfolio.command("import")
@click.argument("workbook", metavar="PORTFOLIO.xlsx")
@click.option("--out-dir", required=True, metavar="MAP", help=N_("De map voor de antwoordensets."))
@click.option("--force", is_flag=True, help=N_("Overschrijf bestaande antwoordensets."))
def portfolio_import(workbook: str, out_dir: str, force: bool) -> None:
    """Schrijf een antwoordenset per alliantie van de werkmap (MAP/<kenmerk>.json).

    Ieder probleem wordt gemeld met blad, rij en kolom; voor een alliantie met een fout wordt niets
    geschreven. Exitcode 1 als er een alliantie met een fout is.
    """
    path = _existing_file(workbook)
    if output.name_problem(out_dir) or not out_dir.strip():
        raise click.UsageError(_("{file}: {reason}").format(file=out_dir, reason=output.name_problem(out_dir)
                                                           or _("lege naam")))
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise click.UsageError(_("{folder} is een bestand, geen map").format(folder=out_dir))
    try:
        alliances = portfolio_stage.import_portfolio(path, out_dir, force=force)
    except portfolio_stage.PortfolioError as exc:
        for problem in exc.problems:
            click.echo(f"  {problem.finding.severity.label}  {problem}")
        click.echo(_("niets geschreven"))
        sys.exit(1)
    except output.TargetExists as exc:
        raise click.UsageError(str(exc)) from exc
    failed = 0
    for alliance in alliances:
        if alliance.problems:
            click.echo(f"{alliance.id}:")
        for problem in alliance.problems:
            click.echo(f"  {problem.finding.severity.label}  {problem}")
        if not alliance.ok:
            failed += 1
            click.echo("  " + _("niets geschreven voor {id}").format(id=alliance.id))
    written = len(alliances) - failed
    click.echo(ngettext("{count} antwoordenset geschreven in {folder}", "{count} antwoordensets geschreven in {folder}",
                        written).format(count=written, folder=out_dir)
               + (ngettext("; {count} alliantie met fouten", "; {count} allianties met fouten",
                           failed).format(count=failed) if failed else ""))
    if failed:
        sys.exit(1)


@portfolio.command("export")
@click.argument("inputs", nargs=-1, required=True, metavar="INVOER...")
@click.option("-o", "--output", "target", required=True, metavar="PORTFOLIO.xlsx",
              help=N_("De werkmap die wordt geschreven."))
@click.option("--force", is_flag=True, help=N_("Overschrijf een bestaand bestand."))
def portfolio_export(inputs: tuple[str, ...], target: str, force: bool) -> None:
    """Zet antwoordensets (bestanden of mappen met *.json) in een werkmap, een alliantie per regel.

    Het kenmerk van een alliantie is de naam van haar bestand; 'portfolio import' geeft dezelfde
    antwoordensets terug.
    """
    path = _workbook_target(target, force)
    for name in inputs:
        if not Path(name).is_dir():
            _existing_file(name)
    refused = portfolio_stage.export_portfolio(batch_stage.scan_inputs(inputs), path)
    for file, findings in refused:
        _report(str(file), findings)
    click.echo(_("{file}: werkmap met de antwoordensets").format(file=path))
    if refused:
        sys.exit(1)


def _new_target(target: str, force: bool) -> Path:
    """Return the .docx ``target`` of compare or variants; an existing file is replaced only with --force."""
    path = _output_target(target)
    if not force and (path.exists() or path.is_symlink()):
        raise click.UsageError(_("{file} bestaat al; kies een ander bestand met -o, of overschrijf het met --force"
                                 ).format(file=target))
    return path


def _valid_answers(engine: Engine, *names: str) -> list[Checked]:
    """Return the answer sets, each read and validated once, if all exist and are valid; else print what is
    wrong like check and exit 1."""
    checked = [engine.read(_existing_file(name)) for name in names]
    failed = [answers for answers in checked if not answers.valid]
    for answers in failed:
        _report(str(answers.source), answers.findings)
    if failed:
        sys.exit(1)
    return checked


@main.command()
@click.argument("old", metavar="A.json")
@click.argument("new", metavar="B.json")
@click.option("-o", "--output", required=True, metavar="REDLINE.docx", help=N_("Het Word-document dat wordt geschreven."))
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]),
              help=N_("Datum van de bijgehouden wijzigingen (JJJJ-MM-DD); standaard de ondertekeningsdatum van "
                      "B, anders de ingangsdatum van B."))
@click.option("--template", metavar="SJABLOON.docx", help=N_("Een eigen Word-sjabloon in plaats van het huissjabloon."))
@click.option("--force", is_flag=True, help=N_("Overschrijf een bestaand bestand."))
@_library_option
def compare(old: str, new: str, output: str, date, template: str | None, force: bool, library: str | None) -> None:
    """Toon de overeenkomst van B ten opzichte van A als bijgehouden wijzigingen in Word."""
    _new_target(output, force)
    engine = _engine(library, template)
    sides = _valid_answers(engine, old, new)
    written = engine.compare(*sides, output, date=date and date.date().isoformat())
    click.echo(_("{file}: de overeenkomst van {new} ten opzichte van {old}").format(file=written, new=sides[1].name,
                                                                                   old=sides[0].name))


@main.command()
@click.argument("topic", metavar="ONDERWERP")
@click.argument("answers", metavar="[ANTWOORDEN.json]", required=False)
@click.option("-o", "--output", required=True, metavar="UIT.docx", help=N_("Het Word-document dat wordt geschreven."))
@click.option("--template", metavar="SJABLOON.docx", help=N_("Een eigen Word-sjabloon in plaats van het huissjabloon."))
@click.option("--force", is_flag=True, help=N_("Overschrijf een bestaand bestand."))
@_library_option
def variants(topic: str, answers: str | None, output: str, template: str | None, force: bool,
             library: str | None) -> None:
    """Zet alle varianten van één onderwerp naast elkaar, uitgewerkt voor dezelfde alliantie.

    Zonder ANTWOORDEN.json is dat de alliantie uit het oprichtingsverhaal (Dak en Thuis).
    """
    _new_target(output, force)
    engine = _engine(library, template)
    known = engine.topics()
    if topic not in known:
        raise click.UsageError(_("onbekend onderwerp '{topic}'; bekend zijn: {known}").format(topic=topic, known=", ".join(known)))
    source, = _valid_answers(engine, answers) if answers else [engine.read(example_path())]
    written = engine.variants(topic, output, source)
    click.echo(_("{file}: de varianten van {topic} voor {answers}").format(file=written, topic=topic, answers=source.name))


@main.command()
@click.argument("answers", metavar="ANTWOORDEN.json")
@click.option("-o", "--output", metavar="OVERZICHT.docx",
              help=N_("Het Word-document dat wordt geschreven (verplicht, behalve met --format json)."))
@click.option("--schade", type=click.FloatRange(min=0.01, max=999_999_999_999.99), default=100000, show_default=True,
              help=N_("Het bedrag van de voorbeeldschade in euro's."))
@click.option("--veroorzaker", metavar="PARTIJ",
              help=N_("Het kenmerk (id) van de deelnemende partij die de voorbeeldschade veroorzaakt en failliet gaat; "
                      "standaard voor iedere partij de eerste andere deelnemende partij."))
@click.option("--format", "fmt", type=click.Choice(["docx", "json"]), default="docx", show_default=True,
              help=N_("Een Word-document, of JSON voor andere programma's (op het scherm)."))
@click.option("--template", metavar="SJABLOON.docx", help=N_("Een eigen Word-sjabloon in plaats van het huissjabloon."))
@click.option("--force", is_flag=True, help=N_("Overschrijf een bestaand bestand."))
@_library_option
def consequences(answers: str, output: str | None, schade: float, veroorzaker: str | None, fmt: str,
                 template: str | None, force: bool, library: str | None) -> None:
    """Laat per partij zien wat de keuzes voor haar betekenen, in euro's en in gewone taal.

    Voor het geld per jaar, een voorbeeldschade, het stoppen van de partij zelf en het stoppen of failliet gaan
    van een andere partij: zoals de antwoorden nu luiden en bij iedere variant van de vier kernonderwerpen.
    """
    if fmt == "docx" and not output:
        raise click.UsageError(_("geef met -o het Word-document op, of kies --format json"))
    if output:
        _new_target(output, force)
    engine = _engine(library, template)
    source, = _valid_answers(engine, answers)
    ids = consequences_stage.members(source.answers)
    if veroorzaker is not None and veroorzaker not in ids:
        raise click.UsageError(_("onbekende deelnemende partij '{party}'; bekend zijn: {known}").format(
            party=veroorzaker, known=", ".join(ids)))
    scenario = consequences_stage.Scenario(Decimal(str(schade)).quantize(Decimal("0.01")), veroorzaker)
    if output:
        written = engine.brief(source, output, scenario)
        if fmt == "docx":
            click.echo(_("{file}: wat de keuzes betekenen voor iedere partij van {answers}").format(
                file=written, answers=source.name))
    if fmt == "json":
        click.echo(json.dumps(consequences_stage.to_json(engine.consequences(source, scenario), source.answers), ensure_ascii=False,
                              indent=2))


@main.command()
@click.argument("answers", metavar="ANTWOORDEN.json")
@click.option("-o", "--output", "target", metavar="UIT.docx",
              help=N_("Schrijf het comfortoverzicht als Word-document (per partij wat zij nodig heeft, of het "
                      "geregeld is en waar)."))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Uitvoer als leesbare tekst of als JSON."))
@click.option("--solve", is_flag=True,
              help=N_("Zoek de antwoorden die zo weinig mogelijk veranderen en ieders noodzakelijke comfort geven, "
                      "of noem de wensen die niet samen kunnen."))
@click.option("--write", "new_answers", metavar="NIEUW.json",
              help=N_("Met --solve: schrijf de eerste oplossing als nieuwe antwoordenset."))
@click.option("--template", metavar="SJABLOON.docx", help=N_("Een eigen Word-sjabloon in plaats van het huissjabloon."))
@click.option("--force", is_flag=True, help=N_("Overschrijf een bestaand bestand."))
@_library_option
def comfort(answers: str, target: str | None, fmt: str, solve: bool, new_answers: str | None,
            template: str | None, force: bool, library: str | None) -> None:
    """Toon per partij het comfort dat zij nodig heeft: geregeld of niet, en waar in de overeenkomst.

    Met --solve zoekt de engine de keuzes die zo weinig mogelijk antwoorden veranderen en ieders noodzakelijke
    comfort geven (en zoveel mogelijk wensen); lukt dat niet, dan noemt zij de kleinste groepen wensen die
    niet samen kunnen. Exitcode 1 als er geen oplossing is.
    """
    if new_answers is not None and not solve:
        raise click.UsageError(_("--write hoort bij --solve"))
    if target is not None:
        _new_target(target, force)
    if new_answers is not None:
        if not new_answers.strip() or Path(new_answers).suffix.lower() != ".json":
            raise click.UsageError(_("{file}: de nieuwe antwoordenset moet op .json eindigen").format(file=new_answers))
        if not force and (Path(new_answers).exists() or Path(new_answers).is_symlink()):
            raise click.UsageError(_("{file} bestaat al; kies een ander bestand, of overschrijf het met --force"
                                     ).format(file=new_answers))
    if template is not None:
        _existing_file(template)
    engine = _engine(library, template)
    source, = _valid_answers(engine, answers)
    if target is not None:
        written = engine.comfort_overview(source, target)
        if fmt == "text":
            click.echo(_("{file}: het comfortoverzicht van {answers}").format(file=written, answers=source.name))
    if solve:
        result = engine.solve_comfort(source)
        if fmt == "json":
            click.echo(json.dumps(result.to_dict(source.answers), ensure_ascii=False, indent=2))
        else:
            click.echo(_solution_text(result, source.answers))
        if not result.solutions:
            sys.exit(1)
        if new_answers is not None:
            data = json.dumps(result.solutions[0].answers, ensure_ascii=False, indent=2) + "\n"
            output.atomic_write(Path(new_answers), data.encode("utf-8"))
            if fmt == "text":
                click.echo(_("De eerste oplossing staat in {file}.").format(file=new_answers))
        return
    report = engine.comfort(source)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif target is None:
        click.echo(_comfort_text(report))


def _comfort_text(report) -> str:
    """Return the comfort report as text: the verdict, then per party each need, met or not, and where."""
    lines = [_("Alle partijen hebben het comfort dat zij nodig hebben.") if report.all_met else
             _("Nog open: {musts} nodig om te tekenen, {wishes} gewenst.").format(musts=len(report.open_musts),
                                                                                 wishes=len(report.open_wishes))]
    for party in report.parties:
        if not party.needs:
            continue
        lines.append(f"{party.name}:")
        for need in party.needs:
            mark = _("geregeld") if need.met else _("NIET geregeld")
            weight = _("nodig") if need.priority == "must" else _("wens")
            where = ", ".join(_("artikel {number}").format(number=w.number) for w in need.where)
            lines.append(f"  [{mark}] ({weight}) {need.need}" + (f" – {where}" if where else ""))
    return "\n".join(lines)


def _solution_text(result, original: dict) -> str:
    """Return what must change (per solution: JSON path, from, to in words), or which needs cannot hold together."""
    lines = []
    if result.solutions and not result.solutions[0].changes:
        lines.append(_("Alle partijen hebben al het comfort dat zij nodig hebben om te tekenen; er hoeft niets te "
                       "veranderen."))
    for number, solution in enumerate(result.solutions, start=1):
        if not solution.changes:
            continue
        lines.append(_("Oplossing {number}: wat er moet veranderen").format(number=number))
        for change in (*solution.changes, *solution.removed):
            item = change.to_dict(original)
            lines.append(f"  {item['path']} ({item['field']}): {item['from_words']} → {item['to_words']}")
        if solution.open_wishes:
            lines.append("  " + _("blijft open: {needs}").format(
                needs="; ".join(f"{n.party_name}: {n.need}" for n in solution.open_wishes)))
        else:
            lines.append("  " + _("hiermee zijn ook alle wensen geregeld"))
    if not result.solutions:
        lines.append(_("Geen enkele keuze geeft iedere partij wat zij nodig heeft om te tekenen."))
        for conflict in result.conflicts:
            wants = "; ".join(_("{party} wil: {need}").format(party=n.party_name, need=n.need) for n in conflict)
            lines.append("  " + (_("{wants}; dat kan niet samen").format(wants=wants) if len(conflict) > 1 else
                                 _("{wants}; dat geeft geen enkele keuze van de antwoorden").format(wants=wants)))
        if not result.conflicts:
            lines.append("  " + _("De wensen kunnen samen, maar geen combinatie doorstaat de controle van de "
                                  "antwoorden."))
    if result.exhausted:
        lines.append(_("Let op: de zoektocht is afgebroken voordat alles was geprobeerd."))
    return "\n".join(lines)


#: Where ``interview`` writes the answer set when neither -o nor --resume names a file.
DEFAULT_ANSWERS = "antwoorden.json"


def _read_line(prompt: str) -> str:
    return click.prompt(prompt, default="", show_default=False, prompt_suffix="")


class _Answers:
    """Read the interview's answers: typed, one per line; or, from a pipe whose first line is a comment or a
    path ("# ..." or "$.alliance.name: ..."), a script that answers by question (``ScriptAnswers``)."""

    def __init__(self) -> None:
        self.session: Interview | None = None
        self.script: ScriptAnswers | None = None
        self._first = not sys.stdin.isatty()

    def __call__(self, prompt: str) -> str:
        if self.script is None:
            line = _read_line(prompt)
            if not (self._first and interview_stage.ScriptAnswers.looks_like_one(line)):
                self._first = False
                return line
            self._first = False
            try:
                self.script = interview_stage.ScriptAnswers(line + "\n" + sys.stdin.read(), self.session)
            except interview_stage.ScriptError as exc:
                click.echo(f"  ! {exc}")
                raise click.Abort from None
            prompt = ""  # already shown
        try:
            answer = self.script(prompt)
        except interview_stage.ScriptError as exc:
            click.echo("")
            click.echo(f"  ! {exc}")
            raise click.Abort from None
        click.echo(f"{prompt}{answer}")
        return answer


def _save_or_show(target: Path, session: Interview, **how) -> Path | None:
    """Save the answers; if that fails now (a full disk), show them, so that not one answer is lost."""
    try:
        return interview_stage.save_answers(target, session.answers, **how)
    except OutputError:
        text = json.dumps({**session.answers, **({"$interview": how["progress"]} if how.get("progress") else {})},
                          ensure_ascii=False, indent=2)
        _echo_quietly("", _("Uw antwoorden konden niet worden bewaard; hier zijn ze, om in een bestand te zetten en "
                            "met --resume verder te gaan:"), text)
        raise


def _kept(backup: Path | None) -> list[str]:
    return [_("Wat het bestand eerst bevatte, staat in {file}.").format(file=backup)] if backup else []


def _echo_quietly(*lines: str) -> None:
    """Print after an interruption; a terminal that is gone (SIGHUP) does not matter any more."""
    try:
        for line in lines:
            click.echo(line)
    except OSError:
        pass


@main.command()
@click.option("-o", "--output", metavar="ANTWOORDEN.json",
              help=N_("Het bestand voor de antwoordenset (standaard antwoorden.json, of het bestand van "
                      "--resume)."))
@click.option("--resume", metavar="BESTAND",
              help=N_("Ga verder met de antwoorden in BESTAND, bijvoorbeeld na Ctrl-C: het interview gaat verder "
                      "waar het werd onderbroken."))
def interview(output: str | None, resume: str | None) -> None:
    """Stel de vragen van de antwoordenset, controleer ieder antwoord en schrijf een geldige antwoordenset.

    De antwoorden kunnen ook uit standaardinvoer komen, één per regel (een lege regel neemt de voorgestelde
    waarde over of slaat de vraag over).
    """
    if isinstance(sys.stdin, io.TextIOWrapper):  # bytes that are not UTF-8 become a message, not a crash
        sys.stdin.reconfigure(errors="surrogateescape")
    saved: dict | None = None
    if resume:
        saved, findings = load_answers(_existing_file(resume))
        if saved is None:
            raise click.ClickException(f"{resume}: {findings[0].message}")
    target = Path(output or resume or DEFAULT_ANSWERS)
    in_place = bool(resume) and target.resolve() == Path(resume).resolve()
    if target.exists() and not in_place:
        raise click.UsageError(_("{file} bestaat al; kies een ander bestand met -o, of ga verder met "
                                 "--resume {file}").format(file=target))
    if not target.parent.is_dir():
        raise click.UsageError(_("de map {folder} bestaat niet").format(folder=target.parent))
    interview_stage.check_target(target)  # before the first question: answers are never asked only to be lost
    click.echo(_("Beantwoord de vragen; Enter neemt de waarde [tussen haken] over of slaat een vraag over die niet "
                 "verplicht is."))
    click.echo(_("Ctrl-C bewaart wat u hebt beantwoord in {file}.").format(file=target))
    click.echo(_("Typ 'terug' voor de vorige vraag en 'overzicht' voor uw antwoorden tot nu toe."))
    answers = _Answers()
    if saved is not None:
        session = interview_stage.Interview.resume(saved, ask=answers, say=click.echo)
    else:
        session = interview_stage.Interview(ask=answers, say=click.echo)
    answers.session = session
    replacing = saved if in_place else None
    with interview_stage.SignalGuard() as guard:
        try:
            session.run()
        except (click.Abort, KeyboardInterrupt):  # Ctrl-C, end of input, SIGTERM, SIGHUP
            guard.hold()
            if not session.answers:
                _echo_quietly("", _("Onderbroken; er was nog niets beantwoord."))
                sys.exit(1)
            backup = _save_or_show(target, session, progress=session.progress(), replacing=replacing)
            _echo_quietly("", _("Onderbroken. Uw antwoorden staan in {file}.").format(file=target),
                          *_kept(backup),
                          _("Ga verder met: agreement-engine interview --resume {file}").format(file=target))
            sys.exit(1)
        except Exception:  # a bug or a broken terminal: keep the answers, then report it
            guard.hold()
            if session.answers:
                _save_or_show(target, session, progress=session.progress(), replacing=replacing)
            raise
        guard.hold()
        backup = _save_or_show(target, session, replacing=replacing)
    findings = _engine().check(session.answers)
    click.echo("")
    if answers.script is not None and answers.script.left():
        click.echo(_("Het script beantwoordt vragen die het interview niet stelde: {paths}").format(
            paths=", ".join(answers.script.left())))
    click.echo(_("Samenvatting van uw antwoorden:"))
    for line in session.overview():
        click.echo(line)
    click.echo("")
    for line in _kept(backup):
        click.echo(line)
    _report(str(target), findings)
    if any(f.severity is Severity.ERROR for f in findings):
        sys.exit(1)
    click.echo(_("Volgende stap, de overeenkomst maken: {command}").format(
        command=f"agreement-engine render {shlex.quote(str(target))}"))
