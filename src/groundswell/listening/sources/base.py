"""The small base every listening source plug-in implements.

A poll is ``fetch(config, cursor) -> FetchResult``: the posts newer than the cursor (oldest first, at most
``limit``) and the cursor to store once they are safely written. The pipeline stores posts and the new
cursor in one transaction, so a crash re-reads from the old cursor (posts are de-duplicated by
``(source, external_id)``) and nothing is skipped. Live streams (the Bluesky firehose) use the same
cursor: the stream's sequence number.

Errors: ``SourceError(message, problem=Problem.…)``. The problem says what went wrong in terms the admin can act
on (credentials needed or refused, forbidden, not found, rate limited until a time, unreachable, the network's
own failure); a transient one is retried with growing pauses, a permanent one waits until the admin changes
something, and the health view shows it with what to do (``listening/health.py``).

Sources that need an account (Reddit's OAuth application, a Bluesky sign-in for search) name the network in
``credential_network`` and get the workspace's :class:`Credential` in ``fetch``; they may renew its token and
the pipeline stores what changed (encrypted, ``listening.credentials``).
All HTTP goes through ``networks.http`` / ``lib.safe_fetch`` style clients that refuse private addresses.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


class Problem(enum.StrEnum):
    """Why a poll failed, as the admin needs to know it (stored on the source as ``error_kind``)."""

    NEEDS_CREDENTIALS = "needs_credentials"
    CREDENTIALS_REFUSED = "credentials_refused"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    UNREACHABLE = "unreachable"
    SERVER_ERROR = "server_error"
    BAD_ANSWER = "bad_answer"
    INVALID_SETTINGS = "invalid_settings"
    OTHER = "other"


#: Problems that asking again cannot fix: the admin must change a setting or a credential first.
PERMANENT_PROBLEMS = frozenset(
    {
        Problem.NEEDS_CREDENTIALS,
        Problem.CREDENTIALS_REFUSED,
        Problem.FORBIDDEN,
        Problem.NOT_FOUND,
        Problem.INVALID_SETTINGS,
    }
)


def problem_for_status(status: int | None) -> Problem:
    """The problem an HTTP error status stands for (None: no answer at all)."""
    if status is None:
        return Problem.UNREACHABLE
    if status in (401, 403):
        return Problem.FORBIDDEN
    if status in (404, 410):
        return Problem.NOT_FOUND
    if status == 429:
        return Problem.RATE_LIMITED
    if status >= 500:
        return Problem.SERVER_ERROR
    return Problem.OTHER


class SourceError(Exception):
    """A poll that did not work. ``permanent`` defaults to what the problem implies; ``retry_at`` is when the
    network said to ask again (a rate limit's reset)."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool | None = None,
        problem: Problem = Problem.OTHER,
        retry_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.permanent = problem in PERMANENT_PROBLEMS if permanent is None else permanent
        self.retry_at = retry_at


@dataclass
class Credential:
    """What a source that signs in gets from the workspace: the secrets and the cached token.

    Reddit: ``identifier`` is the app's client id, ``secret`` its secret (empty for an installed app),
    ``app_type`` "confidential" (web or script app) or "installed", ``device_id`` the installed app's device.
    Bluesky: ``identifier`` is the handle (or DID), ``secret`` an app password, ``service_url`` the PDS.
    A plug-in that renews the token sets it here and calls :meth:`changed`; the pipeline then stores it.
    """

    network: str
    identifier: str
    secret: str = field(repr=False)
    service_url: str = ""
    app_type: str = ""
    device_id: str = ""
    contact: str = ""
    token: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    token_expires_at: dt.datetime | None = None
    #: Who the token speaks for (a Bluesky DID), for the credentials page.
    token_subject: str = ""
    #: Until when the network said to stop asking (shared by every source using the credential).
    rate_limited_until: dt.datetime | None = None
    #: The network's last word on the allowance: requests left in the window, and when it resets.
    rate_remaining: int | None = None
    rate_reset_at: dt.datetime | None = None
    dirty: bool = False

    def changed(self) -> None:
        self.dirty = True


@dataclass(frozen=True)
class FetchedPost:
    external_id: str
    text: str
    published_at: dt.datetime
    url: str = ""
    author: str = ""
    author_url: str = ""
    site: str = ""
    lang: str = ""
    in_reply_to: str = ""
    thread_root: str = ""
    metrics: dict[str, int] = field(default_factory=dict)


@dataclass
class FetchResult:
    posts: list[FetchedPost]
    cursor: dict[str, Any]
    #: More posts are waiting beyond ``limit``: poll again soon instead of at the next scheduled time.
    more: bool = False


class SourcePlugin(Protocol):
    kind: str

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        """The cleaned configuration, or ``ValueError`` with a message for the admin."""
        ...

    def credential_network(self, config: dict[str, Any]) -> str | None:
        """The network whose credential this source signs in with ("reddit", "bluesky"), or None."""
        ...

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult: ...


_PLUGINS: dict[str, SourcePlugin] = {}


def register(plugin: SourcePlugin) -> None:
    _PLUGINS[plugin.kind] = plugin


def plugin_for(kind: str) -> SourcePlugin:
    try:
        return _PLUGINS[kind]
    except KeyError:
        raise SourceError(f"No source plug-in for {kind!r}", problem=Problem.INVALID_SETTINGS) from None


def plugins() -> dict[str, SourcePlugin]:
    return dict(_PLUGINS)
