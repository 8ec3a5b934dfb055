from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import pytest

from groundswell.recognition.draws import (
    DrawError,
    commitment,
    eligible_after_cooldown,
    inclusion_probabilities,
    most_improved,
    new_seed,
    top_n,
    verify_commitment,
    weighted_raffle,
)


def test_a_draw_is_reproducible_from_its_published_seed() -> None:
    tickets = {f"m{i}": (i * 37) % 400 + 1 for i in range(200)}
    seed = new_seed()
    first = weighted_raffle(seed, tickets, 10)
    again = weighted_raffle(seed, dict(reversed(list(tickets.items()))), 10)  # input order does not matter
    assert first.winners == again.winners
    assert len(set(first.winners)) == 10
    assert any(weighted_raffle(f"other-{i}", tickets, 10).winners != first.winners for i in range(5))


def test_the_commitment_published_at_opening_verifies_the_revealed_seed() -> None:
    seed = new_seed()
    published = commitment(seed)
    assert verify_commitment(seed, published)
    assert not verify_commitment(seed + "0", published)


def test_winning_chances_are_exactly_proportional_to_tickets() -> None:
    tickets = {"a": 10, "b": 20, "c": 30, "d": 40}
    chances = inclusion_probabilities(tickets, 2)
    assert chances == {"a": Fraction(1, 5), "b": Fraction(2, 5), "c": Fraction(3, 5), "d": Fraction(4, 5)}
    wins: Counter[str] = Counter()
    rounds = 4000
    for i in range(rounds):
        result = weighted_raffle(f"seed-{i}", tickets, 2)
        assert len(result.winners) == 2 and len(set(result.winners)) == 2
        wins.update(result.winners)
    for key, chance in chances.items():
        assert abs(wins[key] / rounds - float(chance)) < 0.03, (key, wins[key])


def test_someone_with_overwhelming_tickets_wins_for_certain_and_the_rest_is_shared() -> None:
    chances = inclusion_probabilities({"whale": 1000, "a": 1, "b": 1, "c": 2}, 2)
    assert chances["whale"] == 1
    assert chances["a"] == Fraction(1, 4) and chances["c"] == Fraction(1, 2)
    assert sum(chances.values()) == 2


def test_chances_never_fall_when_tickets_rise() -> None:
    rng = random.Random(5)
    for _ in range(200):
        tickets = {f"m{i}": rng.randint(0, 50) for i in range(12)}
        k = rng.randint(1, 5)
        before = inclusion_probabilities(tickets, k)
        key = rng.choice(list(tickets))
        raised = dict(tickets, **{key: tickets[key] + rng.randint(1, 30)})
        assert inclusion_probabilities(raised, k)[key] >= before[key]


def test_zero_tickets_never_win_and_small_fields_all_win() -> None:
    result = weighted_raffle("s", {"a": 0, "b": 3, "c": 1}, 5)
    assert sorted(result.winners) == ["b", "c"]
    with pytest.raises(DrawError):
        weighted_raffle("s", {"a": 1}, 0)
    with pytest.raises(DrawError):
        weighted_raffle("s", {"a": -1}, 1)


def test_top_n_breaks_ties_at_the_cut_off_by_the_seed_not_by_input_order() -> None:
    scores = {"a": 5.0, "b": 5.0, "c": 5.0, "d": 9.0, "e": 0.0}
    one = top_n("seed-1", scores, 2)
    assert one.winners[0] == "d" and one.winners[1] in {"a", "b", "c"}
    assert top_n("seed-1", dict(reversed(list(scores.items()))), 2).winners == one.winners
    assert "e" not in top_n("x", scores, 10).winners  # no points, no prize


def test_most_improved_compares_each_person_with_their_own_baseline() -> None:
    current = {"steady_star": 400.0, "riser": 120.0, "newcomer": 40.0, "dropper": 10.0}
    baseline = {"steady_star": 390.0, "riser": 20.0, "newcomer": 0.0, "dropper": 100.0}
    result = most_improved("s", current, baseline, 2, minimum=30)
    assert result.winners == ["riser", "newcomer"]


def test_cooldown_keeps_recent_winners_out() -> None:
    past = [["a"], ["b"], ["c"]]
    assert eligible_after_cooldown(["a", "b", "c", "d"], past, 2) == ["a", "d"]
    assert eligible_after_cooldown(["a", "b"], past, 0) == ["a", "b"]
