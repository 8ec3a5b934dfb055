"""Slack's answers mapped once, at the choke point (chat.slack.client), to transient / permanent / auth."""

from __future__ import annotations

import httpx
import pytest

from groundswell.chat.errors import ChatAuthError, PermanentChatError, TransientChatError
from groundswell.chat.slack import client
from groundswell.chat.tests.fake import BOT_TOKEN, FakeSlack


def test_a_call_sends_the_token_in_the_header_and_json(slack: FakeSlack) -> None:
    answer = client.call("chat.postMessage", BOT_TOKEN, {"channel": "C1", "text": "hi"})
    assert answer["ok"] is True and answer["ts"]
    [call] = slack.calls
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert call.body == {"channel": "C1", "text": "hi"}
    assert "token" not in call.url  # never in the URL (logs)


@pytest.mark.parametrize(
    "code", ["invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "missing_scope"]
)
def test_token_errors_are_auth_errors(slack: FakeSlack, code: str) -> None:
    slack.queue("chat.postMessage", {"ok": False, "error": code})
    with pytest.raises(ChatAuthError) as info:
        client.call("chat.postMessage", BOT_TOKEN, {})
    assert info.value.code == code


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("channel_not_found", "Pick another channel"),
        ("not_in_channel", "/invite @Groundswell"),
        ("is_archived", "archived"),
        ("some_new_error", "some_new_error"),
    ],
)
def test_refusals_are_permanent_with_a_sentence_for_the_admin(slack: FakeSlack, code: str, words: str) -> None:
    slack.queue("chat.postMessage", {"ok": False, "error": code})
    with pytest.raises(PermanentChatError) as info:
        client.call("chat.postMessage", BOT_TOKEN, {})
    assert words in info.value.message


def test_http_429_is_transient_with_retry_after(slack: FakeSlack) -> None:
    slack.queue(
        "chat.postMessage",
        httpx.Response(429, json={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "7"}),
    )
    with pytest.raises(TransientChatError) as info:
        client.call("chat.postMessage", BOT_TOKEN, {})
    assert info.value.retry_after == 7 and not info.value.maybe_sent


@pytest.mark.parametrize("code", ["ratelimited", "service_unavailable", "internal_error", "fatal_error"])
def test_busy_codes_are_transient_and_not_sent(slack: FakeSlack, code: str) -> None:
    slack.queue("chat.postMessage", {"ok": False, "error": code})
    with pytest.raises(TransientChatError) as info:
        client.call("chat.postMessage", BOT_TOKEN, {})
    assert not info.value.maybe_sent


@pytest.mark.parametrize(
    ("answer", "maybe_sent"),
    [
        (httpx.Response(503, text="down"), False),
        (httpx.Response(500, text="oops"), True),
        (httpx.Response(502, text="bad gateway"), True),
        (httpx.Response(200, text="<html>"), True),
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("slow"), False),
        (httpx.ReadTimeout("slow"), True),
        (httpx.RemoteProtocolError("cut"), True),
    ],
)
def test_outages_are_transient_and_say_whether_slack_may_have_posted(
    slack: FakeSlack, answer: object, maybe_sent: bool
) -> None:
    slack.queue("chat.postMessage", answer)
    with pytest.raises(TransientChatError) as info:
        client.call("chat.postMessage", BOT_TOKEN, {})
    assert info.value.maybe_sent is maybe_sent


@pytest.mark.parametrize("status", [401, 403])
def test_http_401_and_403_are_auth_errors(slack: FakeSlack, status: int) -> None:
    slack.queue("chat.postMessage", httpx.Response(status, text="no"))
    with pytest.raises(ChatAuthError):
        client.call("chat.postMessage", BOT_TOKEN, {})


def test_a_response_url_answering_a_bare_ok_is_a_success(slack: FakeSlack) -> None:
    slack.queue("response_url", httpx.Response(200, text="ok"))
    client.post_response_url("https://hooks.slack.com/actions/T0/1/abc", {"text": "hi"})
    assert slack.methods() == ["response_url"]


def test_a_response_url_elsewhere_is_refused_without_a_request(slack: FakeSlack) -> None:
    with pytest.raises(PermanentChatError):
        client.post_response_url("https://evil.example/hook", {"text": "hi"})
    assert slack.calls == []


def test_real_requests_go_through_the_guarded_transport() -> None:
    from groundswell.lib.safe_fetch import GuardedTransport

    with client.client() as http:
        assert isinstance(http._transport, GuardedTransport)
