"""Customer-care benchmark: a seeded week of customer questions routed to 20 responders with working hours.

The application's own rules run in simulated time, minute by minute: ``groundswell.care.routing.choose``
picks the responder (on shift, language, topic, load cap, least loaded, longest idle), ``next_step`` decides
whether an unanswered case goes to the next person or to the admins, and ``groundswell.care.hours`` does the
staffed-time arithmetic (the escalation clock, and the first-response time in staffed minutes).

Questions arrive heavier in business hours (Berlin), lighter in the evening, at night and at weekends (a third of the weekday rate), in
English, German, French and Spanish, on four topics. Responders live in Berlin, London and New York, work
staggered shifts (a few also cover weekends), speak English and some another language, and a third know
only three of the four topics. A responder answers after a log-normal delay (median 6 minutes) or, 5% of the time, not at all
(busy): then escalation moves the case on. An admin answers an escalated case 20 minutes later.

Printed: first-response p50 and p90 in staffed minutes, and the busiest responder's cases against the
average. Targets: p50 ≤ 15, p90 ≤ 60, busiest ≤ 1.5 times the average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from groundswell.care.hours import Week, add_staffed, on_shift, shift_end, staffed_minutes
from groundswell.care.routing import Needs, Responder, choose, language_of, next_step, schedules_for

START = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # a Monday
MINUTES = 7 * 24 * 60
TARGET = 60  # first-response target (minutes), the app's default
STEP = 30  # each further step
STEPS = 1  # one colleague before the admins
MAX_OPEN = 1
ADMIN_DELAY = 20
IGNORE = 0.05
LANGS = [("en", 0.60), ("de", 0.25), ("fr", 0.08), ("es", 0.07)]
TOPICS = [1, 2, 3, 4]


@dataclass
class SimCase:
    pk: int
    opened: dt.datetime
    needs: Needs
    assignee: int | None = None
    escalations: int = 0
    escalate_at: dt.datetime | None = None
    answer_at: dt.datetime | None = None  # when the current assignee will answer (None: they will not)
    answered: dt.datetime | None = None
    to_admins: bool = False
    tried: set[int] = field(default_factory=set)


def staff(rng: random.Random) -> list[Responder]:
    """20 responders: staggered 8-hour shifts, five who also cover weekends, languages and a few specialists."""
    zones = ["Europe/Berlin"] * 14 + ["Europe/London"] * 3 + ["America/New_York"] * 3
    extra = ["de"] * 10 + ["fr"] * 3 + ["es"] * 3 + [""] * 4
    rng.shuffle(extra)
    found = []
    for i, tz in enumerate(zones):
        start = [8, 9, 10, 8, 9, 11][i % 6] * 60 if tz != "America/New_York" else [6, 7, 8][i % 3] * 60
        if i % 4 == 3:  # weekend cover: Wednesday to Sunday
            week: Week = {d: [(start, start + 8 * 60)] for d in (2, 3, 4, 5, 6)}
        else:
            week = {d: [(start, start + 8 * 60)] for d in range(5)}
        languages = frozenset({"en", extra[i]} - {""})
        # A third know only some topics (three of the four); the others answer on every topic.
        skills = frozenset(TOPICS) - {TOPICS[i % 4]} if i % 3 == 0 else frozenset()
        found.append(Responder(member_id=i + 1, languages=languages, skills=skills, week=week, tz=tz))
    return found


def arrival_rate(moment: dt.datetime) -> float:
    """Questions per minute at ``moment``, by Berlin local time (about 55 a weekday)."""
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=1)))
    hour = local.hour
    per_hour = 5.0 if 8 <= hour < 18 else 2.0 if 18 <= hour < 22 else 0.4
    if local.weekday() >= 5:
        per_hour *= 0.3
    return per_hour / 60


def pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    x, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]


def simulate(seed: int) -> tuple[list[float], dict[int, int], int, int]:
    rng = random.Random(seed)
    people = {r.member_id: r for r in staff(rng)}
    able = {(lang, t): schedules_for(people.values(), Needs(lang, t)) for lang, _ in LANGS for t in TOPICS}
    cases: list[SimCase] = []
    waiting: list[SimCase] = []
    handled: dict[int, int] = {pk: 0 for pk in people}
    escalated = 0

    def assign(case: SimCase, now: dt.datetime) -> bool:
        needs = replace(case.needs, exclude=frozenset(case.tried))
        chosen = choose(people.values(), needs, now, MAX_OPEN)
        if chosen is None:
            return False
        case.assignee = chosen.member_id
        case.tried.add(chosen.member_id)
        minutes = TARGET if case.escalations == 0 else STEP
        due = add_staffed(able[case.needs.language, case.needs.topic_id or 0], now, minutes) or now + dt.timedelta(
            minutes=minutes
        )
        off_at = shift_end(chosen.week, chosen.tz, now)
        case.escalate_at = min(due, off_at) if off_at is not None else due
        delay = math.exp(rng.gauss(math.log(6), 0.8))
        case.answer_at = None if rng.random() < IGNORE else now + dt.timedelta(minutes=max(1.0, delay))
        people[chosen.member_id] = replace(
            chosen, open_cases=chosen.open_cases + 1, recent_cases=chosen.recent_cases + 1, last_assigned_at=now
        )
        return True

    def release(case: SimCase) -> None:
        if case.assignee is not None:
            r = people[case.assignee]
            people[case.assignee] = replace(r, open_cases=r.open_cases - 1)
        case.assignee = None

    for minute in range(MINUTES + 24 * 60):  # one more day for the last cases to be answered
        now = START + dt.timedelta(minutes=minute)
        if minute < MINUTES and rng.random() < arrival_rate(now):
            needs = Needs(language=language_of(pick(rng, LANGS)), topic_id=rng.choice(TOPICS))
            case = SimCase(pk=len(cases) + 1, opened=now, needs=needs)
            cases.append(case)
            if not assign(case, now):
                waiting.append(case)
        for case in cases:
            if case.answered is not None:
                continue
            if case.to_admins:
                if case.answer_at is not None and now >= case.answer_at:
                    case.answered = now
                continue
            if case.assignee is None:
                continue
            r = people[case.assignee]
            if case.answer_at is not None and now >= case.answer_at and on_shift(r.week, r.tz, now):
                case.answered = now
                handled[case.assignee] += 1
                release(case)
            elif case.escalate_at is not None and now >= case.escalate_at:
                release(case)
                done, case.escalations = case.escalations, case.escalations + 1
                if next_step(done, STEPS) == "admins" or not assign(case, now):
                    case.to_admins = True
                    case.answer_at = now + dt.timedelta(minutes=ADMIN_DELAY)
                    escalated += 1
        if waiting:
            still = []
            for case in waiting:
                if not assign(case, now):
                    still.append(case)
            waiting = still
    times = [
        staffed_minutes(able[c.needs.language, c.needs.topic_id or 0], c.opened, c.answered)
        for c in cases
        if c.answered is not None
    ]
    unanswered = sum(1 for c in cases if c.answered is None)
    return times, handled, escalated, unanswered


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    started = time.perf_counter()
    times, handled, escalated, unanswered = simulate(args.seed)
    p50, p90 = percentile(times, 0.5), percentile(times, 0.9)
    average = statistics.mean(handled.values())
    busiest = max(handled.values())
    ratio = busiest / average if average else 0.0
    print(f"questions: {len(times) + unanswered}, answered: {len(times)}, escalated to admins: {escalated}")
    print(f"first response in staffed minutes: p50 {p50:.1f}, p90 {p90:.1f} (targets 15 and 60)")
    print(f"cases per responder: average {average:.1f}, busiest {busiest}, fewest {min(handled.values())}")
    print(f"simulated a week in {time.perf_counter() - started:.1f} s (seed {args.seed})")
    met = p50 <= 15 and p90 <= 60 and ratio <= 1.5
    print("targets met" if met else "TARGETS MISSED")
    print(f"BENCH care p50_min={p50:.1f} p90_min={p90:.1f} load_ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
