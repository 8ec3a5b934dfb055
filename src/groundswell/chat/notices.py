"""What the bot tells, and to whom: new items, routed cases, the weekly digest and the tip of the week.

Each function is idempotent (every delivery is claimed in ``ChatMessage`` under a key), so a task may run
twice, or on two workers, and nobody gets a message twice. Called from ``chat.tasks``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from groundswell.care.models import Case
from groundswell.chat import dispatch, handlers, messages
from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage, InstallationState
from groundswell.chat.platforms import Target
from groundswell.content.models import Item
from groundswell.content.targeting import audience_ids
from groundswell.updates.digest import DigestContext, build_sections, current_period
from groundswell.workspaces.models import Workspace

log = logging.getLogger(__name__)


def _installations(workspace_id: int, **flags: bool) -> list[ChatInstallation]:
    return list(
        ChatInstallation.objects.select_related("workspace").filter(
            workspace_id=workspace_id, state=InstallationState.ACTIVE, **flags
        )
    )


def _identities(installation: ChatInstallation, member_ids: list[int] | None = None) -> list[ChatIdentity]:
    qs = ChatIdentity.objects.select_related("member", "member__workspace", "workspace").filter(
        workspace_id=installation.workspace_id,
        platform=installation.platform,
        external_team_id=installation.external_id,
        direct_messages=True,
        member__is_active=True,
    )
    if member_ids is not None:
        qs = qs.filter(member_id__in=member_ids)
    return list(qs.order_by("pk"))


def announce_item(item_id: int, *, now: dt.datetime | None = None) -> int:
    """Post a newly announced item to each connected channel (summary + "Get my share buttons") and to each
    linked member of its audience who wants direct messages (their personal buttons). Returns messages sent."""
    now = now or timezone.now()
    item = Item.objects.select_related("workspace").filter(pk=item_id).first()
    if item is None or not item.is_live(now):
        return 0
    sent = 0
    key = f"item:{item.pk}"
    audience: list[int] | None = None
    # An item meant for some departments, locations or interests is not posted where everyone reads: its
    # audience gets it by direct message only (the app shows it to no one else either).
    targeted = item.target_departments.exists() or item.target_locations.exists() or item.target_topics.exists()
    for installation in _installations(item.workspace_id, announce_items=True):
        if (
            installation.channel_id
            and not targeted
            and dispatch.deliver(
                installation, Target.channel(installation), key, messages.item_for_channel(item), now=now
            )
        ):
            sent += 1
        if audience is None:
            audience = audience_ids(item)
        for identity in _identities(installation, audience):
            message = handlers.share_buttons(identity, item)
            if dispatch.deliver(installation, Target.member(identity), key, message, now=now):
                sent += 1
    return sent


def tell_case_routed(case_id: int, member_id: int, *, now: dt.datetime | None = None) -> bool:
    """DM the member a case was routed to, with "Acknowledge". Once per case and member."""
    now = now or timezone.now()
    case = Case.objects.select_related("workspace", "post").filter(pk=case_id, assignee_id=member_id).first()
    if case is None or not case.is_open:
        return False
    summary = (case.post.text or "")[:280]
    for installation in _installations(case.workspace_id):
        for identity in _identities(installation, [member_id]):
            if dispatch.deliver(
                installation, Target.member(identity), f"case:{case.pk}", messages.case_routed(case, summary), now=now
            ):
                return True
    return False


def send_digests(now: dt.datetime | None = None) -> int:
    """The weekly digest to linked members who want direct messages, once per period (key ``digest:<period>``).

    Uses the same sections as the e-mail digest; a member with no news that week gets nothing."""
    now = now or timezone.now()
    sent = 0
    for installation in ChatInstallation.objects.select_related("workspace").filter(
        state=InstallationState.ACTIVE, send_digest=True
    ):
        workspace = installation.workspace
        period = current_period("weekly", now, workspace.timezone)
        if period is None:
            continue
        key = f"digest:{period.key}"
        done = set(ChatMessage.objects.filter(installation=installation, key=key).values_list("target", flat=True))
        today = now.astimezone(ZoneInfo(workspace.timezone)).date()
        home = settings.SITE_URL + reverse("core:home", kwargs={"ws": workspace.slug})
        for identity in _identities(installation):
            if f"member:{identity.member_id}" in done:
                continue
            ctx = DigestContext(member=identity.member, since=period.due_at - period.length, now=now, today=today)
            sections = build_sections(ctx)
            if not any(s.news for s in sections):
                continue
            message = messages.digest(workspace.name, sections, home)
            if dispatch.deliver(installation, Target.member(identity), key, message, now=now):
                sent += 1
    return sent


def _tip_function() -> Callable[[Workspace, dt.date], Any] | None:
    """``learning.tips.tip_for_week`` (built by the learning part of issue 13), or None while it is missing."""
    try:
        module = importlib.import_module("groundswell.learning.tips")
    except ImportError:
        return None
    found = getattr(module, "tip_for_week", None)
    return cast("Callable[[Workspace, dt.date], Any]", found) if callable(found) else None


def send_tips(now: dt.datetime | None = None) -> int:
    """The tip of the week to each channel that wants it, once per ISO week (key ``tip:<year>-W<week>``)."""
    now = now or timezone.now()
    tip_for_week = _tip_function()
    if tip_for_week is None:
        log.info("chat tips: groundswell.learning.tips.tip_for_week is not available; no tip sent")
        return 0
    sent = 0
    for installation in (
        ChatInstallation.objects.select_related("workspace")
        .filter(state=InstallationState.ACTIVE, send_tips=True)
        .exclude(channel_id="")
    ):
        workspace = installation.workspace
        day = now.astimezone(ZoneInfo(workspace.timezone)).date()
        year, week, _ = day.isocalendar()
        key = f"tip:{year}-W{week:02d}"
        if ChatMessage.objects.filter(installation=installation, key=key).exists():
            continue
        tip = tip_for_week(workspace, day)
        if tip is None:
            continue
        message = messages.tip(str(tip.title), str(tip.text), str(getattr(tip, "url", "") or ""))
        if dispatch.deliver(installation, Target.channel(installation), key, message, now=now):
            sent += 1
    return sent
