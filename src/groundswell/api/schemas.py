"""Request and response schemas of the REST API (Pydantic v2 through django-ninja)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Slug = Annotated[str, Field(min_length=1, max_length=80)]


class FieldError(Schema):
    loc: list[str | int] = Field(description="Where the problem is: source (body, query, path) then field names.")
    msg: str = Field(description="What is wrong, in plain words.")
    type: str = Field(description="A machine-readable error code (Pydantic's).")


class ErrorOut(Schema):
    """Every error the API returns has this shape."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"detail": "Not found."},
                {
                    "detail": "Invalid request: body.caption: String should have at most 3000 characters",
                    "errors": [
                        {
                            "loc": ["body", "payload", "caption"],
                            "msg": "String should have at most 3000 characters",
                            "type": "string_too_long",
                        }
                    ],
                },
            ]
        }
    )

    detail: str = Field(description="A human-readable explanation.", examples=["Not found."])
    errors: list[FieldError] | None = Field(default=None, description="Field errors, for validation failures.")


class Page(Schema):
    total: int = Field(description="How many results match, over all pages.", examples=[42])
    limit: int = Field(description="The page size used.", examples=[20])
    offset: int = Field(description="How many results were skipped.", examples=[0])


# --- Items ----------------------------------------------------------------------------------------


class CaptionOut(Schema):
    network: str = Field(description="The network this caption suits, or empty for any.", examples=["linkedin"])
    text: str = Field(examples=["Proud of the team behind this launch!"])


class ItemOut(Schema):
    id: int = Field(examples=[12])
    kind: Literal["url", "text", "image", "video"] = Field(
        description="`video` items play a video on their public page (shared links open it).", examples=["url"]
    )
    state: Literal["draft", "pending", "published", "rejected", "archived"] = Field(examples=["published"])
    title: str = Field(examples=["We launched"])
    url: str = Field(description="The shared link (link items).", examples=["https://example.com/launch"])
    description: str = Field(examples=["Our new thing"])
    body: str = Field(description="The text of a text post.", examples=[""])
    image_url: str = Field(description="Preview or uploaded image, absolute URL, or empty.", examples=[""])
    topics: list[str] = Field(description="Topic names.", examples=[["Product"]])
    captions: list[CaptionOut] = Field(description="Suggested captions, best first.")
    starts_at: dt.datetime | None = Field(description="Not shareable before this moment.")
    expires_at: dt.datetime | None = Field(description="Not shareable from this moment on.")
    published_at: dt.datetime | None
    created_at: dt.datetime
    is_live: bool = Field(description="Published and inside its start/expiry window: open for sharing.")


class ItemPage(Page):
    results: list[ItemOut]


class CaptionIn(Schema):
    network: str = Field(default="", max_length=20, description="Network key, or empty for any.", examples=[""])
    text: str = Field(min_length=1, max_length=3000, examples=["Proud of the team behind this launch!"])


class ItemIn(Schema):
    """A new link or text item. Admins only."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "url",
                    "url": "https://example.com/launch",
                    "title": "We launched",
                    "captions": [{"network": "", "text": "Proud of the team behind this launch!"}],
                },
                {"kind": "text", "body": "We are hiring engineers in Berlin!", "state": "draft"},
            ]
        }
    )

    kind: Literal["url", "text"] = Field(description="`url` shares a link; `text` is a text post.")
    url: str = Field(default="", max_length=2000, description="Required for `url` items: an http(s) URL.")
    title: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=5000)
    body: str = Field(default="", max_length=3000, description="Required for `text` items.")
    captions: list[CaptionIn] = Field(default_factory=list, max_length=10)
    topics: list[Slug] = Field(default_factory=list, max_length=50, description="Topic slugs.", examples=[["product"]])
    target_department_ids: list[Id] = Field(
        default_factory=list, max_length=200, description="Only members of these departments see it (empty: all)."
    )
    target_location_ids: list[Id] = Field(
        default_factory=list, max_length=200, description="Only members at these locations see it (empty: all)."
    )
    target_topics: list[Slug] = Field(
        default_factory=list,
        max_length=50,
        description="Only members interested in one of these topics (slugs) see it (empty: all).",
    )
    state: Literal["draft", "published"] = Field(
        default="published", description="`published` makes it shareable at once (within its window)."
    )
    starts_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _check(self) -> ItemIn:
        self.url = self.url.strip()
        if self.kind == "url":
            if not self.url:
                raise ValueError("A link item needs a url.")
            if not self.url.lower().startswith(("http://", "https://")):
                raise ValueError("The url must start with http:// or https://.")
            try:
                URLValidator(schemes=["http", "https"])(self.url)
            except DjangoValidationError:
                raise ValueError("The url is not a valid web address.") from None
        if self.kind == "text" and not self.body.strip():
            raise ValueError("A text item needs a body.")
        for moment in (self.starts_at, self.expires_at):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("Give times with a time zone, for example 2026-01-31T09:00:00Z.")
        if self.starts_at and self.expires_at and self.expires_at <= self.starts_at:
            raise ValueError("expires_at must be after starts_at.")
        return self


# --- Shares ---------------------------------------------------------------------------------------


class ShareIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"item_id": 12, "network": "linkedin", "caption": "Proud of the team behind this launch!"}]
        }
    )

    item_id: int = Field(ge=1, le=MAX_ID, description="The item to share.")
    network: str = Field(
        max_length=20,
        description="Network key: linkedin, x, facebook, bluesky, mastodon, email or copy.",
        examples=["linkedin"],
    )
    caption: str = Field(default="", max_length=3000, description="Your caption, without the link.")


class ShareOut(Schema):
    id: int = Field(examples=[31])
    item_id: int = Field(examples=[12])
    item_title: str = Field(examples=["We launched"])
    member_id: int = Field(examples=[5])
    member_name: str = Field(examples=["Bob"])
    network: str = Field(examples=["linkedin"])
    caption: str = Field(examples=["Proud of the team behind this launch!"])
    code: str = Field(description="The tracked link's code.", examples=["Ab3dE5g"])
    short_url: str = Field(description="The tracked short link to post.", examples=["https://gs.example.com/Ab3dE5g"])
    intent_url: str = Field(
        description="Opens the network's compose window with caption and link filled in.",
        examples=["https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fgs.example.com%2FAb3dE5g"],
    )
    method: str = Field(examples=["intent"])
    reach_estimate: int = Field(examples=[300])
    human_clicks: int = Field(examples=[14])
    unique_clicks: int = Field(examples=[11])
    created_at: dt.datetime


class SharePage(Page):
    results: list[ShareOut]


# --- Stats ----------------------------------------------------------------------------------------


class CountersOut(Schema):
    shares: int = Field(examples=[12])
    clicks: int = Field(description="Human clicks.", examples=[140])
    unique_clicks: int = Field(examples=[97])
    reach: int = Field(description="Estimated reach (sum of audience sizes).", examples=[5400])


class ClicksBucket(CountersOut):
    start: dt.date = Field(description="First day of the bucket.", examples=["2026-11-02"])


class ClicksOut(Schema):
    scope: Literal["workspace", "member"] = Field(
        description="`workspace` for managers and admins; `member` (your own numbers) for employees."
    )
    group: Literal["day", "week", "month"]
    start: dt.date = Field(description="First day covered (the start of the first bucket).")
    end: dt.date = Field(description="Last day covered.")
    totals: CountersOut
    series: list[ClicksBucket] = Field(description="One bucket per day/week/month, zeros included.")


class ItemStatOut(CountersOut):
    item_id: int = Field(examples=[12])
    title: str = Field(examples=["We launched"])


class ItemStatsOut(Page):
    start: dt.date
    end: dt.date
    results: list[ItemStatOut]


# --- Leaderboard and goals ------------------------------------------------------------------------


class LeaderboardRowOut(Schema):
    rank: int = Field(description="Competition ranking on points (1, 2, 2, 4).", examples=[1])
    member_id: int | None = Field(description="Empty for people who appear anonymously.", examples=[5])
    display_name: str = Field(examples=["Bob"])
    is_anonymous: bool = Field(description="Listed as “Anonymous ambassador” by their own choice.")
    points: int = Field(examples=[120])
    shares: int = Field(examples=[8])
    clicks: int = Field(description="Human clicks.", examples=[40])
    is_me: bool = Field(description="This row is you.")


class StandingOut(Schema):
    rank: int | None = Field(
        description="Your place on this board (also when only you see it, see `listed`); empty when you are "
        "not in the board's group."
    )
    points: int = Field(examples=[120])
    shares: int = Field(examples=[8])
    clicks: int = Field(examples=[40])
    unique_clicks: int = Field(examples=[31])
    reach: int = Field(examples=[2400])
    listed: bool = Field(default=True, description="Whether others see you on this board (false when you are private).")


class LeaderboardOut(Page):
    period: Literal["week", "month", "quarter", "year", "all"]
    start: dt.date = Field(description="First day of the period (all time starts 2000-01-01).")
    department_id: int | None
    location_id: int | None = None
    team_id: int | None = None
    near_me: bool = Field(default=False, description="`results` are the five people above and below you.")
    results: list[LeaderboardRowOut]
    me: StandingOut | None = Field(description="Your own standing, also when you are not on this page.")


class GoalOut(Schema):
    id: int = Field(examples=[3])
    name: str = Field(examples=["1,000 clicks this quarter"])
    metric: Literal["clicks", "shares", "active", "reach"] = Field(
        description="clicks (human clicks), shares, active (active ambassadors) or reach.", examples=["clicks"]
    )
    target: int = Field(examples=[1000])
    value: int = Field(description="Progress so far.", examples=[420])
    percent: int = Field(description="Progress towards the target, 0-100.", examples=[42])
    period: Literal["week", "month", "quarter", "year"] = Field(examples=["quarter"])
    period_start: dt.date
    period_end: dt.date = Field(description="Last day of the period.")
    period_label: str = Field(examples=["Q4 2026"])
    elapsed_percent: int = Field(description="How much of the period has passed, 0-100.", examples=[50])
    on_track: bool = Field(description="Progress is at least as far along as the calendar (or the target is met).")
    status: Literal["Reached", "Missed", "Not started", "On track", "Behind"]
    is_current: bool = Field(description="The period includes today.")


class GoalPage(Page):
    results: list[GoalOut]


class LeagueRowOut(Schema):
    rank: int = Field(description="Position in the group by this week's points (1, 2, 2, 4).", examples=[3])
    member_id: int | None = Field(description="Empty for people who appear anonymously.", examples=[5])
    display_name: str = Field(examples=["Bob"])
    points: int = Field(description="Points this week.", examples=[40])
    zone: Literal["up", "down", ""] = Field(description="Moves up or down at the end of the week if it stays so.")
    is_me: bool


class LeagueOut(Schema):
    week: dt.date = Field(description="Monday of the week.")
    tier: int = Field(description="0 is the first tier.", examples=[1])
    tier_name: str = Field(examples=["Current"])
    movement: Literal["new", "up", "down", "stayed"] = Field(description="How you got into this tier this week.")
    my_rank: int | None
    promoted: int = Field(description="How many of the group move up at the end of the week.")
    relegated: int = Field(description="How many of the group move down.")
    results: list[LeagueRowOut]
