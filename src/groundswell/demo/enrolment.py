"""Demo data for enrolment: a call for interest opened a week ago, with about 40% joined, 15% "not now" and
the rest no answer yet. The demo employee (Sam) has not answered, so their home page shows the call."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from groundswell.demo import data
from groundswell.enrolment.models import (
    NETWORKS,
    Activity,
    CallEmail,
    CallForInterest,
    ChoiceKind,
    Comfort,
    Enrolment,
    EnrolmentChoice,
    EnrolmentEvent,
    Hours,
    Status,
)
from groundswell.workspaces.models import Membership, Role

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder

MESSAGE = """We are starting an employee advocacy program, and we would love you to be part of it — but only if you
want to. Tell us what you enjoy: sharing company news, writing about your work, answering customers online,
helping run one of our brand accounts, or making short videos.

It takes under a minute, you can change your mind at any time, and your manager does not see your answer."""

# What people in each department tend to volunteer for (weights for the activities, in Activity order).
ACTIVITY_WEIGHTS = {
    "Marketing": (5, 4, 1, 3, 3),
    "Sales": (6, 2, 2, 1, 1),
    "Engineering": (4, 3, 1, 1, 1),
    "Customer Experience": (3, 1, 6, 2, 1),
}
LOCATION_LANGUAGES = {"Berlin": ["en", "de"], "Vancouver": ["en", "fr"], "Remote": ["en", "es"]}


def add_enrolment(builder: DemoBuilder) -> None:
    rng = random.Random(builder.seed * 31 + 8)
    ws, now = builder.ws, builder.now
    admin = builder.by_email[f"{data.ADMIN[1]}@{data.DOMAIN}"]
    sam = builder.by_email[f"{data.EMPLOYEE[1]}@{data.DOMAIN}"]
    opened = now - dt.timedelta(days=6, hours=3)
    call = CallForInterest.objects.create(
        workspace=ws,
        title="Would you like to represent Northwind on social media?",
        message=MESSAGE,
        opened_by=admin,
        opened_at=opened,
        deadline=(now + dt.timedelta(days=8)).astimezone(builder.tz).date(),
    )
    # From the database: earlier demo steps deactivate some people with queryset updates.
    active = set(
        Membership.objects.filter(pk__in=[m.pk for m in builder.members], is_active=True).values_list("pk", flat=True)
    )
    members = [m for m in builder.members if m.pk in active]
    # Everyone got the email when the call opened (so the demo's worker does not send it again).
    CallEmail.objects.bulk_create(CallEmail(call=call, member=m, sent_at=opened) for m in members)

    dept_names = {d.pk: name for name, d in builder.departments.items()}
    loc_names = {loc.pk: name for name, loc in builder.locations.items()}
    activities = list(Activity.values)
    enrolments: list[Enrolment] = []
    answers: dict[int, tuple[list[str], list[str], list[str]]] = {}
    # About 40% join (keen sharers more often), 15% say "not now", the rest have not answered yet.
    candidates = [m for m in members if m.pk not in (sam.pk, admin.pk)]
    ranked = sorted(candidates, key=lambda m: -(builder.propensity.get(m.pk, 0.0) + rng.uniform(0, 0.3)))
    n_join, n_decline = round(0.40 * len(members)), round(0.15 * len(members))
    rest = ranked[n_join:]
    declining = {m.pk for m in rng.sample(rest, min(n_decline, len(rest)))}
    status_of = {m.pk: Status.JOINED for m in ranked[:n_join]} | dict.fromkeys(declining, Status.DECLINED)
    for m in candidates:
        if m.pk not in status_of:
            continue
        status = status_of[m.pk]
        at = opened + dt.timedelta(minutes=rng.randint(5, int((now - opened).total_seconds() // 60) - 5))
        e = Enrolment(workspace=ws, member=m, status=status, answered_call=call, created_at=at, updated_at=at)
        if status == Status.JOINED:
            weights = ACTIVITY_WEIGHTS.get(dept_names.get(m.department_id or 0, ""), (4, 2, 1, 1, 1))
            chosen = sorted(set(rng.choices(activities, weights, k=rng.choice([1, 1, 2, 2, 3]))), key=activities.index)
            nets = [n for n in builder.networks.get(m.pk, ["linkedin"]) if n in NETWORKS] or ["linkedin"]
            langs = list(LOCATION_LANGUAGES.get(loc_names.get(m.location_id or 0, ""), ["en"]))
            answers[m.pk] = (chosen, nets, langs if Activity.ANSWER in chosen else [])
            e.hours = rng.choices(list(Hours.values), [5, 4, 2, 1])[0]
            e.comfort = rng.choices(list(Comfort.values), [3, 4, 2, 1] if m.role == Role.EMPLOYEE else [1, 3, 3, 2])[0]
            e.show_to_manager = rng.random() < 0.3
            e.joined_at = at
        enrolments.append(e)
    Enrolment.objects.bulk_create(enrolments, batch_size=500)

    by_member = {e.member_id: e for e in enrolments}
    choices: list[EnrolmentChoice] = []
    topic_links = []
    through = Enrolment.topics.through
    for member_id, (acts, nets, langs) in answers.items():
        e = by_member[member_id]
        for kind, values in ((ChoiceKind.ACTIVITY, acts), (ChoiceKind.NETWORK, nets), (ChoiceKind.LANGUAGE, langs)):
            choices.extend(EnrolmentChoice(enrolment=e, kind=kind, value=v) for v in values)
        for slug in sorted(builder.interests.get(member_id, set()))[:3]:
            topic_links.append(through(enrolment_id=e.pk, topic_id=builder.topics[slug].pk))
    EnrolmentChoice.objects.bulk_create(choices, batch_size=1000)
    through.objects.bulk_create(topic_links, batch_size=1000)
    EnrolmentEvent.objects.bulk_create(
        (
            EnrolmentEvent(
                workspace=ws,
                member_id=e.member_id,
                call=call,
                status=e.status,
                snapshot={"activities": answers[e.member_id][0]} if e.member_id in answers else {},
                at=e.updated_at,
            )
            for e in enrolments
        ),
        batch_size=500,
    )
    joined = sum(1 for e in enrolments if e.status == Status.JOINED)
    builder.log(f"  call for interest: {joined} joined, {len(enrolments) - joined} not now, of {len(members)}")
