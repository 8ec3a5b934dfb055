"""Shared by the care actions: limits, the error, the case log, settings lock, due times, mail."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from groundswell.care.hours import Week, add_staffed
from groundswell.care.models import CareSettings, Case, CaseEvent
from groundswell.care.routing import Needs
from groundswell.listening.models import Intent
from groundswell.workspaces.models import Membership

log = logging.getLogger(__name__)

CASE_INTENTS = (Intent.QUESTION, Intent.COMPLAINT)
MAX_REPLY = 3000
MAX_NOTE = 500
MAX_URL = 2000
BATCH = 500
#: A reply whose account needs reconnecting is "stuck" this long after it was scheduled: the responder is told
#: and can post it another way. (Any reply still not out after the workspace's first-response target is stuck
#: too, whatever it waits for: the network failing with long back-off, say.) Wall-clock time: the network does
#: not keep office hours.
RECONNECT_STUCK_AFTER = dt.timedelta(minutes=30)
#: ``release_cases_of(reason=ERASED)``: the member's data is being erased (privacy), whatever their state.
ERASED = "erased"


class CareError(ValueError):
    """What cannot be done, in words for the member."""


def _log(case: Case, kind: str, at: dt.datetime, *, actor: Membership | None = None, member_id: int | None = None,
         note: str = "") -> None:  # fmt: skip
    CaseEvent.objects.create(
        workspace_id=case.workspace_id, case=case, kind=kind, actor=actor, member_id=member_id, note=note[:500], at=at
    )


def _locked_settings(workspace_id: int) -> CareSettings:
    """The workspace's settings row, created if needed and locked until the transaction ends."""
    CareSettings.objects.get_or_create(workspace_id=workspace_id)
    return CareSettings.objects.select_for_update().get(workspace_id=workspace_id)


def _due(schedules: Sequence[tuple[Week, str]], start: dt.datetime, minutes: int) -> dt.datetime:
    """``minutes`` staffed minutes after ``start``; wall-clock minutes when nobody works in the next weeks."""
    return add_staffed(schedules, start, minutes) or start + dt.timedelta(minutes=minutes)


def _needs(case: Case) -> Needs:
    return Needs(language=case.language, topic_id=case.topic_id)


def _url(case: Case, name: str = "care:case") -> str:
    kwargs: dict[str, object] = {"ws": case.workspace.slug}
    if name == "care:case":
        kwargs["case_id"] = case.pk
    return django_settings.SITE_URL + reverse(name, kwargs=kwargs)


def _mail(template: str, subject: str, to: list[str], context: dict[str, object]) -> None:
    to = [a for a in to if a]
    if not to:
        return
    message = EmailMessage(subject, render_to_string(f"care/email/{template}", context), None, to)
    transaction.on_commit(lambda: message.send(fail_silently=False))
