"""The command line: exit codes, output formats and one-line errors, through CliRunner and as installed."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import DATA, EXAMPLES, example, installed_command, run, run_process



def test_check_valid_example_exits_0():
    result = run("check", str(EXAMPLES / "twee-partijen.json"))
    assert result.exit_code == 0
    assert result.output.startswith(f"{EXAMPLES / 'twee-partijen.json'}: geldig")


def test_check_prints_every_finding_and_exits_1(tmp_path):
    answers = example("dak-en-thuis")
    answers["parties"][0]["kvk"] = "12"
    answers["resources"]["shares"]["dehaven"] = 30
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{path}: ongeldig (2 fouten, 1 opmerking)"
    assert "schema.pattern" in lines[1] and "$.parties[0].kvk" in lines[1]
    assert "shares.sum" in lines[3] and "96,67%" in lines[3]


def test_check_json_format_is_a_sorted_list(tmp_path):
    answers = example("dak-en-thuis")
    answers["alliance"]["signing"]["date"] = "2027-06-01"
    answers["conditions"] = []  # a deadline before signing would be an error
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run("check", str(path), "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert [d["code"] for d in data] == ["signing.after_start", "insolvency.gemeente_excluded"]
    assert {d["severity"] for d in data} == {"warning", "info"}
    assert set(data[0]) == {"code", "severity", "path", "message"}


def test_strict_turns_warnings_into_exit_1(tmp_path):
    answers = example("twee-partijen")
    answers["insolvency"]["model"] = "automatic"
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    assert run("check", str(path)).exit_code == 0
    assert run("check", str(path), "--strict").exit_code == 1


def test_info_does_not_fail_strict():
    assert run("check", str(EXAMPLES / "dak-en-thuis.json"), "--strict").exit_code == 0


@pytest.mark.parametrize("path", sorted((DATA / "raw").glob("*.json")), ids=lambda p: p.name)
def test_malformed_input_is_one_line_exit_1(path):
    result = run("check", str(path))
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 2  # the verdict and the one finding
    assert "Traceback" not in result.output


def test_missing_file_is_a_usage_error(tmp_path):
    result = run("check", str(tmp_path / "bestaat-niet.json"))
    assert result.exit_code == 2
    assert "bestand niet gevonden" in result.output


def test_directory_is_a_usage_error(tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 2


def test_unknown_option_is_a_usage_error():
    assert run("check", "--kleur").exit_code == 2


def test_schema_command_prints_the_schema():
    data = json.loads(run("schema").output)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_installed_command_runs_as_a_subprocess(tmp_path):
    result = run_process("check", str(EXAMPLES / "dak-en-thuis.json"), "--format", "json",
                         command=installed_command(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["code"] == "insolvency.gemeente_excluded"


def test_module_entry_point_reports_bad_json_without_traceback(tmp_path):
    path = tmp_path / "kapot.json"
    path.write_text('{"schema_version": ', encoding="utf-8")
    result = run_process("check", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "geen geldige JSON op regel 1" in result.stdout


def test_strict_does_not_call_a_failing_set_valid(tmp_path):
    answers = example("twee-partijen")
    answers["insolvency"]["model"] = "automatic"
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    result = run("check", str(path), "--strict")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{path}: ongeldig met --strict (1 waarschuwing)"
    assert run("check", str(path)).output.startswith(f"{path}: geldig")


@pytest.mark.parametrize(("args", "dutch", "english"), [
    (["check", "--kleur"], "Fout: Onbekende optie '--kleur'.", "Error: No such option '--kleur'."),
    (["check"], "Gebruik: ", "Usage: "),
    (["check"], "Fout: Ontbrekend argument 'ANTWOORDEN.json'.", "Missing argument 'ANTWOORDEN.json'"),
    (["bestaat-niet"], "Onbekende opdracht 'bestaat-niet'.", "No such command 'bestaat-niet'."),
    (["check", "x.json", "--format", "xml"], "Ongeldige waarde voor '--format'", "Invalid value for '--format'"),
])
def test_clicks_own_messages_speak_the_language(args, dutch, english):
    assert dutch in run(*args).output
    assert english in run("--lang", "en", *args).output


def test_piping_into_head_ends_quietly(tmp_path):
    """``check --format json | head -1``: the closed pipe ends the command without an internal error."""
    reader, writer = os.pipe()
    os.close(reader)  # like head after its lines: nobody reads any more, so the first write fails (EPIPE)
    process = subprocess.Popen([*installed_command(), "schema"], stdout=writer, stderr=subprocess.PIPE)
    os.close(writer)
    stderr = process.communicate(timeout=60)[1].decode()
    assert process.returncode != 0
    assert "interne fout" not in stderr and "Traceback" not in stderr, stderr
