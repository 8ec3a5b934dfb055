"""The call-for-interest email (also shown to the admin as a preview before the call opens)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from groundswell.enrolment.models import CallForInterest
from groundswell.workspaces.models import Membership, Workspace


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def answer_url(workspace: Workspace) -> str:
    """The one-click link to the answer page (sign-in first when needed, then straight back)."""
    return settings.SITE_URL + reverse("enrolment:answer", kwargs={"ws": workspace.slug})


def render_call_email(
    *, workspace: Workspace, title: str, message: str, deadline: dt.date, sender: str, greeting_name: str = ""
) -> RenderedEmail:
    context: dict[str, Any] = {
        "workspace": workspace,
        "title": title,
        "message": message,
        "deadline": deadline,
        "sender": sender,
        "name": greeting_name,
        "answer_url": answer_url(workspace),
    }
    # Names and titles are typed by people: fold line breaks so they cannot break the header.
    subject = " ".join(f"{title} — {workspace.name}".split())
    return RenderedEmail(subject=subject, body=render_to_string("enrolment/email/call.txt", context))


def call_email(call: CallForInterest, member: Membership, *, connection: Any = None) -> EmailMessage:
    rendered = render_call_email(
        workspace=call.workspace,
        title=call.title,
        message=call.message,
        deadline=call.deadline,
        sender=call.opened_by.display_name if call.opened_by else "Your program team",
        greeting_name=member.display_name,
    )
    return EmailMessage(rendered.subject, rendered.body, None, [member.user.email], connection=connection)
