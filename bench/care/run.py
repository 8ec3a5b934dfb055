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

``--seeds 1-20`` runs one week per seed and prints a line per seed, the median and the worst (the last line
is then a summary, not a ``BENCH`` line: the ``BENCH`` line is the default single-seed run). ``--explain``
shows who was busiest and when their cases arrived (Berlin time), and how often they were the only one
who could take the case.
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
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from groundswell.care.hours import WEEKDAYS, Week, add_staffed, format_day, on_shift, shift_end, staffed_minutes
from groundswell.care.routing import (
    Needs,
    Responder,
    choose,
    language_of,
    next_step,
    schedules_for,
    shift_minutes,
    window_start,
)

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
WEEKDAY = [d[:3] for d in WEEKDAYS]


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


@dataclass
class Assignment:
    at: dt.datetime
    member_id: int
    alone: bool  # nobody else could have taken the case then (on shift, qualified, free)


@dataclass
class SimWeek:
    times: list[float]  # first response of each answered case, staffed minutes
    handled: dict[int, int]  # answers per responder
    escalated: int
    unanswered: int
    people: dict[int, Responder]
    assignments: list[Assignment]

    @property
    def p50(self) -> float:
        return percentile(self.times, 0.5)

    @property
    def p90(self) -> float:
        return percentile(self.times, 0.9)

    @property
    def load_ratio(self) -> float:
        average = statistics.mean(self.handled.values())
        return max(self.handled.values()) / average if average else 0.0

    @property
    def met(self) -> bool:
        return self.p50 <= 15 and self.p90 <= 60 and self.load_ratio <= 1.5


def questions(rng: random.Random) -> dict[int, Needs]:
    """The week's questions by minute, drawn before routing starts: every rule sees the same customers."""
    found = {}
    for minute in range(MINUTES):
        if rng.random() < arrival_rate(START + dt.timedelta(minutes=minute)):
            found[minute] = Needs(language=language_of(pick(rng, LANGS)), topic_id=rng.choice(TOPICS))
    return found


def simulate(seed: int, *, count_only: bool = False) -> SimWeek:
    rng = random.Random(seed)
    people = {r.member_id: r for r in staff(rng)}
    arrivals = questions(rng)
    able = {(lang, t): schedules_for(people.values(), Needs(lang, t)) for lang, _ in LANGS for t in TOPICS}
    cases: list[SimCase] = []
    waiting: list[SimCase] = []
    handled: dict[int, int] = {pk: 0 for pk in people}
    escalated = 0
    assignments: list[Assignment] = []

    routed: dict[int, list[dt.datetime]] = {pk: [] for pk in people}

    def routing_input(now: dt.datetime) -> None:
        """What ``care.queries.responders`` reads for fairness: cases routed in each one's window, and their
        minutes on shift in it (everyone joined at START: the team's first week)."""
        for pk, r in people.items():
            since = window_start(now, START)
            people[pk] = replace(
                r,
                recent_cases=sum(1 for at in routed[pk] if at >= since),
                recent_shift_minutes=0.0 if count_only else shift_minutes(r.week, r.tz, since, now),
            )

    def assign(case: SimCase, now: dt.datetime) -> bool:
        needs = replace(case.needs, exclude=frozenset(case.tried))
        if choose(people.values(), needs, now, MAX_OPEN) is None:
            return False  # nobody at all (cheap): the fairness input is not needed
        routing_input(now)
        chosen = choose(people.values(), needs, now, MAX_OPEN)
        if chosen is None:
            return False
        routed[chosen.member_id].append(now)
        others = [r for r in people.values() if r.member_id != chosen.member_id]
        alone = choose(others, needs, now, MAX_OPEN) is None
        assignments.append(Assignment(at=now, member_id=chosen.member_id, alone=alone))
        case.assignee = chosen.member_id
        case.tried.add(chosen.member_id)
        minutes = TARGET if case.escalations == 0 else STEP
        due = add_staffed(able[case.needs.language, case.needs.topic_id or 0], now, minutes) or now + dt.timedelta(
            minutes=minutes
        )
        off_at = shift_end(chosen.week, chosen.tz, now)
        case.escalate_at = min(due, off_at) if off_at is not None else due
        # The n-th assignee of a case answers after the same delay (or not at all) whatever the rule chose.
        behaviour = random.Random(f"{seed}:{case.pk}:{len(case.tried)}")
        delay = math.exp(behaviour.gauss(math.log(6), 0.8))
        case.answer_at = None if behaviour.random() < IGNORE else now + dt.timedelta(minutes=max(1.0, delay))
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
        if minute in arrivals:
            case = SimCase(pk=len(cases) + 1, opened=now, needs=arrivals[minute])
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
    return SimWeek(times, handled, escalated, unanswered, people, assignments)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def parse_seeds(text: str) -> list[int]:
    """``"1-20"``, ``"1,3,5"`` or ``"1-4,9"`` → seeds."""
    seeds: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = part.partition("-")
        seeds.extend(range(int(lo), int(hi or lo) + 1))
    return seeds


def explain(week: SimWeek) -> None:
    """Who was busiest, when their cases arrived (Berlin time) and how often only they could take them."""
    berlin = ZoneInfo("Europe/Berlin")
    pk = max(week.handled, key=lambda k: (week.handled[k], -k))
    r = week.people[pk]
    days = sorted(d for d, w in r.week.items() if w)
    hours = ", ".join(f"{WEEKDAY[d]} {format_day(r.week[d])}" for d in days)
    print(f"busiest: responder {pk} ({r.tz}; {hours}; speaks {', '.join(sorted(r.languages))}; ", end="")
    print(f"topics {', '.join(map(str, sorted(r.skills))) or 'all'}): {week.handled[pk]} answered")
    mine = [a for a in week.assignments if a.member_id == pk]
    by_day: dict[str, list[str]] = {}
    for a in mine:
        local = a.at.astimezone(berlin)
        by_day.setdefault(local.strftime("%a %d"), []).append(local.strftime("%H:%M") + ("*" if a.alone else ""))
    for day, times in by_day.items():
        print(f"  {day}: {len(times):2d}  {' '.join(times)}")
    alone = sum(a.alone for a in mine)
    print(f"  (* = nobody else could take it then: {alone} of {len(mine)} assignments)")
    others = sorted(week.handled.values())
    print(f"  answers per responder, sorted: {' '.join(map(str, others))}")


def run_seeds(seeds: list[int], *, count_only: bool = False) -> None:
    started = time.perf_counter()
    weeks = []
    print("seed  questions  p50_min  p90_min  load_ratio  busiest/avg  met")
    for seed in seeds:
        week = simulate(seed, count_only=count_only)
        weeks.append(week)
        average = statistics.mean(week.handled.values())
        print(
            f"{seed:4d}  {len(week.times) + week.unanswered:9d}  {week.p50:7.1f}  {week.p90:7.1f}  "
            f"{week.load_ratio:10.2f}  {max(week.handled.values()):4d}/{average:4.1f}   {'yes' if week.met else 'NO'}"
        )
    ratios = [w.load_ratio for w in weeks]
    p50s, p90s = [w.p50 for w in weeks], [w.p90 for w in weeks]
    worst = max(weeks, key=lambda w: w.load_ratio)
    worst_seed = seeds[weeks.index(worst)]
    print(f"simulated {len(seeds)} weeks in {time.perf_counter() - started:.1f} s")
    print(
        f"median: p50 {statistics.median(p50s):.1f}, p90 {statistics.median(p90s):.1f}, "
        f"load_ratio {statistics.median(ratios):.2f}"
    )
    print(f"worst: p50 {max(p50s):.1f}, p90 {max(p90s):.1f}, load_ratio {max(ratios):.2f} (seed {worst_seed})")
    missed = [s for s, w in zip(seeds, weeks, strict=True) if not w.met]
    print(
        f"targets met on {len(seeds) - len(missed)} of {len(seeds)} seeds" + (f"; missed: {missed}" if missed else "")
    )
    print(
        f"SEEDS care n={len(seeds)} load_ratio_median={statistics.median(ratios):.2f} "
        f"load_ratio_worst={max(ratios):.2f} p50_worst={max(p50s):.1f} p90_worst={max(p90s):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--seeds", help="run several seeds, e.g. 1-20 or 1,3,5 (a summary instead of BENCH)")
    parser.add_argument("--explain", action="store_true", help="who was busiest, and when their cases came")
    parser.add_argument(
        "--count-only",
        action="store_true",
        help="routing input without minutes on shift: choose() then ranks by the window's case count alone, "
        "which is the rule before cases per hour on shift (for comparison)",
    )
    args = parser.parse_args()
    if args.seeds:
        run_seeds(parse_seeds(args.seeds), count_only=args.count_only)
        return
    started = time.perf_counter()
    week = simulate(args.seed, count_only=args.count_only)
    handled = week.handled
    average = statistics.mean(handled.values())
    print(f"questions: {len(week.times) + week.unanswered}, answered: {len(week.times)}, escalated to admins: ", end="")
    print(week.escalated)
    print(f"first response in staffed minutes: p50 {week.p50:.1f}, p90 {week.p90:.1f} (targets 15 and 60)")
    print(
        f"cases per responder: average {average:.1f}, busiest {max(handled.values())}, fewest {min(handled.values())}"
    )
    print(f"simulated a week in {time.perf_counter() - started:.1f} s (seed {args.seed})")
    if args.explain:
        explain(week)
    print("targets met" if week.met else "TARGETS MISSED")
    line = f"BENCH care p50_min={week.p50:.1f} p90_min={week.p90:.1f} load_ratio={week.load_ratio:.2f}"
    if not args.count_only:
        # Reference in the same run: the same week routed by the case count alone (the rule before).
        before = simulate(args.seed, count_only=True)
        print(f"the same week by case count alone: load ratio {before.load_ratio:.2f}, p90 {before.p90:.1f}")
        line += f" count_only_load_ratio={before.load_ratio:.2f}"
    print(line)


if __name__ == "__main__":
    main()
