"""Shared fixtures: the example answer sets, a way to derive variations from them, the bad-input corpus and
a reader for generated documents."""
from __future__ import annotations

import copy
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from hypothesis import settings
from lxml import etree

from agreement_engine.i18n import language

#: Property tests draw the same examples on every run, so a green CI stays green; set HYPOTHESIS_PROFILE=explore
#: to draw new ones (and keep what fails in .hypothesis/) when hunting for bugs.
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def dutch(monkeypatch):
    """Pin the language to Dutch: the machine's LANG (often en_US.UTF-8) must not decide what tests see."""
    monkeypatch.setenv("AGREEMENT_ENGINE_LANG", "nl")
    with language("nl"):
        yield


def example(name: str) -> dict:
    """Return a fresh copy of the example answer set ``examples/<name>.json``."""
    with (EXAMPLES / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


#: Changes that set a generated value: a text repeated N times (a megabyte without a megabyte of data file)
#: and N lists nested in each other.
_GENERATED = {"fill": lambda text, times: text * times, "nest": _nested}


def apply_changes(answers: dict, changes: list) -> dict:
    """Return ``answers`` with changes applied to a copy.

    A change is ``["set", path, value]``, ``["remove", path]``, ``["fill", path, text, times]`` or
    ``["nest", path, depth]``.
    """
    result = copy.deepcopy(answers)
    for change in changes:
        op, path = change[0], change[1]
        parent = result
        for part in path[:-1]:
            parent = parent[part]
        if op in _GENERATED:
            op, change = "set", ["set", path, _GENERATED[op](*change[2:])]
        if op == "set":
            if isinstance(parent, list) and path[-1] == len(parent):
                parent.append(change[2])
            else:
                parent[path[-1]] = change[2]
        elif op == "remove":
            del parent[path[-1]]
        else:
            raise ValueError(f"unknown change {op!r}")
    return result


def variation(base: str, *changes: list) -> dict:
    """Return the example ``base`` with ``changes`` applied."""
    return apply_changes(example(base), list(changes))


@pytest.fixture(params=sorted(p.stem for p in EXAMPLES.glob("*.json")))
def example_name(request) -> str:
    """Each example answer set by name."""
    return request.param


@dataclass(frozen=True)
class BadCase:
    """One input of the corpus and the finding it must give: tests/data/bad/<code>@<case>.json holds
    {base, changes, path} applied to an example; tests/data/raw/<code>@<case>.json is the file itself, found at "$"."""

    name: str
    code: str
    path: str
    source: Path

    @property
    def is_raw(self) -> bool:
        """Return whether the case is a file as it stands rather than a change to an example."""
        return self.source.parent.name == "raw"

    def answers(self) -> dict:
        """Return the answer set of a data case (an example with the case's changes)."""
        spec = json.loads(self.source.read_text(encoding="utf-8"))
        return apply_changes(example(spec["base"]), spec["changes"])

    def write(self, folder: Path) -> Path:
        """Write the case as an answer-set file in ``folder`` and return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{self.name}.json"
        if self.is_raw:
            target.write_bytes(self.source.read_bytes())
        else:
            target.write_text(json.dumps(self.answers()), encoding="utf-8")  # \u escapes keep lone surrogates
        return target


def _bad_case(source: Path) -> BadCase:
    name = source.name.removesuffix(".json")
    path = "$" if source.parent.name == "raw" else json.loads(source.read_text(encoding="utf-8"))["path"]
    return BadCase(name, name.split("@")[0], path, source)


#: Every case of the corpus, data cases first.
CORPUS = [_bad_case(p) for folder in ("bad", "raw") for p in sorted((DATA / folder).glob("*.json"))]


def docx_text(data: bytes) -> str:
    """Return the text python-docx reads in a document: body, tables and every header and footer."""
    document = docx.Document(io.BytesIO(data))
    texts = []

    def collect(container) -> None:
        texts.extend(p.text for p in container.paragraphs)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    collect(cell)

    collect(document)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            collect(part)
    return "\n".join(texts)


# reading WordprocessingML back ------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def w(tag: str) -> str:
    """Return the Clark name of a tag in the main WordprocessingML namespace."""
    return f"{{{W}}}{tag}"


def visible_text(paragraph: etree._Element, *, deleted: bool = False) -> str:
    """Return what a reader sees in a paragraph: text and field results, never field codes.

    With ``deleted`` the text of tracked deletions counts too (a redline before accepting or rejecting).
    """
    tags = (w("fldChar"), w("t"), w("tab")) + ((w("delText"),) if deleted else ())
    out, fields = [], []
    for node in paragraph.iter(*tags):
        if node.tag == w("fldChar"):
            kind = node.get(w("fldCharType"))
            if kind == "begin":
                fields.append("code")
            elif kind == "separate":
                fields[-1] = "result"
            else:
                fields.pop()
        elif all(state == "result" for state in fields):
            out.append("\t" if node.tag == w("tab") else node.text or "")
    return "".join(out)
