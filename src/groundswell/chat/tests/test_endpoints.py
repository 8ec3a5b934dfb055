"""Slack's requests, signed as Slack signs them: the slash command, button clicks, events."""

from __future__ import annotations

import json

from django.test import Client

from groundswell.chat.models import ChatIdentity, ChatInstallation, InstallationState
from groundswell.chat.tests.conftest import form, sign
from groundswell.chat.tests.fake import TEAM, FakeSlack
from groundswell.content.models import Item

COMMANDS = "/chat/slack/commands/"
INTERACTIVITY = "/chat/slack/interactivity/"
EVENTS = "/chat/slack/events/"
RESPONSE_URL = "https://hooks.slack.com/actions/T0GROUND/123/abc"


def _command(text: str, user_id: str = "U0BOB") -> dict[str, object]:
    body = form({"token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": "C0NEWS",
                 "user_id": user_id, "user_name": "bob.slack", "command": "/groundswell", "text": text,
                 "response_url": RESPONSE_URL, "trigger_id": "1.2.3"})  # fmt: skip
    response = Client().post(COMMANDS, data=body, content_type="application/x-www-form-urlencoded", **sign(body))
    assert response.status_code == 200
    return json.loads(response.content)


def _click(action_id: str, value: str, user_id: str = "U0BOB", response_url: str = RESPONSE_URL) -> int:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user_id, "username": "bob.slack", "name": "bob.slack", "team_id": TEAM},
        "api_app_id": "A0APP",
        "container": {"type": "message", "channel_id": "C0NEWS", "is_ephemeral": False},
        "channel": {"id": "C0NEWS", "name": "news"},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value,
                     "text": {"type": "plain_text", "text": "x"}, "action_ts": "1700000000.1"}],
    }  # fmt: skip
    body = form({"payload": json.dumps(payload)})
    return Client().post(INTERACTIVITY, data=body, content_type="application/x-www-form-urlencoded",
                         **sign(body)).status_code  # fmt: skip


def _event(event: dict[str, object]) -> int:
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "api_app_id": "A0APP", "event": event,
                       "event_id": "Ev0", "event_time": 1700000000}).encode()  # fmt: skip
    return Client().post(EVENTS, data=body, content_type="application/json", **sign(body)).status_code


# --- the slash command ---------------------------------------------------------------------------------


def test_the_link_command_answers_only_the_user_with_their_link(installation: ChatInstallation) -> None:
    answer = _command("link")
    assert answer["response_type"] == "ephemeral"
    [actions] = [b for b in answer["blocks"] if b["type"] == "actions"]
    [button] = actions["elements"]
    assert button["url"].startswith("http://testserver/w/acme/chat/link/")
    assert "http://testserver/w/acme/chat/link/" in answer["text"]


def test_a_linked_user_is_told_so(bob_slack: ChatIdentity) -> None:
    assert "You are linked to your membership in Acme" in _command("")["text"]


def test_other_text_gets_help(installation: ChatInstallation) -> None:
    assert "/groundswell link" in _command("what")["text"]


def test_a_team_with_no_workspace_is_told(installation: ChatInstallation) -> None:
    ChatInstallation.objects.filter(pk=installation.pk).update(state=InstallationState.REVOKED)
    assert "No Groundswell workspace is connected" in _command("link")["text"]


# --- button clicks -------------------------------------------------------------------------------------


def test_get_my_share_buttons_answers_privately_with_personal_links(
    bob_slack: ChatIdentity, item: Item, slack: FakeSlack
) -> None:
    assert _click("share_buttons:1", str(item.pk)) == 200
    [answer] = slack.of("response_url")
    assert answer.url == RESPONSE_URL
    assert answer.body["response_type"] == "ephemeral" and answer.body["replace_original"] is False
    urls = [e.get("url", "") for b in answer.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert any("/chat/go/" in u for u in urls)


def test_an_unlinked_user_is_asked_to_link_first(installation: ChatInstallation, item: Item, slack: FakeSlack) -> None:
    _click("share_buttons:1", str(item.pk), user_id="U0NEW")
    [answer] = slack.of("response_url")
    assert "Link your chat account" in answer.body["text"]


def test_a_click_in_app_home_is_answered_in_direct_messages(
    bob_slack: ChatIdentity, item: Item, slack: FakeSlack
) -> None:
    _click("share_buttons:1", str(item.pk), response_url="")
    [post] = slack.of("chat.postMessage")
    assert post.body["channel"] == "U0BOB"


def test_a_link_button_click_is_just_acknowledged(bob_slack: ChatIdentity, slack: FakeSlack) -> None:
    assert _click("link:0", "") == 200
    assert slack.calls == []


def test_a_bad_payload_is_400_not_500(installation: ChatInstallation) -> None:
    body = form({"payload": "{not json"})
    response = Client().post(INTERACTIVITY, data=body, content_type="application/x-www-form-urlencoded", **sign(body))
    assert response.status_code == 400


# --- events --------------------------------------------------------------------------------------------


def test_url_verification_echoes_the_challenge(db: None) -> None:
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()  # fmt: skip
    response = Client().post(EVENTS, data=body, content_type="application/json", **sign(body))
    assert json.loads(response.content) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_app_home_shows_the_link_button_to_an_unlinked_user(installation: ChatInstallation, slack: FakeSlack) -> None:
    assert _event({"type": "app_home_opened", "user": "U0NEW", "channel": "D0NEW", "tab": "home"}) == 200
    [publish] = slack.of("views.publish")
    assert publish.body["user_id"] == "U0NEW" and publish.body["view"]["type"] == "home"
    assert "Link my account" in json.dumps(publish.body["view"])


def test_app_home_shows_a_linked_user_their_state_and_learns_their_dm(
    bob_slack: ChatIdentity, slack: FakeSlack
) -> None:
    _event({"type": "app_home_opened", "user": "U0BOB", "channel": "D0HOME", "tab": "home"})
    view = json.dumps(slack.of("views.publish")[0].body["view"])
    assert "You are linked to your membership in Acme" in view
    bob_slack.refresh_from_db()
    assert bob_slack.conversation_id == "D0HOME"


def test_tokens_revoked_for_the_bot_marks_the_installation_revoked(installation: ChatInstallation) -> None:
    _event({"type": "tokens_revoked", "tokens": {"oauth": ["U0ALICE"], "bot": []}})
    installation.refresh_from_db()
    assert installation.state == InstallationState.ACTIVE  # a user token only
    _event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}})
    installation.refresh_from_db()
    assert installation.state == InstallationState.REVOKED and "Reinstall the Slack app" in installation.last_error
