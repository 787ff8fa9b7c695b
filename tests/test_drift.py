"""explain against the manifest: which articles a lawyer edited, moved or deleted, and whether numbers and
cross-references still hold; and that render and batch never replace such a document without --force."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from conftest import EXAMPLES, run

from agreement_engine import output
from agreement_engine.api import render
from agreement_engine.drift import check_document, word_changes
from agreement_engine.word import read_provenance
from agreement_engine.word.body import bookmark_names
from agreement_engine.word.reader import article_regions, normal, read_blocks, written_articles

LAWYER_WORD = ("per kalenderjaar", "per boekjaar")


def headings(document: docx.Document) -> list[int]:
    """Return the indexes of the article headings among the document's paragraphs (numbered Heading1)."""
    out = []
    for index, paragraph in enumerate(document.paragraphs):
        numbering = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if paragraph.style.style_id == "Heading1" and numbering is not None and numbering.numId.val != 0:
            out.append(index)
    return out


def replace_in_article(document: docx.Document, number: int, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` once in a run of article ``number``; return the member's text before."""
    paragraphs = document.paragraphs
    starts = headings(document)
    for paragraph in paragraphs[starts[number - 1] + 1:starts[number]]:
        for text_run in paragraph.runs:
            if old in text_run.text:
                before = paragraph.text
                text_run.text = text_run.text.replace(old, new, 1)
                return before
    raise AssertionError(f"'{old}' is not in article {number}")


def delete_article(document: docx.Document, number: int) -> None:
    """Remove article ``number``: its heading and every paragraph up to the next article."""
    paragraphs = document.paragraphs
    starts = headings(document)
    for paragraph in paragraphs[starts[number - 1]:starts[number]]:
        paragraph._p.getparent().remove(paragraph._p)


@pytest.fixture
def rendered(tmp_path) -> Path:
    return render(EXAMPLES / "dak-en-thuis.json", tmp_path / "out" / "dak-en-thuis.docx").document


@pytest.fixture
def lawyers(rendered) -> Path:
    """The agreement as a lawyer returns it: a word changed in article 9, article 12 deleted (python-docx)."""
    document = docx.Document(rendered)
    replace_in_article(document, 9, *LAWYER_WORD)
    delete_article(document, 12)
    document.save(rendered)
    return rendered


def manifest_articles(document: Path) -> dict[int, dict]:
    return {a["number"]: a for a in json.loads(output.manifest_path(document).read_text("utf-8"))["articles"]}


def test_every_example_reads_back_exactly_as_the_engine_wrote_it(tmp_path, example_name):
    document = render(EXAMPLES / f"{example_name}.json", tmp_path / "x.docx").document
    checked = check_document(document, read_provenance(document))
    assert checked is not None and checked.consistent and not checked.document_changed
    written = json.loads(output.manifest_path(document).read_text("utf-8"))["articles"]
    regions = article_regions(read_blocks(document.read_bytes()))
    assert [len(region) for region in regions] == [len(article["paragraphs"]) for article in written]
    result = run("explain", str(document))
    assert result.exit_code == 0, result.output
    assert f"Alle {len(written)} artikelen hebben nog de tekst die de engine schreef." in result.output


def test_explain_names_exactly_the_edited_and_the_deleted_article(lawyers):
    articles = manifest_articles(lawyers)
    result = run("explain", str(lawyers))
    assert result.exit_code == 1, result.output
    report = result.output[result.output.index("Controle tegen het manifest"):]
    named = [line for line in report.splitlines() if line.startswith("  artikel ")]
    assert named == [f"  artikel 9 {articles[9]['title']} ({articles[9]['id']}): bewerkt",
                     f"  artikel 12 {articles[12]['title']} ({articles[12]['id']}): verwijderd"]
    assert '"kalenderjaar" \u2192 "boekjaar"' in report
    assert f"nummering: artikel 13\u2013{len(articles)} is nu 12\u2013{len(articles) - 1}" in report
    assert f"2 van de {len(articles)} artikelen wijken af" in report

    data = json.loads(run("explain", str(lawyers), "--format", "json").output)
    assert data["answers_sha256"] == read_provenance(lawyers)["answers_sha256"]  # the provenance is still there
    drift = data["drift"]
    assert drift["unchanged"] is False and drift["document_changed"] is True
    changed = {a["id"]: a for a in drift["articles"] if a["status"] != "unchanged"}
    assert set(changed) == {articles[9]["id"], articles[12]["id"]}
    assert changed[articles[12]["id"]] == {"id": articles[12]["id"], "title": articles[12]["title"], "number": 12,
                                          "now": None, "status": "deleted", "changes": []}
    edit, = changed[articles[9]["id"]]["changes"]
    assert edit["words"] == [{"old": "kalenderjaar", "new": "boekjaar"}] and edit["member"].startswith("9.")
    assert all(a["now"] == a["number"] - 1 for a in drift["articles"] if a["number"] > 12)
    # references to the deleted article point to nothing; the rest still show the old numbers
    problems = drift["references"]
    assert problems and all(p["should"] is None or int(p["shown"].split(".")[0]) > 12 for p in problems)
    assert {p["shown"].split(".")[0] for p in problems if p["should"] is None} == {"12"}


def test_render_and_batch_refuse_to_replace_the_edited_document_and_force_keeps_a_copy(lawyers, tmp_path):
    edited = lawyers.read_bytes()
    result = run("render", str(EXAMPLES / "dak-en-thuis.json"), "-o", str(lawyers))
    assert result.exit_code == 2 and "explain" in result.output and lawyers.read_bytes() == edited
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "dak-en-thuis.json", folder)
    result = run("batch", str(folder), "--out-dir", str(lawyers.parent), "--jobs", "1")
    assert result.exit_code == 1 and lawyers.read_bytes() == edited
    report = json.loads((lawyers.parent / "batch-report.json").read_text("utf-8"))
    assert [item["status"] for item in report["items"]] == ["edited"]

    result = run("render", str(EXAMPLES / "dak-en-thuis.json"), "-o", str(lawyers), "--force")
    assert result.exit_code == 0, result.output
    copy = lawyers.with_name("dak-en-thuis.edited-1.docx")
    assert copy.read_bytes() == edited
    assert run("explain", str(lawyers)).exit_code == 0  # the new document is the engine's again
    kept = run("explain", str(copy))  # the copy keeps its manifest, so the lawyer's edits can still be read
    assert kept.exit_code == 1 and "boekjaar" in kept.output and ": verwijderd" in kept.output


def test_a_moved_article_is_moved_and_the_others_are_not(rendered):
    document = docx.Document(rendered)
    starts = headings(document)
    paragraphs = document.paragraphs
    moving = [p._p for p in paragraphs[starts[4]:starts[5]]]  # article 5
    anchor = paragraphs[starts[7]]._p  # before article 8
    for element in moving:
        anchor.addprevious(element)
    document.save(rendered)
    articles = manifest_articles(rendered)
    data = json.loads(run("explain", str(rendered), "--format", "json").output)["drift"]
    changed = [(a["id"], a["status"], a["now"]) for a in data["articles"] if a["status"] != "unchanged"]
    assert changed == [(articles[5]["id"], "moved", 7)]


def test_an_added_paragraph_and_an_added_article_are_named(rendered):
    document = docx.Document(rendered)
    starts = headings(document)
    paragraphs = document.paragraphs
    member = paragraphs[starts[2] + 2]  # before the second member: the new paragraph follows 3.1
    new = member.insert_paragraph_before("Partijen evalueren dit artikel jaarlijks.", style=member.style)
    assert new.text
    heading = paragraphs[starts[20]].insert_paragraph_before("Nieuw artikel van de advocaat", style="Heading 1")
    heading._p.get_or_add_pPr().append(paragraphs[starts[20]]._p.pPr.numPr.__copy__())
    document.save(rendered)
    result = run("explain", str(rendered))
    assert result.exit_code == 1
    assert 'nieuwe alinea (lid 3.1): "Partijen evalueren dit artikel jaarlijks."' in result.output
    assert "artikel 21 Nieuw artikel van de advocaat: toegevoegd, niet door de engine geschreven" in result.output


def test_without_a_manifest_explain_shows_the_provenance_only(rendered):
    output.manifest_path(rendered).unlink()
    result = run("explain", str(rendered))
    assert result.exit_code == 0
    assert "Geen manifest met de tekst per artikel naast het document" in result.output
    assert "drift" not in json.loads(run("explain", str(rendered), "--format", "json").output)


def test_a_manifest_of_another_agreement_is_refused(rendered, tmp_path):
    other = render(EXAMPLES / "twee-partijen.json", tmp_path / "ander.docx").document
    result = run("explain", str(rendered), "--manifest", str(output.manifest_path(other)))
    assert result.exit_code == 1 and "hoort niet bij" in result.output and "Traceback" not in result.output
    renamed = tmp_path / "Concept Dak en Thuis (bewerkt).docx"
    shutil.copy(rendered, renamed)
    result = run("explain", str(renamed), "--manifest", str(output.manifest_path(rendered)))
    assert result.exit_code == 0 and "Alle " in result.output


@pytest.mark.parametrize("content", ["[" * 100_000, "{", "[]", '{"articles": 1}'])
def test_a_manifest_that_is_not_one_is_a_clear_error(rendered, content):
    output.manifest_path(rendered).write_text(content, "utf-8")
    result = run("explain", str(rendered))
    assert result.exit_code == 1 and "manifest" in result.output and "Traceback" not in result.output
    assert "interne fout" not in result.output


def test_a_damaged_manifest_is_a_clear_error(rendered):
    manifest = output.manifest_path(rendered)
    data = json.loads(manifest.read_text("utf-8"))
    data["articles"][3]["paragraphs"] = "kapot"
    manifest.write_text(json.dumps(data), "utf-8")
    result = run("explain", str(rendered))
    assert result.exit_code == 1 and "$.articles[3].paragraphs" in result.output and "Traceback" not in result.output


def test_the_manifest_records_each_article_with_its_hash_and_paragraphs(rendered):
    articles = json.loads(output.manifest_path(rendered).read_text("utf-8"))["articles"]
    provenance = read_provenance(rendered)
    assert [a["id"] for a in articles] == [c["id"] for c in provenance["clauses"] if c["article"]]
    assert all(len(a["sha256"]) == 64 and a["paragraphs"][0] == {"member": None, "text": a["title"]}
               for a in articles)
    assert len({a["sha256"] for a in articles}) == len(articles)
    assert "articles" not in provenance  # the document itself is unchanged: only the manifest grew


def test_word_changes_are_short():
    assert [(c.old, c.new) for c in word_changes("opzegging met zes maanden", "opzegging met twaalf maanden")] == [
        ("zes", "twaalf")]
    assert word_changes("gelijk", "gelijk") == ()


def test_written_articles_number_their_members_and_references():
    from agreement_engine.api import assemble
    agreement = assemble(EXAMPLES / "dak-en-thuis.json")
    articles = written_articles(agreement)
    withdrawal = next(a for a in articles if a["id"] == "uittreding")
    members = {p["member"] for p in withdrawal["paragraphs"][1:]}
    assert members == {m.number for m in agreement.article("uittreding").members}
    assert any(p.get("references") for a in articles for p in a["paragraphs"])


@pytest.mark.parametrize("heading", ["Doel", "Artikel 1 Doel", "Artikel 1 \u2013 Doel", "1. Doel"])
def test_a_heading_that_writes_its_number_as_text_is_still_the_engines(heading):
    from agreement_engine.drift import drift
    from agreement_engine.word.reader import Block
    written = [{"id": "doel", "number": 1, "title": "Doel", "bookmark": None,
                "paragraphs": [{"member": None, "text": "Doel"}, {"member": "1.1", "text": "Partijen werken samen."}]}]
    blocks = [Block("paragraph", "Heading1", "heading 1", 0, 7, text=heading, compared=heading),
              Block("paragraph", "AEMember", "artikellid", 1, 7, text="Partijen werken samen.",
                    compared="Partijen werken samen."),
              Block("table")]
    assert drift(written, blocks).consistent
    edited = drift(written, blocks[:1] + [Block("paragraph", "AEMember", "artikellid", 1, 7, text="Partijen werken.",
                                                compared="Partijen werken.")])
    assert [(a.status, a.changes[0].words[0].old) for a in edited.articles] == [("edited", "samen")]


@given(st.text(st.sampled_from(["a", "b", " ", "\t", "\n", "\u00a0", "\u2003", "\x1c", "\u3000"]), max_size=30))
def test_normal_text_is_its_words_with_one_space_between(text):
    assert normal(text) == " ".join(text.split())


def test_bookmark_names_are_the_same_whichever_way_the_labels_come():
    labels = ["uittreding.opzegging", "uittreding_opzegging", "a" * 60]
    first = bookmark_names(labels)
    first["x"] = "changed by a caller"
    assert bookmark_names(iter(reversed(labels))) == bookmark_names(set(labels)) == {
        "a" * 60: "ref_" + "a" * 27 + "_" + hashlib.sha1(("a" * 60).encode()).hexdigest()[:8],
        "uittreding.opzegging": "ref_uittreding_opzegging",
        "uittreding_opzegging": "ref_uittreding_opzegging_b5f5ce00"}
