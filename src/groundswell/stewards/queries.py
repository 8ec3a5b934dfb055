"""Read queries of the stewards domain (no writes here)."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Max, QuerySet

from groundswell.networks.models import EngagementSnapshot
from groundswell.stewards.models import BrandAccount, BrandPost, BrandPostStatus, Shift, ShiftStatus
from groundswell.workspaces.models import Membership, Workspace

log = logging.getLogger(__name__)

RECENT_POSTS = 10


def brand_accounts(workspace: Workspace) -> QuerySet[BrandAccount]:
    return BrandAccount.objects.filter(workspace=workspace, account__member__isnull=True).select_related("account")


def volunteer_ids(workspace: Workspace) -> set[int]:
    """Members who volunteered to run a brand account, when the enrolment domain is installed (it is built
    separately; without it nobody is marked and every active member can still be picked)."""
    if not apps.is_installed("groundswell.enrolment"):
        return set()
    try:
        queries: Any = importlib.import_module("groundswell.enrolment.queries")
    except ImportError:
        return set()
    volunteers = getattr(queries, "volunteers", None)
    if volunteers is None:
        return set()
    try:
        found = volunteers(workspace, activity="brand")
    except Exception:  # another domain's bug must not break shift planning
        log.exception("enrolment.queries.volunteers failed")
        return set()
    return {m if isinstance(m, int) else int(m.pk) for m in found}


def steward_choices(workspace: Workspace) -> list[tuple[Membership, bool]]:
    """Active members, volunteers first, each with whether they volunteered."""
    marked = volunteer_ids(workspace)
    members = Membership.objects.filter(workspace=workspace, is_active=True).order_by("display_name", "pk")
    rows = [(m, m.pk in marked) for m in members]
    return sorted(rows, key=lambda row: not row[1])


def current_shifts(brands: list[BrandAccount], now: dt.datetime) -> dict[int, Shift]:
    """The running shift of each brand account (one query)."""
    shifts = Shift.objects.filter(
        brand__in=brands, status=ShiftStatus.ASSIGNED, starts_at__lte=now, ends_at__gt=now
    ).select_related("steward")
    return {s.brand_id: s for s in shifts}


def can_see_brand(member: Membership, brand: BrandAccount) -> bool:
    """Admins, and anyone who has (or had) a shift on the account."""
    return member.is_admin or Shift.objects.filter(brand=brand, steward=member).exists()


@dataclass(frozen=True)
class AccountPage:
    current: Shift | None
    upcoming: list[Shift]
    past: list[Shift]
    notes: list[Shift]
    posts: list[BrandPost]


def account_page(brand: BrandAccount, now: dt.datetime) -> AccountPage:
    shifts = list(brand.shifts.select_related("steward").order_by("starts_at", "pk"))
    assigned = [s for s in shifts if s.status == ShiftStatus.ASSIGNED]
    current = next((s for s in assigned if s.is_current(now)), None)
    return AccountPage(
        current=current,
        upcoming=[s for s in assigned if s.is_upcoming(now)],
        past=[s for s in reversed(shifts) if s.ends_at <= now or s.status != ShiftStatus.ASSIGNED][:10],
        notes=[s for s in reversed(shifts) if s.handover_note][:10],
        posts=with_engagement(
            list(brand.posts.select_related("author", "outbound", "reviewed_by").order_by("-created_at", "-pk")[:30])
        ),
    )


def with_engagement(posts: list[BrandPost]) -> list[BrandPost]:
    """Give each post ``engagement``: the latest counts the engagement sync read for it (an
    ``EngagementSnapshot``), or None before the first sync. Two queries for any number of posts."""
    job_ids = [p.outbound_id for p in posts if p.outbound_id]
    latest_ids = (
        EngagementSnapshot.objects.filter(post_id__in=job_ids).values("post_id").annotate(last=Max("pk"))
        if job_ids
        else []
    )
    by_job = {s.post_id: s for s in EngagementSnapshot.objects.filter(pk__in=[row["last"] for row in latest_ids])}
    for post in posts:
        setattr(post, "engagement", by_job.get(post.outbound_id) if post.outbound_id else None)  # noqa: B010
    return posts


def handover_for(shift: Shift) -> Shift | None:
    """The most recent hand-over note written on an earlier shift of the same account."""
    return (
        Shift.objects.filter(brand_id=shift.brand_id, starts_at__lt=shift.starts_at)
        .exclude(pk=shift.pk)
        .exclude(handover_note="")
        .select_related("steward")
        .order_by("-starts_at", "-pk")
        .first()
    )


def recent_posts(brand_ids: list[int]) -> dict[int, list[BrandPost]]:
    posts: dict[int, list[BrandPost]] = {pk: [] for pk in brand_ids}
    rows = (
        BrandPost.objects.filter(brand_id__in=brand_ids, status=BrandPostStatus.QUEUED)
        .select_related("outbound", "author")
        .order_by("-created_at", "-pk")
    )
    for post in rows[: RECENT_POSTS * max(1, len(brand_ids))]:
        if len(posts[post.brand_id]) < RECENT_POSTS:
            posts[post.brand_id].append(post)
    with_engagement([post for listed in posts.values() for post in listed])
    return posts


def my_shifts(member: Membership) -> QuerySet[Shift]:
    return Shift.objects.filter(steward=member).select_related("brand__account").order_by("-starts_at", "-pk")


def review_queue(workspace: Workspace) -> QuerySet[BrandPost]:
    return (
        BrandPost.objects.filter(workspace=workspace, status=BrandPostStatus.PENDING)
        .select_related("brand__account", "author")
        .order_by("created_at", "pk")
    )
