"""The write layer of the stewards domain: one transaction per action, named for what it does.

Raises :class:`StewardError` with a message for the person using the page; never writes outside these
functions.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.rollups import RollupBatch
from groundswell.lib.periods import local_day
from groundswell.networks import outbox
from groundswell.networks import policy as posting_policy
from groundswell.networks.models import ConnectedAccount
from groundswell.notify import actions as notify
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.stewards.models import BrandAccount, BrandPost, BrandPostStatus, Shift, ShiftStatus
from groundswell.workspaces.models import Membership, Role

log = logging.getLogger(__name__)

MAX_NOTE = 4000
MAX_POST = 3000
MAX_REASON = 500
#: A shift may be at most this long (a guard against a typo in the year).
MAX_SHIFT = dt.timedelta(days=92)
AWARD_BATCH = 500


class StewardError(ValueError):
    """What cannot be done, in words for the member."""


def _when(moment: dt.datetime, tz: str) -> str:
    return timezone.localtime(moment, ZoneInfo(tz)).strftime("%d %b %Y %H:%M")


# --- brand accounts --------------------------------------------------------------------------------


def record_brand_account(account: ConnectedAccount, by: Membership | None) -> BrandAccount:
    """The brand account for a workspace-owned connected account (created the first time it is connected).

    Called inside ``networks.accounts.connect_for_workspace``'s transaction (through its signal)."""
    if not account.is_workspace_owned:
        raise StewardError("Only the company's own accounts can be brand accounts.")
    brand, _ = BrandAccount.objects.get_or_create(
        account=account, defaults={"workspace_id": account.workspace_id, "connected_by": by}
    )
    return brand


def set_require_approval(brand: BrandAccount, required: bool) -> None:
    """Turn the review of stewards' posts on or off. Posts already waiting stay in the queue."""
    with transaction.atomic():
        BrandAccount.objects.filter(pk=brand.pk).update(require_approval=required)
    brand.require_approval = required


# --- shifts ------------------------------------------------------------------------------------------


def assign_shift(
    *,
    brand: BrandAccount,
    steward: Membership,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    by: Membership,
    now: dt.datetime | None = None,
) -> Shift:
    """Give ``steward`` the account from ``starts_at`` to ``ends_at``. Shifts of one account never overlap:
    the brand account's row is locked while the overlap is checked, so two admins cannot race past it."""
    now = now or timezone.now()
    if steward.workspace_id != brand.workspace_id or not steward.is_active:
        raise StewardError("Pick an active member of this workspace as the steward.")
    if ends_at <= starts_at:
        raise StewardError("The shift must end after it starts.")
    if ends_at <= now:
        raise StewardError("That shift would already be over. Pick an end in the future.")
    if ends_at - starts_at > MAX_SHIFT:
        raise StewardError("A shift can be at most three months long; assign several shifts for longer.")
    tz = brand.account.workspace.timezone
    with transaction.atomic():
        BrandAccount.objects.select_for_update().filter(pk=brand.pk).first()
        clash = (
            Shift.objects.filter(brand=brand, status=ShiftStatus.ASSIGNED, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .select_related("steward")
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            raise StewardError(
                f"This overlaps {clash.steward.display_name}'s shift from {_when(clash.starts_at, tz)} to "
                f"{_when(clash.ends_at, tz)}. Shifts of one account cannot overlap: start this one at "
                f"{_when(clash.ends_at, tz)} or later, or end it by {_when(clash.starts_at, tz)}."
            )
        shift = Shift.objects.create(
            workspace_id=brand.workspace_id,
            brand=brand,
            steward=steward,
            starts_at=starts_at,
            ends_at=ends_at,
            assigned_by=by,
            created_at=now,
        )
    log.info("Shift %s: member %s stewards brand account %s", shift.pk, steward.pk, brand.pk)
    return shift


def release_shift(shift: Shift, member: Membership, reason: str, *, now: dt.datetime | None = None) -> Shift:
    """The steward declines a shift that has not started, or gives up one that is running. No points."""
    now = now or timezone.now()
    if shift.steward_id != member.pk:
        raise StewardError("This is not your shift.")
    if shift.status != ShiftStatus.ASSIGNED:
        raise StewardError("You have already handed this shift back.")
    if shift.ends_at <= now:
        raise StewardError("This shift is over: there is nothing to give up.")
    with transaction.atomic():
        if not _release(shift, reason, now):
            raise StewardError("You have already handed this shift back.")
    shift.refresh_from_db()
    return shift


def _release(shift: Shift, reason: str, now: dt.datetime) -> bool:
    """Hand the shift back: declined before it starts, given up while it runs (no points either way).
    A conditional update: False when it was no longer assigned."""
    status = ShiftStatus.DECLINED if now < shift.starts_at else ShiftStatus.GAVE_UP
    return bool(
        Shift.objects.filter(pk=shift.pk, status=ShiftStatus.ASSIGNED).update(
            status=status, released_at=now, release_reason=reason.strip()[:300]
        )
    )


def write_handover(shift: Shift, member: Membership, note: str, *, now: dt.datetime | None = None) -> Shift:
    """The steward's note for whoever runs the account next (any time after their shift started)."""
    now = now or timezone.now()
    note = note.strip()
    if shift.steward_id != member.pk:
        raise StewardError("This is not your shift.")
    if shift.status == ShiftStatus.DECLINED:
        raise StewardError("You declined this shift, so there is nothing to hand over.")
    if now < shift.starts_at:
        raise StewardError("Your shift has not started yet: write the hand-over note during or after it.")
    if not note:
        raise StewardError("Write a few words for the next steward.")
    if len(note) > MAX_NOTE:
        raise StewardError(f"Keep the note under {MAX_NOTE} characters (it has {len(note)}).")
    with transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(handover_note=note, handover_at=now)
    shift.refresh_from_db()
    return shift


def award_finished_shifts(now: dt.datetime | None = None) -> int:
    """Points for every shift that ended and that its steward did not give up. Idempotent: each shift is
    claimed with a conditional update, and the ledger key ``brand_shift:<id>`` is unique."""
    now = now or timezone.now()
    due = list(
        Shift.objects.filter(status=ShiftStatus.ASSIGNED, ends_at__lte=now, points_awarded_at__isnull=True)
        .order_by("ends_at", "pk")
        .values_list("pk", flat=True)[:AWARD_BATCH]
    )
    awarded = 0
    for pk in due:
        with transaction.atomic():
            claimed = Shift.objects.filter(
                pk=pk, status=ShiftStatus.ASSIGNED, ends_at__lte=now, points_awarded_at__isnull=True
            ).update(points_awarded_at=now)
            if not claimed:
                continue  # another worker got there first, or the steward gave it up meanwhile
            shift = Shift.objects.select_related("steward__workspace", "brand__account").get(pk=pk)
            rollup = RollupBatch()
            points = award_points(
                member=shift.steward,
                action=Action.BRAND_SHIFT,
                key=f"brand_shift:{pk}",
                day=local_day(shift.ends_at, shift.steward.workspace.timezone),
                rollup=rollup,
                reason=f"Brand-account shift on {shift.brand.account.handle}",
                at=shift.ends_at,
            )
            rollup.write()
            awarded += 1 if points else 0
    return awarded


def notify_started_shifts(now: dt.datetime | None = None) -> int:
    """E-mail each steward whose shift has started: the previous steward's hand-over note and a link to the
    account. Once per shift (claimed with a conditional update); the mail goes out after the commit."""
    from groundswell.stewards.queries import handover_for  # reads only

    now = now or timezone.now()
    due = list(
        Shift.objects.filter(
            status=ShiftStatus.ASSIGNED, starts_at__lte=now, ends_at__gt=now, start_notified_at__isnull=True
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:AWARD_BATCH]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            claimed = Shift.objects.filter(pk=pk, status=ShiftStatus.ASSIGNED, start_notified_at__isnull=True).update(
                start_notified_at=now
            )
            if not claimed:
                continue
            shift = Shift.objects.select_related("steward__user", "steward__workspace", "brand__account").get(pk=pk)
            if not shift.steward.user.email:
                continue
            previous = handover_for(shift)
            message = _shift_started_mail(shift, previous)
            notify.notify(shift.steward, notify.Kind.SHIFT_STARTED, str(message.subject), _shift_line(shift, previous),
                          _shift_url(shift), email_body=str(message.body))  # fmt: skip
            sent += 1
    return sent


def _shift_url(shift: Shift) -> str:
    return settings.SITE_URL + reverse("stewards:my_shifts", kwargs={"ws": shift.steward.workspace.slug})


def _shift_line(shift: Shift, previous: Shift | None) -> str:
    ends = _when(shift.ends_at, shift.steward.workspace.timezone)
    note = f" Hand-over: {previous.handover_note[:120]}" if previous is not None and previous.handover_note else ""
    return f"Until {ends}.{note}"


def _shift_started_mail(shift: Shift, previous: Shift | None) -> EmailMessage:
    workspace = shift.steward.workspace
    url = _shift_url(shift)
    body = render_to_string(
        "stewards/email/shift_started.txt",
        {"shift": shift, "previous": previous, "url": url, "ends": _when(shift.ends_at, workspace.timezone)},
    )
    subject = " ".join(f"Your shift on {shift.brand.account.handle} has started".split())
    return EmailMessage(subject, body, None, [shift.steward.user.email])


# --- posts ---------------------------------------------------------------------------------------------


def current_shift(brand: BrandAccount, member: Membership, now: dt.datetime) -> Shift | None:
    return (
        Shift.objects.filter(
            brand=brand, steward=member, status=ShiftStatus.ASSIGNED, starts_at__lte=now, ends_at__gt=now
        )
        .order_by("starts_at")
        .first()
    )


def post_problems(brand: BrandAccount, text: str, link_url: str) -> list[str]:
    """What the posting policy and the network say about this post (blocked words, length)."""
    problems: list[str] = []
    text = text.strip()
    if not text:
        problems.append("Write the post first.")
        return problems
    policy = posting_policy.get_policy(brand.account.workspace)
    word = posting_policy.find_blocked(text, policy)
    if word is not None:
        problems.append(f"The post contains “{word}”, which your program does not allow. Please remove it.")
    full = outbox.compose_text(text, link_url) if link_url and link_url not in text else text
    client = outbox._client_or_none(brand.account.network)
    limit = min(client.max_length, MAX_POST) if client is not None and client.max_length else MAX_POST
    label = client.label if client is not None else brand.account.network
    if len(full) > limit:
        problems.append(f"{label} allows {limit} characters including the link; this post has {len(full)}.")
    return problems


def write_post(
    *,
    brand: BrandAccount,
    steward: Membership,
    text: str,
    link_url: str = "",
    when: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> BrandPost:
    """A steward's post for the brand account, during their shift: to the review queue when the account
    requires approval, else straight into the posting outbox (now, or at ``when``)."""
    now = now or timezone.now()
    text, link_url = text.strip(), link_url.strip()
    shift = current_shift(brand, steward, now)
    if shift is None:
        raise StewardError("You can write for this account during your shift only.")
    if when is not None and when < now - outbox.PAST_SLACK:
        raise StewardError("That time has passed. Pick a time in the future, or leave it empty.")
    problems = post_problems(brand, text, link_url)
    if problems:
        raise StewardError(" ".join(problems))
    with transaction.atomic():
        if brand.require_approval:
            post = BrandPost.objects.create(
                workspace_id=brand.workspace_id,
                brand=brand,
                shift=shift,
                author=steward,
                text=text,
                link_url=link_url,
                scheduled_for=when,
                status=BrandPostStatus.PENDING,
                created_at=now,
            )
        else:
            try:
                outbound = outbox.schedule_account_post(brand.account, text, link_url, when, now=now)
            except outbox.PostingError as exc:
                raise StewardError(str(exc)) from exc
            post = BrandPost.objects.create(
                workspace_id=brand.workspace_id,
                brand=brand,
                shift=shift,
                author=steward,
                text=text,
                link_url=link_url,
                scheduled_for=when,
                status=BrandPostStatus.QUEUED,
                outbound=outbound,
                created_at=now,
            )
    return post


def review_post(
    post: BrandPost, reviewer: Membership, *, approve: bool, reason: str = "", now: dt.datetime | None = None
) -> BrandPost:
    """An admin approves (the post goes to the outbox, at its requested time if that is still ahead) or
    rejects it with a reason the steward sees."""
    now = now or timezone.now()
    reason = reason.strip()
    if not approve and not reason:
        raise StewardError("Say why, so the steward can do better next time.")
    if len(reason) > MAX_REASON:
        raise StewardError(f"Keep the reason under {MAX_REASON} characters.")
    with transaction.atomic():
        locked = BrandPost.objects.select_for_update().select_related("brand__account__workspace").get(pk=post.pk)
        if locked.status != BrandPostStatus.PENDING:
            raise StewardError(f"This post was already reviewed: {locked.get_status_display().lower()}.")
        values: dict[str, object] = {"reviewed_by": reviewer, "reviewed_at": now, "review_reason": reason}
        if approve:
            when = locked.scheduled_for if locked.scheduled_for and locked.scheduled_for > now else None
            try:
                values["outbound"] = outbox.schedule_account_post(
                    locked.brand.account, locked.text, locked.link_url, when, now=now
                )
            except outbox.PostingError as exc:
                raise StewardError(str(exc)) from exc
            values["status"] = BrandPostStatus.QUEUED
        else:
            values["status"] = BrandPostStatus.REJECTED
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
    return locked


def withdraw_post(post: BrandPost, member: Membership) -> str:
    """The author takes back a post that has not gone out: a post waiting for approval is deleted (nobody but
    the admins saw it), one waiting in the outbox is cancelled. Returns what happened, for the member."""
    if post.author_id != member.pk:
        raise StewardError("Only the steward who wrote it can withdraw a post.")
    if post.status == BrandPostStatus.PENDING:
        with transaction.atomic():
            deleted, _ = BrandPost.objects.filter(pk=post.pk, status=BrandPostStatus.PENDING).delete()
        if not deleted:
            raise StewardError("This post was reviewed meanwhile; it can no longer be withdrawn here.")
        return "Withdrawn before review."
    if post.status == BrandPostStatus.QUEUED and post.outbound is not None:
        if outbox.cancel_account_post(post.outbound, "withdrawn by the steward."):
            return "Cancelled. Nothing was posted."
        raise StewardError(f"Too late: this post is {post.outbound.get_status_display().lower()}.")
    raise StewardError("This post was not approved, so there is nothing to withdraw.")


# --- offboarding ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Released:
    """What :func:`release_shifts_of` handed back: shifts (running and upcoming) and withdrawn posts."""

    shifts: list[Shift]
    withdrawn: list[BrandPost]

    def __bool__(self) -> bool:
        return bool(self.shifts or self.withdrawn)


def release_shifts_of(member: Membership, *, reason: str = "", now: dt.datetime | None = None) -> Released:
    """A deactivated member's running and upcoming shifts are released (as :func:`release_shift` does, with
    the reason), and their posts still waiting for approval are withdrawn: nobody would publish a post
    in the name of someone who left without noticing, and its author can no longer change it. The post stays,
    with the reason, so the admins see what happened. Posts already in the outbox (approved, or on an account
    without approval) are the company's and go out as planned.

    The program admins get one e-mail listing the brand accounts now without a steward. Idempotent: a second
    call finds nothing and sends nothing. Does nothing while the member is active (reactivated meanwhile)."""
    from groundswell.workspaces.signals import DeactivationReason

    now = now or timezone.now()
    why = DeactivationReason(reason).label if reason in DeactivationReason.values else "is no longer a member"
    with transaction.atomic():
        if Membership.objects.filter(pk=member.pk, is_active=True).exists():
            return Released([], [])
        open_shifts = (
            Shift.objects.filter(steward=member, status=ShiftStatus.ASSIGNED, ends_at__gt=now)
            .select_related("brand__account")
            .order_by("starts_at", "pk")
        )
        shifts = [s for s in open_shifts if _release(s, f"The steward {why}.", now)]
        pending = list(
            BrandPost.objects.select_for_update()
            .filter(author=member, status=BrandPostStatus.PENDING)
            .order_by("created_at", "pk")
        )
        BrandPost.objects.filter(pk__in=[p.pk for p in pending], status=BrandPostStatus.PENDING).update(
            status=BrandPostStatus.WITHDRAWN,
            review_reason=f"Withdrawn without review: its author {why}.",
            reviewed_at=now,
        )
        released = Released(shifts, pending)
        message = _offboarding_mail(member, released, now) if released else None
        if message is not None:
            transaction.on_commit(lambda: _send_quietly(message))
    if released:
        log.info(
            "Member %s deactivated (%s): shifts %s released, brand posts %s withdrawn",
            member.pk,
            reason,
            [s.pk for s in shifts],
            [p.pk for p in pending],
        )
    return released


def _send_quietly(message: EmailMessage) -> None:
    """Sent after the commit; a failing mail server is logged and never undoes the release."""
    try:
        message.send(fail_silently=False)
    except Exception:
        log.exception("could not send the e-mail %r", message.subject)


def _offboarding_mail(member: Membership, released: Released, now: dt.datetime) -> EmailMessage | None:
    """One message to every active program admin of the workspace (None when there is none)."""
    workspace = member.workspace
    admins = list(
        Membership.objects.filter(workspace=workspace, is_active=True, role=Role.ADMIN)
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    if not admins:
        return None
    by_account: dict[int, list[Shift]] = {}
    for shift in released.shifts:
        by_account.setdefault(shift.brand_id, []).append(shift)
    accounts = [
        {
            "handle": shifts[0].brand.account.handle,
            "network": shifts[0].brand.account.network,
            "url": settings.SITE_URL
            + reverse("stewards:account", kwargs={"ws": workspace.slug, "brand_id": shifts[0].brand_id}),
            "shifts": [
                {
                    "starts": _when(s.starts_at, workspace.timezone),
                    "ends": _when(s.ends_at, workspace.timezone),
                    "running": s.starts_at <= now,
                }
                for s in shifts
            ],
        }
        for shifts in by_account.values()
    ]
    body = render_to_string(
        "stewards/email/steward_left.txt",
        {
            "member": member,
            "workspace": workspace,
            "accounts": accounts,
            "withdrawn": len(released.withdrawn),
            "accounts_url": settings.SITE_URL + reverse("stewards:accounts", kwargs={"ws": workspace.slug}),
        },
    )
    if accounts:
        subject = f"Brand accounts without a steward: {member.display_name} is no longer a member"
    else:
        subject = f"Brand posts withdrawn: {member.display_name} is no longer a member"
    return EmailMessage(" ".join(subject.split()), body, None, admins)
