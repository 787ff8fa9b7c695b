"""Drift: how a generated agreement moved away from what the engine wrote, article by article.

The manifest beside a document records, per article, the text of every paragraph the engine wrote and its
hash (:func:`agreement_engine.word.reader.written_articles`). :func:`check_document` reads the document as it
is now and says, per article, whether its text is still the engine's, edited (with the words that changed),
moved or deleted, which articles a lawyer added, and whether numbers and cross-references are consistent.
Cross-references count as one word whatever number they show, so a number that changed because an article
was deleted (and fields were updated) is not an edit of the text; a reference that no longer shows the
number of what it points to, or points to something that is gone, is reported as such.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from agreement_engine.compare import changed_words, similar_text
from agreement_engine.errors import EngineError
from agreement_engine.files import MAX_DOCUMENT_BYTES, FileReadError, read_regular_file
from agreement_engine.i18n import _
from agreement_engine.model import Paragraph
from agreement_engine.output import manifest_path
from agreement_engine.word.reader import (
    REFERENCE,
    Block,
    article_regions,
    member_level,
    normal,
    read_blocks,
    shown_text,
)

UNCHANGED, EDITED, MOVED, DELETED, ADDED = "unchanged", "edited", "moved", "deleted", "added"
#: The most a manifest may be (an agreement's text is about 150 KB).
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
#: A heading that reads "Artikel 9 Titel" (its number written as text) still has the title "Titel".
_NUMBERED_HEADING = re.compile(r"^(?:\S+\s+)?\d+\s*[-\u2013\u2014.:]?\s*")

_TEXT = {"type": "string", "maxLength": 100_000}
_MANIFEST_SCHEMA = {
    "type": "object",
    "properties": {
        "document_sha256": {"type": "string"},
        "articles": {"type": "array", "maxItems": 2000, "items": {
            "type": "object", "required": ["id", "number", "title", "paragraphs"],
            "properties": {
                "id": {"type": "string", "maxLength": 200}, "number": {"type": "integer"}, "title": _TEXT,
                "bookmark": {"type": ["string", "null"], "maxLength": 200}, "sha256": {"type": "string"},
                "paragraphs": {"type": "array", "maxItems": 10_000, "items": {
                    "type": "object", "required": ["text"],
                    "properties": {"member": {"type": ["string", "null"], "maxLength": 50}, "text": _TEXT,
                                   "references": {"type": "array", "items": {"type": "string",
                                                                             "maxLength": 50}}}}}}}},
    },
}


@dataclass(frozen=True)
class WordChange:
    """Words that changed in a paragraph: what the engine wrote ("" when words were added) and what is there now."""

    old: str
    new: str


@dataclass(frozen=True)
class ParagraphChange:
    """A paragraph of an article that differs: its member ("9.2"; None for the heading), old and new text.

    ``old`` is None for a paragraph that was added, ``new`` None for one that was removed.
    """

    member: str | None
    old: str | None
    new: str | None
    words: tuple[WordChange, ...] = ()


@dataclass(frozen=True)
class ArticleDrift:
    """One article: what the engine wrote (number, title) and where it is now (None: deleted), and its status."""

    id: str | None
    title: str
    number: int | None
    now: int | None
    status: str
    changes: tuple[ParagraphChange, ...] = ()


@dataclass(frozen=True)
class ReferenceProblem:
    """A cross-reference that is not consistent: where it is now, what it shows and what it should show.

    ``should`` is None when what it points to is no longer in the document.
    """

    where: str
    shown: str
    should: str | None


@dataclass(frozen=True)
class Drift:
    """The articles of a document against its manifest, plus renumbering and reference problems."""

    manifest: str
    document_changed: bool
    articles: tuple[ArticleDrift, ...]
    renumbered: tuple[tuple[int, int], ...] = ()
    references: tuple[ReferenceProblem, ...] = ()

    @property
    def changed(self) -> tuple[ArticleDrift, ...]:
        """Return the articles that are not as the engine wrote them (edited, moved, deleted or added)."""
        return tuple(a for a in self.articles if a.status != UNCHANGED)

    @property
    def consistent(self) -> bool:
        """Return whether every article is the engine's and every reference shows what it points to."""
        return not self.changed and not self.references

    def to_dict(self) -> dict[str, Any]:
        """Return the drift as plain data (``explain --format json``)."""
        data = asdict(self)
        data["unchanged"] = self.consistent
        data["renumbered"] = [{"was": was, "now": now} for was, now in self.renumbered]
        return data


# reading ----------------------------------------------------------------------------------------------

def read_manifest(document: Path, manifest: Path | None = None) -> tuple[Path, dict] | None:
    """Return the manifest of ``document`` (beside it, or ``manifest``) and its path; None when there is none.

    A manifest that is there but unreadable, or that lacks the text per article (an older engine), is an
    EngineError that says so, when it was named explicitly; beside the document it is None.
    """
    path = manifest or manifest_path(document)
    try:
        data = json.loads(read_regular_file(path, MAX_MANIFEST_BYTES))
    except FileReadError:
        if manifest is not None:
            raise
        return None
    except (ValueError, RecursionError) as exc:
        raise EngineError(_("{file}: het manifest is geen geldige JSON").format(file=path)) from exc
    errors = sorted(Draft202012Validator(_MANIFEST_SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in errors[0].absolute_path)
        raise EngineError(_("{file}: het manifest is onleesbaar bij {path}").format(file=path, path=where))
    if "articles" not in data:
        if manifest is not None:
            raise EngineError(_("{file}: dit manifest noemt de tekst per artikel niet (een oudere versie van de "
                                "engine); render opnieuw om het document te kunnen controleren").format(file=path))
        return None
    return path, data


def check_document(document: Path, origin: dict, manifest: Path | None = None) -> Drift | None:
    """Return how ``document`` drifted from its manifest, or None when it has no manifest with article texts.

    ``origin`` is the provenance embedded in the document; a manifest of another agreement (other answers,
    library or template) is an EngineError.
    """
    found = read_manifest(document, manifest)
    if found is None:
        return None
    path, record = found
    for key in ("answers_sha256", "library_sha256", "template_sha256"):
        if key in record and key in origin and record[key] != origin[key]:
            raise EngineError(_("{manifest} hoort niet bij {file}: het noemt een andere {what}").format(
                manifest=path, file=document, what=key.removesuffix("_sha256")))
    data = read_regular_file(document, MAX_DOCUMENT_BYTES)
    changed = record.get("document_sha256") != hashlib.sha256(data).hexdigest()
    return drift(record["articles"], read_blocks(data), manifest=str(path), document_changed=changed)


# comparing --------------------------------------------------------------------------------------------

@dataclass
class _Article:
    """An article of the document as it is now: its number, heading, paragraphs and members' numbers."""

    number: int
    blocks: list[Block]
    members: list[str | None] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [normal(b.compared) for b in self.blocks]


def _heading_text(block: Block, title: str) -> str:
    text = normal(block.compared)
    bare = _NUMBERED_HEADING.sub("", text, count=1)
    return normal(title) if bare == normal(title) and text != normal(title) else text


def _document_articles(blocks: list[Block]) -> list[_Article]:
    out = []
    for number, region in enumerate(article_regions(blocks), start=1):
        article = _Article(number, region)
        member = 0
        current: str | None = None
        for block in region:
            if block is region[0]:
                article.members.append(None)
                continue
            if member_level(block, region[0]):
                member += 1
                current = f"{number}.{member}"
            article.members.append(current)
        out.append(article)
    return out


def _written_texts(article: dict) -> list[str]:
    return [normal(p["text"]) for p in article["paragraphs"]]


def _pair(written: list[dict], present: list[_Article]) -> dict[int, int]:
    """Return written article index -> document article index, by bookmark, same text, same title, similarity."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()

    def match(test) -> None:
        for i, article in enumerate(written):
            if i in pairs:
                continue
            j = next((j for j, now in enumerate(present) if j not in taken and test(article, now)), None)
            if j is not None:
                pairs[i] = j
                taken.add(j)

    match(lambda a, now: bool(a.get("bookmark")) and a["bookmark"] in now.blocks[0].bookmarks)
    match(lambda a, now: _written_texts(a)[1:] == now.texts[1:] and len(now.texts) > 1)
    match(lambda a, now: normal(a["title"]) == _heading_text(now.blocks[0], a["title"]))
    match(lambda a, now: similar_text(" ".join(_written_texts(a)), " ".join(now.texts)))
    return pairs


def _moved(order: list[int]) -> set[int]:
    """Return the values of ``order`` outside a longest increasing run: the articles that moved."""
    best: list[list[int]] = []
    for value in order:
        longest = max((run for run in best if run[-1] < value), key=len, default=[])
        best.append(longest + [value])
    keep = set(max(best, key=len, default=[]))
    return {value for value in order if value not in keep}


def word_changes(old: str, new: str) -> tuple[WordChange, ...]:
    """Return the words that differ between two texts, each change as what was there and what is there now.

    >>> word_changes("binnen dertig dagen", "binnen zestig dagen")
    (WordChange(old='dertig', new='zestig'),)
    >>> word_changes("de Partij zal niet", "de Partij zal")
    (WordChange(old='niet', new=''),)
    """
    return tuple(WordChange(a, b) for a, b in changed_words(Paragraph((old,)), Paragraph((new,))))


def _paragraph_changes(article: dict, now: _Article) -> tuple[ParagraphChange, ...]:
    written = article["paragraphs"]
    old = _written_texts(article)
    new = now.texts
    new[0] = _heading_text(now.blocks[0], article["title"])
    shown_old = [shown_text(p["text"], p.get("references", [])) for p in written]
    shown_new = [normal(b.text) for b in now.blocks]
    changes: list[ParagraphChange] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            if i < i2 and j < j2:
                changes.append(ParagraphChange(written[i].get("member"), normal(shown_old[i]), shown_new[j],
                                               word_changes(normal(shown_old[i]), shown_new[j])))
            elif i < i2:
                changes.append(ParagraphChange(written[i].get("member"), normal(shown_old[i]), None))
            else:
                changes.append(ParagraphChange(now.members[j], None, shown_new[j]))
    return tuple(changes)


def drift(written: list[dict], blocks: list[Block], *, manifest: str = "", document_changed: bool = True) -> Drift:
    """Return how the document ``blocks`` drifted from the ``written`` articles of its manifest."""
    present = _document_articles(blocks)
    pairs = _pair(written, present)
    moved = _moved([i for i, _j in sorted(pairs.items(), key=lambda item: item[1])])
    result: list[ArticleDrift] = []
    renumbered: list[tuple[int, int]] = []
    for i, article in enumerate(written):
        j = pairs.get(i)
        if j is None:
            result.append(ArticleDrift(article["id"], article["title"], article["number"], None, DELETED))
            continue
        now = present[j]
        changes = _paragraph_changes(article, now)
        status = MOVED if i in moved else (EDITED if changes else UNCHANGED)
        if status != MOVED and now.number != article["number"]:
            renumbered.append((article["number"], now.number))
        result.append(ArticleDrift(article["id"], article["title"], article["number"], now.number, status, changes))
    for j, now in enumerate(present):
        if j not in pairs.values():
            result.append(ArticleDrift(None, normal(now.blocks[0].text), None, now.number, ADDED,
                                       tuple(ParagraphChange(member, None, normal(b.text))
                                             for member, b in zip(now.members, now.blocks))))
    return Drift(manifest, document_changed, tuple(result), tuple(renumbered), _references(blocks, present))


def _references(blocks: list[Block], present: list[_Article]) -> tuple[ReferenceProblem, ...]:
    """Return the cross-references in the articles that do not show the number of what they point to."""
    numbers: dict[str, str] = {}
    for article in present:
        for block, member in zip(article.blocks, article.members):
            for name in block.bookmarks:
                numbers.setdefault(name, str(article.number) if member is None else member)
    elsewhere = {name for block in blocks for name in block.bookmarks}
    problems = []
    for article in present:
        for block, member in zip(article.blocks, article.members):
            where = member or str(article.number)
            for reference in block.references:
                should = numbers.get(reference.target)
                if should is None and reference.target in elsewhere:
                    continue  # an annex: its number is its text
                if should is None or normal(reference.shown) != should:
                    problems.append(ReferenceProblem(where, normal(reference.shown), should))
    return tuple(problems)


__all__ = ["ADDED", "DELETED", "EDITED", "MOVED", "REFERENCE", "UNCHANGED", "ArticleDrift", "Drift",
           "ParagraphChange", "ReferenceProblem", "WordChange", "check_document", "drift", "read_manifest",
           "word_changes"]
