"""The nl notation: Dutch amounts, numbers, dates and enumerations (``formatting.formatter("nl")`` serves it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from agreement_engine import lazy

# babel only when an amount, a date or a percentage is written
format_date = lazy.function("babel.dates", "format_date")
format_currency = lazy.function("babel.numbers", "format_currency")
format_decimal = lazy.function("babel.numbers", "format_decimal")

_LOCALE = "nl_NL"
_CENT = Decimal("0.01")

_UNITS = (
    "nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
    "tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien",
    "zeventien", "achttien", "negentien",
)
_TENS = (
    "", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig",
    "tachtig", "negentig",
)
_LARGE = ((10**12, "biljoen"), (10**9, "miljard"), (10**6, "miljoen"))
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)


def _to_decimal(value: Decimal | int | float | str) -> Decimal:
    """Convert a numeric value to a finite Decimal; floats go through str() to avoid binary artefacts."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        value = str(value)
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _to_cents(amount: Decimal | int | float | str) -> Decimal:
    """Round an amount in euros half up to whole cents."""
    return _to_decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)


def _check_int(n: int) -> None:
    """Reject non-integers (including bools) so fractions are never silently truncated."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"expected an int, got {type(n).__name__}")


def _below_thousand(n: int) -> str:
    """Spell 0 <= n < 1000 as a single Dutch word."""
    hundreds, rest = divmod(n, 100)
    if hundreds:
        prefix = ("" if hundreds == 1 else _UNITS[hundreds]) + "honderd"
        return prefix + (_below_thousand(rest) if rest else "")
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if not unit:
        return _TENS[tens]
    unit_word = _UNITS[unit]
    joiner = "ën" if unit_word.endswith("e") else "en"
    return unit_word + joiner + _TENS[tens]


def _below_million(n: int) -> str:
    """Spell 0 <= n < 10**6: one word up to and including "duizend", then a space."""
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _below_thousand(rest)
    words = ("" if thousands == 1 else _below_thousand(thousands)) + "duizend"
    return words + (" " + _below_thousand(rest) if rest else "")


def money(amount: Decimal | int | float | str) -> str:
    r"""Format an amount in euros the Dutch way, rounded half up to cents.

    The separator after "€" is a no-break space (U+00A0), kept on purpose so
    the sign never wraps away from the number. Negative amounts follow babel's
    nl_NL pattern: "€\xa0-10,00".

    >>> money(1250000)
    '€\xa01.250.000,00'
    >>> print(money("25000").replace("\xa0", " "))
    € 25.000,00
    >>> money(1250000.005)
    '€\xa01.250.000,01'
    >>> money(Decimal("-10"))
    '€\xa0-10,00'
    """
    return format_currency(_to_cents(amount), "EUR", locale=_LOCALE)


def money_in_words(amount: Decimal | int | float | str) -> str:
    """Spell a non-negative amount in euros and cents in Dutch words.

    Amounts below one euro are written in cents only; negative amounts raise
    ValueError.

    >>> money_in_words(25000)
    'vijfentwintigduizend euro'
    >>> money_in_words("10000.50")
    'tienduizend euro en vijftig cent'
    >>> money_in_words(1)
    'een euro'
    >>> money_in_words(0.05)
    'vijf cent'
    >>> money_in_words(0)
    'nul euro'
    """
    cents_total = _to_cents(amount)
    if cents_total < 0:
        raise ValueError("negative amounts cannot be written in words")
    euros, cents = divmod(int(cents_total * 100), 100)
    if not cents:
        return f"{number_in_words(euros)} euro"
    if not euros:
        return f"{number_in_words(cents)} cent"
    return f"{number_in_words(euros)} euro en {number_in_words(cents)} cent"


def money_full(amount: Decimal | int | float | str) -> str:
    r"""Format an amount as digits followed by "(zegge: ...)" words, both from one rounded value.

    >>> money_full(25000)
    '€\xa025.000,00 (zegge: vijfentwintigduizend euro)'
    >>> print(money_full(10000.5).replace("\xa0", " "))
    € 10.000,50 (zegge: tienduizend euro en vijftig cent)
    """
    cents = _to_cents(amount)
    return f"{money(cents)} (zegge: {money_in_words(cents)})"


def number_in_words(n: int) -> str:
    """Spell a whole number 0 <= n < 10**15 in official Dutch spelling.

    Everything up to and including "duizend" is one word, followed by a space;
    "miljoen", "miljard" and "biljoen" are separate words. (A single amount stays below 10**12, but a
    total over 25 parties may not.) Numbers from 1100 to 1999 are
    written as "duizend honderd ..." and never as "elfhonderd ...".

    >>> number_in_words(2450)
    'tweeduizend vierhonderdvijftig'
    >>> number_in_words(1001)
    'duizend een'
    >>> number_in_words(1100)
    'duizend honderd'
    >>> number_in_words(22)
    'tweeëntwintig'
    >>> number_in_words(1_250_000)
    'een miljoen tweehonderdvijftigduizend'
    >>> number_in_words(1_388_108_409_720)
    'een biljoen driehonderdachtentachtig miljard honderdacht miljoen vierhonderdnegenduizend zevenhonderdtwintig'
    >>> number_in_words(-1)
    Traceback (most recent call last):
    ...
    ValueError: cannot spell -1: expected 0 <= n < 10**15
    """
    _check_int(n)
    if not 0 <= n < 10**15:
        raise ValueError(f"cannot spell {n}: expected 0 <= n < 10**15")
    parts = []
    for size, name in _LARGE:
        count, n = divmod(n, size)
        if count:
            parts.append(f"{_below_thousand(count)} {name}")
    if n or not parts:
        parts.append(_below_million(n))
    return " ".join(parts)


def date_long(d: date | str) -> str:
    """Format a date (or ISO date string) as a long Dutch date.

    >>> date_long(date(2027, 1, 1))
    '1 januari 2027'
    >>> date_long("2026-10-31")
    '31 oktober 2026'
    """
    if isinstance(d, str):
        d = date.fromisoformat(d.strip())
    return format_date(d, "long", locale=_LOCALE)


def percent(p: Decimal | int | float | str) -> str:
    """Format a percentage number with a decimal comma, at most two decimals (half up).

    >>> percent(33.33)
    '33,33%'
    >>> percent(25)
    '25%'
    >>> percent("12.50")
    '12,5%'
    >>> percent(100)
    '100%'
    >>> percent(Decimal("33.335"))
    '33,34%'
    """
    rounded = _to_decimal(p).quantize(_CENT, rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format="#,##0.##", locale=_LOCALE) + "%"


def number(n: Decimal | int | float | str) -> str:
    """Format a number with Dutch digit grouping and decimal comma, keeping all significant decimals.

    >>> number(1250000)
    '1.250.000'
    >>> number(12.5)
    '12,5'
    """
    return format_decimal(_to_decimal(n), locale=_LOCALE, decimal_quantization=False)


def enumerate_nl(items: Iterable[object], conjunction: str = "en") -> str:
    """Join items as a Dutch enumeration: commas, then the conjunction before the last item.

    >>> enumerate_nl(["A", "B", "C"])
    'A, B en C'
    >>> enumerate_nl(["A", "B", "C"], conjunction="of")
    'A, B of C'
    >>> enumerate_nl(["A"])
    'A'
    >>> enumerate_nl([])
    ''
    """
    texts = [str(item) for item in items]
    if len(texts) < 2:
        return "".join(texts)
    return f"{', '.join(texts[:-1])} {conjunction} {texts[-1]}"


def fold_word(n: int) -> str:
    """Spell a multiple as a Dutch "-voud" word; 1 is "enkelvoud".

    >>> fold_word(2)
    'tweevoud'
    >>> fold_word(21)
    'eenentwintigvoud'
    >>> fold_word(1)
    'enkelvoud'
    """
    _check_int(n)
    if n < 1:
        raise ValueError(f"a multiple must be at least 1, got {n}")
    if n == 1:
        return "enkelvoud"
    return number_in_words(n) + "voud"


def count_with_words(n: int, singular: str, plural: str) -> str:
    """Write a count as words followed by digits in parentheses, with the matching noun form.

    >>> count_with_words(6, "maand", "maanden")
    'zes (6) maanden'
    >>> count_with_words(1, "maand", "maanden")
    'een (1) maand'
    >>> count_with_words(14, "dag", "dagen")
    'veertien (14) dagen'
    """
    return f"{number_in_words(n)} ({number(n)}) {singular if n == 1 else plural}"


def ordinal_letter(i: int) -> str:
    """Return the uppercase letter label for zero-based index i (A..Z, AA, AB, ...).

    >>> ordinal_letter(0)
    'A'
    >>> ordinal_letter(25)
    'Z'
    >>> ordinal_letter(26)
    'AA'
    """
    _check_int(i)
    if i < 0:
        raise ValueError(f"index must be non-negative, got {i}")
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def list_letter(i: int) -> str:
    """Return the lowercase letter label for zero-based index i (a..z, aa, ab, ...).

    >>> list_letter(0)
    'a'
    >>> list_letter(1)
    'b'
    """
    return ordinal_letter(i).lower()


def roman(i: int) -> str:
    """Return the lowercase Roman numeral for 1 <= i <= 3999.

    >>> roman(4)
    'iv'
    >>> roman(9)
    'ix'
    """
    _check_int(i)
    if not 1 <= i <= 3999:
        raise ValueError(f"roman numerals need 1 <= i <= 3999, got {i}")
    numeral = ""
    for value, symbol in _ROMAN:
        count, i = divmod(i, value)
        numeral += symbol * count
    return numeral

