"""The fixed wording of a document (lead texts, "Artikel", signature labels, annexes, the redline, variants and
comfort pages).

The words live in the clause library, one file per document language (``clause_library/phrases/nl.yaml``);
this module names the phrases the engine uses (:data:`PHRASES`, the one list lint checks the files against)
and serves them: ``phrases.text("lead.parties")``, ``phrases.text("article.heading", number="7")``.
A phrase is a text with ``{name}`` placeholders, or a list of words.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from agreement_engine.errors import LibraryError
from agreement_engine.i18n import _
from agreement_engine.resources import load_schema

#: A list of words rather than a text.
WORDS = "words"

#: Every phrase the engine uses, by id: the placeholders its text must have, or WORDS for a list of words.
PHRASES: dict[str, tuple[str, ...] | str] = {
    # the agreement
    "lead.parties": (),
    "lead.recitals": (),
    "lead.agreement": (),
    "article.heading": ("number",),
    "signature.place": (),
    "signature.date": (),
    "signature.name": ("name",),
    "signature.function": ("function",),
    "annex.heading": ("number", "title"),
    "toc.title": (),
    "annex.meerjarenplan.title": (),
    "annex.meerjarenplan.title_period": ("period",),
    "annex.meerjarenplan.intro": ("alliance",),
    "annex.meerjarenplan.intro_period": ("alliance", "period"),
    "annex.meerjarenplan.ambition": (),
    "annex.meerjarenplan.collective_tasks": (),
    "annex.meerjarenplan.party_tasks": ("party",),
    "annex.verdeelsleutel.title": (),
    "annex.verdeelsleutel.intro": ("budget",),
    "annex.verdeelsleutel.party": (),
    "annex.verdeelsleutel.share": (),
    "annex.verdeelsleutel.amount": (),
    "annex.verdeelsleutel.total": (),
    "annex.voorwaarden.title": (),
    "annex.voorwaarden.party": (),
    "annex.voorwaarden.condition": (),
    "annex.voorwaarden.deadline": (),
    "annex.voorwaarden.waived_by": (),
    "annex.voorwaarden.all_parties": (),
    "annex.contactpersonen.title": (),
    "annex.contactpersonen.intro": ("article",),
    "annex.contactpersonen.party": (),
    "annex.contactpersonen.contact": (),
    "annex.contactpersonen.function": (),
    "annex.contactpersonen.email": (),
    "annex.reglement.title": ("body",),
    "annex.reglement.intro": ("body", "article"),
    "annex.reglement.provisions": (),
    # the answer set's derived defaults (and per document kind, see KIND_PHRASES)
    "party.single_gemeente": (),
    # answers as the redline and the variants page show them
    "answer.missing": (),
    "answer.yes": (),
    "answer.no": (),
    "answer.none": (),
    # the redline (compare)
    "redline.title": (),
    "redline.intro": ("new", "old", "author", "date"),
    "redline.answer_set": ("name",),
    "redline.answers": (),
    "redline.answer": (),
    "redline.was": (),
    "redline.becomes": (),
    "redline.no_answers": (),
    "redline.articles": (),
    "redline.article": ("number", "title", "change"),
    "redline.references_only": (),
    "redline.changed": (),
    "redline.variant_changed": ("old", "new"),
    "redline.inserted": (),
    "redline.deleted": (),
    "redline.no_articles": (),
    "redline.not_part": ("new",),
    "redline.party_removed": ("name",),
    "redline.party_added": ("name",),
    "redline.parts": (),
    "redline.part": ("part", "change"),
    "redline.part_comparitie": (),
    "redline.part_recitals": (),
    "redline.part_signature": (),
    "redline.part_annex": ("number", "title"),
    "redline.details": ("change", "details"),
    "redline.word_change": ("old", "new"),
    "redline.word_deleted": ("old",),
    "redline.word_inserted": ("new",),
    "redline.party_gone": ("name",),
    "redline.party_new": ("name",),
    "redline.no_parts": (),
    # the variants page
    "variants.title": ("topic",),
    "variants.intro": ("topic", "alliance"),
    "variants.chosen": ("variants",),
    "variants.explanation": (),
    "variants.variant": (),
    "variants.chosen_variant": ("variant",),
    "variants.summary": (),
    "variants.attention": (),
    "variants.answers": (),
    "variants.as_answered": (),
    "variants.no_answers": (),
    "variants.text": (),
    "variants.impossible": (),
    "variants.incomplete": (),
    "variants.article": ("number", "title"),
    "variants.no_single_answer": ("conditions",),
    "variants.other_variant": (),
    # the board brief (consequences) and the variants page for a board
    "brief.title": (),
    "brief.intro": ("alliance",),
    "brief.assumptions": ("damage",),
    "brief.today": ("choice",),
    "brief.party_heading": ("party",),
    "brief.member": ("party",),
    "brief.commissioner": ("party",),
    "brief.choice": (),
    "brief.money.heading": (),
    "brief.money.allocation_key": ("party", "amount", "share", "budget"),
    "brief.money.own_costs": ("party", "amount"),
    "brief.money.output_based": ("party",),
    "brief.money.annual_plan": ("party",),
    "brief.money.chart": ("party",),
    "brief.money.receives": ("amount",),
    "brief.money.contributes": ("amount",),
    "brief.money.plan": (),
    "brief.damage.heading": (),
    "brief.damage.scenario": ("causer", "damage", "party"),
    "brief.damage.first": (),
    "brief.damage.final": (),
    "brief.damage.shared": (),
    "brief.damage.stays": (),
    "brief.damage.first_then": ("first", "final"),
    "brief.damage.chart": ("party",),
    "brief.damage.own_cap_amount": ("party", "cap", "paid"),
    "brief.damage.own_cap_none": ("party",),
    "brief.damage.own_cap_insured": ("party",),
    "brief.damage.joint": (),
    "brief.exit.heading": ("party",),
    "brief.exit.notice": ("party", "months", "effective", "wind_down"),
    "brief.exit.lock_in": ("date",),
    "brief.exit.cost": (),
    "brief.exit.end_of_calendar_year": (),
    "brief.exit.end_of_month": (),
    "brief.exit.any_date": (),
    "brief.exit.fee": ("amount",),
    "brief.exit.at_most": ("amount",),
    "brief.exit.costs_share": (),
    "brief.exit.not_given": (),
    "brief.others.heading": (),
    "brief.others.pro_rata": (),
    "brief.others.steering_decision": (),
    "brief.others.leaves": ("party",),
    "brief.others.new_share": (),
    "brief.others.new_amount": (),
    "brief.others.clients": (),
    "brief.others.ends": (),
    "brief.others.clients_remaining_parties": (),
    "brief.others.clients_designated_party": ("party",),
    "brief.others.clients_commissioner": (),
    "brief.others.failure": ("party",),
    "brief.others.what": (),
    "brief.others.automatic": ("party",),
    "brief.others.termination_right": ("party",),
    "brief.others.curator_term": ("days", "party"),
    "brief.others.step_in": ("successor", "party"),
    "brief.others.step_in_unknown": ("party",),
    "brief.others.none": (),
    "variants_board.party_line": ("party", "value"),
    "variants_board.party_answer": ("title", "party"),
    "variants_board.money": (),
    "variants_board.damage": ("damage", "causer"),
    "variants_board.shared_damage": ("damage",),
    "variants_board.exit": (),
    "variants_board.failure": ("party",),
    "variants_board.comfort": (),
    "variants_board.comfort_met": (),
    "variants_board.comfort_unmet": (),
    "variants_board.marked": (),
    # the comfort overview (comfort)
    "comfort.title": (),
    "comfort.intro": ("alliance", "agreement"),
    "comfort.all_met": (),
    "comfort.musts_met": (),
    "comfort.musts_open": (),
    "comfort.wishes_open": (),
    "comfort.open_must": ("party", "need"),
    "comfort.open_wish": ("party", "need"),
    "comfort.no_needs": (),
    "comfort.summary_party": (),
    "comfort.summary_musts": (),
    "comfort.summary_wishes": (),
    "comfort.count": ("met", "total"),
    "comfort.none": (),
    "comfort.party_none": (),
    "comfort.need": (),
    "comfort.priority": (),
    "comfort.met": (),
    "comfort.where": (),
    "comfort.must": (),
    "comfort.wish": (),
    "comfort.met_yes": (),
    "comfort.met_no": (),
    "comfort.reason": ("reason",),
    "comfort.at": ("number", "title"),
    "comfort.by_choice": (),
    "comfort.not_in_agreement": (),
}

#: The phrases of each document kind (``kind.<kind>.title``, ...), for every kind the answer-set schema knows:
#: the default title's word, the words a name may start with that the title word already says, and the
#: defined term for the cooperation itself (``alliance_term``).
KIND_PHRASES: dict[str, tuple[str, ...] | str] = {"title": (), "name": (), "name_words": WORDS, "term": ()}

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted id, phrase) for every phrase in a nested mapping of a phrases file.

    >>> list(flatten({"lead": {"parties": "DE ONDERGETEKENDEN:"}, "a": {"b": {"c": ["x"]}}}))
    [('lead.parties', 'DE ONDERGETEKENDEN:'), ('a.b.c', ['x'])]
    """
    for key, value in tree.items():
        if isinstance(value, Mapping):
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def placeholders(text: str) -> tuple[str, ...]:
    """Return the names of the placeholders in a phrase text, in order.

    >>> placeholders("Bijlage {number} – {title}")
    ('number', 'title')
    """
    return tuple(_PLACEHOLDER.findall(text))


@dataclass(frozen=True)
class Phrases:
    """The fixed wording of documents in one language, read from ``file`` of the clause library."""

    language: str
    file: str
    entries: tuple[tuple[str, str | tuple[str, ...]], ...] = field(repr=False)
    _by_id: dict = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", dict(self.entries))

    @classmethod
    def from_tree(cls, language: str, file: str, tree: Mapping[str, Any]) -> Phrases:
        """Return the phrases of a parsed phrases file (its ``phrases`` mapping)."""
        return cls(language, file, tuple((key, tuple(value) if isinstance(value, list) else value)
                                         for key, value in flatten(tree)))

    def _get(self, phrase_id: str) -> str | tuple[str, ...]:
        try:
            return self._by_id[phrase_id]
        except KeyError:
            raise LibraryError(_("de vaste tekst '{id}' ontbreekt").format(id=phrase_id), file=self.file) from None

    def parts(self, phrase_id: str, **values: Any) -> tuple[Any, ...]:
        """Return the phrase as pieces: its text and the ``values`` of its placeholders, as given.

        A value that is not a string (a cross-reference) stays an object; adjacent texts are joined.
        """
        text = self._get(phrase_id)
        pieces: list[Any] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            pieces += [text[position:match.start()], values[match[1]]]
            position = match.end()
        pieces.append(text[position:])
        joined: list[Any] = []
        for piece in pieces:
            if isinstance(piece, str) and joined and isinstance(joined[-1], str):
                joined[-1] += piece
            elif piece != "":
                joined.append(piece)
        return tuple(joined)

    def text(self, phrase_id: str, **values: Any) -> str:
        """Return the phrase ``phrase_id`` with its placeholders filled in from ``values``."""
        return "".join(str(piece) for piece in self.parts(phrase_id, **values))

    def words(self, phrase_id: str) -> tuple[str, ...]:
        """Return the list of words ``phrase_id``."""
        return tuple(self._get(phrase_id))

    def ids(self) -> set[str]:
        """Return the id of every phrase in the file."""
        return set(self._by_id)


def used_phrases() -> dict[str, tuple[str, ...] | str]:
    """Return every phrase the engine uses: :data:`PHRASES` and the :data:`KIND_PHRASES` of each document kind."""
    kinds = load_schema()["properties"]["document"]["properties"]["kind"]["enum"]
    return {**PHRASES, **{f"kind.{kind}.{key}": expected for kind in kinds for key, expected in KIND_PHRASES.items()}}


def problems(phrases: Phrases) -> Iterator[tuple[str, str]]:
    """Yield (phrase id, message) for every phrase the engine uses that is missing or malformed, and every
    phrase in the file that the engine does not use."""
    used = used_phrases()
    for phrase_id, expected in used.items():
        if phrase_id not in phrases.ids():
            yield phrase_id, _("vaste tekst ontbreekt")
            continue
        value = phrases._get(phrase_id)
        if expected == WORDS:
            if not isinstance(value, tuple):
                yield phrase_id, _("moet een lijst van woorden zijn")
        elif not isinstance(value, str):
            yield phrase_id, _("moet een tekst zijn, geen lijst")
        elif set(placeholders(value)) != set(expected):
            yield phrase_id, _("plaatshouders {found} in plaats van {expected}").format(
                found=", ".join(f"{{{p}}}" for p in placeholders(value)) or "-",
                expected=", ".join(f"{{{p}}}" for p in expected) or "-")
    for phrase_id in sorted(phrases.ids() - used.keys()):
        yield phrase_id, _("vaste tekst die de engine niet gebruikt")
