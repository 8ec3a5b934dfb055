from __future__ import annotations

import random

import pytest

from groundswell.recognition.allocation import FormulaError, PoolFormula, allocate
from groundswell.recognition.fairness import gini, is_monotone, spearman

FORMULA = PoolFormula(threshold=30, cap=400, floor_cents=500, ceiling_cents=10_000)


def test_the_pool_is_paid_exactly_to_the_cent_within_floor_and_ceiling() -> None:
    rng = random.Random(1)
    for _ in range(100):
        points = {f"m{i}": int(rng.paretovariate(1.1) * 20) for i in range(rng.randint(1, 80))}
        pool = rng.randint(0, 2_000_000)
        allocation = allocate(pool, points, FORMULA)
        assert allocation.paid_cents + allocation.unallocated_cents == pool
        qualified = [line for line in allocation.lines.values() if line.qualified]
        if qualified and pool >= FORMULA.floor_cents * len(qualified):
            assert all(FORMULA.floor_cents <= line.cents <= FORMULA.ceiling_cents for line in qualified)
            if pool <= FORMULA.ceiling_cents * len(qualified):
                assert allocation.unallocated_cents == 0
        assert all(line.cents == 0 for line in allocation.lines.values() if not line.qualified)


def test_payout_never_decreases_when_capped_points_increase() -> None:
    rng = random.Random(2)
    for _ in range(200):
        points = {f"m{i}": rng.randint(0, 600) for i in range(rng.randint(2, 40))}
        pool = rng.randint(10_000, 400_000)
        allocation = allocate(pool, points, FORMULA)
        capped = {k: line.capped for k, line in allocation.lines.items()}
        assert is_monotone(capped, {k: float(line.cents) for k, line in allocation.lines.items()})
        key = rng.choice(list(points))
        raised = allocate(pool, dict(points, **{key: points[key] + rng.randint(1, 100)}), FORMULA)
        assert raised.lines[key].cents >= allocation.lines[key].cents - 1  # at most the rounding cent


def test_the_explanation_states_every_step_and_matches_the_amount() -> None:
    allocation = allocate(100_000, {"ana": 900, "ben": 60, "cy": 10}, FORMULA)
    ana = allocation.lines["ana"]
    assert ana.capped == 400 and ana.bound == "ceiling" and ana.cents == 10_000
    assert "up to 400 count" in ana.steps[0] and "ceiling of 100.00" in " ".join(ana.steps)
    assert "no payout" in " ".join(allocation.lines["cy"].steps)
    assert allocation.lines["ben"].cents == 10_000  # the ceiling of the other qualifier too
    assert allocation.unallocated_cents == 80_000


def test_a_pool_too_small_for_the_floor_is_split_equally() -> None:
    allocation = allocate(1_000, {"a": 100, "b": 300, "c": 50}, FORMULA)
    assert sorted(line.cents for line in allocation.lines.values()) == [333, 333, 334]
    assert all(line.bound == "equal split" for line in allocation.lines.values())


def test_bad_formulas_are_refused_with_a_reason() -> None:
    with pytest.raises(FormulaError, match="floor cannot be higher"):
        allocate(100, {"a": 1}, PoolFormula(threshold=0, cap=10, floor_cents=50, ceiling_cents=10))
    with pytest.raises(FormulaError, match="threshold"):
        allocate(100, {"a": 1}, PoolFormula(threshold=20, cap=10, floor_cents=0, ceiling_cents=10))
    with pytest.raises(FormulaError, match="negative"):
        allocate(-1, {"a": 1}, FORMULA)


def test_fairness_measures() -> None:
    assert gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert is_monotone({"a": 1, "b": 2, "c": 2}, {"a": 1.0, "b": 3.0, "c": 1.0})
    assert not is_monotone({"a": 1, "b": 2}, {"a": 2.0, "b": 1.0})
