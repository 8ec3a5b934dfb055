"""The only code that writes the audit's subscriptions (deliveries are written by delivery.py's claim)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from groundswell.audit.models import ReportSubscription
from groundswell.workspaces.models import Membership


class SubscriptionError(ValueError):
    pass


@transaction.atomic
def subscribe_member(*, member: Membership, frequency: str, by: Membership) -> ReportSubscription:
    """Send ``member`` the report ``frequency`` (weekly or monthly) from the next due period on."""
    if member.workspace_id != by.workspace_id or not member.is_active:
        raise SubscriptionError("Choose an active member of this workspace.")
    if not member.user.email:
        raise SubscriptionError(f"{member.display_name} has no email address.")
    try:
        with transaction.atomic():
            return ReportSubscription.objects.create(
                workspace_id=member.workspace_id, member=member, frequency=frequency, created_by=by
            )
    except IntegrityError:
        raise SubscriptionError(f"{member.display_name} already gets this report.") from None


@transaction.atomic
def unsubscribe_member(*, subscription: ReportSubscription) -> None:
    subscription.delete()
