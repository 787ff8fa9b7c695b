"""Comfort: what each party needs before it signs, checked against the choices and located in the agreement.

A need (``comfort[]`` in the answer set) is met when its ``requires`` condition holds for the answers (the
same expression language as the library's ``when:`` conditions), or when the member labelled ``provided_by``
is in this agreement, or the condition precedent with that id exists. :func:`evaluate` returns a
:class:`ComfortReport` per party and per need: met or not, and where the agreement gives it (clause label,
article and member number). Solving across the parties is in :mod:`agreement_engine.comfort_solve`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError

from agreement_engine.assemble import Prepared, prepare, readied, templates
from agreement_engine.comfort_needs import _needs, condition_ids, requires_paths
from agreement_engine.context import answer_sections
from agreement_engine.errors import EngineError
from agreement_engine.findings import Finding, has_errors, json_path, make_finding, printable
from agreement_engine.i18n import Text
from agreement_engine.library import Library, default_library

@dataclass(frozen=True)
class Location:
    """Where the agreement gives a need: the clause label (if any), the article and the member number."""

    label: str | None
    article: int
    number: str  # "9.7", or "14" for a whole article
    title: str

    def to_dict(self) -> dict:
        """Return the location as plain JSON-ready data."""
        return {"label": self.label, "article": self.article, "number": self.number, "title": self.title}


@dataclass(frozen=True)
class NeedResult:
    """One need of one party, evaluated: met or not, and where the agreement gives it."""

    index: int  # the need's place in ``comfort[]``
    party: str
    party_name: str
    need: str
    priority: str  # must | wish
    reason: str | None
    requires: str | None
    provided_by: str | None
    met: bool
    where: tuple[Location, ...] = ()

    @property
    def path(self) -> str:
        """Return the JSON path of the need in the answer set."""
        return json_path(["comfort", self.index])

    def to_dict(self) -> dict:
        """Return the need as plain JSON-ready data."""
        return {"path": self.path, "party": self.party, "party_name": self.party_name, "need": self.need,
                "priority": self.priority, "reason": self.reason, "requires": self.requires,
                "provided_by": self.provided_by, "met": self.met, "where": [w.to_dict() for w in self.where]}


@dataclass(frozen=True)
class PartyComfort:
    """The needs of one party."""

    id: str
    name: str  # as the agreement calls it ("De Haven")
    legal_name: str  # "Stichting De Haven"
    needs: tuple[NeedResult, ...]

    @property
    def all_met(self) -> bool:
        """Return whether every need of the party is met."""
        return all(n.met for n in self.needs)


@dataclass(frozen=True)
class ComfortReport:
    """Every party's comfort, in the order of the parties (parties without needs included)."""

    alliance: str
    parties: tuple[PartyComfort, ...]
    needs: tuple[NeedResult, ...] = field(default=())

    @property
    def open_musts(self) -> list[NeedResult]:
        """Return the musts that are not met."""
        return [n for n in self.needs if n.priority == "must" and not n.met]

    @property
    def open_wishes(self) -> list[NeedResult]:
        """Return the wishes that are not met."""
        return [n for n in self.needs if n.priority == "wish" and not n.met]

    @property
    def all_met(self) -> bool:
        """Return whether every need of every party is met."""
        return all(n.met for n in self.needs)

    def to_dict(self) -> dict:
        """Return the report as plain JSON-ready data (for ``comfort --format json``)."""
        return {"alliance": self.alliance, "all_met": self.all_met,
                "open_musts": len(self.open_musts), "open_wishes": len(self.open_wishes),
                "parties": [{"id": p.id, "name": p.name, "legal_name": p.legal_name, "all_met": p.all_met,
                             "needs": [n.to_dict() for n in p.needs]} for p in self.parties]}


def need_findings(report: ComfortReport) -> list[Finding]:
    """Return a warning for every unmet must and a note for every unmet wish, naming the party and its need."""
    numbers = {p.id: (number, p.legal_name) for number, p in enumerate(report.parties, start=1)}
    return [make_finding("comfort.unmet_must" if n.priority == "must" else "comfort.unmet_wish", n.path,
                         party=Text("Partij {number} ({name})", number=numbers[n.party][0],
                                    name=printable(numbers[n.party][1], 80)), need=n.need)
            for n in report.needs if not n.met]


# --- evaluating -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Layout:
    """The articles and members this agreement would have, with their numbers, without rendering any text."""

    labels: dict[str, str]
    members: list[tuple[int, str, str, Any, str]]  # article, number, clause id, member spec, clause title
    articles: dict[str, tuple[int, str]]  # clause id -> (article number, title)
    topics: dict[str, str]  # clause id -> topic
    variants: dict[str, Any]  # clause id -> the variant chosen
    sources: list[str] = field(default_factory=list)  # per member: its text and conditions, to search paths in
    found: dict[str, Location | None] = field(default_factory=dict)  # path -> where, as found once


def _layout(prepared: Prepared, context: dict) -> _Layout:
    t, chosen, labels = prepared.templates, prepared.chosen, prepared.labels
    members, articles, topics, variants = [], {}, {}, {}
    for item in chosen:
        if item.number is None:
            continue
        title = t.render(item.clause.title, context) if "{" in item.clause.title else item.clause.title
        articles[item.clause.id] = (item.number, " ".join(title.split()))
        topics[item.clause.id] = item.clause.topic or ""
        variants[item.clause.id] = item.variant
        for m, (spec, _extra, key) in enumerate(item.members, start=1):
            members.append((item.number, f"{item.number}.{m}", item.clause.id, (spec, key), item.variant))
    return _Layout(labels, members, articles, topics, variants,
                   [_member_sources(spec) for _a, _n, _c, (spec, _k), _v in members])


def _member_sources(spec) -> str:
    return " ".join([spec.text or "", spec.when or "", *(i.text + " " + (i.when or "") for i in spec.items)])


def _locate_requires(expression: str, layout: _Layout, library: Library) -> tuple[Location, ...]:
    """Return where the agreement says what ``expression`` asks of the answers: the member whose text or
    condition reads its fields, else the article whose variant was chosen by them."""
    try:
        paths = requires_paths(expression)
    except TemplateSyntaxError:
        return ()
    found: list[Location] = []
    sections = set(answer_sections())
    for path in paths:
        if path.split(".")[0] not in sections or "." not in path:
            continue  # a computed name (n_members) or a whole section: no one member says it
        if path not in layout.found:
            layout.found[path] = _chosen_by(path, layout) or _member_reading(path, layout) \
                or _article_about(path, layout, library)
        hit = layout.found[path]
        if hit is not None and hit not in found:
            found.append(hit)
    return tuple(found)


def _chosen_by(path: str, layout: _Layout) -> Location | None:
    """Return the article of ``path``'s topic whose variant ``path`` chooses (a model): the whole article gives it."""
    section = path.split(".")[0]
    for clause_id, variant in layout.variants.items():
        if layout.topics.get(clause_id) == section and variant.when \
                and any(p in variant.when for p in _prefixes(path)):
            number, title = layout.articles[clause_id]
            return Location(clause_id, number, str(number), title)
    return None


def _member_reading(path: str, layout: _Layout) -> Location | None:
    """Return the first member whose text or condition reads ``path`` (or the object it lies in)."""
    section = path.split(".")[0]
    for probe in _prefixes(path):
        candidates = [(a, n, cid, spec) for (a, n, cid, (spec, _key), _v), source in zip(layout.members, layout.sources)
                      if probe in source]
        if candidates:
            a, number, cid, spec = min(candidates, key=lambda c: (layout.topics.get(c[2]) != section,
                                                                  [int(x) for x in c[1].split(".")]))
            return Location(spec.label, a, number, layout.articles[cid][1])
    return None


def _article_about(path: str, layout: _Layout, library: Library) -> Location | None:
    """Return the article of the clause that declares ``path`` as a parameter, one of its topic first."""
    section = path.split(".")[0]
    hits = [clause for clause in library.clauses if clause.id in layout.articles
            and any(p == path or path.startswith(p + ".") for p in clause.parameters)]
    hits.sort(key=lambda clause: (clause.topic != section, layout.articles[clause.id][0]))
    if not hits:
        return None
    number, title = layout.articles[hits[0].id]
    return Location(hits[0].id, number, str(number), title)


def _prefixes(path: str) -> list[str]:
    """Return ``path`` and its shorter prefixes of at least two parts: 'a.b.c' -> ['a.b.c', 'a.b']."""
    parts = path.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 1, -1)] or [path]


def provider_condition(label: str, library: Library) -> str | None:
    """Return the condition on the answers under which the agreement has the member (or article) ``label``:
    its clause is included, the variant holding it is the first whose condition holds, and its own condition
    holds. None when no clause has the label.

    >>> provider_condition("middelen.rekening", default_library()).count("resources.route")
    4
    """
    alternatives = []
    for clause in library.clauses:
        if label not in clause.labels:
            continue
        for k, variant in enumerate(clause.variants):
            members = [m for m in variant.members if m.label == label] if label != clause.id else [None]
            if not members:
                continue
            parts = [f"({clause.include})"] if clause.include else []
            parts += [f"not ({v.when})" for v in clause.variants[:k] if v.when]
            parts += [f"({variant.when})"] if variant.when else []
            member_conditions = [m.when for m in members if m is not None]
            if member_conditions and all(member_conditions):
                parts.append("(" + " or ".join(f"({w})" for w in member_conditions) + ")")
            alternatives.append(" and ".join(parts) or "true")
    if not alternatives:
        return None
    return " or ".join(f"({a})" for a in alternatives)


def _locate_provider(provided: str, answers: dict, layout: _Layout) -> tuple[Location, ...]:
    """Return the member labelled ``provided``, or the member stating the condition precedent with that id."""
    if provided in layout.labels:
        number = layout.labels[provided]
        article = int(number.split(".")[0])
        title = next((t for n, t in layout.articles.values() if n == article), "")
        for a, n, cid, (spec, key), _v in layout.members:
            if spec.label == provided:
                return (Location(provided, a, n, layout.articles[cid][1]),)
        return (Location(provided, article, number, title),)
    condition = next((c for c in answers.get("conditions", []) if c.get("id") == provided), None)
    if condition is not None:  # stated in the member that lists the conditions (or the warranties)
        listed = "warranties" if condition.get("form") == "warranty" else "conditions"
        for a, n, cid, (spec, _key), _v in layout.members:
            if any((item.repeat or "").strip() == listed for item in spec.items) or (spec.repeat or "").strip() == listed:
                return (Location(spec.label, a, n, layout.articles[cid][1]),)
    return ()


def evaluation_context(answers: dict, library: Library | None = None) -> tuple[dict, dict]:
    """Return (normalized answers, template context) for a valid answer set, as the library's conditions see it."""
    phrases, normalized, context = readied(answers, library or default_library())
    return normalized, _speaking(context, phrases.language)


def _speaking(context: dict, language: str) -> dict:
    """Return ``context`` with the document language that :func:`holds` evaluates conditions in."""
    return dict(context, _language=language)


def holds(expression: str, context: dict, language: str | None = None) -> bool:
    """Return whether ``expression`` holds in ``context``; a value it cannot read or compare means not."""
    try:
        return bool(templates(language or context.get("_language")).evaluate(expression, context))
    except EngineError:
        return False


def evaluate(answers: dict, library: Library | None = None, *, compiled: dict | None = None,
             prepared: Prepared | None = None) -> ComfortReport:
    """Return every party's comfort for a valid answer set: per need met or not, and where the agreement gives it.

    ``answers`` must be free of errors (``check``); ``library`` defaults to the installed clause library.
    ``prepared`` is what :func:`~agreement_engine.assemble.prepare` made of these very answers with this library
    and ``compiled``, if the caller has it (assembly then lays the agreement out once, not twice).
    """
    library = library or default_library()
    if prepared is None:
        prepared = prepare(answers, library, compiled=compiled)
    normalized = prepared.answers
    context = _speaking(prepared.context, prepared.phrases.language)
    layout = _layout(prepared, context)
    ids = condition_ids(normalized)
    names = {p["id"]: p.get("short_name") or p["name"] for p in normalized["parties"]}
    results = []
    for i, need in _needs(normalized):
        requires, provided = need.get("requires"), need.get("provided_by")
        if requires is not None:
            met = holds(requires, context)
            where = _locate_requires(requires, layout, library) if met else ()
        else:
            where = _locate_provider(provided, normalized, layout)
            met = bool(where) or provided in ids
        results.append(NeedResult(i, need["party"], names.get(need["party"], need["party"]), need["need"],
                                  need.get("priority", "must"), need.get("reason"), requires, provided, met,
                                  where))
    parties = tuple(PartyComfort(p["id"], names[p["id"]], p["name"], tuple(r for r in results if r.party == p["id"]))
                    for p in normalized["parties"])
    return ComfortReport(normalized["alliance"]["name"], parties, tuple(results))


def check_findings(answers: dict, findings: list[Finding], library: Library | None = None, *,
                   compiled: dict | None = None, report: Callable[[], ComfortReport] | None = None) -> list[Finding]:
    """Return, when ``findings`` (of validate) hold no error, a warning per unmet must of ``comfort[]`` and a note
    per unmet wish; what is wrong with the needs themselves is a cross-field rule of validate.

    ``report`` returns the comfort report of ``answers`` (an Engine's, kept for the steps after the check);
    by default :func:`evaluate` makes it."""
    if not isinstance(answers.get("comfort"), list) or not answers["comfort"] or has_errors(findings):
        return []
    try:
        return need_findings(report() if report else evaluate(answers, library, compiled=compiled))
    except EngineError:
        return []  # a library that cannot assemble these answers is reported where they are rendered
