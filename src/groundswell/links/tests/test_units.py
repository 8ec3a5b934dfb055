"""Pure helpers: bot classification, UTM building, client address."""

from __future__ import annotations

import pytest

from groundswell.links.bots import is_bot, is_bot_user_agent
from groundswell.links.clients import client_ip, referrer_host
from groundswell.links.destination import campaign_id, with_utm
from groundswell.links.tests.conftest import BROWSER, CHROME

BOTS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "WhatsApp/2.23.20.0 A",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
    "Go-http-client/2.0",
    "",
    "   ",
]
PEOPLE = [
    BROWSER,
    CHROME,
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]",
    "Mozilla/5.0 (Linux; Android 14; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 300.0",
]


@pytest.mark.parametrize("agent", BOTS)
def test_bots_are_recognised(agent: str) -> None:
    assert is_bot_user_agent(agent)


@pytest.mark.parametrize("agent", PEOPLE)
def test_people_are_not_bots(agent: str) -> None:
    assert not is_bot_user_agent(agent)
    assert not is_bot(agent, "GET")


def test_head_is_always_a_bot() -> None:
    assert is_bot(BROWSER, "HEAD")


def test_utm_added_and_existing_query_and_fragment_kept() -> None:
    url = with_utm(
        "https://example.com/a/b?x=1&y=a%20b&flag#part", source="linkedin", campaign="c-1", content="AbC1234"
    )
    assert url == (
        "https://example.com/a/b?x=1&y=a%20b&flag"
        "&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=c-1&utm_content=AbC1234#part"
    )


def test_our_utm_replaces_existing_utm() -> None:
    url = with_utm("https://example.com/?utm_source=old&utm_medium=x&keep=1", source="x", campaign="c-2", content="C")
    assert url == "https://example.com/?keep=1&utm_source=x&utm_medium=employee_advocacy&utm_campaign=c-2&utm_content=C"


def test_utm_on_bare_host_and_iri() -> None:
    assert with_utm("https://example.com", source="x", campaign="c", content="C").startswith(
        "https://example.com/?utm_"
    )
    assert with_utm("https://example.com/café", source="x", campaign="c", content="C").startswith(
        "https://example.com/caf%C3%A9?utm_source=x"
    )


def test_campaign_id() -> None:
    assert campaign_id("We launched!", 42) == "we-launched-42"
    assert campaign_id("", 7) == "item-7"
    assert len(campaign_id("word " * 100, 1)) <= 62


def test_client_ip_respects_trusted_proxy_count() -> None:
    assert client_ip("10.0.0.1", "1.2.3.4", 0) == "10.0.0.1"
    assert client_ip("10.0.0.1", "6.6.6.6, 1.2.3.4", 1) == "1.2.3.4"
    assert client_ip("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2", 2) == "1.2.3.4"
    assert client_ip("10.0.0.1", "1.2.3.4", 3) == "1.2.3.4"
    assert client_ip("10.0.0.1", "", 1) == "10.0.0.1"


def test_referrer_host() -> None:
    assert referrer_host("https://www.linkedin.com/feed/") == "www.linkedin.com"
    assert referrer_host("") == ""
    assert referrer_host("http://[::1") == ""
