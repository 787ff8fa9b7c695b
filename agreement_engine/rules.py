"""The cross-field rules of the answer-set contract: what one field means for another.

Each rule is a generator of findings that tolerates schema-invalid input (the schema has already said
what is wrong with it); rules never raise on bad data and never stop at the first problem.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterator

from agreement_engine.comfort_needs import static_findings as comfort_static_findings
from agreement_engine.dutch import enumerate_nl
from agreement_engine.errors import LibraryError
from agreement_engine.findings import UNUSED_FIELD, Finding, Severity, add_codes, json_path, make_finding, printable
from agreement_engine.formatting import default_language
from agreement_engine.i18n import Text, format_date, format_percent, joined
from agreement_engine.library import Library, library_in_use
from agreement_engine.schema import field_title, schema_at
from agreement_engine.templating import Templates

Rule = Callable[[dict], Iterator[Finding]]
_RULES: list[Rule] = []

#: Where the law requires a board's authority in the articles to bind the entity jointly and severally.
_JOINT_LIABILITY_ARTICLE = {"stichting": ("stichting", "2:291 lid 2"), "vereniging": ("vereniging", "2:44 lid 2")}


def rule(func: Rule) -> Rule:
    """Register ``func`` as a cross-field rule."""
    _RULES.append(func)
    return func


def check_rules(answers: dict) -> list[Finding]:
    """Run every cross-field rule on ``answers``; a rule that meets malformed data says nothing."""
    findings: list[Finding] = []
    for check in _RULES:
        try:
            findings.extend(check(answers))
        except (AttributeError, KeyError, TypeError, ValueError, InvalidOperation, IndexError):
            continue  # the schema findings already describe the malformed part
        except (ArithmeticError, RecursionError, MemoryError):  # a number or date too large to compute with
            findings.append(make_finding("value.not_computable", "$"))
    return findings


def party_label(answers: Any, path: list) -> str | None:
    """Return "Partij 2 (Stichting De Haven)" when ``path`` lies inside a party, else None."""
    if len(path) >= 2 and path[0] == "parties" and isinstance(path[1], int):
        return _label(answers, path[1])
    return None


def _label(answers: Any, index: int) -> str:
    try:
        name = answers["parties"][index]["name"]
    except (KeyError, IndexError, TypeError):
        name = None
    if not isinstance(name, str) or not any(ch.isprintable() and not ch.isspace() for ch in name):
        return Text("Partij {number}", number=index + 1)
    return Text("Partij {number} ({name})", number=index + 1, name=printable(name, 80))


def _parties(answers: dict) -> list[tuple[int, dict]]:
    parties = answers.get("parties")
    if not isinstance(parties, list):
        return []
    return [(i, p) for i, p in enumerate(parties) if isinstance(p, dict)]


def _index_by_id(answers: dict) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, party in _parties(answers):
        if isinstance(party.get("id"), str):
            index.setdefault(party["id"], i)
    return index


def _is_member(party: dict) -> bool:
    return party.get("role", "member") == "member"


def _obj(answers: dict, *keys: str) -> dict:
    node: Any = answers
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def term_end(start: dt.date, years: int) -> dt.date | None:
    """Return the last day of a term of ``years`` from ``start``, or None when it lies beyond 31 December 9999.

    A term runs to the day before the same date ``years`` later; from 29 February, to the last day of
    February. This is the date the clause on the term (duur) writes.

    >>> term_end(dt.date(2027, 1, 1), 4), term_end(dt.date(2028, 2, 29), 1), term_end(dt.date(2027, 3, 1), 1)
    (datetime.date(2030, 12, 31), datetime.date(2029, 2, 28), datetime.date(2028, 2, 29))
    >>> term_end(dt.date(9999, 1, 1), 1), term_end(dt.date(9990, 1, 1), 10), term_end(dt.date(9990, 1, 2), 10)
    (datetime.date(9999, 12, 31), datetime.date(9999, 12, 31), None)
    """
    year = start.year + years
    if year == dt.MAXYEAR + 1 and (start.month, start.day) == (1, 1):
        return dt.date.max  # the day before 1 January 10000
    if not 0 < year <= dt.MAXYEAR:
        return None
    return dt.date(year, start.month, 1) + dt.timedelta(days=start.day - 2)


def _in_range(path: list, value: Any) -> bool:
    """Return whether ``value`` is a whole number within the schema's bounds for the field at ``path``."""
    node = schema_at(path) or {}
    return (isinstance(value, int) and not isinstance(value, bool)
            and node.get("minimum", value) <= value <= node.get("maximum", value))


@rule
def unique_party_ids(answers: dict) -> Iterator[Finding]:
    """Every party id is used once."""
    seen: dict[str, int] = {}
    for i, party in _parties(answers):
        pid = party.get("id")
        if not isinstance(pid, str):
            continue
        if pid in seen:
            yield make_finding("party.duplicate_id", json_path(["parties", i, "id"]), party=_label(answers, i),
                               id=pid, other=seen[pid] + 1)
        else:
            seen[pid] = i


def _references(answers: dict) -> Iterator[tuple[list, str]]:
    """Yield (path, party id) for every place that refers to a party."""
    chair = _obj(answers, "governance").get("chair")
    if isinstance(chair, str) and chair != "rotating":
        yield ["governance", "chair"], chair
    resources = _obj(answers, "resources")
    if isinstance(resources.get("lead_party"), str):
        yield ["resources", "lead_party"], resources["lead_party"]
    for key in ("shares", "contributions"):
        for pid in _obj(answers, "resources", key):
            yield ["resources", key, pid], pid
    step_in = _obj(answers, "insolvency").get("step_in_party")
    if isinstance(step_in, str):
        yield ["insolvency", "step_in_party"], step_in
    successor = _obj(answers, "client_continuity").get("designated_party")
    if isinstance(successor, str):
        yield ["client_continuity", "designated_party"], successor
    guarantor = _obj(answers, "security").get("party")
    if isinstance(guarantor, str):
        yield ["security", "party"], guarantor
    conditions = answers.get("conditions")
    for i, condition in enumerate(conditions if isinstance(conditions, list) else []):
        if isinstance(condition, dict) and isinstance(condition.get("party"), str):
            yield ["conditions", i, "party"], condition["party"]
    comfort = answers.get("comfort")
    for i, need in enumerate(comfort if isinstance(comfort, list) else []):
        if isinstance(need, dict) and isinstance(need.get("party"), str):
            yield ["comfort", i, "party"], need["party"]
    for pid in _obj(answers, "multi_year_plan", "party_tasks"):
        yield ["multi_year_plan", "party_tasks", pid], pid
    wnt = _obj(answers, "financing").get("wnt_parties")
    for i, pid in enumerate(wnt if isinstance(wnt, list) else []):
        if isinstance(pid, str):
            yield ["financing", "wnt_parties", i], pid
    secretariat = _obj(answers, "governance").get("secretariat_party")
    if isinstance(secretariat, str):
        yield ["governance", "secretariat_party"], secretariat
    for law in _QUALITY_LAWS:
        listed = _obj(answers, "quality").get(law)
        for i, pid in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(pid, str):
                yield ["quality", law, i], pid


@rule
def known_party_references(answers: dict) -> Iterator[Finding]:
    """Every party reference names a party that exists."""
    known = _index_by_id(answers)
    for path, pid in _references(answers):
        if pid not in known:
            yield make_finding("party.unknown_reference", json_path(path), id=pid)


@rule
def council_decision_only_for_gemeente(answers: dict) -> Iterator[Finding]:
    """Only a gemeente acts on a council decision."""
    for i, party in _parties(answers):
        if "council_decision" in party and party.get("legal_form") != "gemeente":
            yield make_finding("party.council_decision_not_gemeente",
                               json_path(["parties", i, "council_decision"]), party=_label(answers, i))


@rule
def allocation_key(answers: dict) -> Iterator[Finding]:
    """``shares`` covers exactly the members, no commissioner, and sums to exactly 100."""
    resources = _obj(answers, "resources")
    if resources.get("model") != "allocation_key" or not isinstance(resources.get("shares"), dict):
        return
    shares = resources["shares"]
    known = _index_by_id(answers)
    parties = answers["parties"]
    for pid, i in known.items():
        if _is_member(parties[i]) and pid not in shares:
            yield make_finding("shares.missing_member", json_path(["resources", "shares"]),
                               party=_label(answers, i))
    for pid in shares:
        if pid in known and not _is_member(parties[known[pid]]):
            yield make_finding("shares.commissioner", json_path(["resources", "shares", pid]),
                               party=_label(answers, known[pid]))
    values = [v for v in shares.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(values) == len(shares) and shares:
        total = sum((Decimal(str(v)) for v in values), Decimal(0))
        if total != Decimal(100):
            yield make_finding("shares.sum", json_path(["resources", "shares"]), total=format_percent(total))


#: Fields that only some choices use, by section (a dotted path): field -> (the field that chooses, the
#: choices that use it). The finding's code is named after the top-level section.
_USED_ONLY_WITH = {
    "resources": {
        "shares": ("model", {"allocation_key"}),
        "contributions": ("model", {"own_costs"}),
        "annual_budget": ("model", {"allocation_key", "output_based", "annual_plan"}),
        "lead_party": ("route", {"lead_party", "main_contractor"}),
        "lead_party_fee_percent": ("route", {"lead_party", "main_contractor"}),
        "payment_term_days": ("route", {"lead_party", "main_contractor"}),
        "exit_share": ("model", {"own_costs"}),
    },
    "insolvency": {"curator_response_days": ("model", {"curator_term"})},
    "liability.cap": {"percent": ("kind", {"share_percent"}), "annual_aggregate": ("kind", {"amount"})},
    "withdrawal.exit_fee": {"months": ("kind", {"annual_share"}),
                            "cap": ("kind", {"remaining_commitments", "annual_share"})},
    "disputes": {
        "arbitrators": ("route", {"arbitration", "mediation_then_arbitration"}),
        "place": ("route", {"arbitration", "mediation_then_arbitration", "binding_advice"}),
    },
    "publicity": {"transition_months": ("after_exit", {"transition"})},
    "client_continuity": {"designated_party": ("successor", {"designated_party"})},
    "funding_end": {"renegotiation_months": ("consequence", {"renegotiate"})},
    "exclusivity": {
        "region": ("kind", {"region"}),
        "first_refusal_days": ("kind", {"first_refusal"}),
    },
    "security": {
        **{key: ("kind", {"bank_guarantee", "parent_guarantee"})
           for key in ("party", "amount", "term_months", "beneficiary")},
        "guarantor": ("kind", {"parent_guarantee"}),
    },
    "financing": {
        "equalisation_reserve": ("basis", {"subsidy"}),
        "entrustment_act": ("state_aid", {"sgei"}),
    },
    "governance": {
        "rules_of_procedure_months": ("rules_of_procedure", {"mandate"}),
        "rules_of_procedure_text": ("rules_of_procedure", {"annex"}),
        "secretariat_party": ("secretariat", {"secretary", "programme_manager"}),
    },
}
#: One finding code per top-level section of the table: "resources.ignored_field", "liability.ignored_field", ...
add_codes({f"{section.split('.')[0]}.ignored_field": (Severity.WARNING, UNUSED_FIELD) for section in _USED_ONLY_WITH})


@rule
def fields_in_use(answers: dict) -> Iterator[Finding]:
    """Fields the chosen model or route does not use are pointed out rather than silently dropped."""
    for section, fields in _USED_ONLY_WITH.items():
        where = section.split(".")
        given = _obj(answers, *where)
        for key, (chooser, users) in fields.items():
            chooser_schema = schema_at([*where, chooser]) or {}
            choice = given.get(chooser, chooser_schema.get("default"))
            if key in given and isinstance(choice, str) and choice not in users:
                label = chooser_schema.get("x-labels", {}).get(choice, choice)
                yield make_finding(f"{where[0]}.ignored_field", json_path([*where, key]),
                                   title=field_title([*where, key]), choice=Text(label))


#: The laws of the quality article, as the keys of the ``quality`` section that list the parties under each.
_QUALITY_LAWS = ("wmo", "jeugdwet", "wkkgz")


def _must_be_member(answers: dict, path: list[str], code: str) -> Iterator[Finding]:
    node: Any = answers
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    known = _index_by_id(answers)
    if node in known and not _is_member(answers["parties"][known[node]]):
        yield make_finding(code, json_path(path), party=_label(answers, known[node]))


@rule
def lead_party_is_member(answers: dict) -> Iterator[Finding]:
    """The lead party (penvoerder, main contractor) is a member."""
    yield from _must_be_member(answers, ["resources", "lead_party"], "resources.lead_party_not_member")


@rule
def step_in_party_is_member(answers: dict) -> Iterator[Finding]:
    """The party that steps in on insolvency is a member."""
    yield from _must_be_member(answers, ["insolvency", "step_in_party"], "insolvency.step_in_not_member")


@rule
def designated_successor_is_member(answers: dict) -> Iterator[Finding]:
    """The party designated to continue the help to clients is a member: a commissioner gives no help."""
    yield from _must_be_member(answers, ["client_continuity", "designated_party"],
                               "client_continuity.designated_not_member")


@rule
def funding_notice_binds_a_party(answers: dict) -> Iterator[Finding]:
    """The end of funding needs a financier: without money from one (own costs, no commissioner) the article is
    left out; a notice period binds only a financier that signs (warnings when the fields are given)."""
    funding_end = _obj(answers, "funding_end")
    commissioner = any(p.get("role") == "commissioner" for _, p in _parties(answers))
    if not commissioner and _obj(answers, "resources").get("model") == "own_costs":
        for key in funding_end:
            yield make_finding("funding_end.no_financier", json_path(["funding_end", key]), title=field_title(
                ["funding_end", key]))
    elif "notice_months" in funding_end and not commissioner:
        yield make_finding("funding_end.notice_without_commissioner", json_path(["funding_end", "notice_months"]))


@rule
def continuation_minimum(answers: dict) -> Iterator[Finding]:
    """``continuation.min_parties`` is at most the number of members."""
    minimum = _obj(answers, "withdrawal", "continuation").get("min_parties")
    members = sum(1 for _, p in _parties(answers) if _is_member(p))
    if isinstance(minimum, int) and members and minimum > members:
        yield make_finding("continuation.min_parties", json_path(["withdrawal", "continuation", "min_parties"]),
                           min=minimum, members=members)


@rule
def term_and_notice(answers: dict) -> Iterator[Finding]:
    """For a fixed term the notice is shorter than the term and the lock-in lies within it."""
    alliance = _obj(answers, "alliance")
    term = _obj(answers, "alliance", "term")
    start = _date(alliance.get("start_date"))
    notice = _obj(answers, "withdrawal").get("notice_months")
    years = term.get("years")
    fixed = term.get("kind") == "fixed" and isinstance(years, int)
    if fixed and isinstance(notice, int) and notice >= years * 12:
        yield make_finding("term.notice_too_long", json_path(["withdrawal", "notice_months"]),
                           notice=notice, years=years)
    counted = fixed and _in_range(["alliance", "term", "years"], years)  # else the schema said what is wrong
    end = term_end(start, years) if counted and start else None
    if counted and start and end is None:
        yield make_finding("term.beyond_calendar", json_path(["alliance", "term", "years"]), years=years,
                           start=format_date(start))
    renewal = term.get("renewal_years")
    if end and term.get("renewal") == "tacit" and _in_range(["alliance", "term", "renewal_years"], renewal) \
            and (end == dt.date.max or term_end(end + dt.timedelta(days=1), renewal) is None):
        yield make_finding("term.renewal_beyond_calendar", json_path(["alliance", "term", "renewal_years"]),
                           years=renewal, end=format_date(end))
    lock_in = _date(term.get("lock_in_until"))
    if lock_in and start and (end or term.get("kind") != "fixed"):
        if lock_in < start or (end and lock_in > end):
            yield make_finding("term.lock_in_outside", json_path(["alliance", "term", "lock_in_until"]),
                               lock_in=format_date(lock_in), start=format_date(start),
                               end=format_date(end) if end else Text("onbepaalde tijd"))
    if term.get("kind") == "indefinite" and term.get("renewal") == "tacit":
        yield make_finding("term.renewal_without_fixed_term", json_path(["alliance", "term", "renewal"]))


@rule
def dates_before_start(answers: dict) -> Iterator[Finding]:
    """Signing and the deadlines of conditions precede the start date (warnings)."""
    alliance = _obj(answers, "alliance")
    start = _date(alliance.get("start_date"))
    if not start:
        return
    signing = _date(_obj(answers, "alliance", "signing").get("date"))
    if signing and signing > start:
        yield make_finding("signing.after_start", json_path(["alliance", "signing", "date"]),
                           signing=format_date(signing), start=format_date(start))
    for i, condition in _conditions(answers):
        deadline = _date(condition.get("deadline"))
        if deadline and deadline > start and condition.get("form", "condition") == "condition":
            yield make_finding("condition.deadline_after_start", json_path(["conditions", i, "deadline"]),
                               deadline=format_date(deadline), start=format_date(start))


def _conditions(answers: dict) -> list[tuple[int, dict]]:
    conditions = answers.get("conditions")
    return [(i, c) for i, c in enumerate(conditions if isinstance(conditions, list) else []) if isinstance(c, dict)]


@rule
def conditions_after_signing(answers: dict) -> Iterator[Finding]:
    """A condition precedent can still be fulfilled after signing; one already fulfilled is a warranty.

    A deadline on or before the signing date means the condition has failed when the agreement is signed, so
    the agreement would never enter into force: an error. Without a deadline the start date is the deadline.
    """
    signing = _date(_obj(answers, "alliance", "signing").get("date"))
    start = _date(_obj(answers, "alliance").get("start_date"))
    known = _index_by_id(answers)
    for i, condition in _conditions(answers):
        deadline = _date(condition.get("deadline"))
        owner = condition.get("party")
        party = _label(answers, known[owner]) if isinstance(owner, str) and owner in known else None
        if condition.get("form", "condition") == "warranty":
            if deadline:
                yield make_finding("condition.warranty_deadline", json_path(["conditions", i, "deadline"]), party=party,
                                   deadline=format_date(deadline))
            continue
        if not signing:
            continue
        if deadline and deadline <= signing:
            yield make_finding("condition.deadline_not_after_signing", json_path(["conditions", i, "deadline"]), party=party,
                               deadline=format_date(deadline), signing=format_date(signing))
        elif "deadline" not in condition and start and start <= signing:
            yield make_finding("condition.start_not_after_signing", json_path(["conditions", i]), party=party,
                               start=format_date(start), signing=format_date(signing))


#: The most parties that comfortably sign one set of originals together at one place and date.
MAX_SIGNING_TOGETHER = 6


@rule
def signing_together(answers: dict) -> Iterator[Finding]:
    """Many parties signing together in one room, in as many originals, is impractical (a warning)."""
    signing = _obj(answers, "alliance", "signing")
    parties = answers.get("parties")
    if signing.get("mode", "together") == "together" and isinstance(parties, list) \
            and len(parties) > MAX_SIGNING_TOGETHER:
        yield make_finding("signing.many_together", json_path(["alliance", "signing", "mode"]),
                           count=len(parties), limit=MAX_SIGNING_TOGETHER)


def is_burgemeester(function: Any) -> bool:
    """Return whether a representative's function is that of the burgemeester (art. 171 lid 1 Gemw).

    >>> is_burgemeester("Burgemeester"), is_burgemeester("wethouder, gemachtigd door de burgemeester")
    (True, False)
    """
    return isinstance(function, str) and function.strip().casefold().split(",")[0].strip() == "burgemeester"


@rule
def representation(answers: dict) -> Iterator[Finding]:
    """A gemeente is represented by its burgemeester or by his aanwijzing (art. 171 Gemeentewet).

    Only the burgemeester represents the gemeente by law (lid 1); anyone else signs under an aanwijzing by the
    burgemeester (lid 2), which the answer set records (the schema requires it). An aanwijzing belongs to a
    gemeente only.
    """
    for i, party in _parties(answers):
        representatives = party.get("representatives")
        gemeente = party.get("legal_form") == "gemeente"
        for j, rep in enumerate(representatives if isinstance(representatives, list) else []):
            if not isinstance(rep, dict):
                continue
            path = ["parties", i, "representatives", j]
            who = dict(name=printable(rep.get("name"), 60), function=printable(rep.get("function"), 60))
            if not gemeente:
                if "appointment" in rep:
                    yield make_finding("party.appointment_not_gemeente", json_path(path + ["appointment"]),
                                       party=_label(answers, i))
                continue
            # The schema requires a gemeente representative's basis, and the aanwijzing with 'power_of_attorney'.
            if rep.get("basis") == "statutory" and isinstance(rep.get("function"), str) \
                    and not is_burgemeester(rep["function"]):
                yield make_finding("party.gemeente_not_burgemeester", json_path(path + ["function"]),
                                   party=_label(answers, i), **who)


@rule
def assumed_facts(answers: dict) -> Iterator[Finding]:
    """Name every default that the comparitie states as a fact, so that the lawyer knows it was assumed."""
    for i, party in _parties(answers):
        gemeente = party.get("legal_form") == "gemeente"
        city = _obj(party, "address").get("city")
        if not gemeente and "seat" not in party and isinstance(city, str):
            yield make_finding("party.seat_assumed", json_path(["parties", i, "seat"]), party=_label(answers, i),
                               place=printable(city, 80))
        if gemeente and "council_decision" not in party:
            yield make_finding("party.council_decision_assumed", json_path(["parties", i, "council_decision"]),
                               party=_label(answers, i))
        representatives = party.get("representatives")
        for j, rep in enumerate(representatives if isinstance(representatives, list) else []):
            if isinstance(rep, dict) and "basis" not in rep and not gemeente:
                yield make_finding("party.basis_assumed", json_path(["parties", i, "representatives", j, "basis"]),
                                   party=_label(answers, i), number=j + 1)


#: Finite verbs that, second in a recital, show a main clause: "De Gemeente wil ..." instead of the
#: subordinate clause that "OVERWEGENDE DAT:" demands ("de Gemeente ... wil financieren").
_FINITE_VERBS = frozenset(
    "is zijn heeft hebben wil willen kan kunnen zal zullen wordt worden moet moeten gaat gaan werkt werken "
    "biedt bieden maakt maken staat staan blijft blijven komt komen levert leveren draagt dragen brengt brengen "
    "zet zetten neemt nemen wenst wensen streeft streven ziet zien vindt vinden".split())


@rule
def recitals_are_subordinate(answers: dict) -> Iterator[Finding]:
    """A recital is a subordinate clause after "OVERWEGENDE DAT:"; a main clause is pointed out (warning)."""
    recitals = _obj(answers, "alliance").get("recitals")
    for i, recital in enumerate(recitals if isinstance(recitals, list) else []):
        if not isinstance(recital, str):
            continue
        words = recital.strip().rstrip(".;,").split()
        if words and words[0].casefold() == "dat":
            words = words[1:]  # the clause drops a repeated "dat"
        if len(words) < 3:
            continue
        article = words[0].casefold() in ("de", "het", "een")
        verb_at = 2 if article else 1
        verb = words[verb_at].casefold().strip(",")
        if verb in _FINITE_VERBS and words[-1].casefold() not in _FINITE_VERBS:
            yield make_finding("recital.main_clause", json_path(["alliance", "recitals", i]),
                               start=printable(" ".join(words[:verb_at + 1]), 60))


@rule
def joint_liability_allowed(answers: dict) -> Iterator[Finding]:
    """Joint and several liability needs the articles of every stichting and vereniging to allow it.

    That holds for liability model A3 and for the joint-contracting route (R4), where all members sign with
    the financier and are usually bound jointly and severally.
    """
    if (_obj(answers, "liability").get("model") != "joint_and_several"
            and _obj(answers, "resources").get("route") != "joint_contracting"):
        return
    for i, party in _parties(answers):
        form = party.get("legal_form")
        if form not in _JOINT_LIABILITY_ARTICLE or not _is_member(party):
            continue
        word, article = _JOINT_LIABILITY_ARTICLE[form]
        allowed = party.get("articles_allow_joint_liability")
        path = json_path(["parties", i, "articles_allow_joint_liability"])
        if allowed is False:
            yield make_finding("liability.joint_not_allowed", path, party=_label(answers, i), form=word,
                               article=article)
        elif allowed is None:
            yield make_finding("liability.joint_unknown", path, party=_label(answers, i), form=word,
                               article=article)


@rule
def insolvency_notes(answers: dict) -> Iterator[Finding]:
    """Warn about automatic termination (I1); note that loss of funding is exclusion, not insolvency, and that
    a gemeente stays outside the insolvency article."""
    if _obj(answers, "insolvency").get("model") == "automatic":
        yield make_finding("insolvency.automatic", json_path(["insolvency", "model"]))
    events = _obj(answers, "insolvency").get("events")
    if isinstance(events, list) and "loss_of_grant" in events:
        index = events.index("loss_of_grant")
        yield make_finding("insolvency.loss_of_grant", json_path(["insolvency", "events", index]))
        if all(event == "loss_of_grant" for event in events):
            yield make_finding("insolvency.no_events", json_path(["insolvency", "events"]))
    for i, party in _parties(answers):
        if party.get("legal_form") == "gemeente":
            yield make_finding("insolvency.gemeente_excluded", json_path(["parties", i, "legal_form"]),
                               party=_label(answers, i))


@rule
def court_named(answers: dict) -> Iterator[Finding]:
    """A dispute route that ends at a court names that court (the engine never guesses it)."""
    if "disputes" not in answers:  # when given, the schema itself demands the court
        yield make_finding("disputes.court_missing", json_path(["disputes", "court"]))


_BODY_SENTINEL = "\ue000body\ue001"  # stands for the body's own name while the library's terms are resolved


#: The defined terms of a library by its content hash and the alliance's term (see _library_terms).
_TERMS: dict[tuple[str, str], dict[str, str]] = {}


def _library_terms(library: Library, alliance_term: str) -> dict[str, str]:
    """Return the defined terms of ``library`` (casefolded, with the plural forms the text also reads as the term),
    worked out once per library and alliance term."""
    key = (library.content_hash, alliance_term)
    if key not in _TERMS:
        if len(_TERMS) >= 8:
            _TERMS.clear()
        _TERMS[key] = _terms_of(library, alliance_term)
    return _TERMS[key]


def _terms_of(library: Library, alliance_term: str) -> dict[str, str]:
    templates = Templates()
    found: list[str] = []
    for clause in library.clauses:
        for definition in clause.defines:
            try:
                term = templates.render(definition.term, {"alliance_term": alliance_term, "body": _BODY_SENTINEL})
            except Exception:  # noqa: BLE001 - a term that needs more than these names is not a fixed term
                continue
            if term and _BODY_SENTINEL not in term:
                found.append(term)
    terms = {term.casefold(): term for term in found}
    for term in found:
        for plural in (term + "en", term + "s"):
            terms.setdefault(plural.casefold(), term)
    return terms


def defined_terms(kind: Any) -> dict[str, str]:
    """Return every term the clause library in use defines for a document of ``kind``, by its casefolded forms.

    The body's own name is a term too, but that one is the answer itself. A library that cannot be loaded
    defines nothing here (rendering reports it).

    >>> defined_terms("alliance")["partijen"], defined_terms("cooperation")["samenwerking"]
    ('Partijen', 'Samenwerking')
    """
    try:
        library = library_in_use()
        phrases = library.phrases_for(default_language())
        term_id = f"kind.{kind}.term"  # the answer is not checked yet: an unknown kind reads as an alliance
        alliance_term = phrases.text(term_id if term_id in phrases.ids() else "kind.alliance.term")
    except (LibraryError, OSError):
        return {}
    return _library_terms(library, alliance_term)


@rule
def names_are_not_terms(answers: dict) -> Iterator[Finding]:
    """The body and every party's defined term differ from the library's terms and from each other."""
    terms = defined_terms(_obj(answers, "document").get("kind", "alliance"))
    body = _obj(answers, "governance").get("body_name")
    if isinstance(body, str) and body.strip().casefold() in terms:
        path = ["governance", "body_name"]
        yield make_finding("name.defined_term", json_path(path), title=field_title(path), name=body,
                           term=terms[body.strip().casefold()])
    body_key = (body if isinstance(body, str) else "Stuurgroep").strip().casefold()
    seen: dict[str, int] = {}
    for i, party in _parties(answers):
        key = "short_name" if "short_name" in party else "name"
        name = party.get(key)
        if not isinstance(name, str) or not name.strip():
            continue
        folded = name.strip().casefold()
        path = ["parties", i, key]
        values = {"title": field_title(path), "name": name}
        if folded in terms:
            yield make_finding("name.defined_term", json_path(path), party=_label(answers, i), term=terms[folded],
                               **values)
        elif folded == body_key:
            yield make_finding("name.taken", json_path(path), party=_label(answers, i),
                               other=Text("het bestuursorgaan"), **values)
        elif folded in seen:
            yield make_finding("name.taken", json_path(path), party=_label(answers, i),
                               other=_label(answers, seen[folded]), **values)
        seen.setdefault(folded, i)


# --- the articles of the second legal review: name and logo, notices, costs ---------------------------------

def _party_references(answers: dict, paths: list[list]) -> Iterator[tuple[list, str]]:
    for path in paths:
        node: Any = answers
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str):
            yield path, node


@rule
def publicity_parties(answers: dict) -> Iterator[Finding]:
    """The spokesperson is a party; the holder of the rights to name and logo is a member."""
    known = _index_by_id(answers)
    paths = [["publicity", "spokesperson"], ["publicity", "rights_holder"]]
    for path, pid in _party_references(answers, paths):
        if pid not in known and pid not in ("chair", "none"):
            yield make_finding("party.unknown_reference", json_path(path), id=pid)
    yield from _must_be_member(answers, ["publicity", "rights_holder"], "publicity.rights_holder_not_member")


@rule
def notice_contacts(answers: dict) -> Iterator[Finding]:
    """Contacts name existing parties; a party without a contact is pointed out (it must name one later)."""
    contacts = _obj(answers, "notices", "contacts")
    if not contacts:
        return
    known = _index_by_id(answers)
    for pid in contacts:
        if pid not in known:
            yield make_finding("party.unknown_reference", json_path(["notices", "contacts", pid]), id=pid)
    for pid, i in known.items():
        if pid not in contacts:
            yield make_finding("notices.contact_missing", json_path(["notices", "contacts"]),
                               party=_label(answers, i))


@rule
def joint_costs_by_key(answers: dict) -> Iterator[Finding]:
    """Joint costs split by the allocation key need an allocation key."""
    if (_obj(answers, "costs").get("joint_advisers") == "allocation_key"
            and _obj(answers, "resources").get("model") != "allocation_key"):
        yield make_finding("costs.key_without_allocation", json_path(["costs", "joint_advisers"]))


# --- exclusivity and security for performance (issue 14, items 7 and 11) ----------------------------------

@rule
def competition_between_parties_of_one_kind(answers: dict) -> Iterator[Finding]:
    """Exclusivity or joint purchasing among three or more members of one legal form is a competition risk."""
    exclusivity = _obj(answers, "exclusivity")
    agreed = [(code, key) for code, key, given in (
        ("exclusivity.competition_risk", "kind", exclusivity.get("kind", "none") not in ("none", None)),
        ("exclusivity.joint_purchasing_risk", "joint_purchasing", exclusivity.get("joint_purchasing") is True))
        if given]
    if not agreed:
        return
    forms: dict[str, int] = {}
    for _i, party in _parties(answers):
        form = party.get("legal_form")
        if _is_member(party) and isinstance(form, str) and form not in ("gemeente", "other"):
            forms[form] = forms.get(form, 0) + 1
    labels = (schema_at(["parties", 0, "legal_form"]) or {}).get("x-labels", {})
    for form, count in sorted(forms.items()):
        if count >= 3:
            for code, key in agreed:
                yield make_finding(code, json_path(["exclusivity", key]), count=count, form=Text(labels.get(form, form)))


@rule
def security_for_performance(answers: dict) -> Iterator[Finding]:
    """A guarantee has an amount above nil, a beneficiary that exists, and is odd when a gemeente gives it."""
    security = _obj(answers, "security")
    if security.get("kind", "none") == "none":
        return
    amount = security.get("amount")
    if isinstance(amount, int | float) and not isinstance(amount, bool) and amount <= 0:
        yield make_finding("security.amount_not_positive", json_path(["security", "amount"]))
    known = _index_by_id(answers)
    pid = security.get("party")
    if pid in known and answers["parties"][known[pid]].get("legal_form") == "gemeente":
        yield make_finding("security.gemeente", json_path(["security", "party"]), party=_label(answers, known[pid]))
    if security.get("beneficiary") == "lead_party":
        resources = _obj(answers, "resources")
        if resources.get("route", "direct") != "lead_party":
            yield make_finding("security.no_lead_party", json_path(["security", "beneficiary"]))
        elif pid is not None and pid == resources.get("lead_party") and pid in known:
            yield make_finding("security.own_beneficiary", json_path(["security", "beneficiary"]),
                               party=_label(answers, known[pid]))




# --- the financing basis (subsidy or contract), state aid, the alliance's own legal entity -----------------

#: The routes of the money that fit each financing basis: a subsidy goes to each party or to a penvoerder, a
#: contract to each party, to a main contractor, or to all parties jointly.
FINANCING_ROUTES = {"subsidy": ("direct", "lead_party"), "contract": ("direct", "main_contractor", "joint_contracting")}


@rule
def financing_basis(answers: dict) -> Iterator[Finding]:
    """The route fits the basis; a subsidy names its state-aid ground; a DAEB names its entrustment act."""
    financing = _obj(answers, "financing")
    basis = financing.get("basis")
    if basis not in FINANCING_ROUTES:
        return
    route = _obj(answers, "resources").get("route", "direct")
    labels = (schema_at(["resources", "route"]) or {}).get("x-labels", {})
    if isinstance(route, str) and route in labels and route not in FINANCING_ROUTES[basis]:
        basis_label = (schema_at(["financing", "basis"]) or {}).get("x-labels", {}).get(basis, basis)
        yield make_finding("financing.route_mismatch", json_path(["resources", "route"]), basis=Text(basis_label),
                           route=Text(labels[route]),
                           routes=joined(" / ", [labels[r] for r in FINANCING_ROUTES[basis]]))
    if basis == "subsidy" and "state_aid" not in financing:
        yield make_finding("financing.state_aid_missing", json_path(["financing", "state_aid"]))
    if financing.get("state_aid") == "sgei" and "entrustment_act" not in financing:
        yield make_finding("financing.entrustment_missing", json_path(["financing", "entrustment_act"]))
    if basis == "contract":
        yield make_finding("financing.award_route", json_path(["financing", "basis"]))


@rule
def own_legal_entity(answers: dict) -> Iterator[Finding]:
    """The engine drafts contractual alliances only; an alliance that wants its own legal entity is told so."""
    if _obj(answers, "financing").get("own_legal_entity") is True:
        yield make_finding("financing.own_legal_entity", json_path(["financing", "own_legal_entity"]))
# --- quality, complaints and calamities; governance completed ------------------------------------------------

def _names(answers: dict, ids: list) -> str:
    """Return the names of the parties with ``ids`` as a Dutch enumeration ("A, B en C")."""
    known = _index_by_id(answers)
    return enumerate_nl([str(answers["parties"][known[pid]].get("name", pid)) for pid in ids if pid in known])


@rule
def quality_parties(answers: dict) -> Iterator[Finding]:
    """The laws of the quality article are applied to members only; youth care needs a party under the Jeugdwet."""
    quality = _obj(answers, "quality")
    known = _index_by_id(answers)
    for law in _QUALITY_LAWS:
        listed = quality.get(law)
        for i, pid in enumerate(listed if isinstance(listed, list) else []):
            if pid in known and not _is_member(answers["parties"][known[pid]]):
                yield make_finding("quality.not_member", json_path(["quality", law, i]),
                                   party=_label(answers, known[pid]))
    youth, jeugdwet = quality.get("youth_in_scope") is True, bool(quality.get("jeugdwet"))
    if youth and not jeugdwet:
        yield make_finding("quality.youth_without_jeugdwet", json_path(["quality", "jeugdwet"]))
    if jeugdwet and not youth:
        yield make_finding("quality.jeugdwet_without_youth", json_path(["quality", "youth_in_scope"]))


@rule
def quality_risky_choices(answers: dict) -> Iterator[Finding]:
    """No meldcode while a party is under a law that requires one, a joint complaints procedure for a Wkkgz
    provider, and a VOG older than three months are pointed out."""
    quality = _obj(answers, "quality")
    listed = [pid for law in _QUALITY_LAWS if isinstance(quality.get(law), list) for pid in quality[law]]
    listed = list(dict.fromkeys(p for p in listed if p in _index_by_id(answers)))
    if quality.get("meldcode") is False and listed:
        yield make_finding("quality.no_meldcode", json_path(["quality", "meldcode"]), parties=_names(answers, listed))
    wkkgz = [p for p in quality.get("wkkgz", []) if p in _index_by_id(answers)] \
        if isinstance(quality.get("wkkgz"), list) else []
    if quality.get("complaints") == "joint" and wkkgz:
        yield make_finding("quality.joint_complaints_wkkgz", json_path(["quality", "complaints"]),
                           parties=_names(answers, wkkgz))
    months = quality.get("vog_max_age_months")
    if isinstance(months, int) and not isinstance(months, bool) and months > 3:
        yield make_finding("quality.vog_older_than_three_months", json_path(["quality", "vog_max_age_months"]),
                           months=months)


@rule
def governance_support_and_escalation(answers: dict) -> Iterator[Finding]:
    """The secretary or programme manager and the escalation to the commissioner, checked against the parties."""
    governance = _obj(answers, "governance")
    if governance.get("secretariat") in ("secretary", "programme_manager"):
        yield from _must_be_member(answers, ["governance", "secretariat_party"],
                                   "governance.secretariat_commissioner")
    if governance.get("commissioner_escalation") is True:
        commissioners = [p.get("id") for _i, p in _parties(answers) if not _is_member(p)]
        if not commissioners:
            yield make_finding("governance.escalation_without_commissioner",
                               json_path(["governance", "commissioner_escalation"]))


# --- the variants of the four core topics: caps, exit fees, attachment, the M4 share on exit ------------------

def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Decimal(str(value))


@rule
def liability_cap_by_share(answers: dict) -> Iterator[Finding]:
    """A cap as a percentage of each party's annual share needs shares whose amounts are known and not nil;
    an annual aggregate is not below the cap per event."""
    cap = _obj(answers, "liability", "cap")
    if cap.get("kind") == "amount":
        amount, aggregate = _number(cap.get("amount")), _number(cap.get("annual_aggregate"))
        if amount is not None and aggregate is not None and aggregate < amount:
            # found at the cap per event, so that the interview still asks for the aggregate (a rule that
            # objects to the field's sample value would make it look unused)
            yield make_finding("liability.aggregate_below_amount", json_path(["liability", "cap", "amount"]))
    if cap.get("kind") != "share_percent":
        return
    resources = _obj(answers, "resources")
    model = resources.get("model")
    path = json_path(["liability", "cap", "kind"])
    if model in ("output_based", "annual_plan"):
        yield make_finding("liability.cap_share_unknown", path)
        return
    amounts = _obj(answers, "resources", "shares" if model == "allocation_key" else "contributions")
    if model not in ("allocation_key", "own_costs"):
        return
    for i, party in _parties(answers):
        if _is_member(party) and not _number(amounts.get(party.get("id"))):
            yield make_finding("liability.cap_share_nil", path, party=_label(answers, i))


@rule
def exit_fee_in_proportion(answers: dict) -> Iterator[Finding]:
    """An exit fee of more than six months of a party's annual share without a cap risks moderation."""
    fee = _obj(answers, "withdrawal", "exit_fee")
    months = fee.get("months")
    if fee.get("kind") == "annual_share" and isinstance(months, int) and months > 6 and "cap" not in fee:
        yield make_finding("withdrawal.exit_fee_high", json_path(["withdrawal", "exit_fee", "months"]),
                           months=months)


@rule
def exit_share_needs_a_fund(answers: dict) -> Iterator[Finding]:
    """The M4 share on exit only matters when a lead party or main contractor holds the contributions."""
    resources = _obj(answers, "resources")
    if ("exit_share" in resources and resources.get("model") == "own_costs"
            and resources.get("route", "direct") == "direct"):
        yield make_finding("resources.exit_share_direct", json_path(["resources", "exit_share"]))


@rule
def attachment_in_proportion(answers: dict) -> Iterator[Finding]:
    """The attachment fields are used only when attachment is an event; automatic termination on it is risky."""
    insolvency = _obj(answers, "insolvency")
    events = insolvency.get("events", ["bankruptcy", "suspension_of_payments", "dissolution"])
    if not isinstance(events, list):
        return
    if "attachment" not in events:
        for key in ("attachment_days", "attachment_threshold"):
            if key in insolvency:
                yield make_finding("insolvency.attachment_unused", json_path(["insolvency", key]),
                                   title=field_title(["insolvency", key]))
    elif insolvency.get("model") == "automatic":
        yield make_finding("insolvency.automatic_attachment",
                           json_path(["insolvency", "events", events.index("attachment")]))


@rule
def comfort_needs(answers: dict) -> Iterator[Finding]:
    """Every need of ``comfort[]`` has one source that parses, reads known fields and names something."""
    yield from comfort_static_findings(answers)
