"""The small base every listening source plug-in implements.

A poll is ``fetch(config, cursor) -> FetchResult``: the posts newer than the cursor (oldest first, at most
``limit``) and the cursor to store once they are safely written. The pipeline stores posts and the new
cursor in one transaction, so a crash re-reads from the old cursor (posts are de-duplicated by
``(source, external_id)``) and nothing is skipped. Live streams (the Bluesky firehose) use the same
cursor: the stream's sequence number.

Errors: ``SourceError(message, permanent=False)``; a transient one is retried at the next poll, a permanent
one (bad feed URL, 404) is shown on the source's health view until the admin fixes the configuration.
All HTTP goes through ``networks.http`` / ``lib.safe_fetch`` style clients that refuse private addresses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol


class SourceError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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

    def fetch(self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int) -> FetchResult: ...


_PLUGINS: dict[str, SourcePlugin] = {}


def register(plugin: SourcePlugin) -> None:
    _PLUGINS[plugin.kind] = plugin


def plugin_for(kind: str) -> SourcePlugin:
    try:
        return _PLUGINS[kind]
    except KeyError:
        raise SourceError(f"No source plug-in for {kind!r}", permanent=True) from None


def plugins() -> dict[str, SourcePlugin]:
    return dict(_PLUGINS)
