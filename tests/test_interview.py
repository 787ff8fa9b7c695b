"""The interview through the command line: scripted answers (wrong ones re-asked), resume, Ctrl-C, English."""
from __future__ import annotations

import functools
import io
from collections import deque
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx
import pytest
from conftest import DATA, example, run, run_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreement_engine import api, cli
from agreement_engine.answers import normalize
from agreement_engine import interview as interview_stage
from agreement_engine.errors import OutputError
from agreement_engine.findings import Severity
from agreement_engine.i18n import language
from agreement_engine.interview import PROGRESS, Interview, ScriptAnswers, ScriptError, holds, in_schema_order
from agreement_engine.word import render_docx

#: Each script answers the interview by question so that the example of the same name comes out: "path: answer"
#: a line, the path being the question's ``Interview.asking``; a question it does not name gets Enter (see the
#: files).
SCRIPTS = sorted((DATA / "interview").glob("*.txt"))


def script_entries(name: str) -> list[tuple[str, str, bool]]:
    """Return the entries of a script: (question path, answer as typed, whether it is to be refused: FOUT)."""
    entries = []
    for line in (DATA / "interview" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        text, _sep, comment = line.partition("  # ")
        key, colon, answer = text.partition(": ") if ": " in text else text.rstrip().partition(":")
        assert colon and key.startswith("$"), f"{name}.txt: not 'path: answer': {line!r}"
        entries.append((key, answer.strip(), comment.startswith("FOUT")))
    return entries


class ByQuestion:
    """Answer an interview by the question it asks (``Interview.asking``), from queues of answers per path.

    The answers come from the interview's own ``ScriptAnswers`` (which also chooses the groups of standard
    choices that hold a question with an answer). A question without (more) answers gets Enter; one asked
    again and again without an answer, or an answer left over at the end (a question the interview no
    longer asks), fails the test with the path.
    """

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.script = ScriptAnswers("")
        self.script.queues = {key: list(values) for key, values in answers.items()}
        self.session: Interview | None = None
        self.typed: list[tuple[str, str]] = []  # (question, line) in the order asked

    def ask(self, prompt: str) -> str:
        key = self.session.asking
        self.script.session = self.session
        try:
            answer = self.script(prompt)
        except ScriptError:
            raise AssertionError(f"the script has no answer to {key} ({prompt.strip()}), asked again and again"
                                 ) from None
        self.typed.append((key, answer))
        return answer

    def left(self) -> dict[str, list[str]]:
        return {key: list(self.script.queues[key]) for key in self.script.left()}


def by_question(name: str, changes: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Run the interview on script ``name`` (``changes``: other answers to some questions) in this process and
    return what was typed, question by question: the lines the command line gets to give the same answers."""
    answers: dict[str, list[str]] = {}
    for key, answer, _wrong in script_entries(name):
        answers.setdefault(key, []).append(answer)
    answers.update({key: [value] for key, value in (changes or {}).items()})
    driver = ByQuestion(answers)
    driver.session = Interview(ask=driver.ask, say=lambda _text: None)
    driver.session.run()
    assert not driver.left(), f"{name}.txt answers questions the interview did not ask: {driver.left()}"
    return driver.typed


@functools.lru_cache(maxsize=None)
def _typed(name: str) -> tuple[tuple[str, str], ...]:
    with language("nl"):
        return tuple(by_question(name))


def answers_of(name: str) -> list[str]:
    """Return the lines to type for script ``name``, one per question asked, in the interview's order."""
    return [line for _key, line in _typed(name)]


def at(name: str, key: str, occurrence: int = 1) -> int:
    """Return the index, in the lines of script ``name``, of the ``occurrence``-th answer to question ``key``."""
    found = [n for n, (asked, _line) in enumerate(_typed(name)) if asked == key]
    assert len(found) >= occurrence, f"{name}: {key} is asked {len(found)} times"
    return found[occurrence - 1]


def typed(lines: list[str]) -> str:
    """Return lines as standard input: each answer, then Enter."""
    return "".join(f"{line}\n" for line in lines)


def written(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def as_example(name: str) -> dict:
    answers = example(name)
    answers.pop("$schema")
    return normalize(answers)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_gives_its_example_and_wrong_answers_are_asked_again(tmp_path, script):
    target = tmp_path / "antwoorden.json"
    result = run("interview", "-o", str(target), input=typed(answers_of(script.stem)))
    assert result.exit_code == 0, result.output[-2000:]
    assert normalize(written(target)) == as_example(script.stem)
    assert not [f for f in api.check(target) if f.severity is not Severity.INFO]
    wrong = sum(refused for _key, _answer, refused in script_entries(script.stem))
    assert result.output.count("\n  ! ") >= wrong > 0
    assert "Traceback" not in result.output


def test_a_script_answers_by_question_and_knows_what_the_interview_asks():
    with language("nl"):
        lines = [line for _key, line in by_question("twee-partijen", {"$.alliance.name": "Samen koken"})]
        assert lines[0] == "Samen koken" and lines[1:] == answers_of("twee-partijen")[1:]
        with pytest.raises(AssertionError, match=r"did not ask: \{'\$\.alliance\.nonsense'"):
            by_question("twee-partijen", {"$.alliance.nonsense": "x"})
        with pytest.raises(AssertionError, match=r"no answer to \$\.alliance\.start_date"):
            by_question("twee-partijen", {"$.alliance.start_date": "2027-02-30"})


def test_interview_result_renders_as_a_word_document(tmp_path):
    target = tmp_path / "antwoorden.json"
    run("interview", "-o", str(target), input=typed(answers_of("twee-partijen")))
    agreement = api.assemble(written(target))
    document = docx.Document(io.BytesIO(render_docx(agreement, provenance={})))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Samen aan Tafel" in text and "Stichting Buurtwerk Zwolle" in text


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory) -> dict[str, str]:
    """The screen of each scripted interview (whitespace collapsed: wrapping follows the terminal), run once."""
    folder = tmp_path_factory.mktemp("transcripts")
    with pytest.MonkeyPatch.context() as patch:  # module scope: the per-test Dutch pin does not apply yet
        patch.setenv("AGREEMENT_ENGINE_LANG", "nl")
        screens = {s.stem: run("interview", "-o", str(folder / f"{s.stem}.json"),
                               input=typed(answers_of(s.stem))).output for s in SCRIPTS}
    # the questions only: the summary of the answers at the end would count every answer once more
    return {name: " ".join(screen.split("Samenvatting van uw antwoorden:")[0].split()) for name, screen in screens.items()}


@pytest.mark.parametrize("name, absent", [
    ("twee-partijen", "Bedrag van de uittredingsvergoeding"),  # exit fee: none
    ("twee-partijen", "Aantal arbiters"),  # route: court
    ("twee-partijen", "Reactietermijn voor de curator"),  # insolvency: I2
    ("twee-partijen", "Verdeelsleutel"),  # resources: own costs
    ("twee-partijen", "Looptijd (jaren)"),  # indefinite term
    ("twee-partijen", "Collegebesluit"),  # no gemeente
    ("dak-en-thuis", "Aandeel van de Partij (%) – de Gemeente"),  # a commissioner takes no share
    ("dak-en-thuis", "Overnemende Partij"),  # insolvency: I3
    ("dak-en-thuis", "Jaarlijkse bijdrage"),  # resources: allocation key
    ("dak-en-thuis", "Aangewezen opvolgende Partij"),  # client continuity: the Stuurgroep designates
    ("dak-en-thuis", "Onderhandelingstermijn"),  # end of funding: the agreement ends with it
    ("twee-partijen", "Gevolg voor de samenwerking"),  # own costs, no financier: no article on funding
])
def test_questions_that_do_not_apply_are_not_asked(transcripts, name, absent):
    assert absent not in transcripts[name]


def test_a_gemeente_is_not_asked_for_a_kvk_number_nor_offered_as_lead_party(transcripts):
    screen = transcripts["dak-en-thuis"]
    assert screen.count("KvK-nummer: ") == 5  # six parties, one of them the gemeente
    lead_question = screen.split("Welke deelnemende Partij ontvangt het geld")[1].split("Penvoerder of")[0]
    assert "Stichting De Haven (dehaven)" in lead_question and "Gemeente Utrecht" not in lead_question


def test_choices_show_labels_and_what_each_variant_means(transcripts):
    screen = transcripts["twee-partijen"]
    assert "1) A1 Ieder aansprakelijk voor eigen handelen" in screen
    assert "Iedere Partij is alleen aansprakelijk voor haar eigen tekortkomingen" in screen  # variant summary
    assert "Verlenging: Geen verlenging: de overeenkomst eindigt van rechtswege (de enige keuze die hier past)" \
        in screen  # tacit renewal draws a warning with an indefinite term, so there is nothing to choose


#: Where a script is cut off: before the first answer to this question. Each is a point where every answer
#: before it has been written down (an optional question skipped just before an interruption comes back).
CUTS = [("twee-partijen", "$.parties[0].kvk"), ("twee-partijen", "$.resources.model"),
        ("dak-en-thuis", "$.resources.shares.straatwaarde"), ("dak-en-thuis", "$.conditions[0].deadline")]


@pytest.mark.parametrize("by_answers", [False, True], ids=["typed-lines", "answers-only"])
@pytest.mark.parametrize("name, question", CUTS)
def test_interrupted_interview_is_saved_and_resumed(tmp_path, name, question, by_answers):
    cut = at(name, question)
    answers = answers_of(name)
    target = tmp_path / "antwoorden.json"
    first = run("interview", "-o", str(target), input=typed(answers[:cut]))  # end of input: as good as Ctrl-C
    assert first.exit_code == 1 and f"--resume {target}" in first.output
    partial = written(target)
    assert partial and partial != as_example(name)
    if by_answers:  # a file without the typed lines (older, or written by hand) continues from its answers,
        del partial[PROGRESS]  # which need not be the questions that came next before (a choice of standard
        target.write_text(json.dumps(partial, ensure_ascii=False), encoding="utf-8")  # choices is asked again):
        rest = (DATA / "interview" / f"{name}.txt").read_text(encoding="utf-8")  # the script answers by question
    else:
        rest = typed(answers[cut:])
    second = run("interview", "--resume", str(target), input=rest)
    assert second.exit_code == 0, second.output[-2000:]
    assert normalize(written(target)) == as_example(name)


def test_ctrl_c_saves_the_answers_so_far(tmp_path, monkeypatch):
    given = answers_of("twee-partijen")[:at("twee-partijen", "$.alliance.term.kind")]  # up to the start date
    answers = iter(given)

    def read_line(prompt: str) -> str:
        for answer in answers:
            return answer
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_read_line", read_line)
    target = tmp_path / "antwoorden.json"
    result = run("interview", "-o", str(target))
    assert result.exit_code == 1 and "Onderbroken" in result.output
    saved = written(target)
    assert saved.pop(PROGRESS) == {"typed": given}  # what was typed, to continue exactly there
    alliance = example("twee-partijen")["alliance"]
    # the recitals are among the standard choices, asked (if chosen) at the end
    assert saved == {"alliance": {key: alliance[key] for key in ("name", "purpose", "start_date")}}
    assert [p.name for p in tmp_path.iterdir()] == ["antwoorden.json"]  # no temporary file left behind


def test_interview_speaks_english_when_asked(tmp_path):
    target = tmp_path / "answers.json"
    result = run("--lang", "en", "interview", "-o", str(target), input=typed(answers_of("twee-partijen")))
    assert result.exit_code == 0, result.output[-2000:]
    screen = " ".join(result.output.split())  # long lines are wrapped
    assert "Name of the alliance: " in screen and "Another representative? (y/n) [n]: " in screen
    assert "Chamber of Commerce number (KvK): '0508743' does not have the right form" in screen
    assert "Each Party is only liable for its own failures" in screen  # the summary of variant A1
    assert normalize(written(target)) == as_example("twee-partijen")


def test_existing_file_is_not_overwritten(tmp_path):
    target = tmp_path / "antwoorden.json"
    target.write_text("{}", encoding="utf-8")
    result = run("interview", "-o", str(target))
    assert result.exit_code == 2 and "bestaat al" in result.output
    assert target.read_text(encoding="utf-8") == "{}"


def test_missing_folder_is_a_usage_error_before_any_question(tmp_path):
    result = run("interview", "-o", str(tmp_path / "bestaat-niet" / "antwoorden.json"))
    assert result.exit_code == 2 and "bestaat niet" in result.output
    assert "Naam van de alliantie" not in result.output


def test_interrupted_before_any_answer_writes_nothing(tmp_path):
    result = run("interview", "-o", str(tmp_path / "antwoorden.json"))
    assert result.exit_code == 1 and "nog niets beantwoord" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("content, message", [("{kapot", "geen geldige JSON"), ("[]", "JSON-object")])
def test_resume_from_a_broken_file_is_one_line_exit_1(tmp_path, content, message):
    target = tmp_path / "antwoorden.json"
    target.write_text(content, encoding="utf-8")
    result = run("interview", "--resume", str(target))
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


# --- garbage: every line a user can type gets a message and the question again (issue 13, point 10) -----------

GARBAGE = json.loads((DATA / "interview" / "garbage.json").read_text(encoding="utf-8"))["answers"]
#: One question of each kind: (kind, script, the question before whose first answer the garbage is typed).
KINDS = [("text", "twee-partijen", "$.alliance.name"),
         ("lines", "twee-partijen", "$.alliance.recitals"),
         ("date", "twee-partijen", "$.alliance.start_date"),
         ("choice", "twee-partijen", "$.alliance.term.kind"),
         ("yes-no", "twee-partijen", "$.parties[0].representatives[1]"),
         ("integer", "twee-partijen", "$.withdrawal.notice_months"),
         ("amount", "twee-partijen", "$.resources.contributions.buurtwerk"),
         ("percentage", "dak-en-thuis", "$.resources.shares.dehaven"),
         ("party", "dak-en-thuis", "$.resources.lead_party"),
         ("several", "dak-en-thuis", "$.insolvency.events")]
#: What Python says when something escapes as an exception; none of it may reach the user.
INTERNALS = ("Traceback", "Error", "Exception", "sys.", "int_max_str_digits", "invalid literal", "interne fout")


class _Stop(Exception):
    """The scripted answers ran out: the test has seen what it needed."""


def typed_text(entry: dict) -> str:
    return entry["repeat"][0] * entry["repeat"][1] if "repeat" in entry else entry["text"]


def script_until(name: str, question: str) -> list[str]:
    """Return the lines of a script before the first answer to ``question``."""
    return answers_of(name)[:at(name, question)]


def scripted(lines: list[str], answers: dict | None = None, *, saved: dict | None = None):
    """Run an interview on ``lines`` in this process; return it and its events ("ask"/"say", text)."""
    events: list[tuple[str, str]] = []
    pending = iter(lines)

    def ask(prompt: str) -> str:
        events.append(("ask", prompt))
        for line in pending:
            return line
        raise _Stop

    def say(text: str) -> None:
        events.append(("say", text))
        assert len(events) < 20_000, "the interview talks without asking"

    session = Interview.resume(saved, ask=ask, say=say) if saved is not None else Interview(
        answers, ask=ask, say=say)
    try:
        session.run()
    except _Stop:
        pass
    return session, events


def outcome(events: list[tuple[str, str]], index: int) -> tuple[str, list[str]]:
    """Say what became of the answer given at the ``index``-th question: refused, accepted (or warned)."""
    asks = [n for n, (kind, _text) in enumerate(events) if kind == "ask"]
    start = asks[index]
    question = events[start][1]
    messages: list[str] = []
    for kind, text in events[start + 1:]:
        if kind == "say" and text.startswith("  ! "):
            messages.append(text)
        elif kind == "ask" and text == question and messages:
            return "refused", messages
    return ("warned" if messages else "accepted"), messages


def expected(kind: str, entry: dict) -> set[str]:
    if kind in entry.get("either", []):
        return {"refused", "accepted", "warned"}
    if kind in entry.get("accepted", []):
        return {"accepted", "warned"}
    return {"refused"}


@functools.lru_cache(maxsize=None)
def refusals(kind: str) -> dict[str, tuple[str, list[str], dict]]:
    """Type every garbage answer this question must refuse one after the other, in one session (run once)."""
    _kind, name, question = next(k for k in KINDS if k[0] == kind)
    prefix = script_until(name, question)
    entries = [e for e in GARBAGE if expected(kind, e) == {"refused"}]
    session, events = scripted([*prefix, *(typed_text(e) for e in entries)])
    return {e["name"]: (*outcome(events, len(prefix) + n), session.answers) for n, e in enumerate(entries)}


def _garbage_cases():
    for kind, script, question in KINDS:
        for entry in GARBAGE:
            yield pytest.param(kind, script, question, entry, id=f"{kind}-{entry['name']}")


@pytest.mark.parametrize("kind, name, question, entry", list(_garbage_cases()))
def test_garbage_gets_a_dutch_message_and_the_question_again(kind, name, question, entry):
    if expected(kind, entry) == {"refused"} and kind != "lines":  # a list is checked only when it ends
        said, messages, answers = refusals(kind)[entry["name"]]
    else:
        prefix = script_until(name, question)
        text = typed_text(entry)
        tail = [""] if kind == "lines" and text.strip() else []
        session, events = scripted([*prefix, text, *tail])
        (said, messages), answers = outcome(events, len(prefix)), session.answers
    assert said in expected(kind, entry), (said, messages)
    for message in messages:
        assert not any(word in message for word in INTERNALS), message
        assert len(message) < 1200, "a message repeats a huge answer in full"
    json.dumps(answers, ensure_ascii=False, allow_nan=False).encode("utf-8")  # what is kept can be saved


def test_garbage_through_the_command_line_standard_input(tmp_path):
    """Bytes that are not UTF-8, NUL and a carriage return on real standard input: a message, never a crash."""
    target = tmp_path / "antwoorden.json"
    name = answers_of("twee-partijen")[0]
    given = b"\xff\xfe kapot\n" + b"\x00\n" + name.encode("utf-8") + b"\n" + b"1e999999\n"
    result = run_process("interview", "-o", str(target), input=given, text=False, timeout=120, env=_dutch_env())
    out = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1 and "Onderbroken" in out, out[-2000:]
    assert "geen geldige UTF-8" in out and "U+0000" in out
    assert not any(word in out for word in INTERNALS), out[-2000:]
    assert written(target)["alliance"] == {"name": name, "purpose": "1e999999"}


# --- resume never loses an answer (points 1, 11 and 12) --------------------------------------------------------

#: Enter to every question a resumed example still asks (the fields it leaves out), whatever their number: the
#: proposed answer, or none. Lines left over when the interview ends are never read.
ENTER = [""] * 100


def resume_file(tmp_path, changes: dict, name: str = "twee-partijen"):
    answers = example(name)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = answers
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    target = tmp_path / "antwoorden.json"
    target.write_text(json.dumps(answers, ensure_ascii=False, indent=2), encoding="utf-8")
    return target, target.read_bytes()


def test_resume_drops_only_the_entry_of_an_unknown_party_and_keeps_the_file(tmp_path):
    tasks = {"buurtwerk": ["de wijkcontacten onderhouden"], "eettafel": ["de kookploeg leiden"],
             "onbekend": ["iets wat niemand doet"]}
    target, before = resume_file(tmp_path, {"multi_year_plan": {"ambition": "Samen eten", "party_tasks": tasks}})
    result = run("interview", "--resume", str(target), input=typed(ENTER))
    assert result.exit_code == 0, result.output[-2000:]
    assert "onbekend" in result.output and "iets wat niemand doet" in result.output  # what goes is named
    kept = written(target)["multi_year_plan"]["party_tasks"]
    assert kept == {"buurtwerk": ["de wijkcontacten onderhouden"], "eettafel": ["de kookploeg leiden"]}
    backup = tmp_path / "antwoorden.json.bak"
    assert backup.read_bytes() == before and f"staat in {backup}" in result.output


def test_resume_to_another_file_leaves_the_resumed_file_alone(tmp_path):
    tasks = {"buurtwerk": ["a"], "onbekend": ["b"]}
    source, before = resume_file(tmp_path, {"multi_year_plan": {"ambition": "Samen eten", "party_tasks": tasks}})
    result = run("interview", "--resume", str(source),  # no tasks
                 "-o", str(tmp_path / "nieuw.json"), input=typed(ENTER))
    assert result.exit_code == 0, result.output[-2000:]
    assert source.read_bytes() == before and not (tmp_path / "antwoorden.json.bak").exists()
    assert written(tmp_path / "nieuw.json")["multi_year_plan"]["party_tasks"] == {"buurtwerk": ["a"]}


def test_a_second_backup_never_overwrites_the_first(tmp_path):
    target, before = resume_file(tmp_path, {"conditions": [1]})
    (tmp_path / "antwoorden.json.bak").write_text("eerder", encoding="utf-8")
    result = run("interview", "--resume", str(target), input=typed(ENTER))  # no condition, no multi-year plan
    assert result.exit_code == 0, result.output[-2000:]
    assert (tmp_path / "antwoorden.json.bak").read_text(encoding="utf-8") == "eerder"
    assert (tmp_path / "antwoorden.json.bak-2").read_bytes() == before


SHARES = example("dak-en-thuis")["resources"]["shares"]


@pytest.mark.parametrize("shares, asked", [
    ({**SHARES, "dehaven": SHARES["dehaven"] + 5}, True),  # adds up to 105: the key is asked again
    ({}, True),  # no share at all
    ({**SHARES, "niemand": 5}, False),  # a share for a party that does not exist: that one goes
    ({**SHARES, "gemeente": 5}, False),  # a share for the commissioner: that one goes
], ids=["sum-105", "empty", "unknown-party", "commissioner"])
def test_resume_with_an_invalid_allocation_key_asks_again(tmp_path, shares, asked):
    answers = example("dak-en-thuis")
    answers["resources"]["shares"] = shares
    answers.pop("$schema")
    order = [party["id"] for party in answers["parties"] if party["id"] in SHARES]
    lines = [str(SHARES[party]) for party in order] if asked else []  # the right key, when it is asked again
    session, events = scripted(lines, saved=answers)
    assert session.answers["resources"]["shares"] == SHARES
    asks = [text for kind, text in events if kind == "ask"]
    share_questions = [text for text in asks if text.startswith("Aandeel van de Partij (%)")]
    assert len(share_questions) == (len(SHARES) if asked else 0)
    said = [text for kind, text in events if kind == "say" and text.startswith("  ! ")]
    assert said and len(said) < 10  # said once, not for ever
    assert asked or any("niemand" in text or "de Gemeente" in text or "Gemeente" in text for text in said)


@pytest.mark.parametrize("conditions", [[1, 2], "geen", [{"party": "buurtwerk"}, None], {"party": "x"}])
def test_resume_of_malformed_conditions_names_them_and_asks_again(tmp_path, conditions):
    target, _before = resume_file(tmp_path, {"conditions": conditions})
    result = run("interview", "--resume", str(target), input=typed([""] * 10))  # Enter: proposed answer or none
    assert "interne fout" not in result.output and "Traceback" not in result.output
    assert "Een voorwaarde toevoegen?" in result.output or "Omschrijving van de voorwaarde" in result.output
    assert "is weggelaten" in result.output


def test_resume_of_a_huge_number_speaks_dutch(tmp_path):
    target = tmp_path / "antwoorden.json"
    target.write_text('{"alliance": {"name": "x"}, "schema_version": ' + "9" * 4301 + "}", encoding="utf-8")
    result = run("interview", "--resume", str(target))
    assert result.exit_code == 1 and "sys." not in result.output and "Exceeds" not in result.output
    assert "'999999999999…' is geen getal" in result.output


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_resume_of_any_json_never_fails_internally_nor_loses_an_answer(tmp_path_factory, data):
    answers = example(data.draw(st.sampled_from(["twee-partijen", "dak-en-thuis"])))
    leaves = list(_paths(answers))
    for _round in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(leaves))
        value = data.draw(st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
            max_leaves=6))
        _set(answers, path, value)
    folder = tmp_path_factory.mktemp("resume")
    target = folder / "antwoorden.json"
    target.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    before = target.read_bytes()
    result = run("interview", "--resume", str(target))
    assert result.exit_code in (0, 1)
    assert "interne fout" not in result.output and "Traceback" not in result.output, result.output[-2000:]
    after = json.loads(target.read_text(encoding="utf-8"))
    backup = folder / "antwoorden.json.bak"
    assert holds(after, json.loads(before)) or backup.read_bytes() == before


def _paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from _paths(item, (*path, index))


def _set(root, path, value):
    """Put ``value`` at ``path`` if an earlier change left the way there; otherwise change nothing."""
    try:
        node = root
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    except (TypeError, IndexError, KeyError):
        pass


# --- resume continues exactly where it stopped (minor) ------------------------------------------------------------

def complete(name: str) -> dict:
    session, _events = scripted(answers_of(name))
    return in_schema_order(session.answers)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["twee-partijen", "dak-en-thuis"]), data=st.data())
def test_resume_after_end_of_input_at_any_answer_gives_the_same_answer_set(tmp_path_factory, name, data):
    answers = answers_of(name)
    cuts = sorted(data.draw(st.lists(st.integers(1, len(answers) - 1), min_size=1, max_size=3, unique=True)))
    target = tmp_path_factory.mktemp("cut") / "antwoorden.json"
    first = run("interview", "-o", str(target), input=typed(answers[:cuts[0]]))
    assert first.exit_code == 1 and "Onderbroken" in first.output, first.output[-2000:]
    for start, end in zip(cuts, [*cuts[1:], len(answers)]):
        result = run("interview", "--resume", str(target), input=typed(answers[start:end]))
        assert "interne fout" not in result.output, result.output[-2000:]
    assert result.exit_code == 0, result.output[-2000:]
    assert written(target) == complete(name)
    assert not list(target.parent.glob("*.bak*"))  # nothing was lost, so nothing needed keeping


def test_resume_continues_in_the_middle_of_a_list_and_after_a_skipped_question(tmp_path):
    answers = answers_of("dak-en-thuis")
    target = tmp_path / "antwoorden.json"
    # after the second of three recitals; right after a question answered with Enter (the obligation)
    for cut in (at("dak-en-thuis", "$.alliance.recitals", 3), at("dak-en-thuis", "$.alliance.signing.place")):
        target.unlink(missing_ok=True)
        run("interview", "-o", str(target), input=typed(answers[:cut]))
        second = run("interview", "--resume", str(target), input=typed(answers[cut:]))
        assert second.exit_code == 0, second.output[-2000:]
        assert "Verder waar het interview stopte" in second.output
        context = second.output.split("Verder waar het interview stopte")[1][:2000]
        if answers[cut - 1] == example("dak-en-thuis")["alliance"]["recitals"][1]:  # the lines typed so far
            # for this question are shown again
            assert "regel 2 (lege regel: klaar): " + answers[cut - 1][:60] in context
        assert written(target) == complete("dak-en-thuis")


def test_a_resume_file_changed_by_hand_continues_from_its_answers(tmp_path):
    answers = answers_of("twee-partijen")
    target = tmp_path / "antwoorden.json"
    cut = at("twee-partijen", "$.parties[0].name")
    run("interview", "-o", str(target), input=typed(answers[:cut]))
    edited = written(target)
    edited["alliance"]["name"] = "Samen aan Tafel Zwolle"
    target.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    result = run("interview", "--resume", str(target), input=typed(answers[cut:]))
    assert result.exit_code == 0, result.output[-2000:]
    assert written(target)["alliance"]["name"] == "Samen aan Tafel Zwolle" and PROGRESS not in written(target)


# --- signals and an unwritable target (point 14) --------------------------------------------------------------

def _dutch_env() -> dict:
    return {**os.environ, "AGREEMENT_ENGINE_LANG": "nl", "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_saves_the_answers_so_far(tmp_path, signame):
    target = tmp_path / "antwoorden.json"
    answers = script_until("twee-partijen", "$.alliance.start_date")  # name and purpose
    child = subprocess.Popen([sys.executable, "-m", "agreement_engine", "interview", "-o", str(target)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=_dutch_env())
    try:
        child.stdin.write("".join(f"{a}\n" for a in answers).encode("utf-8"))
        child.stdin.flush()
        seen = _read_until(child.stdout, b"Ingangsdatum")  # the child waits for this answer now
        child.send_signal(getattr(signal, signame))
        rest, _unused = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    output = (seen + rest).decode("utf-8", "replace")
    assert child.returncode == 1 and "Onderbroken" in output and "interne fout" not in output, output[-2000:]
    saved = written(target)
    assert saved["alliance"] == {"name": answers[0], "purpose": answers[1]}
    assert saved[PROGRESS]["typed"] == answers
    assert [p.name for p in tmp_path.iterdir()] == ["antwoorden.json"]


def _read_until(stream, marker: bytes, limit: float = 60) -> bytes:
    """Read the child's output until ``marker`` appears: explicit synchronisation, no sleeping."""
    seen = b""
    deadline = time.monotonic() + limit
    while marker not in seen:
        ready, _w, _x = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(stream.fileno(), 65536) if ready else b""
        assert chunk, f"the interview did not ask {marker!r}: {seen.decode('utf-8', 'replace')[-2000:]}"
        seen += chunk
    return seen


@pytest.fixture
def unwritable_folder(tmp_path):
    folder = tmp_path / "alleen-lezen"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        candidates = [folder, Path("/sys")]
        for candidate in candidates:
            try:
                handle, name = tempfile.mkstemp(dir=candidate)
            except OSError:
                yield candidate
                return
            os.close(handle)
            os.unlink(name)
        pytest.skip("no folder here refuses to be written (running as root without a read-only /sys)")
    finally:
        folder.chmod(0o755)


def test_an_unwritable_target_is_refused_before_the_first_question(unwritable_folder):
    result = run("interview", "-o", str(unwritable_folder / "antwoorden.json"),
                 input=typed(answers_of("twee-partijen")))
    assert result.exit_code == 1 and "kan niet worden geschreven" in result.output
    assert "Naam van de alliantie" not in result.output


# --- the statutory seat (issue 12, point 17) ------------------------------------------------------------------

def test_the_seat_is_asked_with_the_city_proposed(tmp_path, transcripts):
    assert transcripts["twee-partijen"].count("Statutaire zetel [Zwolle]: ") == 2
    target = tmp_path / "antwoorden.json"
    run("interview", "-o", str(target), input=typed(answers_of("twee-partijen")))
    assert [party["seat"] for party in written(target)["parties"]] == ["Zwolle", "Zwolle"]
    with language("nl"):
        lines = [line for _key, line in by_question("twee-partijen", {"$.parties[0].seat": "Kampen"})]
    target.unlink()
    run("interview", "-o", str(target), input=typed(lines))
    assert [party["seat"] for party in written(target)["parties"]] == ["Kampen", "Zwolle"]


def test_answers_that_cannot_be_saved_are_shown(tmp_path, monkeypatch):
    def full_disk(path, data):
        raise OutputError(f"{path}: kan niet worden geschreven: de schijf is vol")

    monkeypatch.setattr(interview_stage, "atomic_write", full_disk)
    given = answers_of("twee-partijen")[:at("twee-partijen", "$.alliance.start_date", 2)]  # a start date refused
    result = run("interview", "-o", str(tmp_path / "antwoorden.json"), input=typed(given))
    assert result.exit_code == 1 and "de schijf is vol" in result.output and "interne fout" not in result.output
    shown = result.output.split("met --resume verder te gaan:")[1]
    shown = json.loads(shown[:shown.rindex("}") + 1])
    assert shown["alliance"] == {"name": given[0], "purpose": given[1]} and shown[PROGRESS]["typed"] == given


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_resume_of_random_bytes_is_a_message(tmp_path_factory, content):
    target = tmp_path_factory.mktemp("bytes") / "antwoorden.json"
    target.write_bytes(content)
    result = run("interview", "--resume", str(target))
    assert result.exit_code in (0, 1) and "interne fout" not in result.output and "Traceback" not in result.output


# --- what is asked when (issue 14, loose ends) ----------------------------------------------------------------

def test_a_warranty_is_not_asked_for_a_deadline(transcripts):
    """Dak en Thuis has three conditions (one deadline typed wrong first) and one warranty: four date prompts.

    A condition is still asked for its deadline (four, not none); the warranty is not (four, not five).
    """
    screen = transcripts["dak-en-thuis"]
    assert screen.count("Uiterste datum (Enter: overslaan): ") == 4
    warranty = screen.index("de gemeenteraad van Utrecht heeft in de begroting 2027")
    after = screen[warranty:]
    assert after.index("Wie kan van de voorwaarde afzien") < after.index("Uiterste datum")


def test_notes_about_a_later_question_wait_for_that_question(transcripts):
    """The seat and the basis are proposed at their own questions, not announced as assumptions before them."""
    for screen in transcripts.values():
        assert "statutaire zetel niet opgegeven" not in screen
        assert "niet opgegeven; aangenomen: statutair bevoegd" not in screen
    assert transcripts["twee-partijen"].index("Plaats: ") < transcripts["twee-partijen"].index("Statutaire zetel [")


def test_the_continuity_and_funding_questions_are_asked(transcripts):
    for screen in transcripts.values():
        assert "Wie zet de hulp voort [1]: " in screen and "Kosten van de overdracht [1]: " in screen
    assert "Gevolg voor de samenwerking [1]: " in transcripts["dak-en-thuis"]
    assert "Aankondiging door de financier (maanden) [6]: " in transcripts["dak-en-thuis"]
