"""The redline read back from the .docx: accepting every change gives B, rejecting every change gives A."""
from __future__ import annotations

import copy
import io
import itertools
import json
import re
import shutil
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import NS, apply_changes, example, installed_command, run, run_process, visible_text, w
from lxml import etree

from agreement_engine.assemble import assemble
from agreement_engine.compare import answer_changes
from agreement_engine.model import Agreement
from agreement_engine.validate import schema_at, validate
from agreement_engine.word import read_provenance, render_docx
from agreement_engine.word.redline import AUTHOR, render_redline

CORE_TOPICS = ("resources", "liability", "withdrawal", "insolvency")
BASE = "dak-en-thuis"
BODY = "DE ONDERGETEKENDEN:"


# reading a document as a reader of Word's review pane would after accepting or rejecting ------------

def document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _text(paragraph: etree._Element) -> str:
    """Return a paragraph's visible text, deleted text included: text and field results, never field codes."""
    return visible_text(paragraph, deleted=True)


def _where(paragraph: etree._Element) -> tuple[str | None, str | None]:
    style = paragraph.find("w:pPr/w:pStyle", NS)
    level = paragraph.find("w:pPr/w:numPr/w:ilvl", NS)
    return (None if style is None else style.get(w("val")), None if level is None else level.get(w("val")))


def revised(data: bytes, accept: bool = True, start: str = "Title") -> list[tuple[str | None, str | None, str]]:
    """Return (style, list level, text) per paragraph after accepting (or rejecting) every tracked change.

    Dropped text goes; a dropped paragraph mark joins its paragraph to the next one, which keeps its own
    style; a dropped table row goes with all its paragraphs. Reading starts at the first paragraph in
    style ``start`` (the cover's Title) or with text ``start``. Empty paragraphs of the signature table, which
    only its layout makes, are left out.
    """
    dropped = w("del" if accept else "ins")
    root = document(data)
    for mark in list(root.iter(dropped)):
        holder = mark.getparent()
        if holder.tag == w("trPr"):
            holder.getparent().getparent().remove(holder.getparent())
        elif holder.tag != w("rPr"):
            holder.remove(mark)
    out, carry, started = [], "", False
    for p in root.iter(w("p")):
        text = carry + _text(p)
        started = started or start in (_where(p)[0], text)
        if not started:
            continue
        if p.find(f"w:pPr/w:rPr/{dropped}", NS) is not None:
            carry = text
            continue
        carry = ""
        if _where(p)[0] == "AESignature" and not text:
            continue  # an empty line of the signature table: the agreement nests its rows, the comparison not
        out.append((*_where(p), text))
    return out


# the pairs of answer sets: every single-field change of the core topics, plus pairs that need two -----

def _leaf_paths(answers: dict, path: list) -> list[list]:
    node = schema_at(path) or {}
    if node.get("type") != "object":
        return [path]
    value = _get(answers, path)
    names = list(node.get("properties", {}))
    if isinstance(node.get("additionalProperties"), dict):
        names += sorted(value or {})
    return [leaf for name in names for leaf in _leaf_paths(answers, path + [name])]


def _get(answers: dict, path: list):
    for part in path:
        answers = answers.get(part) if isinstance(answers, dict) else None
    return answers


def _alternatives(answers: dict, path: list) -> list:
    node = schema_at(path) or {}
    current = _get(answers, path)
    current = node.get("default") if current is None else current
    if "enum" in node:
        return [v for v in node["enum"] if v != current]
    if node.get("type") == "boolean":
        return [not current]
    if node.get("type") == "array":
        choices = (schema_at(path + [0]) or {}).get("enum", [])
        return [[c for c in current if c != drop] for drop in current] + [current + [c] for c in choices
                                                                         if c not in current]
    if node.get("type") == "integer":
        low = node.get("minimum", 0)  # the least, where clauses often change form, and a step up
        return sorted({low, (current or low) + 1} - {current})
    if node.get("type") == "number":
        return [round((current or 1000) * 2 + 0.5, 2)]
    if path[-1] in ("lead_party", "step_in_party"):  # another member; one is enough
        return [p["id"] for p in answers["parties"] if p.get("role", "member") == "member" and p["id"] != current][:1]
    return []


def single_field_changes(base: str, topics=CORE_TOPICS) -> list[tuple[str, list]]:
    """Return (name, change) for every valid answer set that differs from ``base`` in one field of ``topics``."""
    answers = example(base)
    found = []
    for path in (leaf for topic in topics for leaf in _leaf_paths(answers, [topic])):
        for value in _alternatives(answers, path):
            change = ["set", path, value]
            if not any(f.severity.value == "error" for f in validate(apply_changes(answers, [change]))):
                found.append((f"{'.'.join(map(str, path))}={value}", [change]))
    return found


#: Changes a variant needs more than one field for, and whole other answer sets.
COMBINED = [
    ("fixed-exit-fee", [["set", ["withdrawal", "exit_fee"], {"kind": "fixed", "amount": 25000}]]),
    ("step-in", [["set", ["insolvency", "model"], "step_in"], ["set", ["insolvency", "step_in_party"], "onderdak"]]),
    ("own-costs", [["set", ["resources", "model"], "own_costs"], ["remove", ["resources", "shares"]],
                   ["remove", ["resources", "annual_budget"]],
                   ["set", ["resources", "contributions"], {"dehaven": 1000, "onderdak": 800, "straatwaarde": 300,
                                                            "schuldhulp": 500, "zorgpunt": 400}]]),
    ("joint-and-several", [["set", ["liability", "model"], "joint_and_several"]]
     + [["set", ["parties", i, "articles_allow_joint_liability"], True] for i in range(5)]),
    ("no-conditions-no-plan", [["set", ["conditions"], []], ["remove", ["multi_year_plan"]]]),
    ("share-cap", [["set", ["liability", "cap"], {"kind": "share_percent", "percent": 50}]]),
    ("annual-aggregate", [["set", ["liability", "cap", "annual_aggregate"], 2000000]]),
]

#: Fields whose generated single value is refused (a percentage above 100, an annual aggregate below the cap per
#: event); COMBINED changes them with a value that fits.
TOGETHER = {"liability.cap.percent", "liability.cap.annual_aggregate"}


def _without_party(answers: dict, party_id: str) -> dict:
    answers = copy.deepcopy(answers)
    answers["parties"] = [p for p in answers["parties"] if p["id"] != party_id]
    share = answers["resources"]["shares"].pop(party_id)
    answers["resources"]["shares"]["dehaven"] = round(answers["resources"]["shares"]["dehaven"] + share, 2)
    answers["multi_year_plan"]["party_tasks"].pop(party_id, None)
    answers["comfort"] = [need for need in answers.get("comfort", []) if need["party"] != party_id]
    for law in ("wmo", "jeugdwet", "wkkgz"):
        answers["quality"][law] = [pid for pid in answers["quality"].get(law, []) if pid != party_id]
    return answers


def pairs() -> list[tuple[str, dict, dict]]:
    base = example(BASE)
    out = [(name, base, apply_changes(base, changes)) for name, changes in single_field_changes(BASE)]
    out += [(name, base, apply_changes(base, changes)) for name, changes in COMBINED]
    out.append(("party-left", base, _without_party(base, "schuldhulp")))
    out.append(("other-alliance", base, example("twee-partijen")))
    out.append(("other-alliance-back", example("twee-partijen"), base))
    return out


PAIRS = pairs()


_ASSEMBLED: dict[str, Agreement] = {}


def assembled(answers: dict) -> Agreement:
    """Return the Agreement of ``answers``, assembled once per test session."""
    key = json.dumps(answers, sort_keys=True)
    if key not in _ASSEMBLED:
        _ASSEMBLED[key] = assemble(answers)
    return _ASSEMBLED[key]


def redline(old: dict, new: dict) -> bytes:
    return render_redline(assembled(old), assembled(new), answer_changes(old, new), names=("A.json", "B.json"),
                          date="2026-12-15", provenance={})


@lru_cache(maxsize=None)
def _base_rejected() -> list:
    return revised(render_docx(assembled(example(BASE)), provenance={}, toc=False), start=BODY)


def test_every_field_of_the_core_topics_changes_alone_except_a_share():
    """A share cannot change alone (the key must add up to 100); COMBINED changes them with the parties."""
    answers = example(BASE)
    fields = {".".join(map(str, leaf)) for topic in CORE_TOPICS for leaf in _leaf_paths(answers, [topic])}
    changed = {name.split("=")[0] for name, _ in single_field_changes(BASE)}
    assert changed | TOGETHER == {f for f in fields if not f.startswith("resources.shares.")}
    assert len(changed) > 20


@pytest.mark.parametrize("name, old, new", PAIRS, ids=[p[0] for p in PAIRS])
def test_accepting_gives_b_and_rejecting_gives_a(name, old, new):
    """The cover is the new agreement's, so rejecting gives A's text from the body on."""
    data = redline(old, new)
    assert revised(data, accept=True) == revised(render_docx(assembled(new), provenance={}, toc=False))
    a = _base_rejected() if old == example(BASE) else revised(render_docx(assembled(old), provenance={}, toc=False),
                                                              start=BODY)
    assert revised(data, accept=False, start=BODY) == a


def test_tracked_changes_carry_author_and_date():
    base = example(BASE)
    data = redline(base, apply_changes(base, [["set", ["withdrawal", "notice_months"], 12]]))
    marks = list(document(data).iter(w("ins"), w("del")))
    assert marks
    assert {(m.get(w("author")), m.get(w("date"))) for m in marks} == {(AUTHOR, "2026-12-15T00:00:00Z")}


# the tracked changes themselves -------------------------------------------------------------------

@pytest.fixture(scope="module")
def covenant() -> bytes:
    """A redline in which an article is inserted, so every later article moves one number."""
    base = example(BASE)
    return redline(base, apply_changes(base, [["set", ["document", "kind"], "covenant"],
                                               ["set", ["withdrawal", "notice_months"], 12]]))


def test_deleted_text_and_field_codes_are_written_as_deleted(covenant):
    root = document(covenant)
    deletions = list(root.iter(w("del")))
    assert any(d.find(f".//{w('delInstrText')}") is not None for d in deletions)
    for deletion in deletions:
        assert deletion.find(f".//{w('t')}") is None and deletion.find(f".//{w('instrText')}") is None
    for insertion in root.iter(w("ins")):
        assert insertion.find(f".//{w('delText')}") is None


def test_ids_of_changes_and_bookmarks_never_clash(covenant):
    root = document(covenant)
    ids = [e.get(w("id")) for e in root.iter(w("ins"), w("del"), w("bookmarkStart"))]
    assert len(ids) == len(set(ids))


def _heading(paragraph: etree._Element, title: str) -> bool:
    """Return whether ``paragraph`` is the heading of the article ``title`` ("Artikel 29 Toepasselijk recht", in a
    comparison with its old and new number: "Artikel 2829 ...")."""
    return _where(paragraph)[0] == "Heading1" and re.fullmatch(rf"Artikel \d+ {re.escape(title)}", _text(paragraph))


def test_an_inserted_article_is_inserted_whole_with_its_paragraph_marks(covenant):
    paragraphs = list(document(covenant).iter(w("p")))
    start = next(i for i, p in enumerate(paragraphs) if _heading(p, "Karakter van dit convenant"))
    article = [paragraphs[start]] + list(itertools.takewhile(lambda p: _where(p)[0] == "AEMember",
                                                             paragraphs[start + 1:]))
    assert len(article) > 1
    for p in article:
        assert p.find("w:pPr/w:rPr/w:ins", NS) is not None
        assert all(r.getparent().tag == w("ins") for r in p.findall(".//w:r", NS))


def test_an_article_that_only_moved_number_shows_no_change_but_its_references(covenant):
    paragraphs = list(document(covenant).iter(w("p")))
    for title, changed in (("Toepasselijk recht", False), ("Vrijwaring", True)):
        start = next(i for i, p in enumerate(paragraphs) if _heading(p, title))
        members = list(itertools.takewhile(lambda p: _where(p)[0] != "Heading1", paragraphs[start + 1:]))
        marks = [m for p in members for m in p.iter(w("ins"), w("del"))]
        assert bool(marks) == changed, title
        for mark in marks:  # only a reference's number changed: each change is one whole field
            codes = "".join(mark.xpath(".//w:instrText/text() | .//w:delInstrText/text()", namespaces=NS))
            assert codes.startswith(" QUOTE") or codes.startswith(" REF"), codes


def test_the_first_page_lists_the_answers_that_differ_before_the_cover(covenant):
    texts = [_text(p) for p in document(covenant).iter(w("p"))]
    cover = texts.index("Alliantieovereenkomst Dak en Thuis")
    first_page = texts[:cover]
    assert first_page[0] == "Vergelijking"
    for expected in ("$.document.kind", "Alliantieovereenkomst", "$.withdrawal.notice_months", "6", "12",
                     "Artikel 3 Karakter van dit convenant: nieuw"):
        assert expected in first_page, expected
    assert any(re.fullmatch(r"Artikel \d+ Vrijwaring: alleen verwijzingen naar een ander nummer", text)
               for text in first_page)


def test_a_redline_is_byte_identical_for_identical_input(covenant):
    base = example(BASE)
    again = redline(base, apply_changes(base, [["set", ["document", "kind"], "covenant"],
                                               ["set", ["withdrawal", "notice_months"], 12]]))
    assert again == covenant


# the command ------------------------------------------------------------------------------------

@pytest.fixture
def answer_files(tmp_path) -> tuple[Path, Path]:
    old, new = tmp_path / "a.json", tmp_path / "b.json"
    old.write_text(json.dumps(example(BASE)), encoding="utf-8")
    new.write_text(json.dumps(apply_changes(example(BASE), [["set", ["withdrawal", "notice_months"], 12]])),
                   encoding="utf-8")
    return old, new


@pytest.mark.parametrize("options, date", [([], "2026-12-15"), (["--date", "2027-02-01"], "2027-02-01")])
def test_compare_writes_the_redline_dated_from_the_input(answer_files, tmp_path, options, date):
    output = tmp_path / "redline.docx"
    result = run("compare", *map(str, answer_files), "-o", str(output), *options)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{output}: ")
    data = output.read_bytes()
    assert {m.get(w("date")) for m in document(data).iter(w("ins"), w("del"))} == {f"{date}T00:00:00Z"}
    provenance = read_provenance(data)
    assert (provenance["kind"], provenance["created"]) == ("compare", f"{date}T00:00:00Z")
    assert provenance["old"]["answers_sha256"] != provenance["new"]["answers_sha256"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "redline.docx"]  # no temporary file


def test_compare_of_an_invalid_answer_set_prints_its_findings_and_writes_nothing(answer_files, tmp_path):
    old, new = answer_files
    broken = json.loads(new.read_text(encoding="utf-8"))
    broken["parties"][0]["kvk"] = "12"
    new.write_text(json.dumps(broken), encoding="utf-8")
    result = run("compare", str(old), str(new), "-o", str(tmp_path / "redline.docx"))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{new}: ongeldig (1 fout, 1 opmerking)"
    assert "$.parties[0].kvk" in result.output
    assert not (tmp_path / "redline.docx").exists()


@pytest.mark.parametrize("target, code, message", [
    ("a.json/redline.docx", 1, "een deel van het pad is geen map"),
    (".", 2, "moet op .docx eindigen"),
])
def test_compare_that_cannot_write_says_why_and_leaves_nothing_behind(answer_files, tmp_path, target, code, message):
    assert (tmp_path / "a.json").is_file()
    before = sorted(tmp_path.iterdir())
    result = run("compare", *map(str, answer_files), "-o", str(tmp_path / target))
    assert result.exit_code == code
    assert message in result.output and "Traceback" not in result.output
    assert sorted(tmp_path.iterdir()) == before


def test_compare_of_a_missing_file_is_a_usage_error(answer_files, tmp_path):
    result = run("compare", str(answer_files[0]), str(tmp_path / "weg.json"), "-o", str(tmp_path / "r.docx"))
    assert result.exit_code == 2
    assert "bestand niet gevonden" in result.output


# LibreOffice ------------------------------------------------------------------------------------

def test_libreoffice_opens_a_redline_written_by_the_installed_command(answer_files, tmp_path):
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    output = tmp_path / "redline.docx"
    written = run_process("compare", *map(str, answer_files), "-o", str(output), command=installed_command())
    assert written.returncode == 0, written.stderr
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(output)], check=True, timeout=180, capture_output=True)
    text = subprocess.run(["pdftotext", str(tmp_path / "redline.pdf"), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    flowing = " ".join(text.split())
    assert "Vergelijking" in flowing and "$.withdrawal.notice_months" in flowing
    assert "opzegtermijn van zestwaalf (612) maanden" in flowing  # the deleted and the inserted words, both shown
    assert "Error: Reference source not found" not in text and "Fout: Verwijzing" not in text


@pytest.mark.parametrize("date", ["20270101", "2027-13-01", "morgen"])
def test_a_revision_date_that_is_not_yyyy_mm_dd_is_refused(answer_files, tmp_path, date):
    from agreement_engine.api import compare
    from agreement_engine.errors import EngineError

    with pytest.raises(EngineError, match="geen datum als JJJJ-MM-DD"):
        compare(*answer_files, tmp_path / "redline.docx", date=date)
    assert not (tmp_path / "redline.docx").exists()


# parties compared by who they are ---------------------------------------------------------------------

def without_party(answers: dict, party_id: str, heir: str) -> dict:
    """Return ``answers`` without the party ``party_id``: its share goes to ``heir``, every mention of it goes."""
    def drop(value):
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if k != party_id}
        if isinstance(value, list):
            return [drop(v) for v in value if v != party_id and not (
                isinstance(v, dict) and party_id in (v.get("id"), v.get("party")))]  # a party, or its comfort need
        return value

    new = drop(copy.deepcopy(answers))
    shares = new["resources"]["shares"]
    shares[heir] = round(shares[heir] + answers["resources"]["shares"][party_id], 2)
    return new


def first_page(data: bytes) -> list[str]:
    texts = [_text(p) for p in document(data).iter(w("p"))]
    return texts[:texts.index("Alliantieovereenkomst Dak en Thuis")]


def test_dropping_a_middle_party_names_that_party_alone():
    old = example(BASE)
    dropped = old["parties"][2]
    assert 0 < 2 < len(old["parties"]) - 1 and dropped["id"] == "straatwaarde"
    new = without_party(old, dropped["id"], heir=old["parties"][0]["id"])
    assert not [f for f in validate(new) if f.severity.value == "error"]
    changes = answer_changes(old, new)
    party_rows = [c for c in changes if c.path.startswith("$.parties")]
    assert [(c.path, c.title, c.old) for c in party_rows] == [
        ("$.parties[2]", f"Partij verwijderd: {dropped['name']}", dropped["name"])]
    others = [p["name"] for p in old["parties"] if p["id"] != dropped["id"]]
    for change in changes:  # no other party is said to change, leave or arrive
        assert not any(name in f"{change.old} {change.new}" for name in others[1:]) or change.path == "$.quality.wmo"
    assert "$.resources.shares.straatwaarde" in {c.path for c in changes}

    page = first_page(redline(old, new))
    joined = "\n".join(page)
    assert f"Partij verwijderd: {dropped['name']}" in page
    assert "Partij toegevoegd" not in joined
    for name in others:
        assert f"Partij verwijderd: {name}" not in joined and f"{name} vervalt" not in joined
    assert "Comparitie: gewijzigd (Vereniging Straatwaarde vervalt" in joined
    assert any(line.startswith("Overwegingen: gewijzigd") for line in page)
    assert "Ondertekening: gewijzigd (Vereniging Straatwaarde vervalt; “zesvoud” wordt “vijfvoud”)" in page
    assert any(re.fullmatch(r"Bijlage \d+ Verdeelsleutel: gewijzigd.*", line) for line in page)
    assert any("hoort niet bij de overeenkomst" in line and "B.json" in line for line in page)
    # and accepting every change still gives exactly B's agreement after that page
    assert revised(redline(old, new), accept=True) == revised(render_docx(assembled(new), provenance={}, toc=False))


def test_a_party_added_and_one_recognised_by_kvk_or_name_after_a_new_id():
    old = example(BASE)
    new = copy.deepcopy(old)
    renamed = new["parties"][1]
    renamed["id"] = "onderdak2"  # the same organisation under another id: recognised by its KvK number
    new["resources"]["shares"]["onderdak2"] = new["resources"]["shares"].pop("onderdak")
    new["multi_year_plan"]["party_tasks"]["onderdak2"] = new["multi_year_plan"]["party_tasks"].pop("onderdak")
    new["quality"]["wmo"] = [p if p != "onderdak" else "onderdak2" for p in new["quality"]["wmo"]]
    changes = [c for c in answer_changes(old, new) if c.path.startswith("$.parties")]
    assert [(c.path, c.old, c.new) for c in changes] == [("$.parties[1].id", "onderdak", "onderdak2")]
    added = copy.deepcopy(new["parties"][0])
    added.update(id="nieuw", name="Stichting Nieuw Begin", short_name="Nieuw Begin", kvk="12345678")
    new["parties"].insert(3, added)
    changes = [c for c in answer_changes(old, new) if c.path.startswith("$.parties")]
    assert [(c.path, c.title) for c in changes][-1] == ("$.parties[3]", "Partij toegevoegd: Stichting Nieuw Begin")
    assert len(changes) == 2
