"""The Reddit source against Reddit's documented OAuth and API answers (``FakeReddit``), errors included.

Everything goes through ``networks.http`` (the choke point): a token from ``www.reddit.com/api/v1/access_token``,
reads from ``oauth.reddit.com``, never the anonymous ``.json`` listings Reddit now refuses.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import time_machine
from django.utils import timezone

from groundswell.listening.sources.base import Credential, Problem, SourceError
from groundswell.listening.sources.reddit import RedditPlugin, user_agent
from groundswell.listening.tests.fixtures import (
    REDDIT_BANNED,
    REDDIT_CLIENT_ID,
    REDDIT_PRIVATE,
    REDDIT_QUARANTINED,
    REDDIT_SECRET,
    REDDIT_TOO_MANY,
    FakeReddit,
    reddit_error,
    reddit_listing,
    reddit_post,
)
from groundswell.networks import http

SUB = {"subreddit": "CampingGear", "query": ""}


@pytest.fixture
def reddit() -> Iterator[FakeReddit]:
    fake = FakeReddit()
    with http.use_transport(httpx.MockTransport(fake)):
        yield fake


def app(**extra: Any) -> Credential:
    values: dict[str, Any] = {
        "network": "reddit",
        "identifier": REDDIT_CLIENT_ID,
        "secret": REDDIT_SECRET,
        "app_type": "confidential",
        "contact": "northwind_listens",
    }
    return Credential(**(values | extra))


def fetch(credential: Credential | None, config: dict[str, Any] = SUB, cursor: dict[str, Any] | None = None) -> Any:
    return RedditPlugin().fetch(config, cursor or {}, limit=100, credential=credential)


def test_reads_with_an_application_token_pages_back_to_the_cursor_and_says_who_it_is(reddit: FakeReddit) -> None:
    pages = {
        None: reddit_listing([reddit_post(5, 500, "Northwind tent"), reddit_post(4, 400, "Other")], after="t3_p4"),
        "t3_p4": reddit_listing([reddit_post(3, 300, "Northwind bag", "Body text"), reddit_post(2, 200, "Old")]),
    }
    reddit.pages["/r/CampingGear/new"] = lambda q: pages[q.get("after")]
    credential = app()
    result = fetch(credential, cursor={"t": 250, "seen": []})
    assert [p.external_id for p in result.posts] == ["t3_p3", "t3_p4", "t3_p5"]
    assert result.posts[0].text == "Northwind bag — Body text"
    assert result.posts[0].url == "https://www.reddit.com/r/CampingGear/comments/p3/x/"
    assert result.cursor == {"t": 500.0, "seen": ["t3_p5"]}

    [token_request] = reddit.token_requests
    assert token_request.method == "POST" and str(token_request.url) == "https://www.reddit.com/api/v1/access_token"
    basic = base64.b64encode(f"{REDDIT_CLIENT_ID}:{REDDIT_SECRET}".encode()).decode()
    assert token_request.headers["authorization"] == f"Basic {basic}"
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    reads = reddit.api_requests
    assert len(reads) == 2
    assert {r.headers["authorization"] for r in reads} == {"bearer 1-appOnlyToken"}
    assert all(r.url.params["raw_json"] == "1" and r.url.params["limit"] == "100" for r in reads)
    ua = user_agent("northwind_listens")
    assert ua.startswith("server:groundswell-listening:") and ua.endswith("(by /u/northwind_listens)")
    assert {r.headers["user-agent"] for r in reddit.requests} == {ua}
    # Nothing was read from the anonymous listings Reddit refuses.
    assert not [r for r in reddit.requests if r.url.host == "www.reddit.com" and r.url.path != "/api/v1/access_token"]
    # The token and the allowance are kept on the credential for the next poll (and the other sources).
    assert credential.token == "1-appOnlyToken" and credential.dirty
    assert credential.token_expires_at is not None
    assert credential.token_expires_at > timezone.now() + dt.timedelta(hours=23)
    assert credential.rate_remaining == 97 and credential.rate_limited_until is None


def test_search_keeps_posts_of_the_cursor_second_not_read_yet(reddit: FakeReddit) -> None:
    answer = reddit_listing([reddit_post(2, 100, "Northwind b"), reddit_post(1, 100, "Northwind a")])
    reddit.pages["/r/CampingGear/search"] = answer
    reddit.pages["/search"] = answer
    result = fetch(app(), {"subreddit": "CampingGear", "query": "northwind"}, {"t": 100, "seen": ["t3_p1"]})
    assert [p.external_id for p in result.posts] == ["t3_p2"]
    assert result.cursor == {"t": 100.0, "seen": ["t3_p1", "t3_p2"]}
    params = reddit.api_requests[0].url.params
    assert (params["q"], params["sort"], params["restrict_sr"]) == ("northwind", "new", "1")
    fetch(app(), {"subreddit": "", "query": "northwind"})
    assert reddit.api_requests[-1].url.path == "/search" and "restrict_sr" not in reddit.api_requests[-1].url.params
    with pytest.raises(ValueError, match="subreddit, search words"):
        RedditPlugin().validate_config({})


def test_the_token_is_reused_until_it_runs_out_and_a_revoked_one_is_renewed_once(reddit: FakeReddit) -> None:
    reddit.pages["/r/CampingGear/new"] = reddit_listing([])
    credential = app()
    fetch(credential)
    fetch(credential)
    assert len(reddit.token_requests) == 1  # cached
    with time_machine.travel(timezone.now() + dt.timedelta(hours=24), tick=False):
        fetch(credential)
    assert len(reddit.token_requests) == 2 and credential.token == "2-appOnlyToken"  # ran out: renewed
    reddit.revoked.add(credential.token)
    fetch(credential)
    assert len(reddit.token_requests) == 3 and credential.token == "3-appOnlyToken"
    assert [r.headers["authorization"] for r in reddit.api_requests[-2:]] == [
        "bearer 2-appOnlyToken",
        "bearer 3-appOnlyToken",
    ]


def test_an_installed_app_signs_in_with_a_device_id_and_no_secret() -> None:
    reddit = FakeReddit(installed=True)
    reddit.pages["/r/CampingGear/new"] = reddit_listing([reddit_post(1, 100, "Northwind")])
    credential = app(app_type="installed", secret="", device_id="a1B2c3D4e5F6g7H8i9J0k1L2m")
    with http.use_transport(httpx.MockTransport(reddit)):
        assert len(fetch(credential).posts) == 1
    [token_request] = reddit.token_requests
    assert (
        token_request.headers["authorization"] == "Basic " + base64.b64encode(f"{REDDIT_CLIENT_ID}:".encode()).decode()
    )
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["https://oauth.reddit.com/grants/installed_client"],
        "device_id": ["a1B2c3D4e5F6g7H8i9J0k1L2m"],
    }


def test_without_credentials_nothing_is_asked(reddit: FakeReddit) -> None:
    with pytest.raises(SourceError, match="only signed-in apps") as info:
        fetch(None)
    assert info.value.problem is Problem.NEEDS_CREDENTIALS and info.value.permanent
    assert reddit.requests == []


@pytest.mark.parametrize(
    ("credential", "installed", "message"),
    [
        (app(secret="wrong"), False, r"refused the client id and secret \(401"),
        (app(identifier="someOtherClient1"), False, r"refused the client id and secret \(401"),
        (app(), True, r"refused the client id and secret \(401"),  # an installed app has no secret
    ],
)
def test_refused_credentials_are_permanent(credential: Credential, installed: bool, message: str) -> None:
    reddit = FakeReddit(installed=installed)
    with http.use_transport(httpx.MockTransport(reddit)), pytest.raises(SourceError, match=message) as info:
        fetch(credential)
    assert info.value.problem is Problem.CREDENTIALS_REFUSED and info.value.permanent
    assert reddit.api_requests == []


def test_a_grant_reddit_does_not_support_is_refused_credentials(reddit: FakeReddit) -> None:
    reddit.token_answer = httpx.Response(200, json={"error": "unsupported_grant_type"})  # 200, as Reddit sends it
    with pytest.raises(SourceError, match="refused the app type") as info:
        fetch(app())
    assert info.value.problem is Problem.CREDENTIALS_REFUSED


def test_a_token_refused_again_after_renewal_means_the_credentials_are_refused(reddit: FakeReddit) -> None:
    reddit.errors["/r/CampingGear/new"] = reddit_error(401, {"message": "Unauthorized", "error": 401})
    with pytest.raises(SourceError, match="even after renewing it") as info:
        fetch(app())
    assert info.value.problem is Problem.CREDENTIALS_REFUSED
    assert len(reddit.token_requests) == 2 and len(reddit.api_requests) == 2  # renewed once, not in a loop


@pytest.mark.parametrize(
    ("answer", "problem", "message"),
    [
        (REDDIT_PRIVATE, Problem.FORBIDDEN, r"r/CampingGear is private: only its approved members.*\(403, private\)"),
        (REDDIT_QUARANTINED, Problem.FORBIDDEN, r"quarantined: .*never to an application"),
        (REDDIT_BANNED, Problem.NOT_FOUND, r"r/CampingGear was banned by Reddit \(404\)"),
        (reddit_error(404, {"message": "Not Found", "error": 404}), Problem.NOT_FOUND, "Reddit has no r/CampingGear"),
        (
            reddit_error(302, None, headers={"location": "https://oauth.reddit.com/subreddits/search?q=CampingGear"}),
            Problem.NOT_FOUND,
            "There is no r/CampingGear: Reddit sent us to its subreddit search",
        ),
        (reddit_error(403, html="<html>blocked by network security</html>"), Problem.FORBIDDEN, "blocked the request"),
        (reddit_error(503, html="<html>all our servers are busy</html>"), Problem.SERVER_ERROR, r"on its side \(503\)"),
        (reddit_error(400, {"message": "Bad Request", "error": 400}), Problem.OTHER, r"refused the request \(400: Bad"),
    ],
)
def test_api_refusals_are_classified(
    reddit: FakeReddit, answer: httpx.Response, problem: Problem, message: str
) -> None:
    reddit.errors["/r/CampingGear/new"] = answer
    with pytest.raises(SourceError, match=message) as info:
        fetch(app())
    assert info.value.problem is problem
    assert info.value.permanent is (problem is not Problem.SERVER_ERROR)


def test_a_429_holds_the_credential_until_the_reset_and_nothing_is_asked_meanwhile(reddit: FakeReddit) -> None:
    reddit.errors["/r/CampingGear/new"] = REDDIT_TOO_MANY
    credential = app()
    before = timezone.now()
    with pytest.raises(SourceError, match="asked too often") as info:
        fetch(credential)
    assert info.value.problem is Problem.RATE_LIMITED and not info.value.permanent
    assert info.value.retry_at is not None
    assert before + dt.timedelta(seconds=119) <= info.value.retry_at <= timezone.now() + dt.timedelta(seconds=121)
    assert credential.rate_limited_until == info.value.retry_at
    asked = len(reddit.requests)
    with pytest.raises(SourceError, match="used up until") as again:
        fetch(credential)
    assert again.value.problem is Problem.RATE_LIMITED and len(reddit.requests) == asked
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=121), tick=False):
        del reddit.errors["/r/CampingGear/new"]
        reddit.pages["/r/CampingGear/new"] = reddit_listing([])
        assert fetch(credential).posts == []


def test_a_used_up_allowance_stops_before_the_next_page(reddit: FakeReddit) -> None:
    reddit.remaining = 1.0  # the first read uses the last request of the window
    reddit.pages["/r/CampingGear/new"] = reddit_listing([reddit_post(5, 500, "Northwind")], after="t3_p5")
    credential = app()
    with pytest.raises(SourceError, match="allowance for this app is used up") as info:
        fetch(credential, cursor={"t": 100, "seen": []})
    assert info.value.problem is Problem.RATE_LIMITED
    assert len(reddit.api_requests) == 1 and credential.rate_remaining == 0
    assert credential.rate_limited_until is not None


def test_the_token_endpoint_s_own_failures(reddit: FakeReddit) -> None:
    reddit.token_answer = reddit_error(
        429, {"message": "Too Many Requests", "error": 429}, headers={"retry-after": "30"}
    )
    with pytest.raises(SourceError) as info:
        fetch(app())
    assert info.value.problem is Problem.RATE_LIMITED and info.value.retry_at is not None
    reddit.token_answer = reddit_error(500, html="<html>oops</html>")
    with pytest.raises(SourceError, match="sign-in failed on its side") as info:
        fetch(app())
    assert info.value.problem is Problem.SERVER_ERROR
    reddit.token_answer = httpx.Response(200, json={"token_type": "bearer"})
    with pytest.raises(SourceError, match="without a token") as info:
        fetch(app())
    assert info.value.problem is Problem.BAD_ANSWER


def test_no_answer_at_all_is_unreachable_and_transient() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with http.use_transport(httpx.MockTransport(down)), pytest.raises(SourceError, match="Could not reach") as info:
        fetch(app())
    assert info.value.problem is Problem.UNREACHABLE and not info.value.permanent


def test_bad_settings_are_a_settings_problem() -> None:
    with pytest.raises(SourceError, match="settings are not valid") as info:
        fetch(app(), {"subreddit": "no spaces!"})
    assert info.value.problem is Problem.INVALID_SETTINGS
