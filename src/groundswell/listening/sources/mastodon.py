"""Mastodon: a hashtag timeline or the public timeline of one instance (no account needed).

Cursor: ``min_id``, the newest status id read. Asking with ``min_id`` returns the statuses right after it
(oldest page first), so a long gap is caught up page by page and nothing is skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, HttpUrl, field_validator, model_validator

from groundswell.listening import http
from groundswell.listening.sources._common import from_iso, host_of, validate
from groundswell.listening.sources.base import Credential, FetchedPost, FetchResult, Problem, SourceError
from groundswell.listening.text import html_to_text

PAGE = 40


class MastodonConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instance: HttpUrl
    timeline: Literal["tag", "public"] = "tag"
    tag: str = ""
    local: bool = False

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        value = value.strip().lstrip("#")
        if value and not value.replace("_", "").isalnum():
            raise ValueError("a hashtag has only letters, digits and underscores")
        return value

    @model_validator(mode="after")
    def _needs_tag(self) -> MastodonConfig:
        if self.timeline == "tag" and not self.tag:
            raise ValueError("a hashtag timeline needs a hashtag")
        return self


def _id_key(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (0, value)


def parse_statuses(data: Any) -> list[tuple[str, FetchedPost]]:
    """(status id, post) of a timeline answer."""
    if not isinstance(data, list):
        raise SourceError("The Mastodon server did not answer with a list of statuses.", problem=Problem.BAD_ANSWER)
    out = []
    for status in data:
        if not isinstance(status, dict) or "id" not in status:
            continue
        if status.get("reblog"):
            status = status["reblog"]
        text = html_to_text(str(status.get("content", "")))
        spoiler = str(status.get("spoiler_text", ""))
        if spoiler:
            text = f"{spoiler} — {text}"
        if not text:
            continue
        account = status.get("account") or {}
        url = str(status.get("url") or status.get("uri") or "")
        out.append(
            (
                str(status["id"]),
                FetchedPost(
                    external_id=str(status.get("uri") or status["id"])[:300],
                    text=text,
                    published_at=from_iso(status.get("created_at")) or dt.datetime.now(dt.UTC),
                    url=url[:2000],
                    author="@" + str(account.get("acct", ""))[:190] if account.get("acct") else "",
                    author_url=str(account.get("url", ""))[:2000],
                    site=host_of(url),
                    lang=str(status.get("language") or "")[:8],
                    in_reply_to=str(status.get("in_reply_to_id") or ""),
                    metrics={
                        "likes": int(status.get("favourites_count") or 0),
                        "reposts": int(status.get("reblogs_count") or 0),
                        "replies": int(status.get("replies_count") or 0),
                    },
                ),
            )
        )
    return out


class MastodonPlugin:
    kind: str = "mastodon"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        cfg = validate(MastodonConfig, config)
        return {"instance": str(cfg.instance).rstrip("/"), "timeline": cfg.timeline, "tag": cfg.tag, "local": cfg.local}

    def credential_network(self, config: dict[str, Any]) -> str | None:
        return None

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult:
        cfg = validate(MastodonConfig, config)
        base = str(cfg.instance).rstrip("/")
        path = f"/api/v1/timelines/tag/{quote(cfg.tag)}" if cfg.timeline == "tag" else "/api/v1/timelines/public"
        min_id = str(cursor.get("min_id", ""))
        page = min(PAGE, max(1, limit))
        params: dict[str, Any] = {"limit": page, "min_id": min_id or None, "local": "true" if cfg.local else None}
        statuses = sorted(parse_statuses(http.get_json(base + path, params)), key=lambda sp: _id_key(sp[0]))
        if min_id:
            statuses = [sp for sp in statuses if _id_key(sp[0]) > _id_key(min_id)]
        if not statuses:
            return FetchResult([], dict(cursor))
        return FetchResult([p for _, p in statuses], {"min_id": statuses[-1][0]}, more=len(statuses) >= page)
