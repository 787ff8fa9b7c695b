"""The answer-set corpus through the command line, and template syntax in every text field kept as typed.

Every bad input in tests/data (see conftest.BadCase) goes through ``check`` as a user would run it. A command
that must refuse bad input gets the same proof with one function: parametrize it over ``REFUSED``, write the
case with ``case.write(tmp_path)``, run the command and call ``assert_refused``.
"""
from __future__ import annotations

import dataclasses
import json
import re
from functools import cache

import pytest
from click.testing import Result
from conftest import BadCase, CORPUS, apply_changes, docx_text, example, run

from agreement_engine import api
from agreement_engine.findings import CATALOG, Severity
from agreement_engine.resources import load_schema
from agreement_engine.schema import resolve_ref
from agreement_engine.validate import validate
from agreement_engine.word import render_docx

#: The cases whose finding is an error: every command must refuse them.
REFUSED = [case for case in CORPUS if CATALOG[case.code][0] is Severity.ERROR]


def finding_line(case: BadCase) -> re.Pattern:
    """Return the pattern of the line the text output gives the case's finding: severity, code, path."""
    label = CATALOG[case.code][0].label
    return re.compile(rf"^\s+{label}\s+{re.escape(case.code)}\s+{re.escape(case.path)}\s", re.MULTILINE)


def assert_refused(result: Result, case: BadCase) -> None:
    """Assert that a command exited 1 with the case's finding at its JSON path, without a traceback and
    without a raw control character that could rewrite the user's terminal."""
    assert result.exit_code == 1, result.output[:2000]
    assert "Traceback" not in result.output and "interne fout" not in result.output, result.output[:2000]
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", result.output), result.output[:2000]
    assert finding_line(case).search(result.output), result.output[:2000]


def case_id(case: BadCase) -> str:
    return case.name


@pytest.mark.parametrize("case", REFUSED, ids=case_id)
def test_check_refuses_bad_input_with_its_finding(case, tmp_path):
    assert_refused(run("check", str(case.write(tmp_path)), color=True), case)


@pytest.mark.parametrize("case", REFUSED, ids=case_id)
def test_render_refuses_bad_input_and_writes_nothing(case, tmp_path, monkeypatch):
    source = case.write(tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    result = run("render", str(source), color=True)
    assert_refused(result, case)
    assert "niets geschreven" in result.output
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("case", [c for c in CORPUS if CATALOG[c.code][0] is Severity.WARNING], ids=case_id)
def test_check_strict_refuses_a_warning_with_its_finding(case, tmp_path):
    assert_refused(run("check", "--strict", str(case.write(tmp_path)), color=True), case)


@pytest.mark.parametrize("case", CORPUS, ids=case_id)
def test_check_json_output_names_the_finding(case, tmp_path):
    result = run("check", str(case.write(tmp_path)), "--format", "json", color=True)
    findings = json.loads(result.output)
    assert {"code": case.code, "path": case.path, "severity": CATALOG[case.code][0].value} in [
        {key: f[key] for key in ("code", "path", "severity")} for f in findings]


# template syntax and other awkward text in every text field: valid input, kept exactly as typed ----------

PAYLOADS = ["{{ 7*7 }}", "{_{ 7*7 }_} {_% x %_}", "{% raw %}", "&<>\"'", "Ωμέγα Кириллица 北京 العربية", "../../x"]
#: Answer sets that between them show every text field: the arbitration route names its place, the court
#: routes their court.
#: The new articles' own text fields (contact persons, the provisions of the reglement) ride along with the
#: arbitration base.
CONTACTS = {"dehaven": {"name": "mevrouw A. Jansen", "function": "programmamanager",
                        "email": "alliantie@dehaven.nl"}}
BASES = {"court": [], "arbitration": [["set", ["disputes", "route"], "arbitration"],
                                      ["set", ["notices"], {"contacts": CONTACTS}],
                                      ["set", ["exclusivity"], {"kind": "region", "region": "Utrecht"}],
                                      ["set", ["security"], {"kind": "parent_guarantee", "party": "onderdak",
                                                             "amount": 50000, "guarantor": "Koepel"}],
                                      ["set", ["governance", "rules_of_procedure"], "annex"],
                                      ["remove", ["governance", "rules_of_procedure_months"]],
                                      ["set", ["governance", "rules_of_procedure_text"], ["Bepaling."]]]}


def text_fields(node: dict | None = None, path: tuple = ()) -> list[tuple]:
    """Return the path of every free-text field in the schema ("*" for any index or key).

    A free-text field is a string without enum, const, format or pattern other than "not only spaces";
    ``$schema`` is left out, because the engine ignores it, and so is a section the agreement never shows
    (``x-not-in-agreement``: the comfort each party needs).
    """
    schema = load_schema()
    node = resolve_ref(schema if node is None else node)
    if node.get("type") == "object":
        children = [(name, sub) for name, sub in node.get("properties", {}).items()
                    if name != "$schema" and not sub.get("x-not-in-agreement")]
        if isinstance(node.get("additionalProperties"), dict):
            children.append(("*", node["additionalProperties"]))
        return [field for name, sub in children for field in text_fields(sub, path + (name,))]
    if node.get("type") == "array":
        return text_fields(node["items"], path + ("*",))
    free = node.get("type") == "string" and not {"enum", "const", "format", "anyOf"} & set(node)
    return [path] if free and node.get("pattern", r"\S") in (r"\S", schema["$defs"]["name"]["pattern"]) else []


TEXT_FIELDS = text_fields()


def _places(data, field: tuple, at: tuple = ()):
    """Yield every concrete path in ``data`` for ``field``; a missing last key counts (it is added)."""
    if not field:
        yield at
        return
    head, rest = field[0], field[1:]
    if head == "*":
        keys = range(len(data)) if isinstance(data, list) else list(data) if isinstance(data, dict) else []
        for key in keys:
            yield from _places(data[key], rest, at + (key,))
    elif isinstance(data, dict) and (head in data or not rest):
        yield from _places(data.get(head), rest, at + (head,))


def _strings(value):
    """Yield every text held in an Agreement model (titles, paragraphs, annex cells, signatories)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)


@cache
def shown(payload: str) -> dict[tuple, tuple[bool, bool]]:
    """Fill every text field of each base with the payload and a number; return, per field, whether some
    place of it came out exactly as typed in the assembled Agreement and in the rendered document."""
    result: dict[tuple, list[bool]] = {field: [False, False] for field in TEXT_FIELDS}
    for changes in BASES.values():
        answers = apply_changes(example("dak-en-thuis"), changes)
        typed: dict[str, tuple] = {}
        fills = []
        for field in TEXT_FIELDS:
            for place in _places(answers, field):
                value = f"{payload} ({len(typed) + 1})"
                typed[value] = field
                fills.append(["set", list(place), value])
        answers = apply_changes(answers, fills)
        assert [f.message for f in validate(answers) if f.severity is Severity.ERROR] == []
        agreement = api.assemble(answers)
        model = "\n".join(_strings(agreement))
        document = docx_text(render_docx(agreement, provenance={}))
        for value, field in typed.items():
            result[field][0] |= value in model
            result[field][1] |= value in document
    return {field: tuple(flags) for field, flags in result.items()}


def test_the_schema_walk_finds_the_text_fields():
    assert {("alliance", "name"), ("parties", "*", "name"), ("parties", "*", "representatives", "*", "function"),
            ("multi_year_plan", "party_tasks", "*", "*"), ("disputes", "place")} <= set(TEXT_FIELDS)
    assert ("parties", "*", "kvk") not in TEXT_FIELDS and ("$schema",) not in TEXT_FIELDS


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=".".join)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_field_comes_out_as_typed(payload, field):
    in_model, in_document = shown(payload)[field]
    assert in_model, f"{'.'.join(field)} not as typed in the Agreement"
    assert in_document, f"{'.'.join(field)} not as typed in the .docx"


def test_batch_over_the_whole_corpus_renders_only_the_good_one(tmp_path):
    folder = tmp_path / "in"
    for case in REFUSED:
        case.write(folder)
    (folder / "goed.json").write_text(json.dumps(example("twee-partijen")), encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", str(folder), "--out-dir", str(out), "--jobs", "2", color=True)
    assert result.exit_code == 1 and "Traceback" not in result.output
    report = json.loads((out / "batch-report.json").read_text("utf-8"))
    by_name = {item["name"]: item for item in report["items"]}
    assert by_name["goed"]["status"] == "rendered"
    for case in REFUSED:
        item = next(i for i in report["items"] if i["input"].endswith(f"/{case.name}.json"))
        assert item["status"] == "invalid", case.name
        assert (case.code, case.path) in {(f["code"], f["path"]) for f in item["findings"]}, case.name
    assert sorted(p.name for p in out.glob("*.docx")) == ["goed.docx"]
