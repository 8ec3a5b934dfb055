"""The Bot Connector client: the bot's token, the documented request shapes, and what error answers mean."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from groundswell.chat.errors import ChatAuthError, PermanentChatError, TransientChatError
from groundswell.chat.teams import cards, client
from groundswell.chat.teams.tests import fake_bot

CONVERSATION = fake_bot.BOB_CHAT


def card() -> dict[str, Any]:
    return client.card_activity(cards.notice("Hello", "From the tests"), summary="Hello")


def test_the_token_is_asked_with_client_credentials_and_cached(bot: fake_bot.FakeBotFramework) -> None:
    client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    token_calls = bot.calls("POST", "/oauth2/v2.0/token")
    assert len(token_calls) == 1
    assert token_calls[0].body == {
        "grant_type": "client_credentials",
        "client_id": fake_bot.APP_ID,
        "client_secret": fake_bot.APP_PASSWORD,
        "scope": "https://api.botframework.com/.default",
    }
    sent = bot.calls("POST", "/activities")
    assert [r.headers["authorization"] for r in sent] == ["Bearer bot-token-1", "Bearer bot-token-1"]


def test_an_expiring_token_is_renewed(bot: fake_bot.FakeBotFramework, monkeypatch: pytest.MonkeyPatch) -> None:
    client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    monkeypatch.setattr(client, "TOKEN_MARGIN_SECONDS", 3600)  # 3599 s tokens now count as expired at once
    client.forget_tokens()
    client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    assert len(bot.calls("POST", "/oauth2/v2.0/token")) == 3


def test_send_posts_an_adaptive_card_to_the_conversation(bot: fake_bot.FakeBotFramework) -> None:
    activity_id = client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    assert activity_id.startswith("1:")
    (request,) = bot.calls("POST", "/activities")
    # The conversation id is escaped in the path (":" and "@" and ";" appear in Teams ids).
    assert (
        request.url
        == f"https://smba.trafficmanager.net/emea/v3/conversations/{CONVERSATION.replace(':', '%3A')}/activities"
    )
    attachment = request.body["attachments"][0]
    assert request.body["type"] == "message"
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard"
    assert attachment["content"]["version"] == "1.4"


def test_create_conversation_opens_a_one_to_one_chat(bot: fake_bot.FakeBotFramework) -> None:
    conversation_id = client.create_conversation(
        fake_bot.SERVICE_URL, tenant_id=fake_bot.TENANT, user_id=fake_bot.BOB_TEAMS_ID
    )
    assert conversation_id.startswith("a:new-personal-chat-")
    (request,) = bot.calls("POST", "/v3/conversations")
    assert request.url == "https://smba.trafficmanager.net/emea/v3/conversations"
    assert request.body == {
        "bot": {"id": f"28:{fake_bot.APP_ID}"},
        "members": [{"id": fake_bot.BOB_TEAMS_ID}],
        "isGroup": False,
        "tenantId": fake_bot.TENANT,
        "channelData": {"tenant": {"id": fake_bot.TENANT}},
    }


def test_update_replaces_an_activity(bot: fake_bot.FakeBotFramework) -> None:
    assert client.update_activity(fake_bot.SERVICE_URL, CONVERSATION, "1:42", card()) == "1:42"
    (request,) = bot.calls("PUT")
    assert request.url.endswith("/activities/1%3A42")
    assert request.body["id"] == "1:42"


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(401, json={"message": "Authorization has been denied for this request."}), ChatAuthError),
        (
            httpx.Response(
                403,
                json={
                    "error": {
                        "code": "BotNotInConversationRoster",
                        "message": "The bot is not part of the conversation roster.",
                    }
                },
            ),
            ChatAuthError,
        ),
        (
            httpx.Response(
                429, headers={"Retry-After": "7"}, json={"error": {"code": "Throttled", "message": "Too many requests"}}
            ),
            TransientChatError,
        ),
        (httpx.Response(502, text="Bad Gateway"), TransientChatError),
        (
            httpx.Response(400, json={"error": {"code": "BadArgument", "message": "Unknown attachment type"}}),
            PermanentChatError,
        ),
        (
            httpx.Response(404, json={"error": {"code": "ConversationNotFound", "message": "Conversation not found."}}),
            PermanentChatError,
        ),
    ],
)
def test_error_answers_map_to_the_chat_errors(
    bot: fake_bot.FakeBotFramework, response: httpx.Response, error: type[Exception]
) -> None:
    bot.fail("POST", "/activities", response)
    with pytest.raises(error) as raised:
        client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    if response.status_code == 429:
        assert isinstance(raised.value, TransientChatError)
        assert raised.value.retry_after == 7
    if response.status_code in (400, 404, 403):
        assert response.json()["error"]["message"] in str(raised.value)


def test_a_401_forgets_the_token(bot: fake_bot.FakeBotFramework) -> None:
    bot.fail("POST", "/activities", httpx.Response(401, json={"message": "Authorization has been denied"}))
    with pytest.raises(ChatAuthError):
        client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    assert len(bot.calls("POST", "/oauth2/v2.0/token")) == 2


def test_wrong_credentials_are_an_auth_error(bot: fake_bot.FakeBotFramework) -> None:
    bot.fail(
        "POST",
        "/oauth2/v2.0/token",
        httpx.Response(
            401, json={"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}
        ),
    )
    with pytest.raises(ChatAuthError, match="AADSTS7000215"):
        client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    assert bot.calls("POST", "/activities") == []


def test_a_read_timeout_may_have_posted(bot: fake_bot.FakeBotFramework) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/activities"):
            raise httpx.ReadTimeout("timed out", request=request)
        return bot.handle(request)

    with client.use_transport(httpx.MockTransport(timeout)), pytest.raises(TransientChatError) as raised:
        client.send_activity(fake_bot.SERVICE_URL, CONVERSATION, card())
    assert raised.value.maybe_sent


@pytest.mark.parametrize(
    "url",
    [
        "http://smba.trafficmanager.net/emea/",  # not https
        "https://smba.trafficmanager.net.evil.example/emea/",
        "https://evil.example/?x=smba.trafficmanager.net",
        "https://user:pw@smba.trafficmanager.net/emea/",
        "http://127.0.0.1:8080/",  # loopback, not listed
        "not a url",
    ],
)
def test_service_urls_off_the_allow_list_get_nothing(bot: fake_bot.FakeBotFramework, url: str) -> None:
    with pytest.raises(PermanentChatError):
        client.send_activity(url, CONVERSATION, card())
    assert bot.requests == []


def test_service_urls_on_the_allow_list(settings: Any) -> None:
    assert client.check_service_url("https://smba.trafficmanager.net/amer/")
    assert client.check_service_url("https://smba.infra.gcc.teams.microsoft.com/")
    settings.TEAMS_SERVICE_HOSTS = ["127.0.0.1"]
    assert client.check_service_url("http://127.0.0.1:8123/")  # the suite's loopback connector, by setting


def test_a_loopback_connector_is_reached_through_the_guarded_transport(settings: Any) -> None:
    """Without a swapped transport the real one is used: a loopback HTTP server listed in the setting."""
    import http.server
    import json
    import threading

    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            received.append(self.path)
            if self.path.endswith("/token"):
                body = {"token_type": "Bearer", "expires_in": 3599, "access_token": "loopback-token"}
            else:
                body = {"id": "1:loopback"}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        settings.TEAMS_APP_ID, settings.TEAMS_APP_PASSWORD = fake_bot.APP_ID, fake_bot.APP_PASSWORD
        settings.TEAMS_TOKEN_URL = f"{base}/token"
        settings.TEAMS_SERVICE_HOSTS = ["127.0.0.1"]
        client.forget_tokens()
        assert client.send_activity(f"{base}/", "19:abc@thread.skype", card()) == "1:loopback"
    finally:
        server.shutdown()
        client.forget_tokens()
    assert received == ["/token", "/v3/conversations/19%3Aabc%40thread.skype/activities"]
