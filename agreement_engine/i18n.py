"""Translation plumbing: the language the command line speaks and its gettext catalogs.

The source texts are Dutch; they are the message ids of the catalogs under ``agreement_engine/locale``
(domain ``agreement_engine``), managed with babel (see the README). How to make a text translatable:

- a message shown at run time: ``_("... {name} ...").format(name=...)``, and ``ngettext(one, many, n)``
  where the number decides the form;
- a text defined before the language is known (a help text of click, a message template in a table):
  mark it with ``N_("...")`` where it is defined and pass it through ``_`` where it is shown. Click help
  texts (command docstrings and ``help=N_("...")``) are translated when the help is shown, by the
  command classes of :mod:`agreement_engine.cli` (click is known there only);
- a text kept to be shown later, perhaps in another language (the values of a finding): a :class:`Text`,
  made again in the language it is shown in;
- the titles, descriptions and choice labels of the answer-set schema and the summaries of clause variants
  are extracted from those files by the extractors of :mod:`agreement_engine.extractors` and shown through
  ``_`` as well.

The library API speaks Dutch until :func:`set_language` says otherwise; the command line chooses the
language per invocation: ``--lang``, else :func:`language_from_environment`.
"""
from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from agreement_engine import lazy

# babel only when a number or a date is written: a command that has nothing to format does not load it
_format_date = lazy.function("babel.dates", "format_date")
format_decimal = lazy.function("babel.numbers", "format_decimal")


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


class Text(str):
    """A text in the language it is shown in: made again in another language by :meth:`in_language`.

    It is a ``str`` (the text in the language of the moment it was made), so it goes wherever text goes; a
    finding keeps its values as Texts, so that its message can be shown in any language without validating
    again. ``Text(message_id, **values)`` is a translated message with its values (which may be Texts
    themselves); :meth:`plural`, :meth:`plain` and the ``format_*`` functions below make the other kinds.

    >>> title = Text("het bestand is leeg")
    >>> title, title.in_language("en")
    ('het bestand is leeg', 'the file is empty')
    """

    make: Callable[[str], str]

    def __new__(cls, message: str, /, **values: Any) -> Text:
        return cls.made(partial(_translated, message, None, None, values))

    @classmethod
    def made(cls, make: Callable[[str], str]) -> Text:
        """Return the Text ``make(language)`` makes (``make`` must be picklable: a partial of a module function)."""
        text = str.__new__(cls, make(_language))
        text.make = make
        return text

    @classmethod
    def plural(cls, singular: str, plural: str, n: int, **values: Any) -> Text:
        """Return the singular or plural message, as ``n`` requires, with its values."""
        return cls.made(partial(_translated, singular, plural, n, values))

    @classmethod
    def plain(cls, text: str) -> Text:
        """Return ``text`` as the same Text in every language (a name, a quoted value)."""
        return cls.made(partial(_same, str(text)))

    def in_language(self, language: str) -> str:
        """Return this text in ``language``."""
        return self.make(language)

    def __reduce__(self):
        return Text.made, (self.make,)


def joined(separator: str, messages: list[str]) -> Text:
    """Return the message ids ``messages`` joined by the message id ``separator``, all translated.

    >>> joined(" of ", ["tekst", "een lijst"]).in_language("nl")
    'tekst of een lijst'
    """
    return Text.made(partial(_joined, separator, tuple(messages)))


def _joined(separator: str, messages: tuple[str, ...], language: str) -> str:
    catalog = _catalog(language)
    return catalog.gettext(separator).join(catalog.gettext(message) for message in messages)


def in_language(value: Any, language: str) -> Any:
    """Return ``value`` in ``language`` if it is a :class:`Text`, else ``value`` itself."""
    return value.in_language(language) if isinstance(value, Text) else value


def _translated(message: str, plural: str | None, n: int | None, values: Mapping[str, Any], language: str) -> str:
    catalog = _catalog(language)
    text = catalog.gettext(message) if plural is None else catalog.ngettext(message, plural, n)
    if not values:
        return text
    return text.format(**{key: in_language(value, language) for key, value in values.items()})


def _same(text: str, _language: str) -> str:
    return text


def _formatted(function: Callable[..., str], value: Any, language: str) -> str:
    return function(value, _BABEL_LOCALES[language])


def _date(day: date, locale: str) -> str:
    return _format_date(day, "long", locale=locale)


def _percent(value: Decimal, locale: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=locale) + "%"


def _whole(value: int, locale: str) -> str:
    return format_decimal(value, format="#,##0", locale=locale)


def _tenths(value: Decimal, locale: str) -> str:
    return format_decimal(value, format="0.0", locale=locale)


def format_date(day: date) -> Text:
    """Write a date the way the current language does in a sentence.

    >>> format_date(date(2027, 1, 1))
    '1 januari 2027'
    >>> with language("en"):
    ...     format_date(date(2027, 1, 1))
    '1 January 2027'
    """
    return Text.made(partial(_formatted, _date, day))


def format_percent(value: Decimal | int | float) -> Text:
    """Write a percentage, rounded half up to two decimals, the way the current language does.

    >>> format_percent(Decimal("96.67"))
    '96,67%'
    >>> with language("en"):
    ...     format_percent(Decimal("96.67"))
    '96.67%'
    """
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Text.made(partial(_formatted, _percent, rounded))


def format_number(value: int) -> Text:
    """Write a whole number with the thousands separator of the current language.

    >>> format_number(9990)
    '9.990'
    >>> format_number(9990).in_language("en")
    '9,990'
    """
    return Text.made(partial(_formatted, _whole, value))


def format_seconds(seconds: float) -> Text:
    """Write a duration in seconds with one decimal, the way the current language does.

    >>> format_seconds(1.26)
    '1,3'
    >>> with language("en"):
    ...     format_seconds(1.26)
    '1.3'
    """
    return Text.made(partial(_formatted, _tenths, Decimal(str(seconds)).quantize(Decimal("0.1"),
                                                                                 rounding=ROUND_HALF_UP)))
