"""Compare two agreements: align them by clause and member identity, diff words, list the answers that differ.

Pure Python over the :class:`~agreement_engine.model.Agreement` model; the Word stage turns the result
into tracked changes. Articles align by clause id, members by their key (label, or place in the variant),
annexes by label; so an article that only moved number is no change. What identity leaves unpaired inside
an article or list (a member of another variant, a paragraph that changed) pairs with the most similar
leftover in the same place, when it is similar enough; the rest is inserted or deleted whole.
"""
from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from enum import Enum
from typing import Any, Generic, TypeVar

from agreement_engine.answers import normalize
from agreement_engine.findings import json_path
from agreement_engine.formatting import formatter
from agreement_engine.library import default_library
from agreement_engine.model import Agreement, Annex, Article, Member, Paragraph, Ref, Segment, Term
from agreement_engine.phrases import Phrases
from agreement_engine.schema import field_title, schema_at

T = TypeVar("T")
U = TypeVar("U")

#: Two texts without a shared identity pair when at least this share of their words match.
SIMILARITY = 0.5
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+|\s+|[^\w\s]")  # an amount ("2.450.000,00") is one word
_MISSING = object()


class Change(Enum):
    """What happened to a piece of text or a paragraph between the old and the new agreement."""

    SAME = "same"
    INSERTED = "ins"
    DELETED = "del"


@dataclass(frozen=True)
class Pair(Generic[T]):
    """One thing in the old agreement and its counterpart in the new one; None where it has none."""

    old: T | None
    new: T | None

    @property
    def change(self) -> Change:
        """Return INSERTED when only the new side exists, DELETED when only the old one, else SAME."""
        if self.old is None:
            return Change.INSERTED
        return Change.DELETED if self.new is None else Change.SAME

    @property
    def either(self) -> T:
        """Return the new side, or the old one where the new side does not exist."""
        return self.new if self.new is not None else self.old  # type: ignore[return-value]

    def map(self, function: Callable[[T], U]) -> Pair[U]:
        """Return the pair of ``function`` applied to each side that exists (once when both are one item)."""
        if self.old is self.new and self.old is not None:  # an agreement compared with itself stays identical,
            value = function(self.old)                      # so align() pairs it in linear time
            return Pair(value, value)
        return Pair(None if self.old is None else function(self.old),
                    None if self.new is None else function(self.new))


Piece = tuple[Segment, Change]


def same(items: Sequence[T]) -> list[Pair[T]]:
    """Return each item paired with itself (an agreement compared with itself: nothing changed)."""
    return [Pair(item, item) for item in items]


def align(old: Sequence[T], new: Sequence[T], key: Callable[[T], Hashable], *,
          fits: Callable[[T, T], bool] | None = None,
          similar: Callable[[T, T], bool] | None = None) -> list[Pair[T]]:
    """Pair the items of ``old`` and ``new`` in reading order.

    Items with equal ``key`` pair (unless ``fits`` says their shapes differ); in each stretch that
    identity leaves unpaired, an old and a new item pair when ``similar`` says so; the rest stand alone,
    the deleted before the inserted.

    >>> [(p.old, p.new) for p in align("abcd", "acxd", key=str)]
    [('a', 'a'), ('b', None), ('c', 'c'), (None, 'x'), ('d', 'd')]
    """
    if old is new:
        return same(old)
    pairs: list[Pair[T]] = []
    matcher = SequenceMatcher(None, [key(item) for item in old], [key(item) for item in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(old[i1:i2], new[j1:j2]):
                pairs += [Pair(a, b)] if fits is None or fits(a, b) else [Pair(a, None), Pair(None, b)]
        else:
            pairs += _pair_similar(old[i1:i2], new[j1:j2], similar)
    return pairs


def _pair_similar(old: Sequence[T], new: Sequence[T], similar: Callable[[T, T], bool] | None) -> list[Pair[T]]:
    matches: list[tuple[int, int]] = []
    start = 0
    for j, b in enumerate(new if similar else ()):
        i = next((i for i in range(start, len(old)) if similar(old[i], b)), None)  # type: ignore[misc]
        if i is not None:
            matches.append((i, j))
            start = i + 1
    pairs: list[Pair[T]] = []
    done_old = done_new = 0
    for i, j in [*matches, (len(old), len(new))]:
        pairs += [Pair(a, None) for a in old[done_old:i]] + [Pair(None, b) for b in new[done_new:j]]
        if i < len(old):
            pairs.append(Pair(old[i], new[j]))
        done_old, done_new = i + 1, j + 1
    return pairs


def similar_text(old: str, new: str) -> bool:
    """Return whether two texts share enough words to be shown as one text that changed.

    >>> similar_text("De Partij zegt op met zes maanden", "De Partij zegt op met twaalf maanden")
    True
    >>> similar_text("De Partij zegt op", "Geschillen gaan naar de rechter")
    False
    """
    return SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio() >= SIMILARITY


# the agreement -----------------------------------------------------------------------------------

def _sides(pair: Pair[Sequence[T]]) -> tuple[Sequence[T], Sequence[T]]:
    """Return the old and new sequence of a pair, empty where a side does not exist."""
    return (() if pair.old is None else pair.old), (() if pair.new is None else pair.new)


def articles(pair: Pair[Sequence[Article]]) -> list[Pair[Article]]:
    """Pair articles by clause: an article whose clause is in one agreement only is inserted or deleted."""
    return align(*_sides(pair), key=lambda a: a.clause_id)


def members(pair: Pair[Sequence[Member]]) -> list[Pair[Member]]:
    """Pair the members of an article by key; leftovers of another variant pair with a similar member."""
    return align(*_sides(pair), key=lambda m: m.key,
                 similar=lambda a, b: a.label == b.label and similar_text(a.body.text, b.body.text))


def paragraphs(pair: Pair[Sequence[Paragraph]]) -> list[Pair[Paragraph]]:
    """Pair the paragraphs of a list (recitals, items, definitions) by defined term or text, then similarity."""
    return align(*_sides(pair), key=_paragraph_key, similar=lambda a, b: similar_text(a.text, b.text))


def _paragraph_key(paragraph: Paragraph) -> str:
    first = paragraph.segments[0] if paragraph.segments else ""
    return f"\0{first.text}" if isinstance(first, Term) else paragraph.text


def annexes(pair: Pair[Sequence[Annex]]) -> list[Pair[Annex]]:
    """Pair annexes by label: an annex that moved number is the same annex."""
    return align(*_sides(pair), key=lambda a: a.label)


def sections(pair: Pair[Sequence[tuple[str, tuple[Paragraph, ...]]]]) -> list[Pair[tuple[str, tuple[Paragraph, ...]]]]:
    """Pair the sections of an annex by title, then by a similar title."""
    return align(*_sides(pair), key=lambda s: s[0], similar=lambda a, b: similar_text(a[0], b[0]))


def rows(pair: Pair[Sequence[T]], cells: Callable[[T], Sequence[Sequence[str]]]) -> list[Pair[T]]:
    """Pair table rows by the first line of their first cell, then by similarity.

    ``cells`` gives a row's cells as their lines of text. Rows whose cells hold different numbers of lines
    never pair, so a paired row changes line by line and anything else is a row inserted or deleted whole.
    """
    def shape(row: T) -> list[int]:
        return [len(cell) for cell in cells(row)]

    def key(row: T) -> str:
        first = cells(row)
        return first[0][0] if first and first[0] else ""

    def text(row: T) -> str:
        return " ".join(line for cell in cells(row) for line in cell)

    return align(*_sides(pair), key=key, fits=lambda a, b: shape(a) == shape(b),
                 similar=lambda a, b: shape(a) == shape(b) and similar_text(text(a), text(b)))


@dataclass(frozen=True)
class ArticleChange:
    """An article whose text differs: its number and title (the old ones when it was deleted) and how."""

    number: int
    title: str
    change: Change  # INSERTED, DELETED, or SAME for an article that is in both but reads differently
    old_variant: str | None
    new_variant: str | None
    references_only: bool = False  # only the numbers its cross-references show changed


def article_changes(old: Agreement, new: Agreement) -> list[ArticleChange]:
    """Return the articles that were inserted, deleted or changed; an article that only moved number is not."""
    def text(article: Article, numbers: bool = True) -> tuple:
        def plain(p: Paragraph) -> tuple:
            return p.segments if numbers else tuple(s.label if isinstance(s, Ref) else s for s in p.segments)
        return article.title, tuple((m.key, plain(m.body), tuple(map(plain, m.items))) for m in article.members)

    changes = []
    for pair in articles(Pair(old.articles, new.articles)):
        a, b = pair.old, pair.new
        if a is None or b is None or text(a) != text(b):
            changes.append(ArticleChange(pair.either.number, pair.either.title, pair.change, a and a.variant_id,
                                         b and b.variant_id, bool(a and b) and text(a, False) == text(b, False)))
    return changes


def words(old: Paragraph | None, new: Paragraph | None) -> tuple[Piece, ...]:
    """Return the text of a paragraph pair as pieces marked same, inserted or deleted, word by word.

    A cross-reference is one word: the same label with another number is deleted and inserted.

    >>> words(Paragraph(("zes (6) maanden",)), Paragraph(("twaalf (12) maanden",)))  # doctest: +NORMALIZE_WHITESPACE
    (('zes', <Change.DELETED: 'del'>), ('twaalf', <Change.INSERTED: 'ins'>), (' (', <Change.SAME: 'same'>),
     ('6', <Change.DELETED: 'del'>), ('12', <Change.INSERTED: 'ins'>), (') maanden', <Change.SAME: 'same'>))
    """
    if old is None or new is None:
        present, change = (new, Change.INSERTED) if old is None else (old, Change.DELETED)
        return tuple((segment, change) for segment in present.segments) if present else ()
    if old == new:
        return tuple((segment, Change.SAME) for segment in new.segments)
    a, b = _tokens(old), _tokens(new)
    opcodes = _absorb_spaces(SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), a)
    tokens: list[tuple[tuple, Change]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            tokens += [(t, Change.SAME) for t in b[j1:j2]]
        else:
            tokens += [(t, Change.DELETED) for t in a[i1:i2]] + [(t, Change.INSERTED) for t in b[j1:j2]]
    return _join(tokens)


def changed_words(old: Paragraph, new: Paragraph) -> list[tuple[str, str]]:
    """Return the words that differ between two paragraphs: (what was there, what is there now) per change.

    >>> changed_words(Paragraph(("in zesvoud ondertekend",)), Paragraph(("in vijfvoud ondertekend",)))
    [('zesvoud', 'vijfvoud')]
    >>> changed_words(Paragraph(("De Haven, Straatwaarde en Zorgpunt",)), Paragraph(("De Haven en Zorgpunt",)))
    [('Straatwaarde', '')]
    """
    out: list[tuple[str, str]] = []
    removed: list[str] = []
    added: list[str] = []
    for piece, change in (*words(old, new), ("", Change.SAME)):
        text = piece.number if isinstance(piece, Ref) else (piece.text if isinstance(piece, Term) else piece)
        if change is Change.SAME:
            pair = (" ".join("".join(removed).split()), " ".join("".join(added).split()))
            if any(pair):
                out.append(pair)
            removed, added = [], []
        else:
            (removed if change is Change.DELETED else added).append(text)
    return [(a.strip(" ,;"), b.strip(" ,;")) for a, b in out if a.strip(" ,;") or b.strip(" ,;")]


@dataclass(frozen=True)
class PartChange:
    """A part of the agreement other than the articles that differs: the comparitie, the recitals, the signatures
    or an annex (with its number and title, the old ones when it was deleted).

    ``words`` are the first words that changed (was, becomes); ``removed`` and ``added`` the parties whose
    paragraph or signature block disappears or appears.
    """

    part: str
    change: Change
    number: int | None = None
    title: str | None = None
    words: tuple[tuple[str, str], ...] = ()
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


#: The summary names at most this many changed words per part.
SHOWN_WORDS = 3


def part_changes(old: Agreement, new: Agreement) -> list[PartChange]:
    """Return the parts besides the articles that differ, in reading order: comparitie, recitals, signatures, annexes."""
    parties_old = [b.party_name for b in old.signature_blocks]
    parties_new = [b.party_name for b in new.signature_blocks]
    removed = tuple(name for name in parties_old if name not in parties_new)
    added = tuple(name for name in parties_new if name not in parties_old)

    def changed(part: str, a: Sequence[Paragraph], b: Sequence[Paragraph], **more) -> list[PartChange]:
        if tuple(a) == tuple(b) and not more.get("removed") and not more.get("added"):
            return []
        found = [pair for p in paragraphs(Pair(a, b)) if p.old is not None and p.new is not None
                 for pair in changed_words(p.old, p.new)]
        return [PartChange(part, Change.SAME, words=tuple(found[:SHOWN_WORDS]), **more)]

    def blocks(agreement: Agreement) -> list[Paragraph]:
        return [Paragraph((" ".join([b.party_name, *(f"{s.name} {s.function}" for s in b.signatories)]),))
                for b in agreement.signature_blocks]

    out = changed("comparitie", (*old.comparitie, *old.comparitie_closing), (*new.comparitie, *new.comparitie_closing),
                  removed=removed, added=added)
    out += changed("recitals", old.recitals, new.recitals)
    signatures = changed("signature", [old.signature_intro], [new.signature_intro], removed=removed, added=added)
    if not signatures and blocks(old) != blocks(new):
        signatures = [PartChange("signature", Change.SAME)]
    out += signatures
    for pair in annexes(Pair(old.annexes, new.annexes)):
        a, b = pair.old, pair.new
        if a is not None and b is not None and replace(a, number=0) == replace(b, number=0):
            continue
        found: list[tuple[str, str]] = []
        if a is not None and b is not None:
            found = [w for p in paragraphs(Pair(a.paragraphs, b.paragraphs)) if p.old is not None and p.new is not None
                     for w in changed_words(p.old, p.new)]
        out.append(PartChange("annex", pair.change, pair.either.number, pair.either.title,
                              tuple(found[:SHOWN_WORDS])))
    return out


def _tokens(paragraph: Paragraph) -> list[tuple]:
    """Split a paragraph into words, spaces and punctuation, each tagged with its kind."""
    out: list[tuple] = []
    for segment in paragraph.segments:
        if isinstance(segment, Ref):
            out.append(("ref", segment.label, segment.number))
        else:
            kind, text = ("term", segment.text) if isinstance(segment, Term) else ("text", segment)
            out += [(kind, token) for token in _TOKEN.findall(text)]
    return out


def _absorb_spaces(opcodes: list[tuple], tokens: list[tuple]) -> list[tuple]:
    """Let a change swallow the lone spaces between it and the next change, so words read as phrases."""
    out: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between = 0 < index < len(opcodes) - 1 and tag == "equal"
        if between and all(t[0] == "text" and t[1].isspace() for t in tokens[i1:i2]):
            tag = "replace"
        if out and tag != "equal" and out[-1][0] != "equal":
            out[-1][2], out[-1][4] = i2, j2
            out[-1][0] = "replace"
        else:
            out.append([tag, i1, i2, j1, j2])
    return [tuple(o) for o in out]


def _join(tokens: list[tuple[tuple, Change]]) -> tuple[Piece, ...]:
    """Glue neighbouring tokens of the same kind and change back into segments."""
    pieces: list[Piece] = []
    for (kind, change), group in itertools.groupby(tokens, key=lambda token: (token[0][0], token[1])):
        if kind == "ref":
            pieces += [(Ref(token[1], token[2]), change) for token, _ in group]
        else:
            text = "".join(token[1] for token, _ in group)
            pieces.append((Term(text) if kind == "term" else text, change))
    return tuple(pieces)


# the answers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerChange:
    """One answer that differs: where (JSON path and Dutch title) and the old and new value, formatted."""

    path: str
    title: str
    old: str
    new: str


def answer_changes(old: dict, new: dict, phrases: Phrases | None = None) -> list[AnswerChange]:
    """Return every answer that differs between two valid answer sets, defaults filled in (worded by
    ``phrases``, default: the installed library's for the new answer set's language), in reading order."""
    old, new = normalize(old, phrases), normalize(new, phrases)
    phrases = phrases or default_library().phrases_for(new["language"])
    changes: list[AnswerChange] = []

    def walk(a: Any, b: Any, path: list) -> None:
        if a == b or (path and isinstance(path[-1], str) and path[-1].startswith("$")):
            return
        containers = [v for v in (a, b) if v is not _MISSING and v is not None]
        if containers and all(isinstance(v, dict) for v in containers):
            for key in dict.fromkeys([*(b if isinstance(b, dict) else {}), *(a if isinstance(a, dict) else {})]):
                walk(_get(a, key), _get(b, key), path + [key])
        elif (containers and all(isinstance(v, list) for v in containers)
              and not _one_value(path)):
            lists = [v if isinstance(v, list) else [] for v in (a, b)]
            for i, j in pair_items(*lists, parties=path == ["parties"]):
                if path == ["parties"] and (i is None or j is None):
                    party = lists[0][i] if j is None else lists[1][j]
                    name = str(party.get("name", party.get("id", "?")))
                    changes.append(AnswerChange(json_path(path + [i if j is None else j]), phrases.text(
                        "redline.party_removed" if j is None else "redline.party_added", name=name),
                        name if j is None else phrases.text("answer.none"), name if i is None else
                        phrases.text("answer.none")))
                else:
                    walk(_MISSING if i is None else lists[0][i], _MISSING if j is None else lists[1][j],
                         path + [i if j is None else j])
        else:
            changes.append(AnswerChange(json_path(path), field_title(path), show_value(a, path, old, phrases),
                                        show_value(b, path, new, phrases)))

    walk(old, new, [])
    return changes


def _one_value(path: list) -> bool:
    """Return whether the list at ``path`` reads as one value: a set of choices or of parties."""
    item = schema_at(path + [0]) or {}
    return "enum" in item or (schema_at(path + [0], resolve=False) or {}).get("$ref", "").endswith("/party_id")


#: How a party is recognised in two answer sets, in order: its id, its KvK number, its name.
PARTY_IDENTITY = ("id", "kvk", "name")


def pair_items(old: Sequence[Any], new: Sequence[Any], *, parties: bool = False) -> list[tuple[int | None, int | None]]:
    """Pair the items of two lists by who or what they are, not by place; return (old index, new index) pairs.

    Parties pair by id, then KvK number, then name; a party found by none of these was removed or added.
    Other items pair when equal, then (objects naming a party) with an item of the same party, then the
    leftovers by place. The pairs follow the new list, with a removed item where it stood.

    >>> a = [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}]
    >>> pair_items(a, [a[0], a[2]], parties=True)
    [(0, 0), (1, None), (2, 1)]
    """
    pairs: dict[int, int] = {}

    def match(key: Callable[[Any], Hashable | None]) -> None:
        taken = set(pairs.values())
        for i, item in enumerate(old):
            wanted = key(item)
            if i in pairs or wanted is None:
                continue
            j = next((j for j, other in enumerate(new) if j not in taken and key(other) == wanted), None)
            if j is not None:
                pairs[i] = j
                taken.add(j)

    def field(name: str) -> Callable[[Any], Hashable | None]:
        return lambda item: item.get(name) if isinstance(item, dict) and isinstance(item.get(name), str) else None

    if parties:
        for name in PARTY_IDENTITY:
            match(field(name))
    else:
        match(lambda item: _canonical(item))
        match(field("party"))
        if not any(isinstance(item, dict) and "party" in item for item in (*old, *new)):
            match(lambda item: 0)  # by place: the first free one
    out = [(pairs_new.get(j), j) for pairs_new in [{j: i for i, j in pairs.items()}] for j in range(len(new))]
    for i in sorted(set(range(len(old))) - set(pairs)):
        later = next((k for k, (a, _b) in enumerate(out) if a is not None and a > i), len(out))
        out.insert(later, (i, None))
    return out


def _canonical(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _get(container: Any, key: str | int) -> Any:
    if isinstance(container, dict):
        return container.get(key, _MISSING)
    if isinstance(container, list) and isinstance(key, int) and key < len(container):
        return container[key]
    return _MISSING


def show_value(value: Any, path: list, answers: dict, phrases: Phrases) -> str:
    """Return an answer as a reader of the document's language expects it: amounts, percentages, dates in its
    notation, choices by their label, yes, no and nothing as ``phrases`` say.

    >>> nl = default_library().phrases_for("nl")
    >>> show_value(2450000, ["resources", "annual_budget"], {}, nl).replace("\\xa0", " ")
    '€ 2.450.000,00'
    >>> show_value("any_date", ["withdrawal", "effective"], {}, nl)
    'Tegen iedere datum'
    >>> show_value(True, ["liability", "exclude_indirect_damage"], {}, nl)
    'ja'
    """
    notation = formatter(phrases.language)
    if value is _MISSING or value is None:
        return phrases.text("answer.missing")
    if isinstance(value, bool):
        return phrases.text("answer.yes" if value else "answer.no")
    if isinstance(value, list):
        return (notation.enum(show_value(v, path + [0], answers, phrases) for v in value) if value
                else phrases.text("answer.none"))
    labels = (schema_at(path) or {}).get("x-labels", {})
    kind = (schema_at(path, resolve=False) or {}).get("$ref", "").rsplit("/", 1)[-1]
    if isinstance(value, str) and value in labels:
        return labels[value]
    if kind == "amount":
        return notation.money(value)
    if kind == "percentage":
        return notation.percent(value)
    if kind == "date":
        return notation.date(value)
    if kind == "party_id" and path[-1:] != ["id"]:  # a party's own id is shown as it is: its name may be the same
        return next((p["name"] for p in answers.get("parties", []) if p.get("id") == value), str(value))
    if isinstance(value, int | float):
        return notation.number(value)
    return str(value)


def revision_date(new: dict) -> str:
    """Return the default date of the tracked changes: the new answer set's signing date, else its start date."""
    return (new.get("alliance", {}).get("signing") or {}).get("date") or new["alliance"]["start_date"]
