"""Measures of how fairly rewards are spread: used by the fairness benchmark and shown to admins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def gini(values: Sequence[float]) -> float:
    """The Gini coefficient of ``values`` (0 = everyone equal, close to 1 = one person has everything)."""
    xs = sorted(float(v) for v in values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (n * total) - (n + 1) / n


def _ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = mean
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson correlation of average ranks; 0.0 when either side is constant)."""
    if len(xs) != len(ys):
        raise ValueError("spearman needs two sequences of the same length")
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return 0.0
    return float(cov / (vx * vy) ** 0.5)


def is_monotone(effort: Mapping[str, float], payout: Mapping[str, float], *, tolerance: float = 1e-9) -> bool:
    """True when nobody with strictly more effort gets less than someone with less effort."""
    keys = sorted(effort, key=lambda k: effort[k])
    best_below = float("-inf")  # the highest payout among people with strictly less effort
    i = 0
    while i < len(keys):
        j = i
        while j + 1 < len(keys) and effort[keys[j + 1]] == effort[keys[i]]:
            j += 1
        group = [payout.get(k, 0.0) for k in keys[i : j + 1]]
        if min(group) < best_below - tolerance:
            return False
        best_below = max(best_below, max(group))
        i = j + 1
    return True
