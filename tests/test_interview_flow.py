"""The interview as a facilitator uses it: back, an overview, standard choices in groups, a script on standard
input, and a summary with the next command at the end (issue 18, points 5 and 6)."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DATA, installed_command, run
from test_interview import _typed, answers_of, as_example, complete, scripted, typed, written

from agreement_engine import api
from agreement_engine.answers import normalize
from agreement_engine.findings import Severity
from agreement_engine.i18n import language
from agreement_engine.interview import Interview, ScriptAnswers, propose_id

README = Path(__file__).parent.parent / "README.md"

#: A small alliance of three: what a facilitator types, by question; everything else is Enter.
THREE_PARTIES = """
$.alliance.name: Samen Sterk in de Wijk
$.alliance.purpose: Partijen bieden bewoners van de wijk één loket voor welzijn, schuldhulp en mantelzorgsteun.
$.alliance.start_date: 2027-04-01
$.alliance.term.kind: indefinite
$.parties[0].name: Stichting Welzijn Oost
$.parties[0].legal_form: stichting
$.parties[0].kvk: 41263875
$.parties[0].address.street: Dorpsstraat 1
$.parties[0].address.postal_code: 7411 AB
$.parties[0].address.city: Deventer
$.parties[0].representatives[0].name: mevrouw A. de Boer
$.parties[0].representatives[0].function: directeur-bestuurder
$.parties[1].name: Stichting Schuldhulp Deventer
$.parties[1].legal_form: stichting
$.parties[1].kvk: 30189462
$.parties[1].address.street: Brink 10
$.parties[1].address.postal_code: 7411 BR
$.parties[1].address.city: Deventer
$.parties[1].representatives[0].name: de heer B. Jansen
$.parties[1].representatives[0].function: bestuurder
$.parties[2]: j
$.parties[2].name: Vereniging Mantelzorg Deventer
$.parties[2].legal_form: vereniging
$.parties[2].kvk: 57830214
$.parties[2].address.street: Keizerstraat 5
$.parties[2].address.postal_code: 7411 HE
$.parties[2].address.city: Deventer
$.parties[2].representatives[0].name: mevrouw C. Smit
$.parties[2].representatives[0].function: voorzitter
$.resources.model: own_costs
$.resources.contributions.welzijn-oost: 5000
$.resources.contributions.schuldhulp-deventer: 3000
$.resources.contributions.mantelzorg-deventer: 1000
$.liability.model: own_acts
$.withdrawal.notice_months: 6
$.disputes.court: Rechtbank Overijssel
"""


def by_script(text: str) -> tuple[dict, list[tuple[str, str]], list[str]]:
    """Run the interview on a script; return the answers, (question, answer) per prompt, and what was said."""
    script = ScriptAnswers(text)
    asked: list[tuple[str, str]] = []
    said: list[str] = []

    def ask(prompt: str) -> str:
        answer = script(prompt)
        asked.append((session.asking, answer))
        return answer

    session = Interview(ask=ask, say=said.append)
    script.session = session
    with language("nl"):
        answers = session.run()
    assert not script.left(), script.left()
    return answers, asked, said


def test_a_three_party_answer_set_takes_fewer_than_40_prompts():
    """Target of issue 18: a valid answer set for three parties in under 40 prompts, Enter included.

    Before the standard choices this script took 125 prompts (the issue counted 94, before the sections on
    quality, publicity and the like were added); now 39."""
    answers, asked, said = by_script(THREE_PARTIES)
    findings = api.check(answers)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    assert [p["id"] for p in answers["parties"]] == ["welzijn-oost", "schuldhulp-deventer", "mantelzorg-deventer"]
    assert len(asked) < 40, [key for key, _answer in asked]
    blocks = [key for key, _answer in asked if key.endswith("(standaardkeuzes)")]
    assert blocks == ["$.parties (standaardkeuzes)", "$ (standaardkeuzes)"]
    screen = "\n".join(said)
    assert "== Standaardkeuzes ==" in screen and "Geheimhouding, IE en privacy: Nawerking" in " ".join(screen.split())


def test_standard_choices_are_asked_when_a_group_is_chosen():
    """Choosing a group asks its questions one by one; the others keep the standard choices."""
    answers, asked, _said = by_script(THREE_PARTIES + "$.confidentiality.survival_years: 5\n"
                                                       "$.parties[1].short_name: Schuldhulp\n")
    assert answers["confidentiality"]["survival_years"] == 5
    assert answers["parties"][1]["short_name"] == "Schuldhulp" and "short_name" not in answers["parties"][0]
    assert answers["governance"]["decision_rule"] == "unanimous"  # a group not chosen: its standard choice
    keys = [key for key, _answer in asked]
    assert "$.privacy.role" in keys and "$.governance.decision_rule" not in keys  # the whole group, no other
    assert "$.parties[1].id" in keys and "$.parties[0].id" not in keys
    assert dict(asked)["$.parties (standaardkeuzes)"] == "2"


def test_the_party_name_comes_before_its_id_which_is_proposed_from_the_name():
    keys = [key for key, _line in _typed("twee-partijen")]
    assert keys.index("$.parties[0].name") < keys.index("$.parties[0].id")
    _session, events = scripted(answers_of("twee-partijen"))
    asks = [text for kind, text in events if kind == "ask"]
    assert any(text.startswith("Kenmerk van de Partij [buurtwerk-zwolle]") for text in asks), asks
    assert propose_id("Stichting De Haven") == "haven" and propose_id("Stichting De Haven", {"haven"}) == "haven-2"


@pytest.mark.parametrize("where", ["$.alliance.purpose", "$.parties[0].legal_form", "$.parties[1].id",
                                   "$ (standaardkeuzes)", "$.resources.contributions.eettafel"])
def test_back_returns_to_the_previous_question_and_undoes_its_answer(where):
    lines = answers_of("twee-partijen")
    keys = [key for key, _line in _typed("twee-partijen")]
    at = keys.index(where)
    previous = at - 1
    while previous > 0 and keys[previous - 1] == keys[previous]:  # a refused answer and its repetition:
        previous -= 1  # one question, asked twice
    detour = [*lines[:at], "terug", *lines[previous:]]
    session, events = scripted(detour)
    assert session.answers == complete("twee-partijen")
    screen = "\n".join(text for kind, text in events if kind == "say")
    assert "Terug naar de vorige vraag:" in screen


def test_back_twice_goes_two_questions_back_and_a_changed_answer_stands():
    lines = answers_of("twee-partijen")
    # at the start date: back to the purpose, back again to the name, which now reads otherwise
    at = [key for key, _line in _typed("twee-partijen")].index("$.alliance.start_date")
    session, _events = scripted([*lines[:at], "terug", "terug", "Samen koken", *lines[1:]])
    assert session.answers["alliance"]["name"] == "Samen koken"
    assert session.answers == {**complete("twee-partijen"),
                               "alliance": {**complete("twee-partijen")["alliance"], "name": "Samen koken"}}


def test_back_at_the_first_question_says_there_is_none():
    session, events = scripted(["terug", *answers_of("twee-partijen")])
    assert any("er is geen vorige" in text for kind, text in events if kind == "say")
    assert session.answers == complete("twee-partijen")


def test_overview_shows_the_answers_so_far_by_section_and_asks_again():
    lines = answers_of("twee-partijen")
    at = [key for key, _line in _typed("twee-partijen")].index("$.parties[1].name")
    session, events = scripted([*lines[:at], "overzicht", *lines[at:]])
    assert session.answers == complete("twee-partijen")
    first_ask = [n for n, (kind, _text) in enumerate(events) if kind == "ask"][at]
    text = "\n".join(text for kind, text in events[first_ask:first_ask + 80] if kind == "say")
    assert "== Alliantie ==" in text and "Naam van de alliantie: Samen aan Tafel" in text
    assert "== Partijen ==" in text and "Partij 1 (Stichting Buurtwerk Zwolle) – KvK-nummer: 05087431" in text
    asks = [text for kind, text in events if kind == "ask"]
    assert asks[at] == asks[at + 1]  # the same question again after the overview


def test_the_end_shows_a_summary_the_findings_and_the_next_command(tmp_path):
    target = tmp_path / "antwoorden.json"
    result = run("interview", "-o", str(target), input=typed(answers_of("twee-partijen")))
    assert result.exit_code == 0, result.output[-2000:]
    end = result.output.split("Samenvatting van uw antwoorden:")[1]
    assert "== Verdeling van middelen ==" in end and "Jaarlijkse bijdrage" in end
    assert f"{target}: geldig" in end
    assert end.rstrip().endswith(f"Volgende stap, de overeenkomst maken: agreement-engine render {target}")


def readme_interview_commands() -> list[str]:
    """Return the interview commands of the README that read a script from tests/data/interview/."""
    text = README.read_text(encoding="utf-8")
    found = re.findall(r"^\s+(agreement-engine interview [^\n]*< tests/data/interview/[\w.-]+\.txt)\s*$", text, re.M)
    assert found, "the README shows no interview fed from tests/data/interview/"
    return found


@pytest.mark.parametrize("command", readme_interview_commands())
def test_the_readme_interview_commands_work_as_written(tmp_path, command):
    """Run the README's command verbatim in a shell, with the script files where the README says they are."""
    shutil.copytree(DATA / "interview", tmp_path / "tests" / "data" / "interview")
    program = " ".join(shlex.quote(part) for part in installed_command())
    result = subprocess.run(["bash", "-c", command.replace("agreement-engine", program, 1)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "AGREEMENT_ENGINE_LANG": "nl"})
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "Traceback" not in result.stderr and "interne fout" not in result.stdout
    name = re.search(r"interview/([\w-]+)\.txt", command).group(1)
    target = tmp_path / re.search(r"-o (\S+)", command).group(1)
    assert normalize(written(target)) == as_example(name)
    assert "Volgende stap, de overeenkomst maken: agreement-engine render" in result.stdout


def test_a_script_without_an_answer_to_a_required_question_stops_with_its_path(tmp_path):
    target = tmp_path / "a.json"
    script = "# alleen een naam\n$.alliance.name: Samen\n"
    result = run("interview", "-o", str(target), input=script)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "het script heeft geen antwoord op $.alliance.purpose" in " ".join(result.output.split())
    assert written(target)["alliance"] == {"name": "Samen"}  # saved, to continue with --resume
