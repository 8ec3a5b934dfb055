"""The privacy centre's writes: the switches, exports, leaving the program and erasing a member's data.

Each action is one transaction, except where a network must be told (revoking a connected account's
access): those HTTP calls happen first, outside any transaction, through ``networks.accounts.disconnect``.
Every request is logged as a :class:`PrivacyEvent` for the program admins — what and when, never content.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from groundswell.networks import accounts as network_accounts
from groundswell.networks.models import ConnectedAccount, OutboundPost, OutboundPostLog, PostStatus
from groundswell.privacy import registry
from groundswell.privacy.models import (
    EXPORT_TTL,
    DataExport,
    ExportStatus,
    MemberPrivacy,
    PrivacyAction,
    PrivacyEvent,
)
from groundswell.privacy.providers.workspaces import erased_name
from groundswell.workspaces import actions as workspace_actions
from groundswell.workspaces.models import Invitation, LeaderboardVisibility, Membership, Role
from groundswell.workspaces.signals import DeactivationReason

log = logging.getLogger(__name__)

#: Keys never written to an export, whatever a provider returns (defence in depth: providers omit them).
SECRET_KEYS = frozenset(
    {"access_token", "refresh_token", "token", "token_hash", "password", "secret", "client_secret", "api_key"}
)


class PrivacyError(ValueError):
    """A request that cannot be carried out; the message says why, in words fit for the member."""


def log_event(member: Membership, action: str, detail: str = "") -> PrivacyEvent:
    return PrivacyEvent.objects.create(
        workspace_id=member.workspace_id, member=member, member_number=member.pk, action=action, detail=detail[:40]
    )


# --- switches ------------------------------------------------------------------------------------


def set_leaderboard_visibility(member: Membership, visibility: str) -> bool:
    """Appear on leaderboards under my name, anonymously or not at all. True when it changed."""
    if visibility not in LeaderboardVisibility.values:
        raise PrivacyError("Pick how you appear on the leaderboard.")
    with transaction.atomic():
        changed = (
            Membership.objects.filter(pk=member.pk)
            .exclude(leaderboard_visibility=visibility)
            .update(leaderboard_visibility=visibility)
        )
        member.leaderboard_visibility = visibility
        if changed:
            log_event(member, PrivacyAction.VISIBILITY, visibility)
    return bool(changed)


def set_manager_sharing(member: Membership, share: bool) -> bool:
    """Share my own statistics with my manager, or stop. True when it changed."""
    with transaction.atomic():
        settings, _ = MemberPrivacy.objects.select_for_update().get_or_create(member=member)
        if settings.share_stats_with_manager == share:
            return False
        settings.share_stats_with_manager = share
        settings.updated_at = timezone.now()
        settings.save(update_fields=["share_stats_with_manager", "updated_at"])
        log_event(member, PrivacyAction.MANAGER_SHARING, "on" if share else "off")
    return True


def shares_with_manager(member: Membership) -> bool:
    return MemberPrivacy.objects.filter(member=member, share_stats_with_manager=True).exists()


# --- export --------------------------------------------------------------------------------------


def latest_export(member: Membership) -> DataExport | None:
    return DataExport.objects.filter(member=member).defer("archive").first()


def request_export(member: Membership) -> DataExport:
    """Start building an archive of the member's data (or return the one already being built)."""
    from groundswell.privacy.tasks import build_export

    with transaction.atomic():
        Membership.objects.select_for_update().filter(pk=member.pk).first()
        running = (
            DataExport.objects.filter(member=member, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING))
            .defer("archive")
            .first()
        )
        if running is not None:
            return running
        export = DataExport.objects.create(
            workspace_id=member.workspace_id, member=member, total_steps=len(registry.providers())
        )
        log_event(member, PrivacyAction.EXPORT)
        export_id = export.pk
        transaction.on_commit(lambda: build_export.enqueue(export_id))
    return export


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if str(k).lower() not in SECRET_KEYS}
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value]
    return value


def readme(member: Membership, providers: list[registry.PrivacyProvider]) -> str:
    lines = [
        f"Your data in {member.workspace.name} on Groundswell",
        f"Exported {timezone.now():%Y-%m-%d %H:%M} UTC for {member.display_name}.",
        "",
        "One JSON file per part of Groundswell that keeps something about you:",
        "",
    ]
    lines += [f"  {p.key}.json  {p.label}" for p in providers]
    lines += [
        "",
        "Times are in UTC (ISO 8601). Secrets such as the access keys of your connected accounts and your API",
        "tokens are never included. About the people who clicked your links there are only counts.",
        "",
        "This archive is deleted from Groundswell 7 days after it was made.",
    ]
    return "\n".join(lines) + "\n"


def build_archive(export_id: int) -> DataExport:
    """Ask every provider for the member's data and zip it, moving the progress bar provider by provider."""
    export = DataExport.objects.select_related("member__workspace", "member__user").defer("archive").get(pk=export_id)
    if export.finished:
        return export
    member = export.member
    providers = registry.providers()
    DataExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, total_steps=len(providers) + 1, done_steps=0
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, provider in enumerate(providers, start=1):
            data = _without_secrets(provider.export(member))
            archive.writestr(f"{provider.key}.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2))
            DataExport.objects.filter(pk=export.pk).update(done_steps=done)
        archive.writestr("README.txt", readme(member, providers))
    body = buffer.getvalue()
    now = timezone.now()
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.DONE,
            archive=body,
            size=len(body),
            done_steps=len(providers) + 1,
            finished_at=now,
            expires_at=now + EXPORT_TTL,
        )
    export.refresh_from_db()
    return export


def fail_export(export_id: int, message: str) -> None:
    DataExport.objects.filter(pk=export_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, failure=message[:300], finished_at=timezone.now()
    )


def delete_expired_exports(now: Any = None) -> int:
    """Drop archives past their 7 days (and stuck jobs older than that)."""
    now = now or timezone.now()
    expired, _ = DataExport.objects.filter(expires_at__lte=now).delete()
    stale, _ = DataExport.objects.filter(expires_at__isnull=True, created_at__lte=now - EXPORT_TTL).delete()
    return expired + stale


# --- leaving and erasing -------------------------------------------------------------------------


@dataclass
class LeaveResult:
    disconnected: list[network_accounts.Disconnected]
    cancelled_posts: int
    anonymised: bool


def _check_can_leave(member: Membership) -> None:
    if not member.is_active:
        raise PrivacyError("You have already left this program.")
    if member.role == Role.ADMIN and not (
        Membership.objects.filter(workspace_id=member.workspace_id, role=Role.ADMIN, is_active=True)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise PrivacyError("You are the last program admin: make someone else a program admin before you leave.")


def leave_program(member: Membership, *, anonymise: bool) -> LeaveResult:
    """Deactivate the membership: off the leaderboards, scheduled posts cancelled, accounts disconnected.

    Accounts are disconnected first (each revoke is an HTTP call to the network, never inside a
    transaction); then one transaction withdraws the member, and renames them when they chose anonymity.
    Only a new invitation brings them back.
    """
    _check_can_leave(member)
    disconnected = [network_accounts.disconnect(a) for a in ConnectedAccount.objects.filter(member=member)]
    with transaction.atomic():
        pending = list(
            OutboundPost.objects.select_for_update()
            .filter(share__member=member, status__in=network_accounts.PENDING_POST_STATUSES)
            .values_list("pk", flat=True)
        )
        OutboundPost.objects.filter(pk__in=pending).update(
            status=PostStatus.CANCELLED, last_error="Cancelled: the author left the program."
        )
        OutboundPostLog.objects.bulk_create(
            [OutboundPostLog(post_id=pk, message="Cancelled: the author left the program.") for pk in pending]
        )
        fields = ["leaderboard_visibility"]
        member.leaderboard_visibility = LeaderboardVisibility.HIDDEN
        if anonymise:
            member.display_name = erased_name(member)
            member.title = ""
            fields += ["display_name", "title"]
        member.save(update_fields=fields)
        try:
            workspace_actions.deactivate_member(member, reason=DeactivationReason.LEFT)
        except ValidationError as exc:
            raise PrivacyError(" ".join(exc.messages)) from None
        log_event(member, PrivacyAction.LEAVE, "anonymised" if anonymise else "kept name")
    return LeaveResult(
        disconnected=disconnected,
        cancelled_posts=len(pending) + sum(d.cancelled_posts for d in disconnected),
        anonymised=anonymise,
    )


def left_on_their_own(member: Membership) -> bool:
    """The member left the program through the privacy centre and has not accepted an invitation since.

    Such a member comes back only through a new invitation: an admin cannot simply switch them on again.
    """
    left = (
        PrivacyEvent.objects.filter(member=member, action__in=(PrivacyAction.LEAVE, PrivacyAction.DELETE))
        .order_by("-at")
        .first()
    )
    if left is None:
        return False
    return not Invitation.objects.filter(
        workspace_id=member.workspace_id, email__iexact=member.user.email, accepted_at__gt=left.at
    ).exists()


@dataclass
class ErasureReport:
    erased: int
    kept: list[tuple[str, str]]  # (provider label, what is kept and why)


def erasure_plan(member: Membership) -> list[tuple[registry.PrivacyProvider, list[registry.InventoryLine], list[str]]]:
    """For the confirmation page: per provider, what it holds (to be deleted) and what it will keep, and why."""
    return [(p, p.inventory(member), registry.planned_keeps(p, member)) for p in registry.providers()]


def erase_member_data(member: Membership) -> ErasureReport:
    """Leave the program (anonymised) and erase everything every provider may erase; report what is kept."""
    if member.is_active:
        leave_program(member, anonymise=True)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().select_related("workspace", "user").get(pk=member.pk)
        erased = 0
        kept: list[tuple[str, str]] = []
        # The sign-in account goes last: other providers still look the member up by their email address.
        for provider in sorted(registry.providers(), key=lambda p: p.key == "account"):
            result = provider.erase(locked)
            erased += result.erased
            kept += [(provider.label, line) for line in result.kept]
        log_event(locked, PrivacyAction.DELETE)
    log.info("Erased the data of member %s (%d records; %d kept)", member.pk, erased, len(kept))
    return ErasureReport(erased=erased, kept=kept)
