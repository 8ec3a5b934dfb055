"""Demo data for brand accounts: the company's LinkedIn page and Bluesky account, run by volunteers in shifts,
with hand-over notes, posts and a post waiting for approval.

The demo accounts hold no usable tokens and are marked "needs reconnecting" with a message saying they are
demo accounts, so the outbox never tries to deliver anything for them; their "posted" posts carry a log
line saying nothing was sent anywhere.
"""

from __future__ import annotations

import datetime as dt

from groundswell.demo import data
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost, OutboundPostLog, PostStatus
from groundswell.networks.outbox import new_idempotency_key
from groundswell.stewards.actions import award_finished_shifts
from groundswell.stewards.models import BrandAccount, BrandPost, BrandPostStatus, Shift, ShiftStatus
from groundswell.workspaces.models import Membership, Workspace

DEMO_NOTE = "Demo account: not connected to a real network. Nothing is ever posted from it."
DAY = dt.timedelta(days=1)

HANDOVERS = (
    "Quiet week. The winter-boots post did best (lots of comments asking about sizes — I pointed them to the "
    "fit guide). Two replies still open under the Berlin store opening post.",
    "Scheduled nothing past Friday on purpose so you can pick your own topics. Marketing asked us to push the "
    "repair-program story next; the photos are in the shared drive.",
)
POSTS = (
    ("Our Berlin store opens Saturday — come say hi, coffee is on us.", "https://northwind-outfitters.example/berlin"),
    ("Behind the seams: how our repair team gives jackets a second (and third) life.", ""),
    (
        "We're hiring retail leads in Munich and Hamburg. Know someone great?",
        "https://northwind-outfitters.example/jobs",
    ),
)


def _email(local: str) -> str:
    return f"{local}@{data.DOMAIN}"


def _account(ws: Workspace, network: str, handle: str, now: dt.datetime) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=ws,
        member=None,
        network=network,
        remote_id=f"demo:{network}:{handle}",
        handle=handle,
        access_token="",  # no token at all: nothing could be posted with it
        status=AccountStatus.RECONNECT,  # the outbox only delivers for connected accounts
        status_message=DEMO_NOTE,
        connected_at=now - 60 * DAY,
    )


def _posted(brand: BrandAccount, shift: Shift, text: str, link: str, at: dt.datetime) -> None:
    outbound = OutboundPost.objects.create(
        workspace_id=brand.workspace_id,
        account=brand.account,
        text=f"{text}\n\n{link}" if link else text,
        link_url=link,
        idempotency_key=new_idempotency_key(),
        status=PostStatus.SENT,
        scheduled_at=at,
        next_attempt_at=at,
        sent_at=at,
        created_at=at,
    )
    OutboundPostLog.objects.create(post=outbound, at=at, message="Demo data: this post was never sent anywhere.")
    BrandPost.objects.create(
        workspace_id=brand.workspace_id,
        brand=brand,
        shift=shift,
        author=shift.steward,
        text=text,
        link_url=link,
        status=BrandPostStatus.QUEUED,
        outbound=outbound,
        created_at=at,
    )


def build_brand_accounts(ws: Workspace, by_email: dict[str, Membership], now: dt.datetime) -> None:
    admin = by_email[_email(data.ADMIN[1])]
    sam = by_email[_email(data.EMPLOYEE[1])]
    # Employees volunteer first; in a very small company the department heads step in.
    candidates = [m for m in by_email.values() if m.pk not in (admin.pk, sam.pk) and m.role != "admin"]
    others = sorted(candidates, key=lambda m: m.role != "employee")[:3]
    volunteer_a, volunteer_b, volunteer_c = others[0], others[1], others[2]

    linkedin = BrandAccount.objects.create(
        workspace=ws,
        account=_account(ws, "linkedin", f"{data.COMPANY} (LinkedIn page, demo)", now),
        require_approval=True,
        connected_by=admin,
        created_at=now - 60 * DAY,
    )
    bluesky = BrandAccount.objects.create(
        workspace=ws,
        account=_account(ws, "bluesky", f"{data.SLUG}.bsky.example", now),
        require_approval=False,
        connected_by=admin,
        created_at=now - 45 * DAY,
    )

    def shift(brand: BrandAccount, steward: Membership, start: dt.datetime, days: int, **extra: object) -> Shift:
        return Shift.objects.create(
            workspace=ws,
            brand=brand,
            steward=steward,
            starts_at=start,
            ends_at=start + days * DAY,
            assigned_by=admin,
            created_at=start - 7 * DAY,
            start_notified_at=start,  # the demo sends no e-mail
            **extra,
        )

    # 09:00 twenty-two days ago: the Bluesky shift handed over yesterday morning has ended (and earned its
    # points) whatever the time of day the demo is built; the current shifts run until next week.
    start = (now - 22 * DAY).replace(hour=9, minute=0, second=0, microsecond=0)
    first = shift(linkedin, volunteer_a, start, 14, handover_note=HANDOVERS[0], handover_at=start + 14 * DAY)
    current = shift(linkedin, sam, start + 14 * DAY, 14)
    shift(linkedin, volunteer_b, start + 28 * DAY, 14)
    shift(
        bluesky,
        volunteer_c,
        start,
        7,
        status=ShiftStatus.GAVE_UP,
        released_at=start + 2 * DAY,
        release_reason="Quarter-end crunch in my team",
    )
    blue = shift(bluesky, volunteer_b, start + 7 * DAY, 14, handover_note=HANDOVERS[1], handover_at=start + 21 * DAY)
    shift(bluesky, volunteer_c, start + 21 * DAY, 14)

    _posted(linkedin, first, *POSTS[0], start + 3 * DAY)
    _posted(bluesky, blue, *POSTS[1], start + 9 * DAY)
    _posted(linkedin, first, *POSTS[2], start + 10 * DAY)
    BrandPost.objects.create(
        workspace=ws,
        brand=linkedin,
        shift=current,
        author=sam,
        text="Five tips for layering on cold commutes — which one do you swear by?",
        status=BrandPostStatus.PENDING,
        created_at=now - dt.timedelta(hours=3),
    )
    BrandPost.objects.create(
        workspace=ws,
        brand=linkedin,
        shift=current,
        author=sam,
        text="Our jackets are way better than the big brands'.",
        status=BrandPostStatus.REJECTED,
        review_reason="We never compare ourselves with competitors on the company page. Try the repair story?",
        reviewed_by=admin,
        reviewed_at=now - DAY,
        created_at=now - 2 * DAY,
    )
    award_finished_shifts(now)
