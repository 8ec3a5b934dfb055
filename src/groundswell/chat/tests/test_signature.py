"""Every request from Slack is verified before anything is done (chat.slack.signature, chat.verify)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.chat.models import ChatInstallation, InstallationState, SeenRequest
from groundswell.chat.slack import signature
from groundswell.chat.tests.conftest import SIGNING_SECRET, sign
from groundswell.chat.tests.fake import TEAM
from groundswell.chat.verify import prune_seen

EVENTS = "/chat/slack/events/"
UNINSTALLED = json.dumps(
    {"type": "event_callback", "team_id": TEAM, "event": {"type": "app_uninstalled"}, "event_id": "Ev1"}
).encode()


def _post(body: bytes, headers: dict[str, str]) -> Any:
    return Client().post(EVENTS, data=body, content_type="application/json", **headers)


def _state(installation: ChatInstallation) -> str:
    installation.refresh_from_db()
    return installation.state


def test_the_route_is_where_the_manifest_says() -> None:
    assert reverse("chat_public:slack_events") == EVENTS


def test_a_signed_fresh_request_is_acted_on(installation: ChatInstallation) -> None:
    response = _post(UNINSTALLED, sign(UNINSTALLED))
    assert response.status_code == 200
    assert _state(installation) == InstallationState.REVOKED
    installation.refresh_from_db()
    assert installation.bot_token == ""  # nothing left to use


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (sign(UNINSTALLED, secret="not-the-secret"), 401),  # wrong signature
        ({"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(time.time()))}, 401),  # no signature
        ({"HTTP_X_SLACK_SIGNATURE": "v0=00"}, 401),  # no timestamp
        ({}, 401),  # nothing
    ],
)
def test_a_wrong_or_missing_signature_is_refused_and_nothing_is_done(
    installation: ChatInstallation, headers: dict[str, str], status: int
) -> None:
    assert _post(UNINSTALLED, headers).status_code == status
    assert _state(installation) == InstallationState.ACTIVE


def test_a_body_changed_after_signing_is_refused(installation: ChatInstallation) -> None:
    headers = sign(UNINSTALLED)
    assert _post(UNINSTALLED.replace(b"Ev1", b"Ev2"), headers).status_code == 401
    assert _state(installation) == InstallationState.ACTIVE


@pytest.mark.parametrize("offset", [-301, 301, -3600, 86400])
def test_an_old_or_future_timestamp_is_refused(installation: ChatInstallation, offset: int) -> None:
    headers = sign(UNINSTALLED, timestamp=int(time.time()) + offset)
    assert _post(UNINSTALLED, headers).status_code == 401
    assert _state(installation) == InstallationState.ACTIVE


def test_a_timestamp_inside_the_window_is_accepted(installation: ChatInstallation) -> None:
    headers = sign(UNINSTALLED, timestamp=int(time.time()) - 240)
    assert _post(UNINSTALLED, headers).status_code == 200


def test_a_replayed_request_is_refused(installation: ChatInstallation) -> None:
    headers = sign(UNINSTALLED)
    assert _post(UNINSTALLED, headers).status_code == 200
    ChatInstallation.objects.filter(pk=installation.pk).update(state=InstallationState.ACTIVE)
    assert _post(UNINSTALLED, headers).status_code == 401  # the same signature, inside the window
    assert _state(installation) == InstallationState.ACTIVE


def test_without_a_signing_secret_everything_is_refused(installation: ChatInstallation, settings: Any) -> None:
    settings.SLACK_SIGNING_SECRET = ""
    assert _post(UNINSTALLED, sign(UNINSTALLED)).status_code == 403
    assert _state(installation) == InstallationState.ACTIVE


def test_every_slack_endpoint_verifies(installation: ChatInstallation) -> None:
    for name in ("slack_events", "slack_interactivity", "slack_commands"):
        path = reverse(f"chat_public:{name}")
        body = b"team_id=T0GROUND&user_id=U1&text=link"
        response = Client().post(
            path, data=body, content_type="application/x-www-form-urlencoded", **sign(body, secret="wrong")
        )
        assert response.status_code == 401, name
        assert Client().get(path).status_code == 405


def test_the_check_compares_slacks_documented_example() -> None:
    # The example of https://api.slack.com/authentication/verifying-requests-from-slack
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
        b"channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
        b"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert signature.expected_signature(SIGNING_SECRET, "1531420618", body) == expected


@pytest.mark.django_db
def test_seen_requests_are_pruned_after_the_window() -> None:
    """Kept for the longer of twice the clock window and a link token's life (30 minutes): link tokens are
    single use through the same table."""
    now = timezone.now()
    SeenRequest.objects.create(platform="slack", digest="a" * 64, seen_at=now - dt.timedelta(minutes=31))
    SeenRequest.objects.create(platform="slack", digest="b" * 64, seen_at=now - dt.timedelta(minutes=1))
    assert prune_seen(now) == 1
    assert list(SeenRequest.objects.values_list("digest", flat=True)) == ["b" * 64]
