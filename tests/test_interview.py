"""The interview through the command line: scripted answers (wrong ones re-asked), resume, Ctrl-C, English."""
from __future__ import annotations

import io
import json

import docx
import pytest
from click.testing import CliRunner
from conftest import DATA, example

from agreement_engine import api, cli
from agreement_engine.answers import normalize
from agreement_engine.cli import main
from agreement_engine.findings import Severity
from agreement_engine.word import render_docx

#: Each script answers the interview so that the example of the same name comes out (see the files).
SCRIPTS = sorted((DATA / "interview").glob("*.txt"))


def answers_of(name: str) -> list[str]:
    """Return the answers of a script: one a line, the question after two spaces and #, comments skipped."""
    lines = (DATA / "interview" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("  # ")[0].rstrip() for line in lines if not line.startswith("#")]


def run(answers: list[str], *args: str):
    return CliRunner().invoke(main, list(args), input="".join(f"{a}\n" for a in answers))


def written(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def as_example(name: str) -> dict:
    answers = example(name)
    answers.pop("$schema")
    return normalize(answers)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_gives_its_example_and_wrong_answers_are_asked_again(tmp_path, script):
    target = tmp_path / "antwoorden.json"
    result = run(answers_of(script.stem), "interview", "-o", str(target))
    assert result.exit_code == 0, result.output[-2000:]
    assert normalize(written(target)) == as_example(script.stem)
    assert not [f for f in api.check(target) if f.severity is not Severity.INFO]
    wrong = sum(" FOUT" in line for line in script.read_text(encoding="utf-8").splitlines()
                if not line.startswith("#"))
    assert result.output.count("\n  ! ") >= wrong > 0
    assert "Traceback" not in result.output


def test_interview_result_renders_as_a_word_document(tmp_path):
    target = tmp_path / "antwoorden.json"
    run(answers_of("twee-partijen"), "interview", "-o", str(target))
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
        screens = {s.stem: run(answers_of(s.stem), "interview", "-o", str(folder / f"{s.stem}.json")).output
                   for s in SCRIPTS}
    return {name: " ".join(screen.split()) for name, screen in screens.items()}


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
CUTS = [("twee-partijen", "KvK-nummer FOUT"), ("twee-partijen", "Verdeelmodel"),
        ("dak-en-thuis", "Aandeel van de Partij (%) – Straatwaarde"), ("dak-en-thuis", "Uiterste datum")]


@pytest.mark.parametrize("name, question", CUTS)
def test_interrupted_interview_is_saved_and_resumed(tmp_path, name, question):
    lines = [line for line in (DATA / "interview" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    cut = next(n for n, line in enumerate(lines) if line.split("  # ")[1].startswith(question))
    answers = answers_of(name)
    target = tmp_path / "antwoorden.json"
    first = run(answers[:cut], "interview", "-o", str(target))  # standard input ends: as good as Ctrl-C
    assert first.exit_code == 1 and f"--resume {target}" in first.output
    partial = written(target)
    assert partial and partial != as_example(name)
    second = run(answers[cut:], "interview", "--resume", str(target))
    assert second.exit_code == 0, second.output[-2000:]
    assert normalize(written(target)) == as_example(name)


def test_ctrl_c_saves_the_answers_so_far(tmp_path, monkeypatch):
    given = answers_of("twee-partijen")[:6]  # the fifth is a wrong date, the sixth the right one
    answers = iter(given)

    def read_line(prompt: str) -> str:
        for answer in answers:
            return answer
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_read_line", read_line)
    target = tmp_path / "antwoorden.json"
    result = CliRunner().invoke(main, ["interview", "-o", str(target)])
    assert result.exit_code == 1 and "Onderbroken" in result.output
    assert written(target) == {"alliance": {"name": given[0], "purpose": given[1], "recitals": [given[2]],
                                            "start_date": given[5]}}
    assert [p.name for p in tmp_path.iterdir()] == ["antwoorden.json"]  # no temporary file left behind


def test_interview_speaks_english_when_asked(tmp_path):
    target = tmp_path / "answers.json"
    result = run(answers_of("twee-partijen"), "--lang", "en", "interview", "-o", str(target))
    assert result.exit_code == 0, result.output[-2000:]
    screen = " ".join(result.output.split())  # long lines are wrapped
    assert "Name of the alliance: " in screen and "Another representative? (y/n) [n]: " in screen
    assert "Chamber of Commerce number (KvK): '0508743' does not have the right form" in screen
    assert "Each Party is only liable for its own failures" in screen  # the summary of variant A1
    assert normalize(written(target)) == as_example("twee-partijen")


def test_existing_file_is_not_overwritten(tmp_path):
    target = tmp_path / "antwoorden.json"
    target.write_text("{}", encoding="utf-8")
    result = run([], "interview", "-o", str(target))
    assert result.exit_code == 2 and "bestaat al" in result.output
    assert target.read_text(encoding="utf-8") == "{}"


def test_missing_folder_is_a_usage_error_before_any_question(tmp_path):
    result = run([], "interview", "-o", str(tmp_path / "bestaat-niet" / "antwoorden.json"))
    assert result.exit_code == 2 and "bestaat niet" in result.output
    assert "Naam van de alliantie" not in result.output


def test_interrupted_before_any_answer_writes_nothing(tmp_path):
    result = run([], "interview", "-o", str(tmp_path / "antwoorden.json"))
    assert result.exit_code == 1 and "nog niets beantwoord" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("content, message", [("{kapot", "geen geldige JSON"), ("[]", "JSON-object")])
def test_resume_from_a_broken_file_is_one_line_exit_1(tmp_path, content, message):
    target = tmp_path / "antwoorden.json"
    target.write_text(content, encoding="utf-8")
    result = run([], "interview", "--resume", str(target))
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
