"""Stewards' side of offboarding: a deactivated member's running and upcoming shifts are released, their posts
waiting for approval withdrawn, and the admins e-mailed once (``actions.release_shifts_of``); the admin's
confirmation says so beforehand (``preview``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from groundswell.stewards import actions
from groundswell.stewards.models import BrandPost, BrandPostStatus, Shift, ShiftStatus
from groundswell.workspaces.models import Membership
from groundswell.workspaces.offboarding import plural


def on_member_deactivated(sender: Any, member: Membership, reason: str, **kwargs: Any) -> None:
    """``workspaces.signals.member_deactivated``: release the member's shifts (idempotent)."""
    actions.release_shifts_of(member, reason=reason)


def preview(member: Membership) -> list[str]:
    """What deactivating ``member`` will do to brand-account stewardship (two queries, reads only)."""
    lines: list[str] = []
    shifts = Shift.objects.filter(steward=member, status=ShiftStatus.ASSIGNED, ends_at__gt=timezone.now()).count()
    if shifts:
        verb = "is" if shifts == 1 else "are"
        lines.append(
            f"{plural(shifts, 'brand-account shift', 'brand-account shifts')} (running or upcoming) {verb} "
            "released, and the program admins are e-mailed the accounts left without a steward."
        )
    posts = BrandPost.objects.filter(author=member, status=BrandPostStatus.PENDING).count()
    if posts:
        verb = "is" if posts == 1 else "are"
        lines.append(
            f"{plural(posts, 'brand post', 'brand posts')} they wrote that {verb} waiting for approval "
            f"{verb} withdrawn."
        )
    return lines
