"""Translation plumbing: the language the command line speaks, its gettext catalogs and message extraction.

The source texts are Dutch; they are the message ids of the catalogs under ``agreement_engine/locale``
(domain ``agreement_engine``), managed with babel (see the README). How to make a text translatable:

- a message shown at run time: ``_("... {name} ...").format(name=...)``, and ``ngettext(one, many, n)``
  where the number decides the form;
- a text defined before the language is known (a help text of click, a message template in a table):
  mark it with ``N_("...")`` where it is defined and pass it through ``_`` where it is shown. Click help
  texts (command docstrings and ``help=N_("...")``) are translated when the help is shown, by
  :class:`TranslatedCommand` and :class:`TranslatedGroup`;
- the titles, descriptions and choice labels of the answer-set schema and the summaries of clause variants
  are extracted from those files by the extractors below and shown through ``_`` as well.

The library API speaks Dutch until :func:`set_language` says otherwise; the command line chooses the
language per invocation: ``--lang``, else :func:`language_from_environment`.
"""
from __future__ import annotations

import ast
import gettext
import inspect
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import click
from babel.dates import format_date as _format_date
from babel.numbers import format_decimal

#: The languages the command line speaks; the first is the default and the language of the message ids.
LANGUAGES = ("nl", "en")
DOMAIN = "agreement_engine"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The environment variables that choose the language when --lang is not given; the first one set decides.
ENVIRONMENT = ("AGREEMENT_ENGINE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
_BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}

_language = LANGUAGES[0]


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """Return the language the environment asks for: "en" when the first variable set starts with "en".

    Anything else (``nl_NL.UTF-8``, ``C.UTF-8``, ``POSIX``, ``de_DE``) means Dutch, the default.

    >>> language_from_environment({"LANG": "en_US.UTF-8"})
    'en'
    >>> language_from_environment({"LANG": "C.UTF-8"})
    'nl'
    >>> language_from_environment({"AGREEMENT_ENGINE_LANG": "nl", "LC_ALL": "en_GB.UTF-8"})
    'nl'
    >>> language_from_environment({"LANGUAGE": "en:nl", "LANG": "nl_NL.UTF-8"})
    'en'
    >>> language_from_environment({})
    'nl'
    """
    environ = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = environ.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else "nl"
    return LANGUAGES[0]


@lru_cache(maxsize=None)
def _catalog(language: str) -> gettext.NullTranslations:
    if language == LANGUAGES[0]:
        return gettext.NullTranslations()  # the message ids are the Dutch texts
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def set_language(language: str) -> None:
    """Make ``language`` (one of LANGUAGES) the language of every message from now on."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose from {', '.join(LANGUAGES)}")
    _language = language


def get_language() -> str:
    """Return the language messages are given in."""
    return _language


@contextmanager
def language(name: str) -> Iterator[None]:
    """Speak ``name`` inside the block and the previous language again after it."""
    previous = get_language()
    set_language(name)
    try:
        yield
    finally:
        set_language(previous)


def _(message: str) -> str:
    """Return ``message`` (a Dutch message id) in the current language.

    >>> with language("en"):
    ...     _("het bestand is leeg")
    'the file is empty'
    """
    return _catalog(_language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form, as ``n`` requires, in the current language."""
    return _catalog(_language).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction and return it untranslated; ``_`` translates it where it is shown."""
    return message


def format_date(day: date) -> str:
    """Write a date the way the current language does in a sentence.

    >>> format_date(date(2027, 1, 1))
    '1 januari 2027'
    >>> with language("en"):
    ...     format_date(date(2027, 1, 1))
    '1 January 2027'
    """
    return _format_date(day, "long", locale=_BABEL_LOCALES[_language])


def format_percent(value: Decimal | int | float) -> str:
    """Write a percentage, rounded half up to two decimals, the way the current language does.

    >>> format_percent(Decimal("96.67"))
    '96,67%'
    >>> with language("en"):
    ...     format_percent(Decimal("96.67"))
    '96.67%'
    """
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format="#,##0.##", locale=_BABEL_LOCALES[_language]) + "%"


def format_number(value: int) -> str:
    """Write a whole number with the thousands separator of the current language.

    >>> format_number(9990)
    '9.990'
    >>> with language("en"):
    ...     format_number(9990)
    '9,990'
    """
    return format_decimal(value, format="#,##0", locale=_BABEL_LOCALES[_language])


def format_seconds(seconds: float) -> str:
    """Write a duration in seconds with one decimal, the way the current language does.

    >>> format_seconds(1.26)
    '1,3'
    >>> with language("en"):
    ...     format_seconds(1.26)
    '1.3'
    """
    return format_decimal(Decimal(str(seconds)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), format="0.0",
                          locale=_BABEL_LOCALES[_language])


# --- click: help texts translated when they are shown ---------------------------------------------------

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


# --- babel extractors (named in babel.cfg) ----------------------------------------------------------------

def extract_python_and_help(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Extract what babel's Python extractor finds, plus the docstrings of click commands (their help)."""
    from babel.messages.extract import extract_python  # late import: only extraction needs it

    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_command_decorator(d) for d in node.decorator_list):
            docstring = ast.get_docstring(node)
            if docstring:
                yield node.body[0].lineno, None, docstring, []


def _is_command_decorator(node: ast.expr) -> bool:
    function = node.func if isinstance(node, ast.Call) else node
    return isinstance(function, ast.Attribute) and function.attr in ("command", "group")


def extract_schema_texts(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Extract the titles, descriptions and choice labels (``x-labels``) of a JSON Schema."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for value in _schema_texts(json.loads(text)):
        encoded = json.dumps(value, ensure_ascii=False)
        lineno = next((n for n, line in enumerate(lines, start=1) if encoded in line), 0)
        yield lineno, None, value, []


def _schema_texts(node: Any) -> Iterator[str]:
    """Yield every title, description and choice label in a schema node, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description") and isinstance(value, str):
                yield value
            elif key == "x-labels" and isinstance(value, dict):
                yield from value.values()
            else:
                yield from _schema_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_texts(item)


def extract_variant_summaries(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Extract the summaries of a clause file's variants: what each choice means, shown by the interview."""
    from agreement_engine.library import parse_clause  # late import: only extraction needs the clause parser

    clause = parse_clause(fileobj.read().decode("utf-8"), getattr(fileobj, "name", "clause"))
    for variant in clause.variants:
        if variant.summary:
            yield variant.line, None, variant.summary, []
