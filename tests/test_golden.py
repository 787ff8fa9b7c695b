"""Every example and every renderable corpus document is byte-identical to the hashes committed in
tests/data/golden/documents.json: a speed-up (or any other change) that changes a document fails here.

Per document the sha256 of every part of the .docx is kept, word/document.xml and all the others, except the two
provenance parts (customXml/item1.xml and docProps/custom.xml), which carry the library's hash and the engine's
version and so change with any clause. When a document's content changes on purpose, regenerate the hashes
deliberately and commit them with the change that explains it:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_golden.py

(that run writes the file when the module is loaded and then compares against it, so it passes); review the diff of documents.json: only
the documents and parts the change meant to touch may differ.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, EXAMPLES, DATA

from agreement_engine import api
from agreement_engine.findings import CATALOG, Severity, has_errors

GOLDEN = DATA / "golden" / "documents.json"

#: The parts that carry provenance (library hash, engine version): compared by the provenance tests, not here.
PROVENANCE = frozenset({"customXml/item1.xml", "docProps/custom.xml"})


def documents() -> dict[str, dict | Path]:
    """Return every document to hold still, by name: the examples (a path) and the corpus cases whose answer set
    renders (its finding is a warning or a note and nothing else is an error; an answer set)."""
    found: dict[str, dict | Path] = {f"example/{path.stem}": path for path in sorted(EXAMPLES.glob("*.json"))}
    for case in CORPUS:
        if not case.is_raw and CATALOG[case.code][0] is not Severity.ERROR \
                and not has_errors(api.check(case.answers())):
            found[f"corpus/{case.name}"] = case.answers()
    return found


def _committed() -> dict[str, dict[str, str]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {}


def part_hashes(source) -> dict[str, str]:
    """Return the sha256 of every part of the rendered document of ``source``, provenance parts left out."""
    with zipfile.ZipFile(io.BytesIO(api.render_document(source).docx)) as package:
        return {name: hashlib.sha256(package.read(name)).hexdigest() for name in sorted(package.namelist())
                if name not in PROVENANCE}


if os.environ.get("UPDATE_GOLDEN"):
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps({name: part_hashes(source) for name, source in documents().items()}, indent=1,
                                 sort_keys=True) + "\n", encoding="utf-8")

#: The committed hashes by document name (read once; the names parametrize the test below).
GOLDEN_HASHES = _committed()


def test_every_renderable_document_has_committed_hashes():
    assert sorted(GOLDEN_HASHES) == sorted(documents())
    assert all("word/document.xml" in parts for parts in GOLDEN_HASHES.values())


@pytest.mark.parametrize("name", sorted(GOLDEN_HASHES))
def test_the_document_is_byte_identical_to_its_committed_hashes(name):
    source = EXAMPLES / f"{name.split('/', 1)[1]}.json" if name.startswith("example/") else \
        next(case for case in CORPUS if f"corpus/{case.name}" == name).answers()
    assert part_hashes(source) == GOLDEN_HASHES[name], f"{name} changed; see this file's docstring"
