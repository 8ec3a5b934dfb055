"""Linking a Slack user to a membership, end to end: Slack's signed slash command reaches our endpoint and
answers with a signed link; the member opens it in a browser, signs in, confirms, and sees the link on the
chat page."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from groundswell.chat.models import ChatIdentity, ChatInstallation, Platform
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "e2e-signing-secret"


def _signed_command(base: str, text: str) -> dict[str, Any]:
    body = urlencode({"team_id": "T0E2E", "user_id": "U0BOB", "user_name": "bob.slack", "command": "/groundswell",
                      "text": text, "channel_id": "C0X", "response_url": "https://hooks.slack.com/commands/1"}).encode()  # fmt: skip
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    response = httpx.post(f"{base}/chat/slack/commands/", content=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig}, timeout=20)  # fmt: skip
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_link_a_slack_user_from_the_slash_command(browser: Any, live_server: Any, settings: Any) -> None:
    settings.SLACK_CLIENT_ID, settings.SLACK_CLIENT_SECRET, settings.SLACK_SIGNING_SECRET = "1.2", "s", SECRET
    base = live_server.url
    settings.SITE_URL = base
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    bob = Membership.objects.get(user__email="bob@acme.test")
    ChatInstallation.objects.create(workspace=workspace, platform=Platform.SLACK, external_id="T0E2E",
                                    name="Acme Slack", bot_token="xoxb-e2e")  # fmt: skip

    answer = _signed_command(base, "link")
    assert answer["response_type"] == "ephemeral"
    [link] = re.findall(r"http://\S+/w/acme/chat/link/\?token=\S+", answer["text"])

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(link)
    page.wait_for_url(re.compile(r"/accounts/login/"))  # not signed in yet
    page.get_by_label("Email").fill("bob@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/w/acme/chat/link/"))
    assert page.get_by_text("Link Slack user bob.slack (Acme Slack) to your membership in Acme?").is_visible()
    assert not ChatIdentity.objects.exists()
    page.get_by_role("button", name="Link my account").click()
    page.wait_for_url(re.compile(r"/w/acme/chat/$"))
    assert page.get_by_text("Linked: Slack user bob.slack.").is_visible()
    card = page.locator("[data-identity=slack]")
    assert "bob.slack" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    identity = ChatIdentity.objects.get()
    assert (identity.member_id, identity.external_user_id) == (bob.pk, "U0BOB")
    # The slash command now knows who they are.
    assert "You are linked to your membership in Acme" in _signed_command(base, "")["text"]
    assert not [p for p in problems if "Content Security Policy" in p], problems
    context.close()
