"""Winner selection for contests. Every draw is a pure function of its inputs and a published seed.

Verifiable by anyone with SHA-256 and the published candidate list:

* **Commit, then reveal.** When a contest opens, a random seed is generated and only its commitment
  (``commitment(seed)``, the SHA-256 hex digest) is published. When the draw runs, the seed itself is
  published with the candidates and their tickets. Anyone can check that the seed matches the commitment
  (so nobody chose it after seeing the entries) and recompute the winners.
* **Weighted raffle by systematic PPS sampling.** Candidates are put in a random order (sorted by
  ``SHA-256(seed ":" key)``), laid end to end on a line with lengths equal to their tickets, and ``k``
  equally spaced pointers are dropped with one random start. A candidate's chance to win is exactly
  ``k * tickets / total`` (certain winners are taken out first, see ``inclusion_probabilities``), so the
  chance never decreases when someone's capped points increase, and nobody can win twice in one draw.
* **Top N** and **most improved** are deterministic; ties at the cut-off are broken by the same seeded
  hash, never by database order.

A **cooldown** (``eligible_after_cooldown``) keeps the winners of the last ``cooldown`` periods out of a draw.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

_TWO_256 = 2**256


def new_seed() -> str:
    """A fresh seed for a contest (kept secret until the draw; only its commitment is published)."""
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    """What is published when the contest opens: the SHA-256 hex digest of the seed."""
    return hashlib.sha256(seed.encode()).hexdigest()


def verify_commitment(seed: str, published: str) -> bool:
    return secrets.compare_digest(commitment(seed), published)


def _hash_int(seed: str, label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{label}".encode()).digest(), "big")


def seeded_order(seed: str, keys: Iterable[str]) -> list[str]:
    """``keys`` in the pseudo-random order fixed by ``seed`` (SHA-256 of ``seed:key``, ties by key)."""
    return sorted(keys, key=lambda k: (_hash_int(seed, k), k))


def _uniform(seed: str, label: str) -> Fraction:
    """An exact uniform number in [0, 1) derived from the seed."""
    return Fraction(_hash_int(seed, label), _TWO_256)


@dataclass(frozen=True)
class DrawResult:
    method: str
    seed: str
    winners: list[str]
    #: Each candidate's exact chance of winning (raffle) or 1/0 (deterministic methods).
    chances: dict[str, float]


class DrawError(ValueError):
    """A draw that cannot run, with a message for the admin."""


def inclusion_probabilities(tickets: Mapping[str, int], k: int) -> dict[str, Fraction]:
    """Exact winning chances for drawing ``k`` distinct winners with chances proportional to tickets.

    A candidate with ``k * tickets >= total`` would get a chance of 1 or more: they are certain winners,
    taken out, and the rest is recomputed with ``k`` reduced (the standard PPS construction).
    """
    live = {key: t for key, t in tickets.items() if t > 0}
    if k >= len(live):
        return {key: Fraction(1) if key in live else Fraction(0) for key in tickets}
    certain: set[str] = set()
    while True:
        remaining = {key: t for key, t in live.items() if key not in certain}
        slots = k - len(certain)
        total = sum(remaining.values())
        newly = {key for key, t in remaining.items() if slots * t >= total}
        if not newly:
            break
        certain |= newly
        if len(certain) >= k:
            break
    slots = k - len(certain)
    remaining = {key: t for key, t in live.items() if key not in certain}
    total = sum(remaining.values())
    out: dict[str, Fraction] = {}
    for key in tickets:
        if key in certain:
            out[key] = Fraction(1)
        elif key in remaining and total > 0 and slots > 0:
            out[key] = Fraction(slots * remaining[key], total)
        else:
            out[key] = Fraction(0)
    return out


def weighted_raffle(seed: str, tickets: Mapping[str, int], k: int) -> DrawResult:
    """Draw ``k`` distinct winners, each with a chance exactly proportional to their tickets (see module doc)."""
    if k < 1:
        raise DrawError("A draw needs at least one prize.")
    if any(t < 0 for t in tickets.values()):
        raise DrawError("Tickets cannot be negative.")
    chances = inclusion_probabilities(tickets, k)
    winners = [key for key, p in chances.items() if p == 1]
    slots = k - len(winners)
    pool = [key for key in seeded_order(seed, tickets) if 0 < chances[key] < 1]
    if slots > 0 and pool:
        # Lay the candidates end to end with lengths = their chances (they sum to ``slots``) and drop
        # pointers at start, start + 1, start + 2, ...: each pointer lands in exactly one candidate, and a
        # candidate of length p < 1 is hit with probability exactly p, never twice.
        start = _uniform(seed, "start")
        pointer = start
        cumulative = Fraction(0)
        for key in pool:
            cumulative += chances[key]
            if pointer < cumulative:
                winners.append(key)
                pointer += 1
    ordered = seeded_order(seed, winners)
    return DrawResult("raffle", seed, ordered, {key: float(p) for key, p in chances.items()})


def top_n(seed: str, scores: Mapping[str, float], n: int) -> DrawResult:
    """The ``n`` highest scores; a tie at the cut-off is broken by the seeded order."""
    if n < 1:
        raise DrawError("A draw needs at least one prize.")
    position = {key: i for i, key in enumerate(seeded_order(seed, scores))}
    ranked = sorted((key for key, s in scores.items() if s > 0), key=lambda key: (-scores[key], position[key]))
    winners = ranked[:n]
    return DrawResult("top", seed, winners, {key: 1.0 if key in winners else 0.0 for key in scores})


def most_improved(
    seed: str, current: Mapping[str, float], baseline: Mapping[str, float], n: int, *, minimum: float = 0.0
) -> DrawResult:
    """The ``n`` largest improvements over each person's own baseline (e.g. their average of the last
    three periods); only people who reached ``minimum`` this period and improved at all are eligible."""
    improvement = {
        key: score - baseline.get(key, 0.0)
        for key, score in current.items()
        if score >= minimum and score - baseline.get(key, 0.0) > 0
    }
    result = top_n(seed, improvement, n)
    return DrawResult("improved", seed, result.winners, {key: result.chances.get(key, 0.0) for key in current})


def eligible_after_cooldown(
    candidates: Iterable[str], past_winners: Sequence[Iterable[str]], cooldown: int
) -> list[str]:
    """``candidates`` minus everyone who won in the last ``cooldown`` periods (``past_winners`` is oldest
    first, one collection of winners per period)."""
    if cooldown <= 0:
        return list(candidates)
    recent: set[str] = set()
    for winners in list(past_winners)[-cooldown:]:
        recent.update(winners)
    return [c for c in candidates if c not in recent]
