"""Validation: the schema and the cross-field rules, driven by files of bad answer sets."""
from __future__ import annotations

import json

import pytest
from conftest import CORPUS, apply_changes, example

from agreement_engine import check
from agreement_engine.answers import too_deep
from agreement_engine.findings import CATALOG, Severity
from agreement_engine.library import default_library
from agreement_engine.resources import schema_key
from agreement_engine.rules import check_rules
from agreement_engine.resources import load_schema
from agreement_engine.validate import (_fast_validator, _plain, _resolved_validator, _schema_valid, _shared_meaning,
                                       _trimmed, _validator, validate, validate_part)

BAD = [case for case in CORPUS if not case.is_raw]
RAW = [case for case in CORPUS if case.is_raw]


#: Examples that show a problem on purpose, with the codes of the warnings they show.
_ON_PURPOSE = {"dak-en-thuis-knelpunt": {"comfort.unmet_must"}}  # a comfort conflict the solver explains


def test_examples_have_no_errors_or_warnings(example_name):
    findings = check(example(example_name))
    assert [f for f in findings if f.severity is not Severity.INFO
            and f.code not in _ON_PURPOSE.get(example_name, set())] == []


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.name)
def test_bad_answer_set_gives_its_finding(case):
    findings = check(case.answers())  # what check reports: validation, and the comfort of every party
    assert (case.code, case.path) in {(f.code, f.path) for f in findings}, [
        (f.code, f.path) for f in findings]
    finding = next(f for f in findings if (f.code, f.path) == (case.code, case.path))
    assert finding.severity is CATALOG[case.code][0]
    assert finding.message and "{" not in finding.message


@pytest.mark.parametrize("case", RAW, ids=lambda c: c.name)
def test_unreadable_input_gives_one_finding(case):
    findings = check(case.source)
    assert [(f.code, f.path) for f in findings] == [(case.code, "$")]
    assert findings[0].severity is Severity.ERROR


def test_every_cross_field_rule_has_a_bad_case():
    covered = {case.code for case in CORPUS}
    special = {"input.not_regular_file", "input.too_large"}  # a pipe or 8 MiB file: tests/test_hostile.py makes them
    special |= {code for code in CATALOG if code.startswith("portfolio.")}  # a workbook's cells: test_portfolio.py
    missing = (set(CATALOG) - covered - {"input.missing", "input.unreadable", "schema.invalid", "value.not_computable"}
               - special)
    assert not missing


def test_rules_stay_quiet_on_the_examples(example_name):
    codes = {f.code for f in check(example(example_name))} - _ON_PURPOSE.get(example_name, set())
    assert codes <= {"insolvency.gemeente_excluded", "financing.award_route"}  # notes that always apply


def test_message_names_the_party():
    answers = next(c for c in BAD if c.name == "schema.pattern@kvk-seven-digits").answers()
    finding = next(f for f in validate(answers) if f.path == "$.parties[0].kvk")
    assert finding.message.startswith("Partij 1 (Stichting Buurtwerk Zwolle): KvK-nummer")


def test_every_finding_is_reported_not_just_the_first():
    answers = apply_changes(example("dak-en-thuis"), [
        ["set", ["parties", 0, "kvk"], "1"], ["set", ["parties", 2, "kvk"], "2"],
        ["set", ["withdrawal", "notice_months"], 30], ["set", ["resources", "shares", "dehaven"], 1],
    ])
    paths = [f.path for f in validate(answers) if f.severity is Severity.ERROR]
    assert paths == ["$.parties[0].kvk", "$.parties[2].kvk", "$.resources.shares",
                     "$.withdrawal.notice_months"]


def test_findings_sort_indexes_numerically():
    answers = example("dak-en-thuis")
    answers["parties"] += [dict(answers["parties"][0], id=f"extra{i}", kvk="x") for i in range(6)]
    answers["resources"]["shares"].update({f"extra{i}": 0 for i in range(6)})
    paths = [f.path for f in validate(answers) if f.code == "schema.pattern"]
    assert paths == [f"$.parties[{i}].kvk" for i in range(6, 12)]


def test_decimal_arithmetic_accepts_exact_hundred():
    answers = example("dak-en-thuis")
    answers["resources"]["shares"] = {"dehaven": 33.33, "onderdak": 33.33, "straatwaarde": 33.32,
                                      "schuldhulp": 0, "zorgpunt": 0.02}
    assert not [f for f in validate(answers) if f.code == "shares.sum"]


@pytest.mark.parametrize("value", [[], "tekst", 12, None, True, {"parties": "x"},
                                   {"parties": [None, 1, "x"], "resources": []},
                                   {"resources": {"model": "allocation_key", "shares": {"a": "x"}}}])
def test_junk_gives_findings_never_an_exception(value):
    findings = validate(value)
    assert findings and all(f.severity is Severity.ERROR for f in findings if f.code.startswith("schema"))


def test_structure_too_deep_for_the_validator_is_one_finding_not_a_recursion_error():
    answers = apply_changes(example("twee-partijen"), [["nest", ["alliance", "recitals", 0], 10_000]])
    assert [(f.code, f.path) for f in validate(answers)] == [("input.too_deep", "$.alliance.recitals[0]" + "[0]" * 7)]


def _changes(case) -> list:
    return json.loads(case.source.read_text(encoding="utf-8"))["changes"]


#: The bad cases that change something inside a section (not a whole section, not nothing).
INSIDE = [case for case in CORPUS if not case.is_raw and any(len(change[1]) > 1 for change in _changes(case))]


@pytest.mark.parametrize("case", INSIDE, ids=lambda c: c.name)
def test_validating_one_section_finds_what_validating_the_whole_finds_there(case):
    answers = case.answers()
    section = _changes(case)[0][1][0]
    by_rules = {(f.code, f.path) for f in check_rules(answers)}
    whole = {(f.code, f.path) for f in validate(answers) if (f.code, f.path) not in by_rules
             and (f.path == f"$.{section}" or f.path.startswith((f"$.{section}.", f"$.{section}[")))}
    assert {(f.code, f.path) for f in validate_part(answers, [section])} == whole


def test_a_date_not_written_as_a_date_gets_one_finding():
    answers = apply_changes(example("twee-partijen"), [["set", ["alliance", "start_date"], "1-3-2027"]])
    assert [f.code for f in validate(answers) if f.path == "$.alliance.start_date"] == ["schema.pattern"]


def _corpus_instances() -> list[tuple[str, object]]:
    """Return every answer set of the corpus, the examples and the variants' witnesses, parsed, by name."""
    found = [(f"example {name}", example(name)) for name in ("dak-en-thuis", "twee-partijen", "wijkteams-opdracht")]
    for case in CORPUS:
        if case.is_raw:
            try:
                parsed = json.loads(case.source.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError):
                continue  # not JSON, or too deep to parse: never reaches a validator
            if not too_deep(parsed):  # validate stops at the depth before any validator
                found.append((case.name, parsed))
        else:
            found.append((case.name, case.answers()))
    for clause in default_library().clauses:
        for variant in clause.variants:
            if variant.witness is not None:
                found.append((f"witness {clause.id}/{variant.id}", variant.witness.apply(example(variant.witness.base))))
    return found


def test_the_resolved_validator_agrees_with_the_schema_as_written_on_the_whole_corpus():
    """The fast path of validate (its verdict alone) says valid exactly when the validator with the schema's own
    references finds no error, on every answer set the tests have; and the corpus holds both verdicts."""
    fast, written = _resolved_validator(schema_key()), _validator(())
    verdicts = {name: (fast.is_valid(answers), next(written.iter_errors(answers), None) is None)
                for name, answers in _corpus_instances()}
    assert {name: v for name, v in verdicts.items() if v[0] != v[1]} == {}
    assert {v[0] for v in verdicts.values()} == {True, False}


def test_jsonschema_rs_agrees_with_jsonschema_on_the_whole_corpus():
    """The verdict on plain data comes from jsonschema_rs without loading jsonschema: it must be jsonschema's on
    every answer set the tests have (examples, corpus cases, witnesses), and the corpus must hold both verdicts."""
    fast, written = _fast_validator(schema_key()), _validator(())
    assert fast is not None  # the shipped schema only has keywords, formats and patterns both read alike
    verdicts = {}
    for name, answers in _corpus_instances():
        trimmed = _trimmed(answers, load_schema())
        if _plain(trimmed):
            verdicts[name] = (fast.is_valid(trimmed), next(written.iter_errors(trimmed), None) is None)
    assert {name: v for name, v in verdicts.items() if v[0] != v[1]} == {}
    assert {v[0] for v in verdicts.values()} == {True, False} and len(verdicts) > 250


@pytest.mark.parametrize("path, value", [
    (["alliance", "start_date"], value) for value in [
        "2027-02-29", "2028-02-29", "2027-04-31", "2027-13-01", "0000-01-01", "9999-12-31", "2027-1-01",
        "2027-01-01\n", "2027-01-01T00:00:00", "\uff12027-01-01", "2027-01-01 ", " 2027-01-01", "20270101"]] + [
    (["parties", 0, "name"], value) for value in [
        "De Haven", "De Haven\n", "\u2028De Haven", "De\u00a0Haven", "   ", "\u3000", "Zorg\u200bpunt", "\t",
        "Stichting \u00e9\u00e8 \u4e2d\U0001f600", "a" * 300, ""]] + [
    (["parties", 0, "kvk"], value) for value in ["41234567", "4123456", "41234567\n", "\uff141234567", 41234567]] + [
    (["alliance", "term", "years"], value) for value in [4, 4.5, -1, 0, 10 ** 6, True, "4", None]] + [
    (["resources", "shares", "dehaven"], value) for value in [33.33, 33.333, 0.001, -1.5, 100.01, 1e300, False]] + [
    (["resources", "annual_budget"], value) for value in [2450000, 2450000.5, 0.01, -0.01, 10 ** 15 + 0.5]] + [
    (["parties", 0, "legal_form"], value) for value in ["stichting", "Stichting", "", ["stichting"], {"a": 1}]])
def test_jsonschema_rs_and_jsonschema_agree_on_awkward_values(path, value):
    answers = apply_changes(example("dak-en-thuis"), [["set", path, value]])
    trimmed = _trimmed(answers, load_schema())
    expected = _resolved_validator(schema_key()).is_valid(trimmed)
    assert _schema_valid(trimmed) == expected
    if _plain(trimmed):
        assert _fast_validator(schema_key()).is_valid(trimmed) == expected


@pytest.mark.parametrize("schema, shared", [
    ({"type": "object", "properties": {"a": {"type": "string", "pattern": "^[0-9]{8}$"}}}, True),
    ({"properties": {"a": {"format": "email"}}}, False),
    ({"properties": {"a": {"pattern": "^\\d+$"}}}, False),
    ({"properties": {"a": {"pattern": "^a.b$"}}}, False),
    ({"items": {"multipleOf": 0.01}}, False),
    ({"allOf": [{"not": {"propertyNames": {"pattern": "(?=x)"}}}]}, False),
    ({"x-labels": {"anything": 1}, "anyOf": [{"const": 1}, True]}, True),
])
def test_a_schema_with_a_keyword_the_two_read_differently_is_left_to_jsonschema(schema, shared):
    assert _shared_meaning(schema) is shared
