"""Benchmark: the comfort solver for 20 parties with 5 needs each (the design asks for under a second).

Run from the project root with the engine installed:

    .venv/bin/python bench/bench_comfort.py            # 5 runs of each case
    .venv/bin/python bench/bench_comfort.py --runs 1

The alliance is the founding story's, grown to 19 members and the gemeente; every party has five needs drawn
(with a fixed seed) from a pool of conditions on money, liability, withdrawal, insolvency, governance and
disputes, three musts and two wishes. Three cases: every must met today, musts that need a few changes, and
musts that cannot hold together (the solver names them). It prints the median and the range of ``solve``
in one warm process (the library and the templates loaded once, as in an Engine), and what it found.

Nothing here is a test: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dak-en-thuis.json"

#: Conditions a party might ask, as (requires, met in the founding story's answers).
POOL = [
    "liability.model in ['own_acts', 'pro_rata']",
    "liability.cap.kind != 'none'",
    "liability.exclude_indirect_damage",
    "withdrawal.notice_months <= 6",
    "withdrawal.notice_months >= 3",
    "withdrawal.wind_down_months >= 3",
    "withdrawal.exit_fee.kind != 'fixed'",
    "withdrawal.continuation.rekey == 'pro_rata'",
    "insolvency.model != 'automatic'",
    "insolvency.curator_response_days <= 30",
    "governance.chair == 'rotating'",
    "governance.meetings_per_year >= 4",
    "governance.decision_rule != 'majority'",
    "disputes.route != 'arbitration'",
    "resources.route == 'lead_party'",
    "resources.payment_term_days <= 30",
]
#: Needs that today's answers do not meet, but a few changes do.
TO_CHANGE = [
    "withdrawal.notice_months <= 3",
    "withdrawal.effective in ['end_of_month', 'any_date']",
    "resources.payment_term_days <= 14",
]
#: A must that clashes with "withdrawal.notice_months <= 6".
CLASH = "withdrawal.notice_months >= 12"


def alliance(members: int = 19) -> dict:
    """Return the founding story's alliance grown to ``members`` members and the gemeente."""
    answers = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    template = copy.deepcopy(answers["parties"][1])  # a stichting that allows no joint liability
    gemeente = answers["parties"][-1]
    parties = answers["parties"][:5]
    for n in range(len(parties), members):
        party = copy.deepcopy(template)
        party.update(id=f"partner{n}", name=f"Stichting Partner {n}", short_name=f"Partner {n}",
                     kvk=f"{60000000 + n}")
        parties.append(party)
    answers["parties"] = parties + [gemeente]
    share = round(100 / members, 2)
    shares = {p["id"]: share for p in parties}
    shares[parties[0]["id"]] = round(100 - share * (members - 1), 2)
    answers["resources"]["shares"] = shares
    answers["comfort"] = []
    return answers


def with_needs(answers: dict, case: str, seed: int = 17) -> dict:
    """Return ``answers`` with five needs per party: three musts, two wishes, as ``case`` asks."""
    rng = random.Random(seed)
    answers = copy.deepcopy(answers)
    needs = []
    for number, party in enumerate(answers["parties"]):
        conditions = rng.sample(POOL, 5)
        if case in ("change", "conflict") and number % 4 == 0:
            conditions[0] = TO_CHANGE[number // 4 % len(TO_CHANGE)]
        if case == "conflict" and number == 7:
            conditions[1] = CLASH
        for k, requires in enumerate(conditions):
            needs.append({"party": party["id"], "need": f"Behoefte {k + 1} van {party['name']}",
                          "priority": "must" if k < 3 else "wish", "requires": requires})
    if case == "conflict":  # make sure the clashing must meets its opposite
        needs.append({"party": answers["parties"][3]["id"], "need": "Binnen een half jaar weg kunnen",
                      "priority": "must", "requires": "withdrawal.notice_months <= 6"})
    answers["comfort"] = needs
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from agreement_engine.comfort_solve import solve
    from agreement_engine.validate import validate

    base = alliance()
    solve(with_needs(base, "met"))  # load the library and compile the templates once, as an Engine does
    print(f"comfort --solve, {len(base['parties'])} parties x 5 needs, {args.runs} runs each (warm process)")
    for case in ("met", "change", "conflict"):
        answers = with_needs(base, case)
        errors = [f for f in validate(answers, comfort=False) if f.severity.value == "error"]
        if errors:
            print(f"  {case}: the generated answer set is invalid: {errors[0].path} {errors[0].message}")
            return 1
        times, result = [], None
        for _ in range(args.runs):
            start = time.perf_counter()
            result = solve(answers)
            times.append(time.perf_counter() - start)
        found = (f"{len(result.solutions)} solutions, first changes {len(result.solutions[0].changes)} answers"
                 if result.solutions else f"{len(result.conflicts)} conflicts, first of "
                                          f"{len(result.conflicts[0]) if result.conflicts else 0} needs")
        print(f"  {case:<9} median {statistics.median(times) * 1000:7.1f} ms "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); {len(answers['comfort'])} needs; {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
