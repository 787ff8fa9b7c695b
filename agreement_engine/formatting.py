"""The notation of a document language behind one small interface: amounts, numbers, dates, lists.

``formatter(language)`` returns the :class:`Formatter` of a document language; the clause texts' filters
(``money``, ``date``, ``termijn``, ...) and the Word stage's own texts use it, so a new document language
needs its notation here, its phrases file in the clause library and its clauses; nothing else changes.

>>> nl = formatter("nl")
>>> nl.money(1250000).replace("\\xa0", " "), nl.date("2027-01-01"), nl.words(2450)
('€ 1.250.000,00', '1 januari 2027', 'tweeduizend vierhonderdvijftig')
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agreement_engine import dutch
from agreement_engine.errors import EngineError
from agreement_engine.i18n import _
from agreement_engine.resources import load_schema


@dataclass(frozen=True)
class Formatter:
    """How a document language writes amounts, numbers, dates, terms and enumerations."""

    language: str
    money: Callable[..., str]        #: an amount: "€ 1.250.000,00"
    money_words: Callable[..., str]  #: an amount in words: "vijfentwintigduizend euro"
    money_full: Callable[..., str]   #: both: "€ 25.000,00 (zegge: vijfentwintigduizend euro)"
    words: Callable[..., str]        #: a whole number in words: "tweeduizend vierhonderdvijftig"
    date: Callable[..., str]         #: a date: "1 januari 2027"
    percent: Callable[..., str]      #: a percentage: "33,33%"
    number: Callable[..., str]       #: a number: "1.250.000"
    enum: Callable[..., str]         #: an enumeration: "A, B en C" (or with another conjunction)
    fold: Callable[..., str]         #: a multiple: "vijfvoud"
    termijn: Callable[..., str]      #: a count with its unit: "zes (6) maanden"
    list_letter: Callable[..., str]  #: the letter of the n-th item of a list (from 0): "a", ..., "z", "aa"

    @property
    def filters(self) -> dict[str, Callable[..., str]]:
        """Return the filters a clause text can use, by name."""
        return {"money": self.money, "money_words": self.money_words, "money_full": self.money_full,
                "words": self.words, "date": self.date, "percent": self.percent, "number": self.number,
                "enum": self.enum, "fold": self.fold, "termijn": self.termijn}


_FORMATTERS = {
    "nl": Formatter("nl", money=dutch.money, money_words=dutch.money_in_words, money_full=dutch.money_full,
                    words=dutch.number_in_words, date=dutch.date_long, percent=dutch.percent,
                    number=dutch.number, enum=dutch.enumerate_nl, fold=dutch.fold_word,
                    termijn=dutch.count_with_words, list_letter=dutch.list_letter),
}


def formatter(language: str) -> Formatter:
    """Return the notation of documents in ``language``; raise EngineError for a language without one."""
    try:
        return _FORMATTERS[language]
    except KeyError:
        raise EngineError(_("geen notatie voor documenten in de taal '{language}'").format(language=language)) from None


def default_language() -> str:
    """Return the document language of an answer set that names none (the schema's default)."""
    return load_schema()["properties"]["language"]["default"]
