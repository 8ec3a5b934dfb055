"""The messaging endpoint verifies the Bot Connector's bearer token as documented, before doing anything."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from groundswell.chat.models import SeenRequest
from groundswell.chat.teams import auth
from groundswell.chat.teams.tests import fake_bot

URL = "/chat/teams/messages"


def post(activity: dict[str, Any], token: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client().post(URL, data=json.dumps(activity), content_type="application/json", **headers)


def connector_calls(bot: fake_bot.FakeBotFramework) -> list[fake_bot.Recorded]:
    return [r for r in bot.requests if "/v3/conversations" in r.url]


@pytest.mark.django_db
def test_a_good_token_is_accepted_and_the_activity_answered(bot: fake_bot.FakeBotFramework) -> None:
    response = post(fake_bot.personal_message("help"), fake_bot.token())
    assert response.status_code == 200
    assert SeenRequest.objects.filter(platform="teams").count() == 1
    assert len(bot.activities(fake_bot.BOB_CHAT)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_token", "status"),
    [
        pytest.param(lambda: fake_bot.token(kid="key-1", signing_kid="other-key"), 401, id="wrong-signature"),
        pytest.param(lambda: fake_bot.token(audience="another-bot-id"), 401, id="wrong-audience"),
        pytest.param(lambda: fake_bot.token(issuer="https://sts.windows.net/evil/"), 401, id="wrong-issuer"),
        pytest.param(lambda: fake_bot.token(expires_in=-301), 401, id="expired"),
        pytest.param(lambda: fake_bot.token(not_before=301), 401, id="not-yet-valid"),
        pytest.param(lambda: fake_bot.token(kid="unknown-key"), 401, id="unknown-kid"),
        pytest.param(
            lambda: fake_bot.token(service_url="https://smba.trafficmanager.net/amer/"), 403, id="serviceurl-mismatch"
        ),
        pytest.param(lambda: "not.a.jwt", 401, id="garbage"),
        pytest.param(lambda: None, 401, id="no-header"),
    ],
)
def test_bad_tokens_are_refused_and_nothing_is_done(
    bot: fake_bot.FakeBotFramework, make_token: Any, status: int
) -> None:
    response = post(fake_bot.personal_message("link"), make_token())
    assert response.status_code == status
    assert not SeenRequest.objects.exists()
    assert connector_calls(bot) == []


@pytest.mark.django_db
def test_clock_skew_of_under_five_minutes_is_allowed(bot: fake_bot.FakeBotFramework) -> None:
    assert post(fake_bot.personal_message("help"), fake_bot.token(expires_in=-200)).status_code == 200


@pytest.mark.django_db
def test_an_hs256_token_signed_with_the_public_key_is_refused(bot: fake_bot.FakeBotFramework) -> None:
    """Algorithm confusion: only RS256 is taken, whatever the header says."""
    import jwt as pyjwt

    forged = pyjwt.encode(
        {"iss": fake_bot.ISSUER, "aud": fake_bot.APP_ID, "exp": 9999999999, "serviceurl": fake_bot.SERVICE_URL},
        "a-shared-secret-long-enough-for-hs256-0123456789",
        algorithm="HS256",
        headers={"kid": "key-1"},
    )
    assert post(fake_bot.personal_message(), forged).status_code == 401
    assert connector_calls(bot) == []


@pytest.mark.django_db
def test_a_replayed_activity_is_refused(bot: fake_bot.FakeBotFramework) -> None:
    activity = fake_bot.personal_message("help")
    assert post(activity, fake_bot.token()).status_code == 200
    before = len(bot.requests)
    assert post(activity, fake_bot.token()).status_code == 403
    assert len(bot.requests) == before
    assert SeenRequest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [-6, 6])
def test_an_activity_stamped_far_from_now_is_refused(bot: fake_bot.FakeBotFramework, minutes: int) -> None:
    """A verbatim replay after its id was forgotten (the replay log is pruned) is still refused."""
    activity = fake_bot.personal_message("help", timestamp=fake_bot.now_stamp(dt.timedelta(minutes=minutes)))
    assert post(activity, fake_bot.token()).status_code == 403
    assert not SeenRequest.objects.exists()
    assert connector_calls(bot) == []


@pytest.mark.django_db
def test_a_key_not_endorsed_for_the_channel_is_refused(bot: fake_bot.FakeBotFramework) -> None:
    bot.keys = [fake_bot.jwk("key-1", endorsements=("webchat",))]
    assert post(fake_bot.personal_message(), fake_bot.token()).status_code == 403
    assert connector_calls(bot) == []


@pytest.mark.django_db
def test_keys_are_cached_and_refreshed_for_an_unknown_kid(bot: fake_bot.FakeBotFramework, monkeypatch: Any) -> None:
    assert post(fake_bot.personal_message("help", activity_id="1"), fake_bot.token()).status_code == 200
    assert post(fake_bot.personal_message("help", activity_id="2"), fake_bot.token()).status_code == 200
    assert len(bot.calls("GET", "/keys")) == 1  # cached
    # The Bot Framework rolls its keys: a token with the new key id makes us fetch them again.
    bot.keys = [fake_bot.jwk("key-1"), fake_bot.jwk("key-2")]
    monkeypatch.setattr(auth, "REFRESH_MIN_INTERVAL_SECONDS", 0)
    assert post(fake_bot.personal_message("help", activity_id="3"), fake_bot.token(kid="key-2")).status_code == 200
    assert len(bot.calls("GET", "/keys")) == 2


@pytest.mark.django_db
def test_unknown_kids_do_not_make_us_fetch_keys_every_time(bot: fake_bot.FakeBotFramework) -> None:
    post(fake_bot.personal_message("help", activity_id="1"), fake_bot.token())
    for n in range(3):
        assert (
            post(fake_bot.personal_message(activity_id=f"x{n}"), fake_bot.token(kid=f"made-up-{n}")).status_code == 401
        )
    assert len(bot.calls("GET", "/keys")) == 1


@pytest.mark.django_db
def test_a_service_url_off_the_allow_list_is_refused(bot: fake_bot.FakeBotFramework) -> None:
    evil = "https://attacker.example/"
    activity = fake_bot.personal_message("help", serviceUrl=evil)
    assert post(activity, fake_bot.token(service_url=evil)).status_code == 403
    assert bot.calls("POST", "attacker") == []


@pytest.mark.django_db
def test_single_tenant_bots_take_only_their_tenant(bot: fake_bot.FakeBotFramework, settings: Any) -> None:
    settings.TEAMS_TENANT_ID = "11111111-2222-3333-4444-555555555555"
    assert post(fake_bot.personal_message("help"), fake_bot.token()).status_code == 403
    assert connector_calls(bot) == []


@pytest.mark.django_db
def test_not_json_is_a_400_and_other_methods_405(bot: fake_bot.FakeBotFramework) -> None:
    response = Client().post(URL, data="{nope", content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 400
    assert Client().get(URL).status_code == 405


@pytest.mark.django_db
def test_without_teams_configured_the_endpoint_is_absent(settings: Any) -> None:
    settings.TEAMS_APP_ID = ""
    settings.TEAMS_APP_PASSWORD = ""
    assert post(fake_bot.personal_message(), "x").status_code == 404
