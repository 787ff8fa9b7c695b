"""Translations: the language rule, complete and compiled catalogs, English findings, messages and help."""
from __future__ import annotations

import json
import re
import string
import subprocess

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner
from conftest import DATA, EXAMPLES, ROOT, apply_changes, example
from test_cli import _installed_command

from agreement_engine.cli import TranslatedCommand, TranslatedGroup, help_text, main
from agreement_engine.findings import CATALOG
from agreement_engine.i18n import DOMAIN, LOCALE_DIR, _, language
from agreement_engine.validate import validate

PO = LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
UPDATE = ("pybabel extract, update and compile as in the README (section Vertalingen), "
          "then translate what is new in the .po file")


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_finding_code_has_a_dutch_and_an_english_message(code):
    dutch = CATALOG[code][1]
    with language("en"):
        english = _(dutch)
    assert dutch.strip() and english.strip()
    if re.search(r"[a-z]", re.sub(r"\{[^}]*\}", "", dutch)):  # "{title}: {detail}" reads the same in both
        assert english != dutch, f"{code} has no English message; {UPDATE}"
    assert _fields(english) == _fields(dutch)


def _extracted() -> set:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return {message for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map)}


def test_catalog_translates_every_message_in_the_sources():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple)
                                                                        else [m.string])}
    missing = sorted(map(str, _extracted() - translated))
    assert not missing, f"{len(missing)} message(s) without English translation; {UPDATE}: {missing[:5]}"


def _messages(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value
    return {plain(m.id): plain(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def test_compiled_catalog_is_up_to_date():
    with PO.open("rb") as handle:
        source = _messages(read_po(handle))
    with MO.open("rb") as handle:
        compiled = _messages(read_mo(handle))
    assert compiled == source, f"{MO.name} is older than {PO.name}: run pybabel compile (README, Vertalingen)"


def _commands(command: click.Command, path: tuple = ()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(main))


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "main" for p, _command in COMMANDS])
def test_every_help_text_has_an_english_translation(path, command):
    assert isinstance(command, TranslatedCommand | TranslatedGroup), "made outside the translating group"
    params = command.get_params(click.Context(command))
    texts = [command.help] + [p.help for p in params if getattr(p, "help", None)]
    with language("en"):
        english = [help_text(t) for t in texts]
    untranslated = [t for t, e in zip(texts, english) if e == help_text(t)]
    assert not untranslated, f"help of '{' '.join(path)}' not translated; {UPDATE}: {untranslated}"


def test_help_is_shown_in_the_language_asked_for():
    english = CliRunner().invoke(main, ["--lang", "en", "check", "--help"]).output
    dutch = CliRunner().invoke(main, ["check", "--help"]).output
    assert "Check an answer set" in english and "Treat warnings as errors" in english
    assert "Show this message and exit." in english
    assert "Controleer een antwoordenset" in dutch and "Toon deze hulptekst en stop." in dutch


BAD = sorted((DATA / "bad").glob("*.json"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_findings_speak_english_when_asked(path):
    spec = json.loads(path.read_text(encoding="utf-8"))
    answers = apply_changes(example(spec["base"]), spec["changes"])
    dutch = {(f.code, f.path): f.message for f in validate(answers)}
    with language("en"):
        english = {(f.code, f.path): f.message for f in validate(answers)}
    assert english.keys() == dutch.keys()
    for key, message in english.items():
        assert message != dutch[key], message
        assert not {" de ", " het ", " een ", " moet ", " niet ", " geen "} & {f" {w} " for w in message.split()}, \
            message


@pytest.mark.parametrize("environment, expected", [
    ({"AGREEMENT_ENGINE_LANG": "en"}, "valid"),
    ({"AGREEMENT_ENGINE_LANG": "", "LANG": "en_US.UTF-8"}, "valid"),
    ({"AGREEMENT_ENGINE_LANG": "", "LANG": "C.UTF-8"}, "geldig"),
    ({"AGREEMENT_ENGINE_LANG": "nl", "LC_ALL": "en_GB.UTF-8"}, "geldig"),
])
def test_environment_chooses_the_language(monkeypatch, environment, expected):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    output = CliRunner().invoke(main, ["check", str(EXAMPLES / "twee-partijen.json")]).output
    assert output.split(": ")[1].split()[0] == expected


def test_lang_option_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("AGREEMENT_ENGINE_LANG", "en")
    output = CliRunner().invoke(main, ["--lang", "nl", "check", str(EXAMPLES / "twee-partijen.json")]).output
    assert ": geldig" in output


def test_the_installed_command_ships_the_english_catalog(tmp_path):
    result = subprocess.run([*_installed_command(), "--lang", "en", "check", str(EXAMPLES / "dak-en-thuis.json")],
                            capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    assert "valid (1 note)" in result.stdout and "a municipality cannot be declared bankrupt" in result.stdout


@pytest.mark.parametrize("command", [
    ["render", str(EXAMPLES / "dak-en-thuis.json")],
    ["compare", str(EXAMPLES / "dak-en-thuis.json"), str(EXAMPLES / "twee-partijen.json")],
    ["variants", "term", str(EXAMPLES / "twee-partijen.json")],
], ids=lambda c: c[0])
def test_what_is_written_is_dutch_whatever_the_command_line_speaks(command, tmp_path):
    written = {}
    for lang in ("nl", "en"):
        target = tmp_path / lang / "uit.docx"
        result = CliRunner().invoke(main, ["--lang", lang, *command, "-o", str(target)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        written[lang] = sorted((p.name, p.read_bytes()) for p in target.parent.iterdir())
    assert written["en"] == written["nl"]
