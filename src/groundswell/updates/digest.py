"""The email digest: a registry of sections, the schedule, and idempotent delivery.

Sections are small functions ``(member, since, now) -> DigestSection | None`` registered with
:func:`register_section`; any app can add one (the lessons app adds "Your next lesson")::

    from groundswell.updates.digest import DigestLine, DigestSection, register_section

    def open_calls(ctx: DigestContext) -> DigestSection | None: ...

    register_section("calls", open_calls, order=50)

A digest is sent only when at least one section has *news* (``DigestSection.news``): goal progress on its
own is not a reason to email someone.

Delivery is claimed before sending: a ``DigestDelivery`` row per member and period, created under a unique
constraint. A second worker (or a re-run after a crash) finds the row and sends nothing, so a member never
gets the same digest twice; a crash between the claim and the send loses that one digest instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groundswell.updates.models import (
    DEFAULT_FREQUENCY,
    DeliveryStatus,
    DigestDelivery,
    DigestPreference,
    Frequency,
)
from groundswell.workspaces.models import Membership, Workspace

log = logging.getLogger(__name__)

#: Local time at which digests become due (weekly: Monday at this hour).
SEND_HOUR = 8
BATCH_SIZE = 200
MAX_ATTEMPTS = 3
UNSUBSCRIBE_SALT = "groundswell.updates.unsubscribe"


# --- Sections ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    text: str
    url: str = ""  # absolute
    detail: str = ""


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[DigestLine]
    news: bool = True  # False for sections that are only context (goal progress): they never trigger a send
    intro: str = ""


@dataclass(frozen=True)
class DigestContext:
    member: Membership
    since: dt.datetime  # the previous digest (or the start of the period for a first digest)
    now: dt.datetime
    today: dt.date  # in the workspace's time zone

    def url(self, name: str, **kwargs: object) -> str:
        return settings.SITE_URL + reverse(name, kwargs={"ws": self.member.workspace.slug, **kwargs})


SectionBuilder = Callable[[DigestContext], "DigestSection | None"]


@dataclass(frozen=True)
class _Registered:
    key: str
    builder: SectionBuilder
    order: int


_SECTIONS: dict[str, _Registered] = {}


def register_section(key: str, builder: SectionBuilder, *, order: int = 100) -> None:
    """Add (or replace) a digest section. Lower ``order`` comes first."""
    _SECTIONS[key] = _Registered(key, builder, order)


def unregister_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def registered_sections() -> list[str]:
    return [s.key for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))]


def build_sections(ctx: DigestContext) -> list[DigestSection]:
    out = []
    for reg in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        section = reg.builder(ctx)
        if section is not None and section.lines:
            out.append(section)
    return out


# --- Schedule ------------------------------------------------------------------------------------


def frequency_of(member: Membership) -> str:
    pref = DigestPreference.objects.filter(member=member).values_list("frequency", flat=True).first()
    return pref or DEFAULT_FREQUENCY


@dataclass(frozen=True)
class Period:
    key: str  # "w2026-11-30" / "d2026-12-01"
    due_at: dt.datetime  # when it becomes due (aware)
    length: dt.timedelta


def current_period(frequency: str, now: dt.datetime, tz_name: str) -> Period | None:
    """The period whose digest is due at ``now`` in the workspace's time zone (None: nothing due yet).

    Weekly digests are due from Monday ``SEND_HOUR``:00 local time, daily ones every day at that hour.
    Before that hour the previous period's digest is still the current one.
    """
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz)
    if frequency == Frequency.DAILY:
        day, length = local.date(), dt.timedelta(days=1)
        prefix = "d"
    elif frequency == Frequency.WEEKLY:
        day, length = local.date() - dt.timedelta(days=local.weekday()), dt.timedelta(days=7)
        prefix = "w"
    else:
        return None
    due = dt.datetime.combine(day, dt.time(SEND_HOUR), tzinfo=tz)
    if local < due:
        day -= length
        due = dt.datetime.combine(day, dt.time(SEND_HOUR), tzinfo=tz)
    return Period(key=f"{prefix}{day.isoformat()}", due_at=due, length=length)


def due_members(workspace: Workspace, frequency: str, period: Period) -> QuerySet[Membership]:
    """Active members of ``workspace`` on ``frequency`` who joined before the period was due, have an email
    address and no delivery row for the period yet."""
    prefs = DigestPreference.objects.filter(member=OuterRef("pk"))
    qs = Membership.objects.filter(workspace=workspace, is_active=True, joined_at__lt=period.due_at).exclude(
        user__email=""
    )
    if frequency == DEFAULT_FREQUENCY:
        qs = qs.filter(~Q(Exists(prefs)) | Q(Exists(prefs.filter(frequency=frequency))))
    else:
        qs = qs.filter(Exists(prefs.filter(frequency=frequency)))
    delivered = DigestDelivery.objects.filter(member=OuterRef("pk"), period_key=period.key)
    return qs.filter(~Q(Exists(delivered))).select_related("workspace", "user").order_by("pk")


def last_sent_at(member: Membership) -> dt.datetime | None:
    return (
        DigestDelivery.objects.filter(member=member, status=DeliveryStatus.SENT)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )


# --- Building and sending ------------------------------------------------------------------------


def unsubscribe_token(member: Membership) -> str:
    return signing.dumps({"m": member.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def member_for_token(token: str) -> Membership | None:
    """The member an unsubscribe token was made for, or None when it is forged, garbled or stale."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int):
        return None
    return Membership.objects.select_related("workspace").filter(pk=data["m"]).first()


def unsubscribe_url(member: Membership) -> str:
    return settings.SITE_URL + reverse("unsubscribe:confirm", kwargs={"token": unsubscribe_token(member)})


@dataclass
class Digest:
    member: Membership
    sections: list[DigestSection]
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def has_news(self) -> bool:
        return any(s.news for s in self.sections)

    def message(self) -> EmailMultiAlternatives:
        msg = EmailMultiAlternatives(self.subject, self.text, None, [self.member.user.email], headers=self.headers)
        msg.attach_alternative(self.html, "text/html")
        return msg


def build_digest(member: Membership, *, since: dt.datetime, now: dt.datetime) -> Digest:
    workspace = member.workspace
    ctx = DigestContext(member=member, since=since, now=now, today=now.astimezone(ZoneInfo(workspace.timezone)).date())
    sections = build_sections(ctx)
    unsubscribe = unsubscribe_url(member)
    context = {
        "member": member,
        "workspace": workspace,
        "sections": sections,
        "home_url": ctx.url("core:home"),
        "settings_url": ctx.url("updates:digest_settings"),
        "unsubscribe_url": unsubscribe,
    }
    # Names are admin-typed: fold any line breaks so they cannot break the header.
    subject = " ".join(f"{workspace.name} advocacy digest".split())
    return Digest(
        member=member,
        sections=sections,
        subject=subject,
        text=render_to_string("updates/email/digest.txt", context),
        html=render_to_string("updates/email/digest.html", context),
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def claim(member: Membership, period: Period, now: dt.datetime) -> DigestDelivery | None:
    """Create the delivery row for ``member`` and ``period``; None when someone else already has."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                workspace_id=member.workspace_id, member=member, period_key=period.key, claimed_at=now
            )
    except IntegrityError:
        return None


def reclaim(delivery: DigestDelivery, now: dt.datetime) -> bool:
    """Take a failed delivery for another attempt (conditional update: one worker wins)."""
    updated = DigestDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.FAILED, attempts=delivery.attempts
    ).update(status=DeliveryStatus.CLAIMED, attempts=delivery.attempts + 1, claimed_at=now)
    return updated == 1


def deliver(delivery: DigestDelivery, member: Membership, period: Period, now: dt.datetime) -> str:
    """Build and send the digest of a claimed delivery; record the outcome. Returns the new status."""
    # A first digest (or the first after "never") covers the period just ended.
    since = last_sent_at(member) or period.due_at - period.length
    digest = build_digest(member, since=since, now=now)
    if not digest.has_news:
        status, error = DeliveryStatus.EMPTY, ""
    else:
        try:
            digest.message().send(fail_silently=False)
        except Exception as exc:  # SMTP refused, timed out…: try again on a later run
            log.warning("digest for member %s failed: %s", member.pk, exc)
            status, error = DeliveryStatus.FAILED, str(exc)[:300]
        else:
            status, error = DeliveryStatus.SENT, ""
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error, sent_at=now if status == DeliveryStatus.SENT else None
    )
    return status


@dataclass
class RunResult:
    sent: int = 0
    empty: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by someone else first

    @property
    def handled(self) -> int:
        return self.sent + self.empty + self.failed


def send_due_digests(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> RunResult:
    """Send up to ``limit`` due digests (the periodic task calls this every few minutes until none are due)."""
    now = now or timezone.now()
    result = RunResult()

    def tally(status: str) -> None:
        if status == DeliveryStatus.SENT:
            result.sent += 1
        elif status == DeliveryStatus.EMPTY:
            result.empty += 1
        else:
            result.failed += 1

    for workspace in Workspace.objects.order_by("pk"):
        for frequency in (Frequency.WEEKLY, Frequency.DAILY):
            period = current_period(frequency, now, workspace.timezone)
            if period is None:
                continue
            for delivery in DigestDelivery.objects.filter(
                workspace=workspace, period_key=period.key, status=DeliveryStatus.FAILED, attempts__lt=MAX_ATTEMPTS
            ).select_related("member__workspace", "member__user")[: max(0, limit - result.handled)]:
                if reclaim(delivery, now):
                    tally(deliver(delivery, delivery.member, period, now))
            for member in due_members(workspace, frequency, period)[: max(0, limit - result.handled)]:
                claimed = claim(member, period, now)
                if claimed is None:
                    result.skipped += 1
                    continue
                tally(deliver(claimed, member, period, now))
            if result.handled >= limit:
                return result
    return result
