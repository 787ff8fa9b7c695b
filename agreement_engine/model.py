"""The assembled Agreement: a pure, immutable model of the contract, with no Word in it.

Compare, variants and the Word stage all read this model. Text is a tuple of segments: plain strings,
:class:`Ref` (a cross-reference whose number is already resolved) and :class:`Term` (a defined term at
the place it is defined).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # the model stays free of the library's modules
    from agreement_engine.phrases import Phrases


@dataclass(frozen=True)
class Ref:
    """A cross-reference to a labelled article, member or annex, with the number it has here."""

    label: str
    number: str


@dataclass(frozen=True)
class Term:
    """A defined term where it is defined (shown bold)."""

    text: str


Segment = Union[str, Ref, Term]


@dataclass(frozen=True)
class Paragraph:
    """A run of text made of segments."""

    segments: tuple[Segment, ...]

    @cached_property  # segments never change: joined once, however often assembly and Word ask
    def text(self) -> str:
        """Return the plain text, references written as their numbers."""
        return "".join(s if isinstance(s, str) else (s.number if isinstance(s, Ref) else s.text)
                       for s in self.segments)


@dataclass(frozen=True)
class Member:
    """A numbered member of an article ("7.2"), with an optional lettered list under it."""

    key: str
    number: str
    label: str | None
    body: Paragraph
    items: tuple[Paragraph, ...] = ()


@dataclass(frozen=True)
class Article:
    """A numbered article: its clause, the variant chosen and its members."""

    number: int
    clause_id: str
    variant_id: str
    title: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class AnnexRow:
    """One row of an annex table."""

    cells: tuple[str, ...]


@dataclass(frozen=True)
class Annex:
    """An annex ("Bijlage 2"): a title, paragraphs and optionally a table with header and total."""

    number: int
    label: str
    title: str
    paragraphs: tuple[Paragraph, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[AnnexRow, ...] = ()
    total: tuple[str, ...] = ()
    sections: tuple[tuple[str, tuple[Paragraph, ...]], ...] = ()


@dataclass(frozen=True)
class Signatory:
    """A representative who signs for a party."""

    name: str
    function: str


@dataclass(frozen=True)
class SignatureBlock:
    """The block in which one party signs, with place and date when parties sign separately."""

    party_name: str
    party_term: str
    signatories: tuple[Signatory, ...]


@dataclass(frozen=True)
class ClauseUse:
    """Provenance of one clause in the agreement: which clause, variant, version and text."""

    clause_id: str
    variant_id: str
    version: str
    status: str
    content_hash: str
    article: int | None


@dataclass(frozen=True)
class Allocation:
    """One member's share of the annual budget under the allocation key (M1)."""

    party_id: str
    party_term: str
    share: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Agreement:
    """The complete contract: front matter, comparitie, recitals, articles, signatures and annexes."""

    title: str
    kind: str
    alliance_name: str
    draft: bool
    version_label: str | None
    comparitie: tuple[Paragraph, ...]
    comparitie_closing: tuple[Paragraph, ...]
    recitals: tuple[Paragraph, ...]
    articles: tuple[Article, ...]
    signature_intro: Paragraph
    signature_mode: str
    signature_blocks: tuple[SignatureBlock, ...]
    annexes: tuple[Annex, ...]
    clauses: tuple[ClauseUse, ...]
    labels: tuple[tuple[str, str], ...]
    phrases: Phrases  # the fixed wording of the document's language, from the library it was assembled with
    allocation: tuple[Allocation, ...] = ()

    def article(self, clause_id: str) -> Article:
        """Return the article assembled from ``clause_id``."""
        return next(a for a in self.articles if a.clause_id == clause_id)

    def number_of(self, label: str) -> str:
        """Return the number that ``label`` has in this agreement ("16.2", "2")."""
        return dict(self.labels)[label]

    def paragraphs(self) -> list[Paragraph]:
        """Return every paragraph of the body in reading order (used by text tests and compare)."""
        out = [*self.comparitie, *self.comparitie_closing, *self.recitals]
        for article in self.articles:
            for member in article.members:
                out.append(member.body)
                out.extend(member.items)
        out.append(self.signature_intro)
        return out

    @property
    def text(self) -> str:
        """Return the whole body as plain text, one paragraph per line (for searching and tests), with the article
        and annex headings in the wording of the document's phrases, as Word shows them."""
        lines = []
        for article in self.articles:
            lines.append(f"{self.phrases.text('article.heading', number=str(article.number))} {article.title}")
            for member in article.members:
                lines.append(f"{member.number} {member.body.text}")
                lines.extend(item.text for item in member.items)
        head = [p.text for p in (*self.comparitie, *self.comparitie_closing, *self.recitals)]
        annexes = [self.phrases.text("annex.heading", number=str(a.number), title=a.title) for a in self.annexes]
        return "\n".join(head + lines + [self.signature_intro.text] + annexes)
