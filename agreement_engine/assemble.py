"""Assembly: choose clauses and variants for an answer set, number them, resolve references and terms.

Pure Python from answer set to :class:`~agreement_engine.model.Agreement`; no Word here. Clause selection
and numbering happen before any text renders, so every ``ref('label')`` resolves to the number the
labelled article or member has in *this* agreement, whichever optional articles dropped out.
"""
from __future__ import annotations

import decimal
import functools
import pickle
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from decimal import ROUND_DOWN, Decimal
from typing import Any

from agreement_engine.answers import normalize
from agreement_engine.context import answer_sections
from agreement_engine.errors import InvalidAnswersError, LibraryError
from agreement_engine.findings import has_errors
from agreement_engine.formatting import default_language, formatter
from agreement_engine.i18n import _
from agreement_engine.library import ANNEX_LABELS, Clause, Library, MemberSpec, Variant, default_library
from agreement_engine.model import (
    Agreement, Allocation, Annex, AnnexRow, Article, ClauseUse, Member, Paragraph, Ref, Segment,
    SignatureBlock, Signatory, Term,
)
from agreement_engine.phrases import Phrases
from agreement_engine.rules import term_end
from agreement_engine.templating import Templates, ref_marker, split_refs
from agreement_engine.validate import validate

_TEMPLATES: dict[str, Templates] = {}


def templates(language: str | None = None, cache: dict[str, Templates] | None = None) -> Templates:
    """Return the compiled clause texts of a document language (each text is compiled once per cache).

    ``cache`` holds them by language: an Engine's own, by default the one shared by every caller outside an Engine.
    """
    language = language or default_language()
    cache = _TEMPLATES if cache is None else cache
    if language not in cache:
        cache[language] = Templates(formatter(language))
    return cache[language]


def allocate(budget: Decimal, shares: dict[str, Decimal]) -> dict[str, Decimal]:
    """Split ``budget`` by percentage ``shares`` into cents that add up exactly to the budget.

    Every amount is rounded down to the cent; the remaining cents go to the party with the largest
    share (the first of equals in the given order).

    >>> allocate(Decimal("100.00"), {"a": Decimal("33.33"), "b": Decimal("33.33"), "c": Decimal("33.34")})
    {'a': Decimal('33.33'), 'b': Decimal('33.33'), 'c': Decimal('33.34')}
    >>> allocate(Decimal("1000"), {"a": Decimal("33.33"), "b": Decimal("66.67")})
    {'a': Decimal('333.30'), 'b': Decimal('666.70')}
    >>> sum(allocate(Decimal("0.05"), {"a": Decimal("50"), "b": Decimal("50")}).values())
    Decimal('0.05')
    """
    cent = Decimal("0.01")
    amounts = {pid: (budget * share / 100).quantize(cent, rounding=ROUND_DOWN) for pid, share in shares.items()}
    remainder = budget.quantize(cent) - sum(amounts.values(), Decimal(0))
    if shares:
        largest = max(shares, key=lambda pid: shares[pid])  # max keeps the first of equals
        amounts[largest] += remainder
    return amounts


_MISSING = object()

MEERJARENPLAN, VERDEELSLEUTEL, VOORWAARDEN, CONTACTPERSONEN, REGLEMENT = ANNEX_LABELS


def build_context(answers: dict, phrases: Phrases) -> dict[str, Any]:
    """Return the template context for a normalized answer set: the answers plus derived helpers.

    ``alliance_term`` is the defined term for the cooperation itself, by document kind (``phrases``): a
    cooperation or a covenant does not call itself an alliance.
    """
    resources = answers["resources"]
    given = resources.get("shares", {}) if resources["model"] == "allocation_key" else {}
    # In the order of the parties, so that a tie for the cent remainder goes to the first in the comparitie.
    shares = {p["id"]: Decimal(str(given[p["id"]])) for p in answers["parties"] if p["id"] in given}
    amounts = allocate(Decimal(str(resources["annual_budget"])), shares) if shares else {}
    parties = []
    for number, party in enumerate(answers["parties"], start=1):
        parties.append({**party, "number": number, "term": party["short_name"],
                        "is_member": party.get("role", "member") == "member",
                        "is_gemeente": party["legal_form"] == "gemeente",
                        "share": shares.get(party["id"]), "amount": amounts.get(party["id"])})
    by_id = {p["id"]: p for p in parties}
    term = answers["alliance"]["term"]

    def party(party_id: str) -> dict:
        if party_id not in by_id:
            raise LibraryError(_("party('{id}'): geen partij met dit id").format(id=party_id))
        return by_id[party_id]

    party.reads = ("parties",)  # what it gives is a function of these names alone (assembly keeps texts by them)

    context = {key: answers.get(key) for key in answer_sections()}
    context.update(
        parties=parties,
        members=[p for p in parties if p["is_member"]],
        commissioners=[p for p in parties if not p["is_member"]],
        gemeenten=[p for p in parties if p["is_gemeente"]],
        lead=by_id.get(resources.get("lead_party")) if resources["route"] != "direct" else None,
        step_in=by_id.get(answers["insolvency"].get("step_in_party")),
        term_end=term_end(date.fromisoformat(answers["alliance"]["start_date"]), term["years"])
        if term["kind"] == "fixed" else None,
        # Conditions precedent and the warranties about conditions already fulfilled at signing.
        conditions=[c for c in answers["conditions"] if c["form"] == "condition"],
        warranties=[c for c in answers["conditions"] if c["form"] == "warranty"],
        body=answers["governance"]["body_name"],
        alliance_term=phrases.text(f"kind.{answers['document']['kind']}.term"),
        n_parties=len(parties),
        n_members=sum(1 for p in parties if p["is_member"]),
        party=party,
    )
    return context


@dataclass
class _Chosen:
    """A clause chosen for this agreement, with its variant and its member instances."""

    clause: Clause
    variant: Variant
    members: list[tuple[MemberSpec, dict, str]]  # spec, extra context, identity key
    number: int | None = None


def _choose(library: Library, context: dict, t: Templates) -> list[_Chosen]:
    chosen = []
    context = t.prepare(context)  # once, not per condition
    for clause in library.clauses:
        where = {"clause": clause.id, "file": clause.file, "prepared": True}
        if clause.include and not t.evaluate(clause.include, context, line=clause.line_of("include"), **where):
            continue
        variant = next((v for v in clause.variants
                        if v.when is None or t.evaluate(v.when, context, line=v.line, **where)), None)
        if variant is None:
            raise LibraryError(_("geen enkele variant past bij deze antwoordenset"), line=clause.line_of("variants"),
                               clause=clause.id, file=clause.file)
        members = []
        for index, spec in enumerate(variant.members):
            if spec.when and not t.evaluate(spec.when, context, line=spec.line, **where):
                continue
            key = spec.label or f"{clause.id}/{variant.id}/{index + 1}"
            if spec.repeat:
                elements = t.evaluate(spec.repeat, context, line=spec.line, **where)
                for n, element in enumerate(elements or [], start=1):
                    ident = element.get("id", n) if isinstance(element, dict) else n
                    members.append((spec, {spec.alias: element}, f"{key}/{ident}"))
            else:
                members.append((spec, {}, key))
        chosen.append(_Chosen(clause, variant, members))
    return chosen


def _annex_plan(answers: dict) -> list[str]:
    """Return the labels of the annexes this answer set has, in order."""
    plan = []
    if answers.get("multi_year_plan"):
        plan.append(MEERJARENPLAN)
    if answers["resources"]["model"] == "allocation_key":
        plan.append(VERDEELSLEUTEL)
    if any(c["form"] == "condition" for c in answers.get("conditions", [])):
        plan.append(VOORWAARDEN)
    if answers.get("notices", {}).get("contacts"):
        plan.append(CONTACTPERSONEN)
    if answers.get("governance", {}).get("rules_of_procedure") == "annex":
        plan.append(REGLEMENT)
    return plan


def _number(chosen: list[_Chosen], annexes: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    article = 0
    for item in chosen:
        if item.clause.kind != "article":
            continue
        article += 1
        item.number = article
        labels[item.clause.id] = str(article)
        for m, (spec, _extra, _key) in enumerate(item.members, start=1):
            if spec.label:
                labels[spec.label] = f"{article}.{m}"
    for n, label in enumerate(annexes, start=1):
        labels[label] = str(n)
    return labels


#: The most bytes of answer values a kept text may be kept by (see ``_Renderer._memo``); a text that reads more
#: is rendered each time, so that the texts kept never hold much memory.
_MEMO_BYTES = 16 * 1024


def _exact(value: Any) -> bytes | None:
    """Return ``value`` as bytes that say it exactly (pickle: equal bytes, equal types, values and order), or None
    when pickle cannot say it."""
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a value pickle cannot write: the text that reads it is not kept
        return None


def _decimal_state() -> tuple:
    """Return what Decimal arithmetic depends on in this thread (the notation filters compute with it)."""
    state = decimal.getcontext()
    return (state.prec, state.rounding, state.Emin, state.Emax, state.capitals, state.clamp,
            tuple(sorted(trap.__name__ for trap, on in state.traps.items() if on)))


class _Renderer:
    """Render clause texts into paragraphs with resolved references.

    A text is a function of the values of the names it reads (``Templates.memo_names``), so the compiled texts
    keep it under those values, said exactly as bytes: the next document with the same values gets it without
    rendering (a batch, the comfort solver, a live preview). What a name's value is, exactly: its pickle; for
    ``ref`` the labels of this agreement (it gives a label's placeholder, or fails for an unknown label, and the
    numbers are filled in after); for a helper function of ``build_context`` the values it reads (its
    ``reads``), and only for a text that calls them (one that prints a function or passes it on shows the function
    itself); any other function is not said exactly, and a text that reads it is rendered each time.
    """

    def __init__(self, context: dict, labels: dict[str, str], templates: Templates) -> None:
        self.templates = templates
        self.labels = labels
        self.context = templates.prepare(dict(context, ref=self._ref))  # once per document, not per text
        self._clause: Clause | None = None
        self._values: dict[str, bytes | None] = {}  # name -> its value said exactly, once per document
        #: The functions of the context said by what they give: ref and the helpers that declare what they read.
        self._functions = frozenset({"ref"} | {name for name, value in context.items()
                                               if callable(value) and getattr(value, "reads", None) is not None})
        self._state = _decimal_state()

    def _said(self, name: str) -> bytes | None:
        """Return the value of ``name`` in this document's context said exactly (b"": not there), or None."""
        if name not in self._values:
            value = self.context.get(name, _MISSING)
            if value is _MISSING:
                said = b""  # pickle never writes nothing
            elif name in self._functions and name == "ref":
                said = _exact(("ref", tuple(sorted(self.labels))))
            elif name in self._functions:
                said = _exact(("reads", value.reads, [self.context.get(read, _MISSING) for read in value.reads]))
            else:
                said = _exact(value)
            self._values[name] = said and self.templates.shared(said)
        return self._values[name]

    def _memo(self, source: str, extra: dict | None) -> tuple | None:
        """Return what identifies the values ``source`` reads in this document (with ``extra``), or None."""
        names = self.templates.memo_names(source)
        if names is None:
            return None
        memo: list = [self._state]
        size = 0
        called = self.templates.only_called(source)
        for name in names:
            if extra and name in extra:
                said = _exact(extra[name])
                said = said and self.templates.shared(said)
            elif name in self._functions and name not in called:
                return None  # printed or passed on: the text shows the function itself, not what it gives
            else:
                said = self._said(name)
            if said is None:
                return None
            size += len(said)
            memo.append(said)
        return tuple(memo) if size <= _MEMO_BYTES else None

    def _ref(self, label: str) -> str:
        if label not in self.labels:
            clause = self._clause
            raise LibraryError(_("verwijzing naar '{label}', dat in deze overeenkomst niet bestaat").format(label=label),
                               clause=clause and clause.id, file=clause and clause.file)
        return ref_marker(label)

    def paragraph(self, source: str, clause: Clause, line: int, extra: dict | None = None) -> Paragraph:
        self._clause = clause
        context = {**self.context, **extra} if extra else self.context
        text = self.templates.render(source, context, clause=clause.id, file=clause.file, line=line, prepared=True,
                                     memo=self._memo(source, extra) if "{" in source else None)
        if not text:
            raise LibraryError(_("de tekst is leeg voor deze antwoordenset"), clause=clause.id, file=clause.file,
                               line=line)
        segments: list[Segment] = [Ref(part, self.labels[part]) if is_label else part
                                   for part, is_label in split_refs(text)]
        return Paragraph(tuple(segments))

    def member(self, chosen: _Chosen, index: int) -> Member:
        spec, extra, key = chosen.members[index]
        body = self.paragraph(spec.text, chosen.clause, spec.line, extra)
        context = {**self.context, **extra}
        where = {"clause": chosen.clause.id, "file": chosen.clause.file, "prepared": True}
        items = []
        for item in spec.items:
            bindings = [extra]
            if item.repeat:
                elements = self.templates.evaluate(item.repeat, context, line=item.line, **where) or []
                bindings = [{**extra, item.alias: element} for element in elements]
            items.extend(self.paragraph(item.text, chosen.clause, item.line, bound) for bound in bindings
                         if not item.when or self.templates.evaluate(item.when, {**self.context, **bound},
                                                                  line=item.line, **where))
        number = f"{chosen.number}.{index + 1}" if chosen.number else str(index + 1)
        return Member(key=key, number=number, label=spec.label, body=body, items=tuple(items))


def term_pattern(term: str, terms: frozenset[str] | set[str] = frozenset()) -> re.Pattern:
    """Return the pattern that finds a defined term in text, in the singular or the plural.

    A plural that is a defined term of its own (``Partijen`` beside ``Partij``) counts for that term only.

    >>> bool(term_pattern("Werkdag").search("binnen tien (10) Werkdagen"))
    True
    >>> bool(term_pattern("Partij").search("de Partijenraad"))
    False
    >>> bool(term_pattern("Partij", {"Partij", "Partijen"}).search("Partijen komen overeen"))
    False
    """
    return _compiled_term(term, tuple(p for p in ("en", "s") if term + p not in terms))


@lru_cache(maxsize=1024)
def _compiled_term(term: str, plurals: tuple[str, ...]) -> re.Pattern:
    suffix = f"(?:{'|'.join(plurals)})?" if plurals else ""
    return re.compile(rf"(?<!\w){re.escape(term)}{suffix}(?!\w)")


def uses_term(term: str, text: str, terms: frozenset[str] | set[str] = frozenset()) -> bool:
    """Return whether ``text`` uses the defined ``term`` (see :func:`term_pattern`); fast when it does not.

    >>> uses_term("Partij", "de Partijenraad en de Partij"), uses_term("Werkdag", "een werkdag")
    (True, False)
    """
    start = text.find(term)
    return start >= 0 and term_pattern(term, terms).search(text, start) is not None


def _definitions(chosen: list[_Chosen], renderer: _Renderer, used_text: str) -> list[Paragraph]:
    """Return the definition paragraphs of every defined term the agreement uses, alphabetically."""
    candidates: dict[str, tuple[Paragraph, Clause]] = {}
    for item in chosen:
        for definition in item.clause.defines:
            term = renderer.paragraph(definition.term, item.clause, definition.line).text
            if term in candidates:
                raise LibraryError(_("het begrip '{term}' wordt ook gedefinieerd in clausule {clause}").format(
                                   term=term, clause=candidates[term][1].id), clause=item.clause.id, file=item.clause.file,
                                   line=definition.line)
            candidates[term] = (renderer.paragraph(definition.definition, item.clause, definition.line),
                                item.clause)
    used: set[str] = set()
    names = frozenset(candidates)
    pending = used_text
    while True:
        newly = {t for t in candidates if t not in used and uses_term(t, pending, names)}
        if not newly:
            break
        used |= newly
        pending = " ".join(candidates[t][0].text for t in newly)
    ordered = sorted(used, key=lambda t: t.casefold())
    paragraphs = []
    for n, term in enumerate(ordered):
        end = "." if n == len(ordered) - 1 else ";"
        paragraphs.append(Paragraph((Term(term), ": ", *candidates[term][0].segments, end)))
    return paragraphs


def _annexes(answers: dict, context: dict, plan: list[str], labels: dict[str, str],
             phrases: Phrases) -> list[Annex]:
    by_id = {p["id"]: p for p in context["parties"]}
    notation = formatter(phrases.language)
    annexes = []
    for label in plan:
        number = int(labels[label])
        text = functools.partial(_annex_text, phrases, label)
        if label == MEERJARENPLAN:
            plan_data = answers["multi_year_plan"]
            sections = [(text("ambition"), (Paragraph((plan_data["ambition"],)),))]
            if plan_data.get("collective_tasks"):
                sections.append((text("collective_tasks"),
                                 tuple(Paragraph((t,)) for t in plan_data["collective_tasks"])))
            for pid, tasks in plan_data.get("party_tasks", {}).items():
                sections.append((text("party_tasks", party=by_id[pid]["term"]),
                                 tuple(Paragraph((t,)) for t in tasks)))
            period = plan_data.get("period")
            alliance = answers["alliance"]["name"]
            intro = (Paragraph((text("intro_period", alliance=alliance, period=period) if period
                                else text("intro", alliance=alliance),)),)
            annexes.append(Annex(number, label, text("title_period", period=period) if period else text("title"),
                                 paragraphs=intro, sections=tuple(sections)))
        elif label == VERDEELSLEUTEL:
            budget = Decimal(str(answers["resources"]["annual_budget"]))
            members = [p for p in context["parties"] if p["share"] is not None]
            rows = tuple(AnnexRow((p["name"], notation.percent(p["share"]), notation.money(p["amount"])))
                         for p in members)
            total = (text("total"), notation.percent(sum((p["share"] for p in members), Decimal(0))),
                     notation.money(sum((p["amount"] for p in members), Decimal(0))))
            intro = (Paragraph((text("intro", budget=notation.money(budget)),)),)
            annexes.append(Annex(number, label, text("title"), paragraphs=intro,
                                 header=(text("party"), text("share"), text("amount")), rows=rows, total=total))
        elif label == VOORWAARDEN:
            rows = []
            for condition in context["conditions"]:
                party = by_id[condition["party"]]
                deadline = notation.date(condition.get("deadline", answers["alliance"]["start_date"]))
                waiver = party["term"] if condition["waivable_by"] == "party" else text("all_parties")
                rows.append(AnnexRow((party["name"], condition["condition"], deadline, waiver)))
            annexes.append(Annex(number, label, text("title"),
                                 header=(text("party"), text("condition"), text("deadline"), text("waived_by")),
                                 rows=tuple(rows)))
        elif label == CONTACTPERSONEN:
            contacts = answers["notices"]["contacts"]
            rows = tuple(AnnexRow((p["name"], contacts[p["id"]]["name"], contacts[p["id"]].get("function", ""),
                                   contacts[p["id"]]["email"])) for p in context["parties"] if p["id"] in contacts)
            article = Ref("mededelingen.contactpersonen", labels["mededelingen.contactpersonen"])
            intro = (Paragraph(phrases.parts("annex.contactpersonen.intro", article=article)),)
            annexes.append(Annex(number, label, text("title"), paragraphs=intro,
                                 header=(text("party"), text("contact"), text("function"), text("email")),
                                 rows=rows))
        elif label == REGLEMENT:
            governance = answers["governance"]
            body = governance["body_name"]
            article = Ref("governance.reglement", labels["governance.reglement"])
            intro = (Paragraph(phrases.parts("annex.reglement.intro", body=body, article=article)),)
            sections = ((text("provisions"),
                         tuple(Paragraph((provision,)) for provision in governance["rules_of_procedure_text"])),)
            annexes.append(Annex(number, label, text("title", body=body), paragraphs=intro, sections=sections))
    return annexes


def _annex_text(phrases: Phrases, label: str, key: str, **values: Any) -> str:
    """Return the phrase ``key`` of the annex ``label`` ("bijlage.verdeelsleutel", "title")."""
    return phrases.text(f"annex.{label.removeprefix('bijlage.')}.{key}", **values)


def layout(library: Library, context: dict, t: Templates, answers: dict
           ) -> tuple[list[_Chosen], list[str], dict[str, str]]:
    """Return the agreement's layout without rendering any text: the clauses and variants chosen for
    ``context`` (with their article numbers), the annexes planned for the normalized ``answers``, and the
    number of every label. Assembly renders this layout; comfort locates needs in it."""
    chosen = _choose(library, context, t)
    plan = _annex_plan(answers)
    return chosen, plan, _number(chosen, plan)


@dataclass(frozen=True)
class Prepared:
    """An answer set made ready to assemble: normalized, its template context built, its layout laid out.

    What assembly and the comfort check both need, made once per answer set (see :func:`prepare`); nothing
    reads it to change it.
    """

    library: Library
    answers: dict  # normalized
    phrases: Phrases
    context: dict
    templates: Templates
    chosen: list[_Chosen]
    plan: list[str]
    labels: dict[str, str]


def readied(answers: dict, library: Library) -> tuple[Phrases, dict, dict]:
    """Return the phrases of the answer set's document language, the normalized answers and the template context:
    what the library's texts and conditions read (assembly through :func:`prepare`, the comfort solver directly)."""
    phrases = library.phrases_for(answers.get("language") or default_language())
    normalized = normalize(answers, phrases)
    return phrases, normalized, build_context(normalized, phrases)


def prepare(answers: dict, library: Library | None = None, *,
            compiled: dict[str, Templates] | None = None) -> Prepared:
    """Return the answer set that :func:`validate` found free of errors made ready to assemble with ``library``
    (default: the installed one); ``compiled`` as for :func:`assemble_valid`."""
    library = library or default_library()
    phrases, normalized, context = readied(answers, library)
    compiled_texts = templates(phrases.language, compiled)
    chosen, plan, labels = layout(library, context, compiled_texts, normalized)
    return Prepared(library, normalized, phrases, context, compiled_texts, chosen, plan, labels)


def assemble(answers: dict, library: Library | None = None) -> Agreement:
    """Assemble the Agreement for a valid answer set; raise InvalidAnswersError when it is not valid."""
    findings = validate(answers)
    if has_errors(findings):
        raise InvalidAnswersError(findings)
    return assemble_valid(answers, library)


def assemble_valid(answers: dict, library: Library | None = None, *,
                   compiled: dict[str, Templates] | None = None, prepared: Prepared | None = None) -> Agreement:
    """Assemble the Agreement for an answer set that :func:`validate` found free of errors.

    For callers that validated already (the API reports the findings too); validating twice would cost a
    tenth of the work per document. ``compiled`` holds the compiled clause texts by document language (an
    Engine's own; by default those shared by every caller outside an Engine). ``prepared`` is what
    :func:`prepare` made of these very ``answers`` with this ``library`` and ``compiled``, if the caller has it.
    """
    if prepared is None:
        prepared = prepare(answers, library, compiled=compiled)
    answers, phrases, context = prepared.answers, prepared.phrases, prepared.context
    chosen, plan, labels = prepared.chosen, prepared.plan, prepared.labels
    renderer = _Renderer(context, labels, prepared.templates)

    comparitie, closing, recitals, articles, signature = [], [], [], [], None
    for item in chosen:
        members = [renderer.member(item, i) for i in range(len(item.members))]
        kind = item.clause.kind
        if kind == "parties":
            for (spec, _extra, _key), member in zip(item.members, members):
                (comparitie if spec.repeat else closing).append(member.body)
        elif kind == "recitals":
            recitals.extend(m.body for m in members)
        elif kind == "signature":
            signature = members[0].body
        else:
            articles.append(Article(item.number, item.clause.id, item.variant.id,
                                    renderer.paragraph(item.clause.title, item.clause,
                                                       item.clause.line_of("title")).text,
                                    tuple(members)))
    if signature is None:
        raise LibraryError(_("de bibliotheek heeft geen clausule van soort 'signature'"))
    text = "\n".join(p.text for p in comparitie + closing + recitals) + "\n" + "\n".join(
        m.body.text + "\n" + "\n".join(i.text for i in m.items) for a in articles for m in a.members)
    definitions = _definitions(chosen, renderer, text)
    articles = [_with_definitions(a, definitions) for a in articles]

    blocks = tuple(SignatureBlock(p["name"], p["term"], tuple(Signatory(r["name"], r["function"])
                                                               for r in p["representatives"]))
                   for p in context["parties"])
    uses = tuple(ClauseUse(c.clause.id, c.variant.id, c.clause.version, c.clause.status, c.clause.content_hash,
                           c.number) for c in chosen)
    allocation = tuple(Allocation(p["id"], p["term"], p["share"], p["amount"])
                       for p in context["parties"] if p["share"] is not None)
    return Agreement(
        title=answers["document"]["title"], kind=answers["document"]["kind"],
        alliance_name=answers["alliance"]["name"], draft=answers["document"]["draft"],
        version_label=answers["document"].get("version_label"),
        comparitie=tuple(comparitie), comparitie_closing=tuple(closing), recitals=tuple(recitals),
        articles=tuple(articles), signature_intro=signature,
        signature_mode=answers["alliance"]["signing"]["mode"], signature_blocks=blocks,
        annexes=tuple(_annexes(answers, context, plan, labels, phrases)), clauses=uses,
        labels=tuple(sorted(labels.items())), phrases=phrases, allocation=allocation,
    )


def _with_definitions(article: Article, definitions: list[Paragraph]) -> Article:
    """Put the definitions as the list under the member labelled ``definities.lijst``."""
    if not any(m.label == "definities.lijst" for m in article.members):
        return article
    members = tuple(Member(m.key, m.number, m.label, m.body, tuple(definitions) + m.items)
                    if m.label == "definities.lijst" else m for m in article.members)
    return Article(article.number, article.clause_id, article.variant_id, article.title, members)

