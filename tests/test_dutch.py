"""Tests for the Dutch formatting filters in agreement_engine.dutch."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from agreement_engine.dutch import (
    count_with_words,
    date_long,
    enumerate_nl,
    fold_word,
    list_letter,
    money,
    money_full,
    money_in_words,
    number,
    number_in_words,
    ordinal_letter,
    percent,
    roman,
)
from agreement_engine.formatting import formatter

NBSP = "\xa0"

NUMBER_WORDS = [
    (0, "nul"),
    (1, "een"),
    (2, "twee"),
    (3, "drie"),
    (7, "zeven"),
    (10, "tien"),
    (11, "elf"),
    (12, "twaalf"),
    (13, "dertien"),
    (14, "veertien"),
    (15, "vijftien"),
    (16, "zestien"),
    (17, "zeventien"),
    (18, "achttien"),
    (19, "negentien"),
    (20, "twintig"),
    (21, "eenentwintig"),
    (22, "tweeëntwintig"),
    (23, "drieëntwintig"),
    (24, "vierentwintig"),
    (28, "achtentwintig"),
    (30, "dertig"),
    (32, "tweeëndertig"),
    (33, "drieëndertig"),
    (40, "veertig"),
    (42, "tweeënveertig"),
    (43, "drieënveertig"),
    (50, "vijftig"),
    (52, "tweeënvijftig"),
    (53, "drieënvijftig"),
    (60, "zestig"),
    (62, "tweeënzestig"),
    (63, "drieënzestig"),
    (70, "zeventig"),
    (72, "tweeënzeventig"),
    (73, "drieënzeventig"),
    (77, "zevenenzeventig"),
    (80, "tachtig"),
    (82, "tweeëntachtig"),
    (83, "drieëntachtig"),
    (88, "achtentachtig"),
    (90, "negentig"),
    (92, "tweeënnegentig"),
    (93, "drieënnegentig"),
    (99, "negenennegentig"),
    (100, "honderd"),
    (101, "honderdeen"),
    (111, "honderdelf"),
    (121, "honderdeenentwintig"),
    (200, "tweehonderd"),
    (999, "negenhonderdnegenennegentig"),
    (1000, "duizend"),
    (1001, "duizend een"),
    (1100, "duizend honderd"),
    (2000, "tweeduizend"),
    (2001, "tweeduizend een"),
    (2450, "tweeduizend vierhonderdvijftig"),
    (10_000, "tienduizend"),
    (10_001, "tienduizend een"),
    (25_000, "vijfentwintigduizend"),
    (100_000, "honderdduizend"),
    (999_999, "negenhonderdnegenennegentigduizend negenhonderdnegenennegentig"),
    (1_000_000, "een miljoen"),
    (1_000_001, "een miljoen een"),
    (1_001_000, "een miljoen duizend"),
    (1_250_000, "een miljoen tweehonderdvijftigduizend"),
    (2_000_000, "twee miljoen"),
    (1_000_000_000, "een miljard"),
    (2_003_004_005, "twee miljard drie miljoen vierduizend vijf"),
    (999_999_999_999,
     "negenhonderdnegenennegentig miljard negenhonderdnegenennegentig miljoen "
     "negenhonderdnegenennegentigduizend negenhonderdnegenennegentig"),
]


@pytest.mark.parametrize(("n", "expected"), NUMBER_WORDS)
def test_number_in_words(n: int, expected: str) -> None:
    assert number_in_words(n) == expected


@pytest.mark.parametrize("n", [-1, 10**15])
def test_number_in_words_out_of_range(n: int) -> None:
    with pytest.raises(ValueError):
        number_in_words(n)


@pytest.mark.parametrize("n", [2.0, Decimal("2"), "2", True])
def test_number_in_words_rejects_non_int(n: object) -> None:
    with pytest.raises(TypeError):
        number_in_words(n)  # type: ignore[arg-type]


def test_number_in_words_properties_up_to_ten_thousand() -> None:
    for n in range(10_001):
        words = number_in_words(n)
        assert words, n
        assert words == words.strip(), n
        assert "  " not in words, n
        assert "é" not in words, n
        assert " " not in words or n > 1000, n


MONEY = [
    (1250000, "€ 1.250.000,00"),
    (0, "€ 0,00"),
    (25000, "€ 25.000,00"),
    (0.1 + 0.2, "€ 0,30"),
    (1250000.005, "€ 1.250.000,01"),
    (2.675, "€ 2,68"),
    (Decimal("10000.50"), "€ 10.000,50"),
    (Decimal("0.005"), "€ 0,01"),
    ("1234.5", "€ 1.234,50"),
    (" 99.994 ", "€ 99,99"),
    (-10, "€ -10,00"),
]


@pytest.mark.parametrize(("amount", "expected"), MONEY)
def test_money(amount: object, expected: str) -> None:
    assert money(amount) == expected.replace(" ", NBSP)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["abc", "1.250,00", "NaN", "Infinity", float("inf")])
def test_money_rejects_non_numbers(amount: object) -> None:
    with pytest.raises(ValueError):
        money(amount)  # type: ignore[arg-type]


def test_money_rejects_bool() -> None:
    with pytest.raises(TypeError):
        money(True)


MONEY_WORDS = [
    (25000, "vijfentwintigduizend euro"),
    (10000.50, "tienduizend euro en vijftig cent"),
    (Decimal("10000.50"), "tienduizend euro en vijftig cent"),
    (1, "een euro"),
    (0, "nul euro"),
    (0.01, "een cent"),
    (0.05, "vijf cent"),
    ("1.01", "een euro en een cent"),
    (1250000, "een miljoen tweehonderdvijftigduizend euro"),
    (1250000.005, "een miljoen tweehonderdvijftigduizend euro en een cent"),
    (0.1 + 0.2, "dertig cent"),
]


@pytest.mark.parametrize(("amount", "expected"), MONEY_WORDS)
def test_money_in_words(amount: object, expected: str) -> None:
    assert money_in_words(amount) == expected  # type: ignore[arg-type]


def test_money_in_words_rejects_negative() -> None:
    with pytest.raises(ValueError):
        money_in_words(-1)


MONEY_FULL = [
    (25000, "€ 25.000,00 (zegge: vijfentwintigduizend euro)"),
    (1250000.005, "€ 1.250.000,01 (zegge: een miljoen tweehonderdvijftigduizend euro en een cent)"),
    ("0.994", "€ 0,99 (zegge: negenennegentig cent)"),
    (Decimal("0.995"), "€ 1,00 (zegge: een euro)"),
]


@pytest.mark.parametrize(("amount", "expected"), MONEY_FULL)
def test_money_full(amount: object, expected: str) -> None:
    assert money_full(amount) == expected.replace("€ ", "€" + NBSP)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2027, 1, 1), "1 januari 2027"),
        (date(2026, 3, 9), "9 maart 2026"),
        (datetime(2025, 12, 31, 23, 59), "31 december 2025"),
        ("2026-05-15", "15 mei 2026"),
    ],
)
def test_date_long(value: date | str, expected: str) -> None:
    assert date_long(value) == expected


def test_date_long_rejects_bad_string() -> None:
    with pytest.raises(ValueError):
        date_long("15-05-2026")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (33.33, "33,33%"),
        (25, "25%"),
        (12.5, "12,5%"),
        (0.1, "0,1%"),
        (100, "100%"),
        (Decimal("50.00"), "50%"),
        ("33.335", "33,34%"),
        (33.3333, "33,33%"),
    ],
)
def test_percent(value: object, expected: str) -> None:
    assert percent(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1250000, "1.250.000"),
        (12.5, "12,5"),
        (Decimal("12.50"), "12,5"),
        (0, "0"),
        ("1000", "1.000"),
        (-3.25, "-3,25"),
    ],
)
def test_number(value: object, expected: str) -> None:
    assert number(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("items", "conjunction", "expected"),
    [
        ([], "en", ""),
        (["A"], "en", "A"),
        (["A", "B"], "en", "A en B"),
        (["A", "B", "C"], "en", "A, B en C"),
        (["A", "B", "C"], "of", "A, B of C"),
        (("X", "Y"), "of", "X of Y"),
    ],
)
def test_enumerate_nl(items: list[str], conjunction: str, expected: str) -> None:
    assert enumerate_nl(items, conjunction=conjunction) == expected


def test_enumerate_nl_default_conjunction_and_generator() -> None:
    assert enumerate_nl(p for p in ["Opdrachtgever", "Opdrachtnemer"]) == "Opdrachtgever en Opdrachtnemer"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "enkelvoud"),
        (2, "tweevoud"),
        (3, "drievoud"),
        (4, "viervoud"),
        (5, "vijfvoud"),
        (6, "zesvoud"),
        (7, "zevenvoud"),
        (8, "achtvoud"),
        (9, "negenvoud"),
        (10, "tienvoud"),
        (11, "elfvoud"),
        (12, "twaalfvoud"),
        (13, "dertienvoud"),
        (20, "twintigvoud"),
        (21, "eenentwintigvoud"),
        (25, "vijfentwintigvoud"),
    ],
)
def test_fold_word(n: int, expected: str) -> None:
    assert fold_word(n) == expected


@pytest.mark.parametrize("n", [0, -2])
def test_fold_word_rejects_below_one(n: int) -> None:
    with pytest.raises(ValueError):
        fold_word(n)


@pytest.mark.parametrize(
    ("n", "singular", "plural", "expected"),
    [
        (6, "maand", "maanden", "zes (6) maanden"),
        (1, "maand", "maanden", "een (1) maand"),
        (14, "dag", "dagen", "veertien (14) dagen"),
        (3, "jaar", "jaren", "drie (3) jaren"),
        (22, "werkdag", "werkdagen", "tweeëntwintig (22) werkdagen"),
        (1000, "dag", "dagen", "duizend (1.000) dagen"),
    ],
)
def test_count_with_words(n: int, singular: str, plural: str, expected: str) -> None:
    assert count_with_words(n, singular, plural) == expected


def test_count_with_words_rejects_negative() -> None:
    with pytest.raises(ValueError):
        count_with_words(-1, "dag", "dagen")


@pytest.mark.parametrize(
    ("i", "expected"),
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")],
)
def test_ordinal_letter(i: int, expected: str) -> None:
    assert ordinal_letter(i) == expected
    assert list_letter(i) == expected.lower()


@pytest.mark.parametrize("func", [ordinal_letter, list_letter])
def test_letters_reject_negative(func: object) -> None:
    with pytest.raises(ValueError):
        func(-1)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("i", "expected"),
    [
        (1, "i"), (2, "ii"), (3, "iii"), (4, "iv"), (5, "v"), (6, "vi"), (9, "ix"),
        (10, "x"), (14, "xiv"), (40, "xl"), (49, "xlix"), (90, "xc"), (400, "cd"),
        (1994, "mcmxciv"), (3999, "mmmcmxcix"),
    ],
)
def test_roman(i: int, expected: str) -> None:
    assert roman(i) == expected


@pytest.mark.parametrize("i", [0, -1, 4000])
def test_roman_out_of_range(i: int) -> None:
    with pytest.raises(ValueError):
        roman(i)


def test_filters_mapping() -> None:
    """The filter names are the clause library's vocabulary (clause_library/README.md); keep them stable."""
    filters = formatter("nl").filters
    assert set(filters) == {"money", "money_words", "money_full", "words", "date", "percent", "number", "enum",
                            "fold", "termijn"}
    assert filters["termijn"](6, "maand", "maanden") == "zes (6) maanden"
    assert filters["fold"](5) == "vijfvoud"
