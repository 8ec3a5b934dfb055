"""Demo ambassador teams: a LinkedIn crew one term in (with a past term in its history), a young Bluesky team
with free seats, and a careers team that rotates by hand. Sam Rivera (the employee login) waits for a LinkedIn
seat and has an invitation to the careers team."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from groundswell.demo import data
from groundswell.teams.models import EntryStatus, Seat, SeatEnd, Team, TeamInvitation, WaitlistEntry
from groundswell.teams.rotation import add_months
from groundswell.workspaces.models import Membership, Role

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder

NOTES = [
    "I already post about our customers every week.",
    "Would love to help with the launch stories.",
    "",
    "Happy to share engineering posts.",
    "",
    "I run our meetup, so I have an audience.",
]


def build_teams(builder: DemoBuilder) -> None:
    ws = builder.ws
    rng = builder.rng
    today = builder.now.astimezone(builder.tz).date()
    month = today.replace(day=1)
    sam = next(m for email, m in builder.by_email.items() if email.startswith(data.EMPLOYEE[1] + "@"))
    pool = [m for m in builder.members if m.role == Role.EMPLOYEE and m.is_active and m.pk != sam.pk]

    def shuffled() -> list[Membership]:
        """A fresh order for each team: people may serve on several teams, but once on each."""
        order = list(pool)
        rng.shuffle(order)
        return order

    def at(day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, tzinfo=builder.tz)

    # Sizes for the default company (about 200 employees); small demo companies get smaller teams.
    n = len(pool)
    if n < 4:
        return
    seats = max(2, min(8, (n - 2) // 2))
    extra = max(1, min(5, n - seats - 1))
    order = shuffled()
    # One seat is offered to the newcomer (its holder left); the others are held.
    current, waiting, newcomer = order[: seats - 1], order[seats - 1 : seats - 1 + extra], order[seats - 1 + extra]
    left = order[-1]  # not serving now; may have applied again since
    # Last term's crew (some serve again now); the first of them re-applied and now waits.
    past = list(dict.fromkeys([waiting[0], *reversed(order)]))[:seats]

    # LinkedIn: one year terms; the current one ends next month, the previous one is history.
    start = add_months(month, -11)
    linkedin = Team.objects.create(
        workspace=ws,
        name=f"LinkedIn crew {start.year}",
        purpose="LinkedIn",
        description="Share our customer stories and product news on LinkedIn, about twice a week. "
        "A one-year term, then the seats go to the next people on the waitlist.",
        seats=seats,
        term_months=12,
        term_start=start,
        term_end=add_months(start, 12),
        created_at=at(add_months(start, -12)),
        last_rotated_at=at(start, 1),
    )
    Seat.objects.bulk_create(
        Seat(
            team=linkedin,
            member=m,
            served_from=add_months(start, -12),
            served_until=start,
            ended=SeatEnd.ROTATED,
            ended_at=at(start, 1),
        )
        for m in past
    )
    seats_now = [Seat(team=linkedin, member=m, served_from=start, reapply=i < 2) for i, m in enumerate(current)]
    seats_now.append(
        Seat(
            team=linkedin,
            member=left,
            served_from=start,
            served_until=add_months(start, 4),
            ended=SeatEnd.LEFT,
            ended_at=at(add_months(start, 4)),
        )
    )
    Seat.objects.bulk_create(seats_now)
    waiting.insert(1, sam)
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(
            team=linkedin,
            member=m,
            note=NOTES[i % len(NOTES)],
            position=i + 2,
            reapplied=m.pk == past[0].pk,
            # The re-applier joined the end of the waitlist at the rotation; the others applied since.
            applied_at=at(start, 1) if m.pk == past[0].pk else at(add_months(start, 1 + i)),
        )
        for i, m in enumerate(waiting)
    )
    # The seat of the member who left went to the head of the waitlist; they have not answered yet.
    head = WaitlistEntry.objects.create(
        team=linkedin,
        member=newcomer,
        position=1,
        status=EntryStatus.INVITED,
        applied_at=at(add_months(start, 1)),
    )
    offered = builder.now - dt.timedelta(days=2)
    TeamInvitation.objects.create(
        team=linkedin, member=newcomer, entry=head, created_at=offered, expires_at=offered + dt.timedelta(days=7)
    )

    # Bluesky: a young six-month team with free seats.
    bluesky_start = add_months(month, -2)
    bluesky = Team.objects.create(
        workspace=ws,
        name="Bluesky early birds",
        purpose="Bluesky",
        description="Try Bluesky for us: share what works, tell the rest of us what doesn't.",
        seats=5,
        term_months=6,
        term_start=bluesky_start,
        term_end=add_months(bluesky_start, 6),
        created_at=at(bluesky_start),
    )
    Seat.objects.bulk_create(Seat(team=bluesky, member=m, served_from=bluesky_start) for m in shuffled()[: min(3, n)])

    # Careers: rotated by hand; Sam has an invitation to its free seat.
    careers_start = add_months(month, -5)
    careers_people = shuffled()
    serving = min(5, n - 2)
    careers = Team.objects.create(
        workspace=ws,
        name="Careers storytellers",
        purpose="LinkedIn and Instagram",
        description="Tell candidates what working here is really like: your team, your day, your projects.",
        seats=serving + 1,
        term_months=12,
        term_start=careers_start,
        term_end=add_months(careers_start, 12),
        auto_rotate=False,
        created_at=at(careers_start),
    )
    Seat.objects.bulk_create(Seat(team=careers, member=m, served_from=careers_start) for m in careers_people[:serving])
    sam_entry = WaitlistEntry.objects.create(
        team=careers, member=sam, position=1, status=EntryStatus.INVITED, applied_at=builder.now - dt.timedelta(days=9)
    )
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(team=careers, member=m, position=2 + i, applied_at=builder.now - dt.timedelta(days=5 - i))
        for i, m in enumerate(careers_people[serving : serving + 2])
    )
    sent = builder.now - dt.timedelta(days=1)
    TeamInvitation.objects.create(
        team=careers, member=sam, entry=sam_entry, created_at=sent, expires_at=sent + dt.timedelta(days=7)
    )
    builder.log("  3 ambassador teams")
