from __future__ import annotations

import datetime as dt

from django.utils import timezone

from groundswell.enrolment import actions
from groundswell.enrolment.actions import Answers
from groundswell.enrolment.models import CallForInterest, Enrolment
from groundswell.workspaces.models import Membership


def open_a_call(admin: Membership, *, days: int = 7, send_email: bool = False) -> CallForInterest:
    return actions.open_call(
        workspace=admin.workspace,
        by=admin,
        title="Would you like to represent Acme?",
        message="We are starting an advocacy program.\nTell us what you would like to do.",
        deadline=timezone.localdate() + dt.timedelta(days=days),
        send_email=send_email,
    )


def join(member: Membership, *activities: str, **extra: object) -> Enrolment:
    return actions.join(member, Answers(activities=activities or ("share",), **extra))  # type: ignore[arg-type]
