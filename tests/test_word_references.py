"""Cross-references that Word and LibreOffice both renumber: an article deleted by hand, every reference checked."""
from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import NS, example, visible_text, w
from lxml import etree

from agreement_engine.assemble import assemble
from agreement_engine.model import Ref
from agreement_engine.word import render_docx
from agreement_engine.word.body import bookmark_names

WRONG = "999"  # what the document says before LibreOffice computes the fields itself
REFERENCE = re.compile(r"\bartikel(?:en)?\s+(\d+(?:\.\d+)?)")


def paragraphs_of(agreement):
    for p in agreement.comparitie + agreement.recitals:
        yield p
    for article in agreement.articles:
        for member in article.members:
            yield member.body
            yield from member.items
    for annex in agreement.annexes:
        yield from annex.paragraphs


def field_results(root: etree._Element):
    """Yield (instruction, the w:t elements of its result) for each field in document order."""
    stack = []
    for node in root.iter(w("fldChar"), w("instrText"), w("t")):
        if node.tag == w("fldChar"):
            kind = node.get(w("fldCharType"))
            if kind == "begin":
                stack.append(["", [], False])
            elif kind == "separate" and stack:
                stack[-1][2] = True
            elif kind == "end" and stack:
                instruction, texts, _ = stack.pop()
                yield " ".join(instruction.split()), texts
        elif node.tag == w("instrText") and stack:
            stack[-1][0] += node.text or ""
        elif node.tag == w("t") and stack and stack[-1][2]:
            stack[-1][1].append(node)


def set_result(texts: list[etree._Element], value: str) -> None:
    texts[0].text = value
    for extra in texts[1:]:
        extra.text = ""


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_libreoffice_renumbers_every_reference_after_an_article_is_deleted(tmp_path):
    agreement = assemble(example("dak-en-thuis"))
    names = bookmark_names(label for label, _ in agreement.labels)
    referenced = {s.label for p in paragraphs_of(agreement) for s in p.segments if isinstance(s, Ref)}
    # an early article that nothing refers to: deleting it renumbers nearly every article after it
    gone = next(a for a in agreement.articles[2:]
                if a.clause_id not in referenced and not {m.label for m in a.members} & referenced)
    numbers = {}
    for article in agreement.articles:
        if article is gone:
            continue
        new = article.number - (article.number > gone.number)
        numbers[names[article.clause_id]] = str(new)
        for member in article.members:
            if member.label:
                numbers[names[member.label]] = f"{new}.{member.number.split('.', 1)[1]}"
    numbers.update({names[a.label]: str(a.number) for a in agreement.annexes})

    with zipfile.ZipFile(io.BytesIO(render_docx(agreement, provenance={}, toc=False))) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find("w:body", NS)
    heading = next(b for b in body.iter(w("bookmarkStart")) if b.get(w("name")) == names[gone.clause_id]).getparent()
    doomed = [heading]
    for node in heading.itersiblings():
        if node.find("w:pPr/w:pStyle[@w:val='Heading1']", NS) is not None:
            break
        doomed.append(node)
    for node in doomed:
        body.remove(node)
    # the text a reader must see, and the document LibreOffice gets: every number it shows wrong
    expected = copy.deepcopy(root)
    for tree, value in ((expected, None), (root, WRONG)):
        seq = 0
        for instruction, texts in field_results(tree):
            if instruction.startswith("SEQ Artikel"):
                seq += 1
                set_result(texts, value or str(seq))
            elif instruction.startswith("REF "):
                set_result(texts, value or numbers[instruction.split()[1]])
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    source = tmp_path / "bewerkt.docx"
    with zipfile.ZipFile(source, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    printed = subprocess.run(["pdftotext", str(tmp_path / "bewerkt.pdf"), "-"], check=True, capture_output=True,
                             text=True).stdout
    assert WRONG not in printed
    wanted = " ".join(visible_text(p) for p in expected.iter(w("p")))
    assert REFERENCE.findall(" ".join(printed.split())) == REFERENCE.findall(" ".join(wanted.split()))
    assert len(REFERENCE.findall(wanted)) > 40
    # the headings renumbered: the article after the deleted one now carries its number
    after = agreement.articles[gone.number]
    assert re.search(rf"^Artikel {gone.number} {re.escape(after.title)}$", printed, re.MULTILINE)
