"""The call's email: batches from the worker, never twice to one person, a one-click link; over real SMTP too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from groundswell.conftest import make_member
from groundswell.enrolment import actions, tasks
from groundswell.enrolment.models import CallEmail
from groundswell.enrolment.tests.helpers import join, open_a_call
from groundswell.workspaces.models import Membership, Workspace
from tests.test_smtp import Sink, _wait_for, smtp_sink  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(workspace: Workspace) -> list[Membership]:
    return [make_member(workspace, f"p{i}@acme.test") for i in range(5)]


def test_batches_reach_everyone_once(
    alice: Membership, people: list[Membership], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    join(people[0])  # already joined: not emailed
    call = open_a_call(alice)
    actions.decline(people[1])  # already answered this call: not emailed
    result = tasks.send_call_emails.enqueue(call.pk)  # the ImmediateBackend runs the chain of batches now
    assert result.return_value == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["alice@acme.test", "p2@acme.test", "p3@acme.test", "p4@acme.test"]
    message = mail.outbox[0]
    assert message.subject == "Would you like to represent Acme? — Acme"
    assert "http://testserver/w/acme/join/" in message.body and "not shown to your manager" in message.body
    # Retried task, the periodic resume, a second worker: nobody gets it twice.
    tasks.send_call_emails.enqueue(call.pk)
    tasks.resume_call_emails.enqueue()
    assert len(mail.outbox) == 4 and CallEmail.objects.filter(call=call).count() == 4
    # Someone who joins the workspace later gets it from the periodic job.
    make_member(alice.workspace, "late@acme.test")
    tasks.resume_call_emails.enqueue()
    assert mail.outbox[-1].to == ["late@acme.test"] and len(mail.outbox) == 5


def test_closed_call_sends_nothing(alice: Membership, people: list[Membership]) -> None:
    call = open_a_call(alice)
    actions.close_call(call)
    assert tasks.send_call_emails.enqueue(call.pk).return_value == 0
    assert tasks.send_call_emails.enqueue(999_999).return_value == 0
    assert mail.outbox == []


def test_a_failed_send_gives_the_claim_back(
    alice: Membership, people: list[Membership], monkeypatch: pytest.MonkeyPatch
) -> None:
    call = open_a_call(alice)
    from django.core.mail import EmailMessage

    original = EmailMessage.send
    calls = {"n": 0}

    def flaky(self: EmailMessage, fail_silently: bool = False) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ConnectionError("SMTP went away")
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with pytest.raises(ConnectionError):
        actions.email_call_batch(call, limit=100)
    assert len(mail.outbox) == 2 and CallEmail.objects.filter(call=call).count() == 2
    assert actions.email_call_batch(call, limit=100) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["alice@acme.test"] + [f"p{i}@acme.test" for i in range(5)])


@pytest.mark.slow
def test_call_email_over_smtp_and_its_link(
    smtp_sink: Sink,  # noqa: F811
    alice: Membership,
    bob: Membership,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call = open_a_call(alice, send_email=True)
    _wait_for(smtp_sink, 2)
    assert sorted(rcpt for _, rcpts in smtp_sink.envelopes for rcpt in rcpts) == ["alice@acme.test", "bob@acme.test"]
    message = next(m for m in smtp_sink.messages if m["To"] == "bob@acme.test")
    assert message["Subject"] == f"{call.title} — Acme"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Hello Bob," in text and "We are starting an advocacy program." in text
    match = re.search(r"http://testserver(/w/acme/join/)\s", text)
    assert match, text
    # The link: sign in, then straight to the answer page.
    anonymous = Client().get(match.group(1))
    assert anonymous.status_code == 302 and "next=/w/acme/join/" in anonymous["Location"]
    client = Client()
    client.force_login(bob.user)
    page = client.get(match.group(1))
    assert page.status_code == 200 and call.title in page.content.decode()
    assert len(smtp_sink.messages) == 2
