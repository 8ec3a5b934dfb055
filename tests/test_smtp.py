"""The invitation email really goes over SMTP (to a sink server on loopback), and its link signs the person up."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from groundswell.conftest import client_for, make_member
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Invitation, Membership, Role, Workspace

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


class Sink:
    """Keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield sink
    finally:
        controller.stop()


def _wait_for(sink: Sink, count: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(sink.messages) >= count, f"expected {count} message(s) at the SMTP sink, got {len(sink.messages)}"


def test_invitation_over_smtp_then_signup(smtp_sink: Sink) -> None:
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    alice = make_member(workspace, "alice@acme.test", Role.ADMIN)

    resp = client_for(alice).post(
        "/w/acme/people/invite/", {"emails": "dave@acme.test", "role": Role.EMPLOYEE}, follow=True
    )
    assert resp.status_code == 200 and "Invitation sent to dave@acme.test" in resp.content.decode()

    _wait_for(smtp_sink, 1)
    message = smtp_sink.messages[0]
    _mail_from, rcpt_tos = smtp_sink.envelopes[0]
    assert rcpt_tos == ["dave@acme.test"]
    assert message["To"] == "dave@acme.test" and "Acme" in message["Subject"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    match = re.search(r"http://testserver(/invite/[A-Za-z0-9_-]+/)", text)
    assert match, text
    link = match.group(1)
    # Only the hash of the token is stored.
    token = link.split("/")[2]
    assert Invitation.objects.get().token_hash == Invitation.hash_token(token)
    assert not Invitation.objects.filter(token_hash=token).exists()

    # Following the link: sign up, land in the workspace.
    dave = Client()
    resp = dave.get(link, follow=True)
    assert resp.status_code == 200
    assert 'value="dave@acme.test"' in resp.content.decode()
    signup_url = resp.redirect_chain[-1][0]
    password = "a-long-unusual-passphrase-42"
    resp = dave.post(signup_url, {"email": "dave@acme.test", "password1": password, "password2": password}, follow=True)
    assert resp.status_code == 200
    assert resp.redirect_chain[-1][0] == "/w/acme/"
    assert resp.context["workspace"] == workspace
    member = Membership.objects.get(workspace=workspace, user__email="dave@acme.test")
    assert member.role == Role.EMPLOYEE and member.is_active

    # The link is single-use.
    again = Client().get(link)
    assert again.status_code == 404 and "already used" in again.content.decode()
