"""Fairness benchmark: 1,000 simulated members, 12 monthly periods, every winner-selection method.

Activity is heavy-tailed (a few very active people, most occasional, some improving over time) and seeded.
Each month every method distributes the same money (``MONTHLY_BUDGET_CENTS``) using the application's own
functions (``groundswell.recognition.draws`` and ``.allocation``). For each method we print:

* distinct winners and the most wins by one person over the 12 months (a "win" is a contest prize; for the
  pure bonus pool it is a month with a payout);
* the Gini coefficient of the year's payouts over all members;
* Spearman's correlation between each member's effort (actions in the year, before any cap) and payout;
* monotone: in every month, among the people eligible that month, the expected payout never decreases
  when capped points increase (a raffle's expected payout is its exact winning chance times the prize).

The naive baseline is "highest points wins the monthly bonus". The last line reports the default settings
(bonus pool by formula plus a weighted-raffle contest with a cooldown).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from groundswell.recognition.allocation import PoolFormula, allocate
from groundswell.recognition.draws import (
    eligible_after_cooldown,
    most_improved,
    top_n,
    weighted_raffle,
)
from groundswell.recognition.fairness import gini, is_monotone, spearman

MEMBERS = 1000
MONTHS = 12
DAYS = 30
MONTHLY_BUDGET_CENTS = 500_000  # 5,000.00 a month for every method
SHARE_POINTS, SHARE_DAILY_CAP = 10, 50  # the default "share made" rule
PRIZES = 10
COOLDOWN = 5  # a winner sits out the next five draws: at most 2 wins in 12 months
FORMULA = PoolFormula(threshold=30, cap=400, floor_cents=500, ceiling_cents=10_000)
DEFAULT_POOL_SHARE = 0.8  # the default: 80% through the bonus pool, 20% as contest prizes


@dataclass
class Month:
    points: dict[str, int]  # after daily caps
    effort: dict[str, int]  # actions, uncapped


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate(seed: int) -> list[Month]:
    """Heavy-tailed monthly activity: Pareto base rates, occasional members, and some who improve."""
    rng = random.Random(seed)
    profiles = []
    for i in range(MEMBERS):
        base = min(60.0, 0.4 * rng.paretovariate(1.2))  # shares a month
        kind = rng.random()
        if kind < 0.35:
            profile = (base, 0.35, 1.0)  # occasional: active in about a third of the months
        elif kind < 0.47:
            profile = (base * 0.5, 0.9, 1.22)  # improving: +22% a month
        else:
            profile = (base, 0.85, 1.0)
        profiles.append((f"m{i:04d}", *profile))
    months = []
    for m in range(MONTHS):
        points: dict[str, int] = {}
        effort: dict[str, int] = {}
        for key, base, active, growth in profiles:
            if rng.random() > active:
                points[key] = effort[key] = 0
                continue
            rate = base * growth**m / DAYS
            total_points = total_actions = 0
            for _ in range(DAYS):
                actions = poisson(rng, rate)
                total_actions += actions
                total_points += min(actions * SHARE_POINTS, SHARE_DAILY_CAP)
            points[key], effort[key] = total_points, total_actions
        months.append(Month(points, effort))
    return months


@dataclass
class Outcome:
    name: str
    payout: Counter[str] = field(default_factory=Counter)  # cents over the year
    wins: Counter[str] = field(default_factory=Counter)
    monotone: bool = True


Method = Callable[[int, Month, list[list[str]], list[Month], Outcome], None]


def _capped(month: Month) -> dict[str, int]:
    return {k: min(p, FORMULA.cap) for k, p in month.points.items()}


def _check(outcome: Outcome, capped: dict[str, int], expected: dict[str, float], eligible: list[str]) -> None:
    if not is_monotone({k: capped[k] for k in eligible}, {k: expected.get(k, 0.0) for k in eligible}):
        outcome.monotone = False


def naive(m: int, month: Month, past: list[list[str]], history: list[Month], out: Outcome) -> None:
    result = top_n(f"naive-{m}", month.points, 1)
    for key in result.winners:
        out.payout[key] += MONTHLY_BUDGET_CENTS
        out.wins[key] += 1
    past.append(result.winners)
    _check(
        out, dict(month.points), {k: MONTHLY_BUDGET_CENTS * result.chances[k] for k in month.points}, list(month.points)
    )


def top_n_method(cooldown: int) -> Method:
    def run(m: int, month: Month, past: list[list[str]], history: list[Month], out: Outcome) -> None:
        capped = _capped(month)
        eligible = eligible_after_cooldown(capped, past, cooldown)
        result = top_n(f"top-{m}", {k: capped[k] for k in eligible}, PRIZES)
        prize = MONTHLY_BUDGET_CENTS // PRIZES
        for key in result.winners:
            out.payout[key] += prize
            out.wins[key] += 1
        past.append(result.winners)
        _check(out, capped, {k: prize * result.chances.get(k, 0.0) for k in eligible}, eligible)

    return run


def raffle_method(
    prize_cents: int, cooldown: int
) -> Callable[[int, Month, list[list[str]], Outcome], dict[str, float]]:
    """Threshold plus weighted raffle: tickets = capped points of those who reached the threshold."""

    def run(m: int, month: Month, past: list[list[str]], out: Outcome) -> dict[str, float]:
        capped = _capped(month)
        eligible = eligible_after_cooldown(capped, past, cooldown)
        tickets = {k: capped[k] for k in eligible if capped[k] >= FORMULA.threshold}
        result = weighted_raffle(f"raffle-seed-{m}", tickets, PRIZES)
        for key in result.winners:
            out.payout[key] += prize_cents
            out.wins[key] += 1
        past.append(result.winners)
        return {k: prize_cents * result.chances.get(k, 0.0) for k in eligible}

    return run


def raffle(m: int, month: Month, past: list[list[str]], history: list[Month], out: Outcome) -> None:
    expected = raffle_method(MONTHLY_BUDGET_CENTS // PRIZES, COOLDOWN)(m, month, past, out)
    capped = _capped(month)
    _check(out, capped, expected, list(expected))


def improved(m: int, month: Month, past: list[list[str]], history: list[Month], out: Outcome) -> None:
    capped = _capped(month)
    previous = history[-3:]
    baseline = {k: sum(min(h.points[k], FORMULA.cap) for h in previous) / max(1, len(previous)) for k in capped}
    eligible = eligible_after_cooldown(capped, past, COOLDOWN)
    result = most_improved(
        f"improved-{m}", {k: capped[k] for k in eligible}, baseline, PRIZES, minimum=FORMULA.threshold
    )
    prize = MONTHLY_BUDGET_CENTS // PRIZES
    for key in result.winners:
        out.payout[key] += prize
        out.wins[key] += 1
    past.append(result.winners)
    _check(out, capped, {k: prize * result.chances.get(k, 0.0) for k in eligible}, eligible)


def pool_only(m: int, month: Month, past: list[list[str]], history: list[Month], out: Outcome) -> None:
    allocation = allocate(MONTHLY_BUDGET_CENTS, month.points, FORMULA)
    paid = [k for k, line in allocation.lines.items() if line.cents > 0]
    for key, line in allocation.lines.items():
        out.payout[key] += line.cents
    for key in paid:
        out.wins[key] += 1
    past.append(paid)
    _check(out, _capped(month), {k: float(line.cents) for k, line in allocation.lines.items()}, list(month.points))


def default(m: int, month: Month, past: list[list[str]], history: list[Month], out: Outcome) -> None:
    pool_cents = int(MONTHLY_BUDGET_CENTS * DEFAULT_POOL_SHARE)
    allocation = allocate(pool_cents, month.points, FORMULA)
    for key, line in allocation.lines.items():
        out.payout[key] += line.cents
    prize = (MONTHLY_BUDGET_CENTS - pool_cents) // PRIZES
    expected = raffle_method(prize, COOLDOWN)(m, month, past, out)
    total = {k: allocation.lines[k].cents + expected[k] for k in expected}
    _check(out, _capped(month), total, list(expected))


METHODS: list[tuple[str, Method]] = [
    ("naive: highest points wins", naive),
    ("top 10", top_n_method(0)),
    ("top 10, cooldown 5", top_n_method(COOLDOWN)),
    ("threshold + weighted raffle, cooldown 5", raffle),
    ("most improved, cooldown 5", improved),
    ("bonus pool formula", pool_only),
    ("default: pool 80% + raffle 20%, cooldown 5", default),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    started = time.perf_counter()
    months = simulate(args.seed)
    effort_year = Counter[str]()
    for month in months:
        effort_year.update(month.effort)
    keys = sorted(months[0].points)
    active = sum(1 for k in keys if effort_year[k] > 0)
    print(f"{MEMBERS} members ({active} active at least once), {MONTHS} months, seed {args.seed}")
    print(f"monthly budget {MONTHLY_BUDGET_CENTS / 100:,.2f}; formula {FORMULA}; {PRIZES} prizes; cooldown {COOLDOWN}")
    top_share = sorted(effort_year.values(), reverse=True)
    print(f"effort: top 1% of members do {100 * sum(top_share[:10]) / max(1, sum(top_share)):.0f}% of the actions")
    print()
    header = f"{'method':<46} {'distinct':>8} {'max wins':>8} {'gini':>6} {'spearman':>8} {'monotone':>8}"
    print(header)
    print("-" * len(header))
    results = {}
    for name, method in METHODS:
        out = Outcome(name)
        past: list[list[str]] = []
        for m, month in enumerate(months):
            method(m, month, past, months[:m], out)
        distinct = sum(1 for k in keys if out.wins[k] > 0)
        max_wins = max(out.wins.values(), default=0)
        g = gini([out.payout[k] for k in keys])
        rho = spearman([effort_year[k] for k in keys], [out.payout[k] for k in keys])
        results[name] = (distinct, max_wins, g, rho, out.monotone)
        print(f"{name:<46} {distinct:>8} {max_wins:>8} {g:>6.3f} {rho:>8.3f} {'yes' if out.monotone else 'no':>8}")
    print()
    print(f"(simulation and {len(METHODS)} methods in {time.perf_counter() - started:.1f} s)")
    distinct, max_wins, g, rho, mono = results[METHODS[-1][0]]
    baseline_max = results[METHODS[0][0]][1]
    print(
        f"BENCH fairness max_wins={max_wins} distinct_winners={distinct} spearman={rho:.3f} gini={g:.3f} "
        f"monotone={'yes' if mono else 'no'} baseline_max_wins={baseline_max}"
    )


if __name__ == "__main__":
    main()
