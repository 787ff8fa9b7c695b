"""The fixed wording of documents: the phrases files of the clause library, their schema and lint, and the proof
that the engine's documents take every fixed word from them and none from the code."""
from __future__ import annotations

import ast
import re
import tempfile
import zipfile
from functools import cache
from io import BytesIO
from pathlib import Path

import docx
import pytest
import yaml
from conftest import apply_changes, example

from agreement_engine.answers import normalize
from agreement_engine.assemble import assemble_valid
from agreement_engine.comfort import evaluate as evaluate_comfort
from agreement_engine.compare import answer_changes, show_value
from agreement_engine.consequences import consequences
from agreement_engine.engine import Engine
from agreement_engine.errors import EngineError, LibraryError
from agreement_engine.formatting import formatter
from agreement_engine.library import DirectoryLoader, MemoryLoader, default_library
from agreement_engine.lint import lint
from agreement_engine.phrases import PHRASES, WORDS, placeholders, problems, used_phrases
from agreement_engine.variant_options import options, topics
from agreement_engine.word import render_docx
from agreement_engine.word.brief import render_brief
from agreement_engine.word.redline import render_redline
from agreement_engine.word.comfort_page import render_comfort
from agreement_engine.word.variants_page import render_variants

PACKAGE = Path(__file__).resolve().parent.parent / "agreement_engine"
NL = "phrases/nl.yaml"


def phrase_problems(text: str) -> list[str]:
    """Return what lint says of ``text`` as the Dutch phrases file (lint's own check, without the clauses')."""
    phrases = MemoryLoader({**DirectoryLoader().files(), NL: text}).load().phrases_for("nl")
    return [f"{phrases.file}: {phrase_id}: {message}" for phrase_id, message in problems(phrases)]


def literal_pieces(text: str) -> list[str]:
    """Return the pieces of a phrase text between its placeholders."""
    return [piece.strip() for piece in re.split(r"\{[a-z_]+\}", text) if piece.strip()]


# no document wording in the code --------------------------------------------------------------------

def code_strings(source: str) -> list[str]:
    """Return the string literals of a module that could become document text: not its docstrings, not the
    messages it shows the user (``_()``, ``N_()``, ``ngettext()``)."""
    tree = ast.parse(source)
    skip = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_", "ngettext"):
            skip.update(id(n) for arg in node.args for n in ast.walk(arg))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip]


@cache
def package_strings() -> dict[str, list[str]]:
    """Return the string literals of every module of the package, by file."""
    return {str(path.relative_to(PACKAGE)): code_strings(path.read_text(encoding="utf-8"))
            for path in sorted(PACKAGE.rglob("*.py"))}


def phrase_pieces() -> list[tuple[str, str]]:
    """Return (phrase id, piece) for each piece of two words or more of every phrase of the library."""
    return [(phrase_id, piece) for phrases in default_library().phrases.values()
            for phrase_id, text in phrases.entries if isinstance(text, str)
            for piece in literal_pieces(text) if len(piece.split()) >= 2]


def test_no_phrase_of_the_library_is_in_the_code():
    """A phrase of two words or more (or such a piece of one between placeholders) is in no string of the code."""
    found = [f"{phrase_id}: {piece!r} in {file}" for phrase_id, piece in phrase_pieces()
             for file, strings in package_strings().items() if any(piece in string for string in strings)]
    assert not found


def test_the_scan_would_find_a_phrase_in_the_code():
    strings = code_strings('TEXT = "KOMEN HET VOLGENDE " "OVEREEN:"\n')
    assert ("lead.agreement", "KOMEN HET VOLGENDE OVEREEN:") in phrase_pieces()
    assert any("KOMEN HET VOLGENDE OVEREEN:" in string for string in strings)
    assert len(phrase_pieces()) > 40


# every phrase reaches a document --------------------------------------------------------------------

def marked(text: str, phrase_id: str) -> str:
    return f"[{phrase_id}] {text}"


@cache
def marked_library(**replace: tuple[str, str]):
    """Return the installed library with every text phrase starting with its id in brackets, and in each
    clause file ``replace[name]`` = (old, new) replaced."""
    files = DirectoryLoader().files()
    for name, (old, new) in replace.items():
        assert old in files[f"clauses/{name}.yaml"]
        files[f"clauses/{name}.yaml"] = files[f"clauses/{name}.yaml"].replace(old, new)
    tree = yaml.safe_load(files[NL])

    def mark(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                mark(value, f"{prefix}{key}.")
            elif isinstance(value, str):
                node[key] = marked(value, f"{prefix}{key}")

    mark(tree["phrases"], "")
    files[NL] = yaml.safe_dump(tree, allow_unicode=True)
    return MemoryLoader(files).load()


CONTACTS = {"dehaven": {"name": "mevrouw A. Jansen", "function": "programmamanager", "email": "alliantie@dehaven.nl"},
            "gemeente": {"name": "de heer B. de Boer", "email": "b.deboer@utrecht.nl"}}
CONDITIONS = [{"party": "dehaven", "condition": "de raad van toezicht heeft ingestemd", "deadline": "2027-06-30"},
              {"party": "gemeente", "condition": "het college heeft besloten", "waivable_by": "all"}]
#: Answer sets that between them show every phrase: each kind of document with its default title, every annex
#: (with and without a period), signing together and separately.
ANSWER_SETS = {
    "alliance": ("dak-en-thuis", [["remove", ["document", "title"]], ["set", ["notices"], {"contacts": CONTACTS}],
                                  ["set", ["conditions"], CONDITIONS], ["remove", ["parties", 5, "short_name"]]]),
    "without-period": ("dak-en-thuis", [["remove", ["multi_year_plan", "period"]],
                                        ["set", ["governance", "rules_of_procedure"], "annex"],
                                        ["set", ["governance", "rules_of_procedure_text"],
                                         ["De Stuurgroep vergadert ten minste viermaal per jaar."]]]),
    "covenant": ("dak-en-thuis", [["set", ["document", "kind"], "covenant"], ["remove", ["document", "title"]]]),
    "cooperation": ("twee-partijen", [["remove", ["document", "title"]],
                                      ["set", ["alliance", "signing"], {"date": "2027-01-01", "mode": "separately"}]]),
}
#: Answer sets that with those above show every phrase of the board brief: each resources model, moment of
#: leaving, way of re-keying, cap and successor of clients, and an agreement that ends when a party leaves.
BRIEF_SETS = {
    "brief-output": ("dak-en-thuis", [["set", ["resources", "model"], "output_based"],
                                      ["set", ["withdrawal", "effective"], "end_of_month"],
                                      ["set", ["withdrawal", "continuation", "rekey"], "steering_decision"],
                                      ["set", ["liability", "cap"], {"kind": "none"}],
                                      ["set", ["insolvency", "step_in_party"], "onderdak"],
                                      ["set", ["client_continuity"], {"successor": "commissioner"}]]),
    "brief-plan": ("dak-en-thuis", [["set", ["resources", "model"], "annual_plan"],
                                    ["set", ["withdrawal", "effective"], "any_date"],
                                    ["set", ["client_continuity"], {"successor": "designated_party",
                                                                    "designated_party": "onderdak"}]]),
    "brief-ends": ("dak-en-thuis", [["set", ["withdrawal", "continuation", "min_parties"], 5]]),
}


@cache
def documents() -> dict[str, bytes]:
    """Return every kind of document the engine writes, made with the marked library."""
    library = marked_library()
    answers = {name: apply_changes(example(base), changes) for name, (base, changes) in ANSWER_SETS.items()}
    agreements = {name: assemble_valid(a, library) for name, a in answers.items()}
    out = {name: render_docx(agreement, provenance={}) for name, agreement in agreements.items()}
    with tempfile.TemporaryDirectory() as folder:  # a house template that prints the kind of document
        template = docx.Document()
        for text in ("{{ title }}", "{{ kind }}", "{{p body }}"):
            template.add_paragraph(text)
        template.save(Path(folder) / "soort.docx")
        out.update({f"kind-{name}": render_docx(agreement, Path(folder) / "soort.docx", provenance={})
                    for name, agreement in agreements.items()})
    phrases = library.phrases_for("nl")
    for old, new in (("alliance", "cooperation"), ("alliance", "alliance"), ("alliance", "covenant"),
                     ("covenant", "alliance")):
        out[f"redline-{old}-{new}"] = render_redline(agreements[old], agreements[new],
                                                     answer_changes(answers[old], answers[new], phrases),
                                                     names=("A.json", "B.json"), date="2027-01-01", provenance={})
    # answer sets given as data, not as files: the redline names them with a phrase
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "redline.docx"
        Engine(library).compare(answers["alliance"], answers["covenant"], target, date="2027-01-01")
        out["redline-data"] = target.read_bytes()
    for topic in topics(library):
        out[f"variants-{topic}"] = render_variants(agreements["alliance"], library.topics[topic],
                                                   options(answers["alliance"], topic, library), provenance={})
    # the board brief, and the variants page with comfort per party
    for name, (base, changes) in [*ANSWER_SETS.items(), *BRIEF_SETS.items()]:
        brief_answers = apply_changes(example(base), changes)
        out[f"brief-{name}"] = render_brief(assemble_valid(brief_answers, library), normalize(brief_answers, phrases),
                                            consequences(brief_answers), provenance={})
    out["variants-comfort"] = render_variants(agreements["alliance"], "Aansprakelijkheid",
                                              options(answers["alliance"], "liability", library), provenance={},
                                              comfort_met=lambda a: {"dehaven": True, "onderdak": False})
    # a variant whose condition an earlier variant shares: its answers choose the earlier one
    shadowed = marked_library(**{"1600-uittreding": ("when: \"withdrawal.exit_fee.kind == 'fixed'\"",
                                                     "when: \"withdrawal.exit_fee.kind == 'none'\"")})
    out["variants-shadowed"] = render_variants(assemble_valid(answers["alliance"], shadowed), "Uittreding",
                                               options(answers["alliance"], "withdrawal", shadowed), provenance={})
    # the comfort overview: all met, a must and a wish open (one met by the choices alone), only a wish open, none
    by_choice = {"party": "onderdak", "need": "Minstens drie deelnemers", "requires": "n_members >= 3"}
    comfort = {"all-met": answers["alliance"],
               "open": apply_changes(answers["alliance"], [["set", ["liability", "cap"], {"kind": "none"}],
                                                           ["set", ["disputes", "route"], "court"],
                                                           ["set", ["comfort", 6], by_choice]]),
               "wishes": apply_changes(answers["alliance"], [["set", ["disputes", "route"], "court"]]),
               "none": answers["cooperation"]}
    for name, comfort_answers in comfort.items():
        out[f"comfort-{name}"] = render_comfort(assemble_valid(comfort_answers, library),
                                                evaluate_comfort(comfort_answers, library), provenance={})
    return out


@cache
def document_xml() -> str:
    """Return the XML of every part of every document, as one text."""
    return "\n".join(zipfile.ZipFile(BytesIO(data)).read(name).decode("utf-8")
                     for data in documents().values() for name in zipfile.ZipFile(BytesIO(data)).namelist()
                     if name.endswith(".xml"))


#: Phrases no valid answer set shows, with how the engine would: a list of choices has at least one.
SHOWN_DIRECTLY = {"answer.none": lambda phrases: show_value([], ["insolvency", "events"], {}, phrases)}


@pytest.mark.parametrize("phrase_id", sorted(i for i, kind in used_phrases().items() if kind != WORDS))
def test_every_phrase_reaches_a_document(phrase_id):
    """The engine writes every phrase it uses from the library: marked in the library, it shows in a document."""
    if phrase_id in SHOWN_DIRECTLY:
        assert SHOWN_DIRECTLY[phrase_id](marked_library().phrases_for("nl")).startswith(f"[{phrase_id}]")
    else:
        assert f"[{phrase_id}]" in document_xml()


def test_name_words_keep_a_title_from_doubling_the_kind():
    phrases = default_library().phrases_for("nl")
    answers = apply_changes(example("dak-en-thuis"), [["remove", ["document", "title"]],
                                                      ["set", ["alliance", "name"], "Alliantie Dak en Thuis"]])
    assert phrases.words("kind.alliance.name_words")[-1] == "alliantie"
    assert assemble_valid(answers).title == "Alliantieovereenkomst Dak en Thuis"


# the file, its schema and lint ----------------------------------------------------------------------

def test_the_installed_phrases_are_complete():
    assert default_library().phrases_for("nl").ids() == set(used_phrases())
    assert not list(problems(default_library().phrases_for("nl")))


def test_every_placeholder_of_a_phrase_is_declared():
    phrases = default_library().phrases_for("nl")
    for phrase_id, expected in PHRASES.items():
        if expected != WORDS:
            assert set(placeholders(phrases._get(phrase_id))) == set(expected), phrase_id


NL_TEXT = DirectoryLoader().files()[NL]


@pytest.mark.parametrize("change, problem", [
    (("    parties: \"DE ONDERGETEKENDEN:\"\n", ""), "lead.parties: vaste tekst ontbreekt"),
    (("  party:\n", "  party:\n    spare: Reserve\n"), "party.spare: vaste tekst die de engine niet gebruikt"),
    (("heading: Artikel {number}", "heading: Artikel {nummer}"), "article.heading: plaatshouders {nummer} in plaats "
                                                                 "van {number}"),
    (("    date: \"Datum:\"\n", "    date: [Datum]\n"), "signature.date: moet een tekst zijn, geen lijst"),
    (("name_words: [convenant]", "name_words: convenant"), "kind.covenant.name_words: moet een lijst van woorden "
                                                           "zijn"),
])
def test_lint_names_each_phrase_that_is_missing_unused_or_malformed(change, problem):
    old, new = change
    assert old in NL_TEXT
    assert f"{NL}: {problem}" in phrase_problems(NL_TEXT.replace(old, new, 1))


def test_lint_names_a_document_language_without_phrases_and_each_phrase_problem():
    files = {name: text for name, text in DirectoryLoader().files().items() if name != NL}
    assert "phrases/nl.yaml: de vaste tekst voor documenten in de taal 'nl' ontbreekt" in [
        str(p) for p in lint(MemoryLoader(files))]
    files[NL] = NL_TEXT.replace("  party:\n", "  party:\n    spare: Reserve\n")
    assert [str(p) for p in lint(MemoryLoader(files))] == [
        "phrases/nl.yaml: party.spare: vaste tekst die de engine niet gebruikt"]


@pytest.mark.parametrize("text, message, line", [
    (NL_TEXT.replace("language: nl", "language: en"), "de taal 'en' hoort in phrases/en.yaml", 6),
    (NL_TEXT.replace("    recitals: \"OVERWEGENDE DAT:\"", "    recitals: 7"), "phrases/lead: ", 9),
    (NL_TEXT.replace("    date: \"Datum:\"", "    date: Datum: dag"), "geen geldige YAML", 16),
    ("- een lijst\n", "moet een YAML-mapping zijn", None),
])
def test_a_broken_phrases_file_names_file_and_line(text, message, line):
    with pytest.raises(LibraryError) as caught:
        MemoryLoader({**DirectoryLoader().files(), NL: text}).load()
    assert caught.value.file == NL and message in str(caught.value)
    if line:
        assert caught.value.line == line


def test_the_phrases_are_part_of_the_library_hash():
    files = DirectoryLoader().files()
    changed = MemoryLoader({**files, NL: NL_TEXT.replace("Vergelijking", "Vergelijking van antwoorden")}).load()
    assert changed.content_hash != MemoryLoader(files).load().content_hash


def test_a_language_without_phrases_or_notation_is_a_clear_error():
    with pytest.raises(LibraryError, match="geen vaste tekst voor de taal 'fr'"):
        default_library().phrases_for("fr")
    with pytest.raises(EngineError, match="geen notatie voor documenten in de taal 'fr'"):
        formatter("fr")
