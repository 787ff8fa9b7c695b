"""Answer values at their limits: bounded numbers, dates the document can write, names that are no defined
terms, single-line fields, invisible and direction-changing characters, and findings that stay readable.

The bad answer sets themselves are in tests/data/bad/ and tests/data/raw/ (test_validate.py runs them); the
tests here prove what a table of findings cannot: that what check passes renders, and what renders says.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import CORPUS, EXAMPLES, example, run, variation

from agreement_engine import compare as compare_module
from agreement_engine.api import assemble, check
from agreement_engine.dutch import date_long
from agreement_engine.findings import Severity, json_path
from agreement_engine.i18n import language
from agreement_engine.library import default_library
from agreement_engine.resources import load_schema
from agreement_engine.rules import _RULES, check_rules, defined_terms, term_end
from agreement_engine.validate import SAME_CODE_LIMIT, ecma_pattern, validate
from agreement_engine.word import render_docx


def errors(answers: dict) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in validate(answers) if f.severity is Severity.ERROR]


# point 2: every number bounded; arithmetic never escapes as an internal error -------------------------

def _nodes(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _nodes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, (*path, index))


def test_every_number_list_map_and_text_in_the_schema_is_bounded():
    unbounded = []
    for path, node in _nodes(load_schema()):
        kind = node.get("type")
        if kind in ("integer", "number") and "enum" not in node and not {"minimum", "maximum"} <= set(node):
            if "$ref" not in node:
                unbounded.append(path)
        if kind == "array" and "maxItems" not in node:
            unbounded.append(path)
        if kind == "object" and isinstance(node.get("additionalProperties"), dict) and "maxProperties" not in node:
            unbounded.append(path)
        if kind == "string" and not set(node) & {"maxLength", "pattern", "enum", "const", "anyOf", "format"}:
            unbounded.append(path)
    assert unbounded == []


@pytest.mark.parametrize("years", [2147483648, 10**20, 10**200, -(10**20)], ids=["2**31", "10**20", "10**200", "-10**20"])
def test_a_huge_term_is_a_finding_in_check_not_an_internal_error(tmp_path, years):
    answers = variation("twee-partijen", ["set", ["alliance", "term"],
                                          {"kind": "fixed", "years": years, "lock_in_until": "2028-01-01"}])
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "interne fout" not in result.output
    assert "schema.range" in result.output or "input.not_a_number" in result.output


def test_a_rule_that_cannot_compute_gives_a_finding(monkeypatch):
    def overflowing(_answers):
        raise OverflowError("signed integer is greater than maximum")
        yield  # pragma: no cover - a generator

    monkeypatch.setattr("agreement_engine.rules._RULES", [*_RULES, overflowing])
    findings = check_rules(example("twee-partijen"))
    assert [(f.code, f.path, f.severity) for f in findings if f.code == "value.not_computable"] == [
        ("value.not_computable", "$", Severity.ERROR)]


# point 3: what check passes, render can make ------------------------------------------------------------

@pytest.mark.parametrize(("start", "years"), [
    ("2027-01-01", 4), ("2027-03-01", 1), ("2028-02-29", 1), ("2028-02-29", 4), ("2027-03-31", 2),
    ("2027-12-02", 3), ("9999-01-01", 1), ("9990-01-01", 10), ("9975-06-15", 20), ("0001-01-01", 30),
])
def test_the_end_of_a_fixed_term_in_check_is_the_date_the_agreement_writes(start, years):
    answers = variation("twee-partijen", ["set", ["alliance", "start_date"], start],
                        ["set", ["alliance", "term"], {"kind": "fixed", "years": years}])
    assert errors(answers) == []
    end = term_end(dt.date.fromisoformat(start), years)
    assert f"na afloop van {date_long(end)}." in assemble(answers).text


def test_a_lock_in_may_last_to_the_last_day_of_the_term_and_not_a_day_longer():
    # dak-en-thuis: from 1 January 2027 for four years, so the term ends after 31 December 2030
    last_day = variation("dak-en-thuis", ["set", ["alliance", "term", "lock_in_until"], "2030-12-31"])
    assert errors(last_day) == []
    assert "niet eerder eindigen dan aan het einde van 31 december 2030" in assemble(last_day).text
    day_after = variation("dak-en-thuis", ["set", ["alliance", "term", "lock_in_until"], "2031-01-01"])
    assert errors(day_after) == [("term.lock_in_outside", "$.alliance.term.lock_in_until")]


@pytest.mark.parametrize("case", [c for c in CORPUS if c.code in ("term.beyond_calendar",
                                                                   "term.renewal_beyond_calendar")],
                         ids=lambda c: c.name)
def test_a_term_beyond_the_calendar_is_refused_by_check_not_by_the_clause_library(case):
    findings = check(case.answers())
    assert [f for f in findings if f.code == case.code and f.path == case.path]
    assert not [f for f in findings if f.code == "value.not_computable"]


# point 4: names that are defined terms ------------------------------------------------------------------

def _library_terms(kind: str) -> set[str]:
    """The terms of the library's clauses as the agreement of ``kind`` writes them (not a list kept here)."""
    alliance_term = {"alliance": "Alliantie"}.get(kind, "Samenwerking")
    return {d.term.replace("{{ alliance_term }}", alliance_term) for c in default_library().clauses
            for d in c.defines if "{{ body }}" not in d.term}


def test_defined_terms_are_read_from_the_library():
    terms = _library_terms("alliance")
    assert {"Partij", "Partijen", "Overeenkomst", "Alliantie", "Penvoerder", "Meerjarenplan", "Schriftelijk",
            "Bijlage"} <= terms
    assert set(defined_terms("alliance").values()) == terms


@pytest.mark.parametrize("term", sorted(_library_terms("alliance")))
def test_no_term_of_the_library_can_name_the_body_or_a_party(term):
    body = variation("dak-en-thuis", ["set", ["governance", "body_name"], term])
    assert ("name.defined_term", "$.governance.body_name") in errors(body)
    party = variation("dak-en-thuis", ["set", ["parties", 1, "short_name"], term])
    finding = next(f for f in validate(party) if f.code == "name.defined_term")
    assert finding.path == "$.parties[1].short_name"
    assert finding.message.startswith("Partij 2 (Stichting Onder Dak): Verkorte naam: ")


@pytest.mark.parametrize("name", ["Alliantieraad", "Stuurgroep Dak en Thuis", "Partijenoverleg", "Regiegroep"])
def test_a_body_name_that_is_no_term_renders(name):
    answers = variation("dak-en-thuis", ["set", ["governance", "body_name"], name])
    assert errors(answers) == []
    assert f"\n{name}: het overlegorgaan van de Alliantie" in assemble(answers).text


def test_check_refuses_every_body_name_render_would_refuse():
    for term in sorted(_library_terms("alliance")):
        answers = variation("dak-en-thuis", ["set", ["governance", "body_name"], term])
        assert any(f.code == "name.defined_term" for f in check(answers)), term


# point 5: a line break never hides in a single-line field -----------------------------------------------

def test_schema_patterns_mean_the_end_of_the_text_by_dollar():
    assert ecma_pattern("^[0-9]{8}$").search("41263875")
    assert not ecma_pattern("^[0-9]{8}$").search("41263875\n")
    assert ecma_pattern(r"^a\$$").search("a$") and ecma_pattern("^[$]+$").search("$$")


def test_every_pattern_of_the_schema_refuses_a_trailing_newline():
    """Each field with a pattern, given a value that fits it plus a final line break."""
    fitting = {"^[0-9]{8}$": "41263875", "^[1-9][0-9]{3} ?[A-Z]{2}$": "3511 AB", "^[0-9]{4}-[0-9]{4}$": "2027-2030",
               "^[a-z][a-z0-9_-]{0,31}$": "dehaven", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "2027-01-01",
               r"\S": "Tekst", load_schema()["$defs"]["name"]["pattern"]: "De Haven",
               r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "alliantie@dehaven.nl"}
    patterns = {node["pattern"] for _, node in _nodes(load_schema()) if isinstance(node.get("pattern"), str)}
    assert patterns <= set(fitting)
    for pattern in patterns - {r"\S"}:  # \S is the multi-line text: a line break belongs there
        assert ecma_pattern(pattern).search(fitting[pattern])
        assert not ecma_pattern(pattern).search(fitting[pattern] + "\n"), pattern


def test_a_no_break_space_in_an_answer_stays_in_the_agreement():
    answers = variation("twee-partijen", ["set", ["parties", 0, "name"], "Stichting\u00a0Buurtwerk Zwolle"],
                        ["set", ["alliance", "purpose"], "Samen koken\u202fen eten."])
    assert errors(answers) == []
    text = assemble(answers).text
    assert "Stichting\u00a0Buurtwerk Zwolle" in text and "Samen koken\u202fen eten." in text


# minors ---------------------------------------------------------------------------------------------

def test_repeated_findings_are_counted_not_listed():
    answers = example("dak-en-thuis")
    answers["parties"] = [dict(answers["parties"][0], kvk="1") for _ in range(10_000)]
    findings = validate(answers)
    assert len(findings) < 100
    assert next(f.message for f in findings if f.path == "$.parties") == (
        "Partijen: bevat 10.000 elementen; hoogstens 25 zijn toegestaan")
    pattern = [f for f in findings if f.code == "schema.pattern"]
    assert len(pattern) == SAME_CODE_LIMIT + 1
    assert re.fullmatch(r"… en nog \d+ dergelijke bevindingen \(schema\.pattern\)", pattern[-1].message)
    with language("en"):
        english = validate(answers)
    assert any(f.message.startswith("… and ") for f in english)
    assert "contains 10,000 items" in next(f.message for f in english if f.path == "$.parties")


def test_a_key_of_100000_characters_is_shortened_in_every_message(tmp_path):
    case = next(c for c in CORPUS if c.name == "schema.unknown_field@key-of-100000-characters")
    result = run("check", str(case.write(tmp_path)))
    assert result.exit_code == 1
    assert len(result.output) < 1_000
    assert json_path(["k" * 100_000]).endswith("…']")


@pytest.mark.parametrize("case", [c for c in CORPUS if c.is_raw], ids=lambda c: c.name)
def test_no_python_internals_reach_the_user(case):
    for lang in ("nl", "en"):
        with language(lang):
            message = check(case.source)[0].message
        assert not re.search(r"sys\.|utf-8-sig|Expecting|Unexpected|Traceback", message), message


def test_negative_zero_is_refused_and_never_printed():
    answers = variation("dak-en-thuis", ["set", ["liability", "cap"], {"kind": "amount", "amount": -0.0}])
    assert ("schema.range", "$.liability.cap.amount") in errors(answers)
    assert errors(variation("dak-en-thuis", ["set", ["liability", "cap"], {"kind": "amount", "amount": 0}])) == []


def test_a_plain_render_never_compares_the_agreement_with_itself(monkeypatch):
    """A plain render is linear in the number of conditions: it pairs nothing by similarity."""
    answers = example("dak-en-thuis")
    answers["conditions"] = [{"party": p["id"], "condition": f"Voorwaarde {i} van {p['id']} is vervuld."}
                             for i in range(15) for p in answers["parties"][:6]]
    assert errors(answers) == []
    agreement = assemble(answers)

    class NoMatching:
        def __init__(self, *args, **kwargs):
            raise AssertionError("a plain render compared sequences")

    monkeypatch.setattr(compare_module, "SequenceMatcher", NoMatching)
    assert render_docx(agreement, None, provenance={})


def test_compare_dates_its_changes_in_year_1(tmp_path):
    target = tmp_path / "redline.docx"
    result = run("compare", str(EXAMPLES / "dak-en-thuis.json"), str(EXAMPLES / "dak-en-thuis.json"),
                 "-o", str(target), "--date", "0001-01-01")
    assert result.exit_code == 0, result.output
    assert target.exists()
