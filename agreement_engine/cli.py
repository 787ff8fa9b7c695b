"""The command line: parse arguments, call the engine, print results and decide every exit code.

Exit codes: 0 ok, 1 a content problem (invalid answers, broken library, unwritable output), 2 a usage
error. Only this module turns engine exceptions into exit codes; nothing else calls ``sys.exit``.
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from agreement_engine import __version__
from agreement_engine.answers import load as load_answers
from agreement_engine.api import check as check_answers
from agreement_engine.errors import EngineError
from agreement_engine.findings import Finding, Severity
from agreement_engine.i18n import (LANGUAGES, N_, TranslatedGroup, _, language, language_from_environment,
                                   ngettext, set_language)
from agreement_engine.interview import Interview, save_answers
from agreement_engine.library import DirectoryLoader, default_library
from agreement_engine.lint import lint
from agreement_engine.resources import load_schema

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(TranslatedGroup):
    """A group that speaks the language of the environment and turns engine errors into one-line messages."""

    def main(self, *args, **kwargs):
        """Run the command line in the language of the environment (``--lang`` may change it)."""
        with language(language_from_environment()):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            raise click.ClickException(str(exc)) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
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
    candidate = Path(path)
    if not candidate.exists():
        raise click.UsageError(_("bestand niet gevonden: {path}").format(path=path))
    if candidate.is_dir():
        raise click.UsageError(_("{path} is een map, geen bestand").format(path=path))
    return candidate


def _format_findings(findings: list[Finding]) -> str:
    width_code = max((len(f.code) for f in findings), default=0)
    width_path = max((len(f.path) for f in findings), default=0)
    width_sev = max((len(f.severity.label) for f in findings), default=0)
    return "\n".join(
        f"  {f.severity.label:<{width_sev}}  {f.code:<{width_code}}  {f.path:<{width_path}}  {f.message}"
        for f in findings
    )


def summary_line(name: str, findings: list[Finding]) -> str:
    """Return the one-line verdict on an answer set, e.g. "x.json: ongeldig (2 fouten, 1 waarschuwing)"."""
    n = Counter(f.severity for f in findings)
    counts = [text.format(count=n[severity]) for severity, text in (
        (Severity.ERROR, ngettext("{count} fout", "{count} fouten", n[Severity.ERROR])),
        (Severity.WARNING, ngettext("{count} waarschuwing", "{count} waarschuwingen", n[Severity.WARNING])),
        (Severity.INFO, ngettext("{count} opmerking", "{count} opmerkingen", n[Severity.INFO])),
    ) if n[severity]]
    verdict = _("ongeldig") if n[Severity.ERROR] else _("geldig")
    return f"{name}: {verdict}" + (f" ({', '.join(counts)})" if counts else "")


@main.command()
@click.argument("answers", metavar="ANTWOORDEN.json")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Uitvoer als leesbare tekst of als JSON-lijst."))
@click.option("--strict", is_flag=True, help=N_("Behandel waarschuwingen als fouten (exitcode 1)."))
def check(answers: str, fmt: str, strict: bool) -> None:
    """Controleer een antwoordenset tegen het schema en de samenhangregels."""
    path = _existing_file(answers)
    findings = check_answers(path)
    if fmt == "json":
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        click.echo(summary_line(str(path), findings))
        if findings:
            click.echo(_format_findings(findings))
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(f.severity in failing for f in findings):
        sys.exit(1)


@main.group()
def library() -> None:
    """Blader door de clausulebibliotheek en controleer haar."""


@library.command("list")
def library_list() -> None:
    """Toon alle clausules in de volgorde van de overeenkomst."""
    lib = default_library()
    click.echo(f"{lib.name} {lib.version}")
    for clause in lib.clauses:
        variants = ", ".join(v.id for v in clause.variants) if len(clause.variants) > 1 else "-"
        click.echo(f"  {clause.position:>5}  {clause.id:<24} {clause.version:<8} {clause.status:<9}"
                   f" {clause.title}  [{variants}]")


@library.command("show")
@click.argument("clause_id", metavar="ID")
def library_show(clause_id: str) -> None:
    """Toon één clausule: varianten, parameters, begrippen en tekst."""
    lib = default_library()
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
def library_lint() -> None:
    """Controleer de bibliotheek: variabelen, verwijzingen, begrippen, voorwaarden en varianten."""
    problems = lint(DirectoryLoader())
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(ngettext("{count} probleem gevonden", "{count} problemen gevonden",
                            len(problems)).format(count=len(problems)))
        sys.exit(1)
    lib = default_library()
    click.echo(_("{name} {version}: {count} clausules, geen problemen").format(
        name=lib.name, version=lib.version, count=len(lib.clauses)))


@main.command()
def schema() -> None:
    """Druk het JSON Schema van de antwoordenset af."""
    click.echo(json.dumps(load_schema(), ensure_ascii=False, indent=2))


#: Where ``interview`` writes the answer set when neither -o nor --resume names a file.
DEFAULT_ANSWERS = "antwoorden.json"


def _read_line(prompt: str) -> str:
    return click.prompt(prompt, default="", show_default=False, prompt_suffix="")


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
    answers: dict = {}
    if resume:
        answers, findings = load_answers(_existing_file(resume))
        if answers is None:
            raise click.ClickException(f"{resume}: {findings[0].message}")
    target = Path(output or resume or DEFAULT_ANSWERS)
    if target.exists() and not (resume and target.resolve() == Path(resume).resolve()):
        raise click.UsageError(_("{file} bestaat al; kies een ander bestand met -o, of ga verder met "
                                 "--resume {file}").format(file=target))
    if not target.parent.is_dir():
        raise click.UsageError(_("de map {folder} bestaat niet").format(folder=target.parent))
    click.echo(_("Beantwoord de vragen; Enter neemt de waarde [tussen haken] over of slaat een vraag over die niet "
                 "verplicht is."))
    click.echo(_("Ctrl-C bewaart wat u hebt beantwoord in {file}.").format(file=target))
    session = Interview(answers, ask=_read_line, say=click.echo)
    try:
        session.run()
    except (click.Abort, KeyboardInterrupt):
        click.echo("")
        if not session.answers:
            click.echo(_("Onderbroken; er was nog niets beantwoord."))
            sys.exit(1)
        save_answers(target, session.answers)
        click.echo(_("Onderbroken. Uw antwoorden staan in {file}.").format(file=target))
        click.echo(_("Ga verder met: agreement-engine interview --resume {file}").format(file=target))
        sys.exit(1)
    save_answers(target, session.answers)
    findings = check_answers(session.answers)
    click.echo("")
    click.echo(summary_line(str(target), findings))
    if findings:
        click.echo(_format_findings(findings))
    if any(f.severity is Severity.ERROR for f in findings):
        sys.exit(1)
