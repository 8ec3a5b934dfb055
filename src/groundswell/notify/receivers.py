"""Offboarding: a deactivated member's devices are forgotten (nothing is sent to an inactive member anyway)."""

from __future__ import annotations

from typing import Any

from groundswell.notify.models import PushSubscription
from groundswell.workspaces.models import Membership


def on_member_deactivated(sender: Any, member: Membership, reason: str, **kwargs: Any) -> None:
    PushSubscription.objects.filter(member=member).delete()


def preview(member: Membership) -> list[str]:
    count = PushSubscription.objects.filter(member=member).count()
    if not count:
        return []
    return [
        f"Their {count} device{'s' if count != 1 else ''} stop{'s' if count == 1 else ''} getting push notifications."
    ]
