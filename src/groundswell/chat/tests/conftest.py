from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from groundswell.chat.models import ChatIdentity, ChatInstallation, Platform
from groundswell.chat.slack import client as slack_client
from groundswell.chat.tests.fake import API, BOT_TOKEN, TEAM, FakeSlack
from groundswell.workspaces.models import Membership, Workspace

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(autouse=True)
def slack_settings(settings: Any) -> None:
    settings.SLACK_CLIENT_ID = "1111.2222"
    settings.SLACK_CLIENT_SECRET = "client-secret"
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    settings.SLACK_API_URL = API


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    with slack_client.use_transport(fake.transport()):
        yield fake


@pytest.fixture
def installation(workspace: Workspace, alice: Membership) -> ChatInstallation:
    return ChatInstallation.objects.create(
        workspace=workspace,
        platform=Platform.SLACK,
        external_id=TEAM,
        name="Acme Slack",
        bot_token=BOT_TOKEN,
        bot_user_id="U0BOT",
        channel_id="C0NEWS",
        channel_name="news",
        installed_by=alice,
    )


def link(member: Membership, user_id: str = "U0BOB", **extra: Any) -> ChatIdentity:
    return ChatIdentity.objects.create(
        workspace=member.workspace,
        member=member,
        platform=Platform.SLACK,
        external_team_id=TEAM,
        external_user_id=user_id,
        display_name=member.display_name,
        conversation_id=extra.pop("conversation_id", f"D0{user_id}"),
        **extra,
    )


@pytest.fixture
def bob_slack(bob: Membership, installation: ChatInstallation) -> ChatIdentity:
    return link(bob)


def sign(body: bytes, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": ts, "HTTP_X_SLACK_SIGNATURE": f"v0={digest}"}


def post_signed(path: str, body: bytes, content_type: str, **headers: Any) -> Any:
    extra = headers if headers else sign(body)
    return Client().post(path, data=body, content_type=content_type, **extra)


def form(data: dict[str, str]) -> bytes:
    return urlencode(data).encode()
