"""Reddit: the newest posts of a subreddit, or a search, through Reddit's OAuth API with an application token.

Reddit refuses anonymous reads of its JSON listings (``/r/<sub>/new.json`` answers 403); API clients sign in
with OAuth 2 (Reddit's "OAuth2" wiki, *Application Only OAuth*). A listening source acts for no Reddit user,
so it uses an application-only token from the workspace's Reddit app (``ListeningCredential``):

* a confidential app ("web app" or "script": it has a secret): ``grant_type=client_credentials``;
* an installed app (no secret): ``grant_type=https://oauth.reddit.com/grants/installed_client`` with a
  ``device_id`` of 20-30 characters (one per credential, made when it is saved).

The token comes from ``POST https://www.reddit.com/api/v1/access_token`` with HTTP Basic auth (client id and
secret, or an empty secret) and is cached on the credential until a minute before ``expires_in`` runs out; a
401 from the API renews it once. Reads go to ``https://oauth.reddit.com/r/<sub>/new`` or ``…/search`` with
``Authorization: bearer <token>`` and the User-Agent Reddit asks for, ``<platform>:<app id>:<version> (by
/u/<user>)``. Every answer's ``X-Ratelimit-Remaining`` and ``X-Ratelimit-Reset`` are kept on the credential:
once the allowance is used up (or a 429 says so) every source using the credential waits for the reset
instead of asking again.

Refusals are classified for the health view (``Problem``): 401 from the token endpoint or after a renewed
token → credentials refused; 403 (``reason``: private, quarantined, gold_only; an HTML page: blocked) →
forbidden; 404 (``reason: banned``) or a redirect to the subreddit search → not found; 429 → rate limited
until the reset; 5xx → Reddit's own failure; no answer → unreachable.

Cursor: ``{"t": created_utc of the newest post read, "seen": [its fullnames]}``. Listings are newest first;
the plug-in pages back (``after``) until it reaches the cursor, at most ``MAX_PAGES`` pages, then hands the
posts over oldest first so a restart resumes where the last stored post was.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
from typing import Any

import httpx
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from groundswell.listening.sources._common import after_time_cursor, from_timestamp, host_of, validate
from groundswell.listening.sources.base import Credential, FetchedPost, FetchResult, Problem, SourceError
from groundswell.networks import http
from groundswell.networks.http import retry_after_seconds

NETWORK = "reddit"
BASE_URL = "https://www.reddit.com"  # permalinks and the token endpoint
TOKEN_URL = f"{BASE_URL}/api/v1/access_token"
API_URL = "https://oauth.reddit.com"
CLIENT_CREDENTIALS = "client_credentials"
INSTALLED_CLIENT = "https://oauth.reddit.com/grants/installed_client"
#: Reddit asks API clients for "<platform>:<app id>:<version> (by /u/<user>)".
APP_ID = "groundswell-listening"
PAGE = 100
MAX_PAGES = 5
#: A token is renewed this long before Reddit says it runs out.
TOKEN_MARGIN = dt.timedelta(seconds=60)
#: When a 429 carries no reset time: Reddit's window is ten minutes at most, ask again after one.
DEFAULT_RATE_WAIT = dt.timedelta(seconds=60)
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
try:
    VERSION = importlib.metadata.version("groundswell")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    VERSION = "0"


def user_agent(contact: str = "") -> str:
    """The descriptive User-Agent Reddit's API rules ask for (with the app developer's user name when known)."""
    by = f" (by /u/{contact})" if contact else " (self-hosted social listening; +https://github.com/groundswell)"
    return f"server:{APP_ID}:{VERSION}{by}"


USER_AGENT = user_agent()


class RedditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subreddit: str = ""
    query: str = ""

    @field_validator("subreddit")
    @classmethod
    def _sub(cls, value: str) -> str:
        value = value.strip().removeprefix("/").removeprefix("r/")
        if value and not _SUBREDDIT.match(value):
            raise ValueError("a subreddit name has 2 to 21 letters, digits or underscores (e.g. CampingGear)")
        return value

    @model_validator(mode="after")
    def _something(self) -> RedditConfig:
        self.query = self.query.strip()
        if not self.subreddit and not self.query:
            raise ValueError("give a subreddit, search words, or both")
        return self


def parse_listing(data: Any) -> tuple[list[tuple[float, FetchedPost]], str | None]:
    """(created, post) of a listing answer, and the ``after`` token of the next (older) page."""
    try:
        listing = data["data"]
        children = listing["children"]
    except (KeyError, TypeError):
        raise SourceError("Reddit did not answer with a listing.", problem=Problem.BAD_ANSWER) from None
    out = []
    for child in children:
        post = child.get("data") if isinstance(child, dict) else None
        if not isinstance(post, dict) or "name" not in post:
            continue
        created = from_timestamp(post.get("created_utc"))
        title = str(post.get("title") or "")
        body = str(post.get("selftext") or post.get("body") or "")
        text = f"{title} — {body}" if title and body else title or body
        if created is None or not text:
            continue
        permalink = str(post.get("permalink") or "")
        link = str(post.get("url") or "")
        out.append(
            (
                created.timestamp(),
                FetchedPost(
                    external_id=str(post["name"]),
                    text=" ".join(text.split())[:20000],
                    published_at=created,
                    url=(BASE_URL + permalink if permalink.startswith("/") else permalink)[:2000],
                    author="u/" + str(post["author"]) if post.get("author") else "",
                    author_url=f"{BASE_URL}/user/{post['author']}" if post.get("author") else "",
                    site=host_of(link) if link and not link.startswith(BASE_URL) else "reddit.com",
                    metrics={"likes": int(post.get("score") or 0), "replies": int(post.get("num_comments") or 0)},
                ),
            )
        )
    after = listing.get("after")
    return out, str(after) if after else None


# --- answers → problems --------------------------------------------------------------------------------------


def _json(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON object of an answer, or None (an HTML page: Reddit's edge, not its API, answered)."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _reset_at(response: httpx.Response, now: dt.datetime) -> dt.datetime | None:
    for header in ("x-ratelimit-reset", "retry-after"):
        seconds = retry_after_seconds(response.headers.get(header))
        if seconds is not None:
            return now + dt.timedelta(seconds=seconds)
    return None


def _rate_limited(response: httpx.Response, now: dt.datetime, credential: Credential) -> SourceError:
    until = _reset_at(response, now) or now + DEFAULT_RATE_WAIT
    credential.rate_limited_until = until
    credential.changed()
    return SourceError(
        f"Reddit says this app asked too often (429); the allowance resets at {until:%H:%M} UTC.",
        problem=Problem.RATE_LIMITED,
        retry_at=until,
    )


def _blocked() -> SourceError:
    return SourceError(
        "Reddit blocked the request with a web page instead of an API answer (403): its network security "
        "refuses this server or its User-Agent. Check that the app's credentials are set; if they are, the "
        "server's address may be blocked by Reddit.",
        problem=Problem.FORBIDDEN,
    )


def token_error(response: httpx.Response, now: dt.datetime, credential: Credential) -> SourceError:
    """What a failed ``access_token`` answer means (the OAuth2 wiki's table: 401, ``unsupported_grant_type``…)."""
    status = response.status_code
    body = _json(response)
    error = str(body.get("error", "")) if body else ""
    if status == 401:
        return SourceError(
            "Reddit refused the client id and secret (401 from the token endpoint).",
            problem=Problem.CREDENTIALS_REFUSED,
        )
    if status == 429:
        return _rate_limited(response, now, credential)
    if status >= 500:
        return SourceError(
            f"Reddit's sign-in failed on its side ({status}); retrying later.", problem=Problem.SERVER_ERROR
        )
    if status == 403 and body is None:
        return _blocked()
    if error == "unsupported_grant_type":
        return SourceError(
            "Reddit refused the app type (unsupported_grant_type): an installed app has no secret, a web app or "
            "script has one. Check the app's type.",
            problem=Problem.CREDENTIALS_REFUSED,
        )
    if error:
        return SourceError(f"Reddit refused the sign-in ({error}).", problem=Problem.CREDENTIALS_REFUSED)
    return SourceError(f"Reddit's token endpoint answered {status} without a token.", problem=Problem.BAD_ANSWER)


def api_error(response: httpx.Response, now: dt.datetime, credential: Credential, *, what: str) -> SourceError:
    """What a failed API read means; ``what`` names the listing (``r/CampingGear``, ``the search``)."""
    status = response.status_code
    body = _json(response)
    reason = str(body.get("reason", "")) if body else ""
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("location", "")
        if "/subreddits/search" in location:
            return SourceError(
                f"There is no {what}: Reddit sent us to its subreddit search.", problem=Problem.NOT_FOUND
            )
        return SourceError(f"Reddit moved {what} to {location[:200]} ({status}).", problem=Problem.NOT_FOUND)
    if status == 401:
        return SourceError(
            "Reddit refused the app's token even after renewing it (401).", problem=Problem.CREDENTIALS_REFUSED
        )
    if status == 403:
        if body is None:
            return _blocked()
        why = {
            "private": f"{what} is private: only its approved members can read it",
            "quarantined": f"{what} is quarantined: Reddit shows it only to signed-in members who opted in, "
            "never to an application",
            "gold_only": f"{what} is only for Reddit Premium members",
            "banned": f"{what} was banned by Reddit",
        }.get(reason, f"Reddit refuses to show {what}")
        return SourceError(f"{why} (403{f', {reason}' if reason else ''}).", problem=Problem.FORBIDDEN)
    if status == 404:
        why = f"{what} was banned by Reddit" if reason == "banned" else f"Reddit has no {what}"
        return SourceError(f"{why} (404).", problem=Problem.NOT_FOUND)
    if status == 429:
        return _rate_limited(response, now, credential)
    if status >= 500:
        return SourceError(f"Reddit failed on its side ({status}); retrying later.", problem=Problem.SERVER_ERROR)
    message = str(body.get("message", "")) if body else ""
    return SourceError(
        f"Reddit refused the request ({status}{f': {message[:200]}' if message else ''}).", permanent=True
    )


def _note_allowance(response: httpx.Response, now: dt.datetime, credential: Credential) -> None:
    """Keep ``X-Ratelimit-Remaining`` and ``-Reset``; a used-up allowance stops every source until the reset."""
    remaining = response.headers.get("x-ratelimit-remaining")
    reset = retry_after_seconds(response.headers.get("x-ratelimit-reset"))
    if remaining is None or reset is None:
        return
    try:
        left = int(float(remaining))
    except ValueError:
        return
    credential.rate_remaining = left
    credential.rate_reset_at = now + dt.timedelta(seconds=reset)
    if left < 1:
        credential.rate_limited_until = credential.rate_reset_at
    credential.changed()


def _check_allowance(credential: Credential, now: dt.datetime) -> None:
    until = credential.rate_limited_until
    if until is not None and until > now:
        raise SourceError(
            f"Reddit's allowance for this app is used up until {until:%H:%M} UTC; waiting for it.",
            problem=Problem.RATE_LIMITED,
            retry_at=until,
        )


# --- signing in ---------------------------------------------------------------------------------------------


def _client(credential: Credential) -> httpx.Client:
    client = http.client()
    client.headers["User-Agent"] = user_agent(credential.contact)
    return client


def sign_in(credential: Credential, client: httpx.Client | None = None) -> str:
    """A fresh application-only token, stored on ``credential`` (``SourceError`` when Reddit refuses)."""
    if not credential.identifier:
        raise SourceError("Reddit needs the app's client id.", problem=Problem.NEEDS_CREDENTIALS)
    installed = credential.app_type == "installed"
    if not installed and not credential.secret:
        raise SourceError(
            "Reddit needs the app's secret (a web app or script has one).", problem=Problem.NEEDS_CREDENTIALS
        )
    data = (
        {"grant_type": INSTALLED_CLIENT, "device_id": credential.device_id}
        if installed
        else {"grant_type": CLIENT_CREDENTIALS}
    )
    now = timezone.now()
    _check_allowance(credential, now)
    auth = httpx.BasicAuth(credential.identifier, "" if installed else credential.secret)
    try:
        if client is None:
            with _client(credential) as own:
                response = own.post(TOKEN_URL, data=data, auth=auth)
        else:
            response = client.post(TOKEN_URL, data=data, auth=auth)
    except httpx.HTTPError as exc:
        raise SourceError(
            f"Could not reach Reddit's sign-in ({exc.__class__.__name__}).", problem=Problem.UNREACHABLE
        ) from exc
    body = _json(response) if response.status_code == 200 else None
    token = body.get("access_token") if body else None
    if not isinstance(token, str) or not token:
        raise token_error(response, now, credential)
    try:
        lifetime = dt.timedelta(seconds=float(body.get("expires_in") or 3600)) if body else dt.timedelta(hours=1)
    except (TypeError, ValueError):
        lifetime = dt.timedelta(hours=1)
    credential.token = token
    credential.token_expires_at = now + max(lifetime - TOKEN_MARGIN, dt.timedelta(seconds=30))
    credential.token_subject = ""
    credential.changed()
    return token


def _token(credential: Credential, client: httpx.Client) -> str:
    expires = credential.token_expires_at
    if credential.token and (expires is None or expires > timezone.now()):
        return credential.token
    return sign_in(credential, client)


def get_listing(credential: Credential, client: httpx.Client, path: str, params: dict[str, Any], *, what: str) -> Any:
    """One API read with the cached token; a 401 renews the token once."""
    for attempt in (1, 2):
        now = timezone.now()
        _check_allowance(credential, now)
        token = _token(credential, client)
        clean = {k: v for k, v in params.items() if v is not None and v != ""}
        try:
            response = client.get(f"{API_URL}{path}", params=clean, headers={"Authorization": f"bearer {token}"})
        except httpx.HTTPError as exc:
            raise SourceError(
                f"Could not reach Reddit's API ({exc.__class__.__name__}).", problem=Problem.UNREACHABLE
            ) from exc
        _note_allowance(response, now, credential)
        if response.status_code == 401 and attempt == 1:
            credential.token, credential.token_expires_at = "", None  # expired or revoked: sign in again
            credential.changed()
            continue
        if response.status_code != 200:
            raise api_error(response, now, credential, what=what)
        body = _json(response)
        if body is None:
            raise SourceError("Reddit's API did not answer with JSON.", problem=Problem.BAD_ANSWER)
        return body
    raise AssertionError("unreachable")  # pragma: no cover


class RedditPlugin:
    kind: str = NETWORK

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return validate(RedditConfig, config).model_dump()

    def credential_network(self, config: dict[str, Any]) -> str | None:
        return NETWORK

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult:
        try:
            cfg = validate(RedditConfig, config)
        except ValueError as exc:
            raise SourceError(
                f"The Reddit source's settings are not valid: {exc}", problem=Problem.INVALID_SETTINGS
            ) from None
        if credential is None:
            raise SourceError(
                "Reddit answers only signed-in apps: this workspace has no Reddit app's client id and secret yet.",
                problem=Problem.NEEDS_CREDENTIALS,
            )
        if cfg.query:
            path = f"/r/{cfg.subreddit}/search" if cfg.subreddit else "/search"
            params: dict[str, Any] = {"q": cfg.query, "sort": "new", "restrict_sr": "1" if cfg.subreddit else None}
            what = f"search in r/{cfg.subreddit}" if cfg.subreddit else "search"
        else:
            path, params, what = f"/r/{cfg.subreddit}/new", {}, f"r/{cfg.subreddit}"
        t0 = float(cursor.get("t", 0))
        posts: list[tuple[float, FetchedPost]] = []
        after: str | None = None
        with _client(credential) as client:
            for _page in range(MAX_PAGES):
                data = get_listing(
                    credential, client, path, {**params, "limit": PAGE, "raw_json": 1, "after": after}, what=what
                )
                page, after = parse_listing(data)
                posts.extend(page)
                if not after or not page or min(t for t, _ in page) <= t0 or not t0:
                    break
        taken, new_cursor, more = after_time_cursor(posts, cursor, limit=limit)
        return FetchResult(taken, new_cursor, more=more)
