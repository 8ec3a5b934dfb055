"""The bonus pool formula: who qualifies, how much each person gets, and why, to the cent.

Published formula (shown to every member on the explanation page):

1. **Capped points.** Each person's points for the period count up to ``cap`` (so one very active person
   cannot take the pool; daily caps and diminishing returns already apply to every ledger line).
2. **Qualification.** People with at least ``threshold`` capped points qualify.
3. **Proportional share.** The pool is split in proportion to capped points among those who qualify.
4. **Floor and ceiling.** Nobody who qualifies gets less than ``floor`` or more than ``ceiling``. What the
   ceiling takes away from the top is shared among the others in proportion to their points, what the
   floor adds is taken from them the same way ("water-filling"), until every amount is within bounds. If
   the pool cannot pay everyone the floor, it is split equally. If everyone is at the ceiling, the rest of
   the pool is left unallocated (and reported as such).
5. **Cents.** Amounts are rounded down to the cent and the remaining cents go one each to the largest
   remainders (ties: more capped points first, then the member key), so the total is exact.

The allocation never decreases when someone's capped points increase (every step is monotone), which
``bench/fairness`` and the tests check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction


class FormulaError(ValueError):
    """A bonus-pool formula that cannot be applied, with a message for the admin."""


@dataclass(frozen=True)
class PoolFormula:
    threshold: int  # capped points needed to qualify
    cap: int  # points above this do not count
    floor_cents: int  # smallest payout for someone who qualifies
    ceiling_cents: int  # largest payout for anyone

    def validate(self) -> None:
        if self.cap < 1:
            raise FormulaError("The points cap must be at least 1.")
        if self.threshold < 0 or self.threshold > self.cap:
            raise FormulaError("The qualification threshold must be between 0 and the points cap.")
        if self.floor_cents < 0 or self.ceiling_cents < 1:
            raise FormulaError("The floor cannot be negative and the ceiling must be positive.")
        if self.floor_cents > self.ceiling_cents:
            raise FormulaError("The floor cannot be higher than the ceiling.")


@dataclass
class Line:
    key: str
    points: int
    capped: int
    qualified: bool
    cents: int = 0
    #: "proportional", "ceiling", "floor", "equal split" or "not qualified"
    bound: str = "not qualified"
    steps: list[str] = field(default_factory=list)


@dataclass
class Allocation:
    pool_cents: int
    formula: PoolFormula
    lines: dict[str, Line]
    unallocated_cents: int
    qualified_points: int

    @property
    def paid_cents(self) -> int:
        return sum(line.cents for line in self.lines.values())


def _money(cents: int | Fraction) -> str:
    value = Fraction(cents) / 100
    return f"{float(value):,.2f}"


def allocate(pool_cents: int, points: Mapping[str, int], formula: PoolFormula) -> Allocation:
    """Split ``pool_cents`` among ``points`` (member key → points in the period) by ``formula``."""
    formula.validate()
    if pool_cents < 0:
        raise FormulaError("The pool cannot be negative.")
    lines: dict[str, Line] = {}
    for key, raw in points.items():
        capped = max(0, min(int(raw), formula.cap))
        line = Line(key=key, points=int(raw), capped=capped, qualified=capped >= formula.threshold and capped > 0)
        line.steps.append(
            f"You earned {raw:,} points; up to {formula.cap:,} count, so {capped:,} count."
            if raw > formula.cap
            else f"You earned {raw:,} points; all of them count (the cap is {formula.cap:,})."
        )
        if not line.qualified:
            line.steps.append(f"{formula.threshold} points were needed to qualify, so there is no payout this time.")
        lines[key] = line
    qualified = [line for line in lines.values() if line.qualified]
    total_points = sum(line.capped for line in qualified)
    exact: dict[str, Fraction] = {}
    if qualified:
        n = len(qualified)
        if pool_cents < formula.floor_cents * n:
            share = Fraction(pool_cents, n)
            for line in qualified:
                exact[line.key] = share
                line.bound = "equal split"
        else:
            exact = _water_fill(pool_cents, qualified, formula)
    allocated = sum(exact.values(), Fraction(0))
    whole = {key: int(value) for key, value in exact.items()}  # floor (values are >= 0)
    leftover = int(allocated) - sum(whole.values())
    order = sorted(exact, key=lambda key: (-(exact[key] - whole[key]), -lines[key].capped, key))
    for key in order[:leftover]:
        whole[key] += 1
    clamped = any(line.bound in ("floor", "ceiling") for line in qualified)
    for line in qualified:
        line.cents = whole[line.key]
        if line.bound == "equal split":
            line.steps.append(
                f"The pool ({_money(pool_cents)}) could not pay the floor of {_money(formula.floor_cents)} to all "
                f"{len(qualified)} people who qualified, so it was split equally."
            )
        else:
            line.steps.append(
                f"{len(qualified):,} people qualified with {total_points:,} counted points in all; your share of the "
                f"pool of {_money(pool_cents)} is {line.capped:,}/{total_points:,}."
            )
            if line.bound == "ceiling":
                line.steps.append(f"That is more than the ceiling, so you get the ceiling of {_money(line.cents)}.")
            elif line.bound == "floor":
                line.steps.append(f"That is less than the floor, so you get the floor of {_money(line.cents)}.")
            elif clamped:
                line.steps.append(
                    f"After the floor and ceiling were applied to others and the difference shared in proportion "
                    f"to points, your amount is {_money(exact[line.key])}."
                )
            else:
                line.steps.append(f"That is {_money(exact[line.key])}.")
        line.steps.append(
            f"Rounded to the cent (the remaining cents go to the largest remainders): {_money(line.cents)}."
        )
    paid = sum(whole.values())
    return Allocation(
        pool_cents=pool_cents,
        formula=formula,
        lines=lines,
        unallocated_cents=pool_cents - paid,
        qualified_points=total_points,
    )


def _water_fill(pool_cents: int, qualified: list[Line], formula: PoolFormula) -> dict[str, Fraction]:
    """``clamp(rate * capped, floor, ceiling)`` for the one ``rate`` at which the amounts add up to the pool.

    ``f(rate) = sum(clamp(rate * w))`` is continuous and non-decreasing, so sweeping the breakpoints
    ``floor / w`` (someone leaves the floor) and ``ceiling / w`` (someone reaches the ceiling) in order finds
    the segment where ``f`` crosses the pool, and the rate is exact there. The result is monotone: raising
    one person's points can lower the rate, but never that person's own amount.
    Callers guarantee ``floor * n <= pool``; if ``pool >= ceiling * n`` everyone gets the ceiling.
    """
    floor, ceiling = Fraction(formula.floor_cents), Fraction(formula.ceiling_cents)
    n = len(qualified)
    if pool_cents >= ceiling * n:
        for line in qualified:
            line.bound = "ceiling"
        return {line.key: ceiling for line in qualified}
    events: list[tuple[Fraction, int, int]] = []  # (rate, 0 = leaves the floor / 1 = reaches the ceiling, weight)
    for line in qualified:
        events.append((floor / line.capped, 0, line.capped))
        events.append((ceiling / line.capped, 1, line.capped))
    events.sort()
    at_floor, at_ceiling, mid_weight = n, 0, 0
    rate = Fraction(0)
    pool = Fraction(pool_cents)
    i = 0
    while i < len(events):
        point = events[i][0]
        total = at_floor * floor + at_ceiling * ceiling + point * mid_weight
        if total >= pool and mid_weight > 0:
            rate = (pool - at_floor * floor - at_ceiling * ceiling) / mid_weight
            break
        while i < len(events) and events[i][0] == point:
            _, kind, weight = events[i]
            if kind == 0:
                at_floor -= 1
                mid_weight += weight
            else:
                mid_weight -= weight
                at_ceiling += 1
            i += 1
    else:  # pragma: no cover - unreachable: f reaches n * ceiling > pool at the last breakpoint
        rate = events[-1][0]
    out: dict[str, Fraction] = {}
    for line in qualified:
        value = rate * line.capped
        if value >= ceiling:
            out[line.key], line.bound = ceiling, "ceiling"
        elif value <= floor:
            out[line.key], line.bound = floor, "floor"
        else:
            out[line.key], line.bound = value, "proportional"
    return out
