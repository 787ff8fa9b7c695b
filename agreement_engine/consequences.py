"""What the choices mean for each party in euros: money per year, a damage, leaving, and another party leaving or failing.

Pure computations on a valid answer set, without Word and without words: the board brief (``word/brief.py``)
and the variants page show them. A variant's figures come from the same answers with only that choice changed;
what a variant needs besides and the answers do not give (an M2 tariff, an exit fee not yet filled in) is None,
never guessed. Every division of an amount is in cents that add up exactly (:func:`assemble.allocate`).

The damage scenario follows the liability article: damage caused by a party is borne by that party, towards the
others at most up to its cap (A1, A2); damage nobody is to blame for stays where it falls (A1) or is shared by
the allocation key without a cap (A2); under A3 the financier may claim the whole from any participating party,
which recovers it from the party that caused it, or by the key when nobody did, without a cap.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from agreement_engine.answers import normalize
from agreement_engine.assemble import allocate
from agreement_engine.schema import schema_at

#: The four core topics and the answer that chooses their variant.
CORE: dict[str, tuple[str, ...]] = {
    "resources": ("resources", "model"),
    "liability": ("liability", "model"),
    "withdrawal": ("withdrawal", "exit_fee", "kind"),
    "insolvency": ("insolvency", "model"),
}
#: The default amount of the damage scenario, in euros.
DEFAULT_DAMAGE = Decimal(100000)
_CENT = Decimal("0.01")
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Scenario:
    """The assumptions of the figures: the amount of a damage, and which party causes it (None: per party the
    first other participating party)."""

    damage: Decimal = DEFAULT_DAMAGE
    causer: str | None = None

    def causer_for(self, answers: dict, party: str) -> str | None:
        """Return the party that causes the damage in the brief of ``party``: never ``party`` itself."""
        others = [m for m in members(answers) if m != party]
        if self.causer in others:
            return self.causer
        return others[0] if others else None


@dataclass(frozen=True)
class Money:
    """A party's money per year under one resources model: what it receives and what it contributes."""

    share: Decimal | None  # its percentage of the allocation key
    receives: Decimal | None  # from the annual budget (None: set each year in the annual plan, or nothing)
    contributes: Decimal | None  # to the joint costs (own-costs model)

    @property
    def annual(self) -> Decimal | None:
        """Return its annual share: what it receives, or under the own-costs model what it contributes."""
        return self.receives if self.receives is not None else self.contributes


@dataclass(frozen=True)
class Damage:
    """Who pays a damage of ``amount`` caused by ``causer`` (None: nobody is to blame) under one liability model.

    ``pays``: what each participating party bears in the end; ``first``: what the claimant may ask of it first
    (under A3 the whole, before recourse); ``uncovered``: what stays with whoever suffers the damage (above the
    causer's cap, or under A1 a damage nobody is to blame for). ``pays`` and ``uncovered`` add up to ``amount``.
    """

    model: str
    amount: Decimal
    causer: str | None
    pays: dict[str, Decimal]
    first: dict[str, Decimal]
    uncovered: Decimal


@dataclass(frozen=True)
class Cap:
    """The limit of a party's liability towards the others: its kind and amount (None: no number to give)."""

    kind: str
    amount: Decimal | None


@dataclass(frozen=True)
class Exit:
    """What leaving costs a party under one kind of exit fee."""

    kind: str
    notice_months: int
    effective: str
    wind_down_months: int
    lock_in_until: str | None
    fee: Decimal | None  # the fee, where the answers give it
    maximum: Decimal | None  # the most it can be, where only a maximum is known


@dataclass(frozen=True)
class Departure:
    """What follows for the others when ``leaving`` leaves (``insolvency`` None) or fails under an insolvency model."""

    leaving: str
    insolvency: str | None
    continues: bool  # enough participating parties remain to continue
    rekey: str  # pro_rata or steering_decision (then the figures are provisional)
    shares: dict[str, Decimal]  # the new key of the remaining parties, exactly 100 in total
    amounts: dict[str, Decimal | None]  # their money per year after it
    clients: tuple[str | None, str | None]  # who takes over the clients: (how, party id)


@dataclass(frozen=True)
class PartyConsequences:
    """Everything the board brief of one party shows, today and per variant of the four core topics."""

    party: str
    member: bool
    causer: str | None
    money: dict[str, Money]  # per resources model
    cap: Cap
    damage: dict[str, Damage]  # per liability model, caused by ``causer``
    shared_damage: dict[str, Damage]  # per liability model, nobody to blame
    own_damage: dict[str, Damage]  # per liability model, caused by the party itself
    exit: dict[str, Exit]  # per kind of exit fee
    departures: list[Departure]  # today's answers, each other participating party leaving
    failures: dict[str, Departure]  # per insolvency model, ``causer`` failing


@dataclass(frozen=True)
class Consequences:
    """The consequences for every party of one answer set under one scenario, and today's choices."""

    scenario: Scenario
    chosen: dict[str, str]  # topic -> today's value of its choice
    variants: dict[str, list[str]]  # topic -> every value of its choice, in the schema's order
    parties: dict[str, PartyConsequences] = field(default_factory=dict)


# the answers ---------------------------------------------------------------------------------------

def members(answers: dict) -> list[str]:
    """Return the ids of the participating parties (not a commissioner), in the answer set's order."""
    return [p["id"] for p in answers["parties"] if p.get("role", "member") == "member"]


def choice(answers: dict, topic: str) -> Any:
    """Return today's value of the choice of a core ``topic``."""
    node: Any = answers
    for key in CORE[topic]:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return node if not isinstance(node, dict) else None


def choices(topic: str) -> list[str]:
    """Return every value of the choice of a core ``topic``, in the schema's order."""
    return list(schema_at(list(CORE[topic]))["enum"])


def label(topic: str, value: str) -> str:
    """Return the name of a choice of a core ``topic`` as the answer-set schema gives it ("A2 Gedeelde ...")."""
    return schema_at(list(CORE[topic]))["x-labels"][value]


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def key(answers: dict) -> dict[str, Decimal] | None:
    """Return the allocation key of the participating parties in percentages, exactly 100 in total.

    The key is the answers' shares, or else the ratio of the contributions to the joint costs; None when the
    answers give neither (the annual plan sets it).
    """
    resources = answers["resources"]
    ids = members(answers)
    if resources.get("shares"):
        return {pid: _decimal(resources["shares"][pid]) for pid in ids if pid in resources["shares"]}
    contributions = {pid: _decimal(v) for pid, v in (resources.get("contributions") or {}).items() if pid in ids}
    total = sum(contributions.values(), _ZERO)
    if not total:
        return None
    return rescale(contributions)


def rescale(weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Return ``weights`` as percentages of two decimals that add up to exactly 100.

    >>> rescale({"a": Decimal(1), "b": Decimal(2)})
    {'a': Decimal('33.33'), 'b': Decimal('66.67')}
    """
    total = sum(weights.values(), _ZERO)
    return allocate(Decimal(100), {pid: w * 100 / total for pid, w in weights.items()}) if total else {}


def budget(answers: dict) -> Decimal | None:
    """Return the annual budget: the answer, or the sum of the contributions."""
    resources = answers["resources"]
    if "annual_budget" in resources:
        return _decimal(resources["annual_budget"])
    contributions = resources.get("contributions")
    return sum((_decimal(v) for v in contributions.values()), _ZERO) if contributions else None


# money ---------------------------------------------------------------------------------------------

def money(answers: dict, model: str) -> dict[str, Money]:
    """Return every party's money per year under resources ``model`` (the answers' own figures otherwise)."""
    shares, total = key(answers), budget(answers)
    ids = [p["id"] for p in answers["parties"]]
    received = allocate(total, shares) if shares and total is not None else {}
    contributions = answers["resources"].get("contributions")
    if contributions:
        paid = {pid: _decimal(v) for pid, v in contributions.items()}
    else:
        paid = received
    out = {}
    for pid in ids:
        share = shares.get(pid) if shares else None
        if model == "allocation_key":
            out[pid] = Money(share, received.get(pid), None)
        elif model == "own_costs":
            out[pid] = Money(share, None, paid.get(pid))
        else:  # output_based, annual_plan: the annual plan decides, year by year
            out[pid] = Money(share, None, None)
    return out


# damage --------------------------------------------------------------------------------------------

def cap(answers: dict, party: str) -> Cap:
    """Return the limit of ``party``'s liability towards the others under today's answers."""
    limit = answers["liability"].get("cap") or {"kind": "insured_sum"}
    kind = limit.get("kind", "insured_sum")
    if kind == "amount":
        return Cap(kind, _decimal(limit["amount"]))
    if kind == "share_percent":
        annual = money(answers, answers["resources"]["model"]).get(party)
        base = annual.annual if annual else None
        return Cap(kind, None if base is None else (base * _decimal(limit["percent"]) / 100).quantize(
            _CENT, rounding=ROUND_DOWN))
    return Cap(kind, None)  # none: unlimited; insured_sum: what the insurer pays, not known in advance


def damage(answers: dict, model: str, amount: Decimal, causer: str | None) -> Damage:
    """Return who pays a damage of ``amount`` caused by ``causer`` (None: nobody) under liability ``model``."""
    ids = members(answers)
    pays = {pid: _ZERO for pid in ids}
    first = dict(pays)
    uncovered = _ZERO
    if causer is not None:
        limit = cap(answers, causer)
        if model == "joint_and_several":  # the cap covers neither the financier's claim nor the recourse
            pays[causer] = amount
            first = {pid: amount for pid in ids}
        else:
            paid = amount if limit.kind in ("none", "insured_sum") or limit.amount is None \
                else min(amount, limit.amount)
            pays[causer] = paid
            first[causer] = paid
            uncovered = amount - paid
    else:
        shares = key(answers)
        if model == "own_acts" or not shares:
            uncovered = amount  # it stays with whoever it hits
        else:
            pays.update(allocate(amount, shares))
            first = {pid: amount for pid in ids} if model == "joint_and_several" else dict(pays)
    return Damage(model, amount, causer, pays, first, uncovered)


# leaving -------------------------------------------------------------------------------------------

def exit_cost(answers: dict, kind: str, party: str) -> Exit:
    """Return what leaving costs ``party`` under exit fee ``kind`` (a commissioner never pays a fee)."""
    withdrawal = answers["withdrawal"]
    fee_answers = withdrawal.get("exit_fee") or {}
    annual = money(answers, answers["resources"]["model"])[party].annual
    fee = maximum = None
    if party not in members(answers) or kind == "none":
        fee = _ZERO
    elif kind == "fixed":
        fee = _decimal(fee_answers["amount"]) if "amount" in fee_answers else None
    elif kind == "annual_share":
        if "months" in fee_answers and annual is not None:
            fee = (annual * fee_answers["months"] / 12).quantize(_CENT, rounding=ROUND_DOWN)
    elif kind == "remaining_commitments" and answers["resources"]["model"] == "own_costs":
        maximum = annual  # at most one year's contribution; otherwise a share of costs the annual plan budgets
    if "cap" in fee_answers and fee != _ZERO:  # a maximum of the fee
        limit = _decimal(fee_answers["cap"])
        fee = None if fee is None else min(fee, limit)
        maximum = None if fee is not None else limit if maximum is None else min(maximum, limit)
    return Exit(kind, withdrawal["notice_months"], withdrawal.get("effective", "end_of_calendar_year"),
                withdrawal.get("wind_down_months", 3), answers["alliance"]["term"].get("lock_in_until"),
                fee, maximum)


def departure(answers: dict, leaving: str, insolvency: str | None = None) -> Departure:
    """Return what follows for the other parties when ``leaving`` leaves, or fails under ``insolvency``."""
    continuation = answers["withdrawal"].get("continuation") or {}
    remaining = [m for m in members(answers) if m != leaving]
    continues = len(remaining) >= continuation.get("min_parties", 2)
    model = answers["resources"]["model"]
    before = money(answers, model)
    shares = key(answers) or {}
    step_in = answers["insolvency"].get("step_in_party") if insolvency == "step_in" else None
    if step_in == leaving:
        step_in = None  # the steering body appoints another party
    amounts: dict[str, Decimal | None]
    if insolvency == "step_in" and not step_in:  # which party takes over is not known yet
        new_shares, amounts = {}, {pid: None for pid in remaining}
    elif step_in:  # the step-in party takes over the tasks and their money; the others stay as they were
        new_shares = {pid: shares.get(pid, _ZERO) + (shares.get(leaving, _ZERO) if pid == step_in else _ZERO)
                      for pid in remaining} if shares else {}
        amounts = {pid: _add(before[pid].annual, before[leaving].annual if pid == step_in else _ZERO)
                   for pid in remaining}
    else:
        new_shares = rescale({pid: shares[pid] for pid in remaining if pid in shares}) if shares else {}
        if model == "own_costs":  # contributions stay; the key follows them and the joint costs shrink
            amounts = {pid: before[pid].annual for pid in remaining}
        else:
            total = budget(answers)
            amounts = (dict(allocate(total, new_shares)) if total is not None and new_shares
                       and model == "allocation_key" else {pid: None for pid in remaining})
    if not continues:
        new_shares, amounts = {}, {}
    return Departure(leaving, insolvency, continues, continuation.get("rekey", "pro_rata"), new_shares, amounts,
                     ("step_in", step_in) if insolvency == "step_in" else clients(answers, leaving))


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


def clients(answers: dict, leaving: str) -> tuple[str | None, str | None]:
    """Return who takes over the clients of ``leaving``: (how, party id), (None, None) when nothing is agreed."""
    continuity = answers.get("client_continuity")
    if not continuity:
        return None, None
    successor = continuity.get("successor", "remaining_parties")
    party = continuity.get("designated_party") if successor == "designated_party" else None
    return successor, (party if party != leaving else None)


# all of it -----------------------------------------------------------------------------------------

def consequences(answers: dict, scenario: Scenario | None = None) -> Consequences:
    """Return the consequences for every party of a valid answer set, today and per core variant."""
    scenario = scenario or Scenario()
    answers = normalize(answers)
    result = Consequences(scenario, {topic: choice(answers, topic) for topic in CORE},
                          {topic: choices(topic) for topic in CORE})
    ids = members(answers)
    for party in (p["id"] for p in answers["parties"]):
        causer = scenario.causer_for(answers, party)
        member = party in ids
        result.parties[party] = PartyConsequences(
            party, member, causer,
            money={model: money(answers, model)[party] for model in result.variants["resources"]},
            cap=cap(answers, party),
            damage={m: damage(answers, m, scenario.damage, causer) for m in result.variants["liability"]},
            shared_damage={m: damage(answers, m, scenario.damage, None) for m in result.variants["liability"]},
            own_damage={m: damage(answers, m, scenario.damage, party) for m in result.variants["liability"]}
            if member else {},
            exit={kind: exit_cost(answers, kind, party) for kind in result.variants["withdrawal"]},
            departures=[departure(answers, other) for other in ids if other != party],
            failures={m: departure(answers, causer, m) for m in result.variants["insolvency"]} if causer else {},
        )
    return result


def to_json(result: Consequences, answers: dict) -> dict:
    """Return ``result`` as plain JSON data for tools: amounts as strings of euros with two decimals."""
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}
        return value

    return {"alliance": answers["alliance"]["name"], "damage": plain(result.scenario.damage),
            "chosen": result.chosen, "variants": result.variants,
            "parties": {pid: {"name": next(p["name"] for p in answers["parties"] if p["id"] == pid),
                              **plain(party)} for pid, party in result.parties.items()}}
