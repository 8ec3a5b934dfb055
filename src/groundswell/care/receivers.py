"""Customer care's side of offboarding: a deactivated member's unanswered cases are re-routed now rather than
when their escalation timer fires (``actions.release_cases_of``), and the admin's confirmation says how many
beforehand (``preview``). Routing never picks a deactivated member: ``queries.responder_ids`` lists active
volunteers only."""

from __future__ import annotations

from typing import Any

from groundswell.care import actions
from groundswell.care.models import Case, CaseStatus
from groundswell.workspaces.models import Membership
from groundswell.workspaces.offboarding import plural


def on_member_deactivated(sender: Any, member: Membership, reason: str, **kwargs: Any) -> None:
    """``workspaces.signals.member_deactivated``: re-route the member's open cases (idempotent)."""
    actions.release_cases_of(member, reason=reason)


def preview(member: Membership) -> list[str]:
    """What deactivating ``member`` will do in customer care (one query, reads only)."""
    count = Case.objects.filter(assignee=member, status=CaseStatus.ASSIGNED).count()
    if not count:
        return []
    verb = "is" if count == 1 else "are"
    return [f"{plural(count, 'open customer case', 'open customer cases')} assigned to them {verb} re-routed."]
