"""Properties of the whole pipeline on generated answer sets: a valid one renders a correct document, an invalid
one is refused with a finding at the broken field and never with an exception."""
from __future__ import annotations

import io
import json
import re

import docx
from conftest import docx_text, example, run, visible_text
from hypothesis import HealthCheck, given, settings
from strategies import answer_sets, invalid_answer_sets
from test_word import computed_numbers, fields, num_pr, paragraphs, part, style, w

from agreement_engine import api
from agreement_engine.findings import Severity, json_path
from agreement_engine.model import Agreement
from agreement_engine.validate import validate
from agreement_engine.word import render_docx
from agreement_engine.word.body import bookmark_names

#: Drawing an answer set takes about 50 ms and rendering it about 100 ms: the sizes keep this file near ten seconds.
RENDERS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHECKS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: "artikel 6:248 BW", "artikel 26 AVG", "artikel 37 en artikel 236 Faillissementswet": references to the law.
_LAW = re.compile(r"\b(?:AVG|BW|Fw|WOR|Faillissementswet|Gemeentewet|Auteurswet|termijnenwet|Burgerlijk|Wetboek|Wet|Verordening|Mededingingswet|Verdrag|wet)\b")
_MENTION = re.compile(r"\b[Aa]rtikel(?:en)?\s+(\d+(?:\.\d+)?)(?![\d:])")


def errors(findings) -> list:
    return [(f.code, f.path, f.message) for f in findings if f.severity is Severity.ERROR]


def article_mentions(text: str) -> list[str]:
    """Return the numbers of this agreement's articles and members the text mentions ("artikel 7", "artikel 7.2"),
    leaving out references to a law (a law's name follows in the same clause of the sentence)."""
    mentions = []
    for match in _MENTION.finditer(text):
        rest = re.split(r"[;)]|\.\s", text[match.end():match.end() + 120], maxsplit=1)[0]
        if not _LAW.search(rest):
            mentions.append(match.group(1))
    return mentions


def model_numbers(agreement: Agreement) -> list[str]:
    """Return, in reading order, the number of each article ("Artikel 3") and each member ("3.2")."""
    numbers = []
    for article in agreement.articles:
        numbers.append(f"Artikel {article.number}")
        numbers.extend(member.number for member in article.members)
    return numbers


def assert_correct_document(answers: dict, agreement: Agreement, data: bytes) -> None:
    """Assert what every rendered agreement must satisfy, read back from the .docx."""
    docx.Document(io.BytesIO(data))  # opens
    text = docx_text(data)
    for party in answers["parties"]:
        assert party["name"] in text, party["name"]

    # articles 1..N and members N.1..N.M, in the model and as Word numbers the paragraphs
    assert [a.number for a in agreement.articles] == list(range(1, len(agreement.articles) + 1))
    for article in agreement.articles:
        assert [m.number for m in article.members] == [f"{article.number}.{i}"
                                                       for i in range(1, len(article.members) + 1)]
    heading = next(p for p in paragraphs(data) if style(p) == "Heading1" and num_pr(p))
    # a heading's list level shows no label: its text says "Artikel 3" (a SEQ field), a member's label "3.2"
    word_numbers = [number or " ".join(visible_text(p).split()[:2])
                    for p, number in computed_numbers(data, num_pr(heading)[0]) if num_pr(p)[1] < 2]
    assert word_numbers == model_numbers(agreement)

    # every article or member the text mentions exists
    existing = {n.removeprefix("Artikel ") for n in model_numbers(agreement)}
    assert set(article_mentions(text)) <= existing, sorted(set(article_mentions(text)) - existing)

    # every REF field points at a bookmark and shows the number of what it points at
    label_of = {name: label for label, name in bookmark_names(label for label, _ in agreement.labels).items()}
    root = part(data, "word/document.xml")
    bookmarks = {b.get(w("name")) for b in root.iter(w("bookmarkStart"))}
    for paragraph in root.iter(w("p")):
        for instruction, shown in fields(paragraph):
            if instruction.startswith("REF "):
                target = instruction.split()[1]
                assert target in bookmarks, instruction
                assert shown == agreement.number_of(label_of[target]), instruction


def test_the_examples_satisfy_the_document_properties():
    for name in ("dak-en-thuis", "twee-partijen"):
        answers = example(name)
        agreement = api.assemble(answers)
        data = render_docx(agreement, provenance={})
        assert article_mentions(docx_text(data))  # the property looks at something
        assert_correct_document(answers, agreement, data)


@RENDERS
@given(answer_sets())
def test_a_valid_answer_set_renders_a_correct_document(answers):
    assert errors(validate(answers)) == []
    agreement = api.assemble(answers)
    assert_correct_document(answers, agreement, render_docx(agreement, provenance={}))


@CHECKS
@given(invalid_answer_sets())
def test_an_invalid_answer_set_gets_an_error_at_the_broken_field(case):
    answers, path = case
    found = errors(validate(answers))
    assert json_path(list(path)) in {p for _, p, _ in found}, found


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(invalid_answer_sets())
def test_check_refuses_an_invalid_answer_set_with_exit_1(tmp_path, case):
    answers, path = case
    source = tmp_path / "antwoorden.json"
    source.write_text(json.dumps(answers), encoding="utf-8")
    result = run("check", "--format", "json", str(source))
    assert result.exit_code == 1
    assert json_path(list(path)) in {f["path"] for f in json.loads(result.output) if f["severity"] == "error"}
