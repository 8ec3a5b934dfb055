"""Who may see which story (the audience rule), and the feed: stories and program updates in one stream.

The audience rule, in one place (:func:`visible_stories`): a member sees a story written for everyone, for
their department, or for a team they serve on today; the author and the workspace's admins always see it.
A story hidden by a moderator is seen only by its author (with the reason) and by admins. Every view, the
image and poster files, the home panel and the videos app's watch rule go through it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models import Value as V
from django.db.models.functions import Coalesce

from groundswell.stories.models import (
    Audience,
    Reaction,
    Story,
    StoryComment,
    StoryImage,
    StoryReaction,
    StoryReport,
    Visibility,
)
from groundswell.teams.models import Seat, Team
from groundswell.updates.models import Update
from groundswell.updates.queries import live_updates
from groundswell.videos.models import Video
from groundswell.workspaces.models import Membership, Workspace


def current_team_ids(member: Membership) -> list[int]:
    """The teams ``member`` serves on today (an open seat)."""
    return list(Seat.objects.filter(member=member, served_until__isnull=True).values_list("team_id", flat=True))


def teams_for_author(member: Membership) -> QuerySet[Team]:
    """The teams a story may be written for: the ones the author serves on (admins: any team)."""
    teams = Team.objects.filter(workspace_id=member.workspace_id).order_by("name")
    return teams if member.is_admin else teams.filter(pk__in=current_team_ids(member))


def audience_filter(member: Membership) -> Q:
    """The stories ``member`` may read, as a filter on Story (without the workspace, which callers add)."""
    if member.is_admin:
        return Q()
    rule = Q(audience=Audience.EVERYONE) | Q(author_id=member.pk)
    if member.department_id is not None:
        rule |= Q(audience=Audience.DEPARTMENT, department_id=member.department_id)
    teams = current_team_ids(member)
    if teams:
        rule |= Q(audience=Audience.TEAM, team_id__in=teams)
    return rule & (Q(visibility=Visibility.PUBLISHED) | Q(author_id=member.pk))


def visible_stories(member: Membership) -> QuerySet[Story]:
    """The workspace's stories ``member`` may see (not deleted)."""
    return Story.objects.filter(audience_filter(member), workspace_id=member.workspace_id, deleted_at__isnull=True)


def may_see(member: Membership, story: Story) -> bool:
    return visible_stories(member).filter(pk=story.pk).exists()


def can_watch_story_video(member: Membership, video: Video) -> bool | None:
    """The videos app's watch rule for stories (registered in ``StoriesConfig.ready``): a video shown in a
    story may be watched by those who may read one of its stories; a video in no story is not this rule's
    business (None: the other rules decide)."""
    if not Story.objects.filter(video_id=video.pk, deleted_at__isnull=True).exists():
        return None
    return video.workspace_id == member.workspace_id and visible_stories(member).filter(video_id=video.pk).exists()


def visible_comments(member: Membership, story: Story) -> QuerySet[StoryComment]:
    """The story's comments ``member`` may read: hidden ones only for their author and admins."""
    comments = StoryComment.objects.filter(story=story, deleted_at__isnull=True).select_related("author")
    if not member.is_admin:
        comments = comments.filter(Q(visibility=Visibility.PUBLISHED) | Q(author_id=member.pk))
    return comments


# --- The feed ------------------------------------------------------------------------------------------


class Show:
    ALL = ""
    STORIES = "stories"
    UPDATES = "updates"


@dataclass(frozen=True)
class FeedFilters:
    department_id: int | None = None  # the author's department
    topic_id: int | None = None
    kind: str = ""
    show: str = Show.ALL

    @property
    def active(self) -> bool:
        return bool(self.department_id or self.topic_id or self.kind or self.show)

    @property
    def include_updates(self) -> bool:
        """Updates have no department, topic or kind: any of those filters shows stories only."""
        return self.show != Show.STORIES and not (self.department_id or self.topic_id or self.kind)

    @property
    def include_stories(self) -> bool:
        return self.show != Show.UPDATES


@dataclass
class StoryCard:
    story: Story
    reactions: dict[str, int] = field(default_factory=dict)  # reaction → count (only the ones used)
    mine: str = ""  # the viewer's reaction, if any
    first_image: StoryImage | None = None

    @property
    def reaction_total(self) -> int:
        return sum(self.reactions.values())

    @property
    def reaction_list(self) -> list[tuple[str, str, int]]:
        return [(r.value, r.label, self.reactions[r.value]) for r in Reaction if r.value in self.reactions]


@dataclass(frozen=True)
class FeedEntry:
    when: dt.datetime
    card: StoryCard | None = None
    update: Update | None = None


def filtered_stories(member: Membership, filters: FeedFilters) -> QuerySet[Story]:
    stories = visible_stories(member)
    if filters.department_id:
        stories = stories.filter(author__department_id=filters.department_id)
    if filters.topic_id:
        stories = stories.filter(topics__id=filters.topic_id)
    if filters.kind:
        stories = stories.filter(kind=filters.kind)
    return stories


def feed_stream(member: Membership, filters: FeedFilters) -> QuerySet[Any]:
    """(source, pk, when) rows of the stories and updates the member may see, newest first: one query that the
    paginator counts and slices; :func:`feed_entries` then loads one page of objects."""
    parts: list[QuerySet[Any]] = []
    if filters.include_stories:
        parts.append(
            filtered_stories(member, filters)
            .order_by()
            .annotate(src=V("story", output_field=CharField()), oid=F("pk"), when=F("created_at"))
            .values_list("src", "oid", "when")
        )
    if filters.include_updates:
        parts.append(
            live_updates(member.workspace_id)
            .select_related(None)
            .order_by()
            .annotate(src=V("update", output_field=CharField()), oid=F("pk"), when=F("posted_at"))
            .values_list("src", "oid", "when")
        )
    first, *rest = parts
    stream = first.union(*rest, all=True) if rest else first
    return stream.order_by("-when", "-oid")


def cards_for(member: Membership, stories: list[Story]) -> list[StoryCard]:
    """Cards for ``stories`` (already loaded with :func:`with_card_data`): reaction counts and the viewer's
    reaction from one grouped query, whatever the number of stories."""
    ids = [s.pk for s in stories]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in StoryReaction.objects.filter(story_id__in=ids).values("story_id", "reaction").annotate(n=Count("pk")):
        counts[row["story_id"]][row["reaction"]] = row["n"]
    mine = dict(StoryReaction.objects.filter(story_id__in=ids, member=member).values_list("story_id", "reaction"))
    return [
        StoryCard(
            story=s,
            reactions=counts.get(s.pk, {}),
            mine=mine.get(s.pk, ""),
            first_image=next(iter(s.images.all()), None),
        )
        for s in stories
    ]


def with_card_data(stories: QuerySet[Story]) -> QuerySet[Story]:
    """What a card shows, loaded in a constant number of queries."""
    published_comments = StoryComment.objects.filter(
        story=OuterRef("pk"), deleted_at__isnull=True, visibility=Visibility.PUBLISHED
    )
    return (
        stories.select_related("author", "author__department", "department", "team", "video")
        .prefetch_related("topics", Prefetch("images", queryset=StoryImage.objects.order_by("position", "pk")))
        .annotate(
            comment_count=Coalesce(
                Subquery(
                    published_comments.order_by().values("story").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )
        )
    )


def feed_entries(member: Membership, rows: list[tuple[str, int, dt.datetime]]) -> list[FeedEntry]:
    """The objects of one page of :func:`feed_stream`, in its order."""
    story_ids = [pk for src, pk, _ in rows if src == "story"]
    update_ids = [pk for src, pk, _ in rows if src == "update"]
    stories: dict[int, StoryCard] = {}
    if story_ids:
        loaded = list(with_card_data(Story.objects.filter(pk__in=story_ids)))
        stories = {c.story.pk: c for c in cards_for(member, loaded)}
    updates = {u.pk: u for u in live_updates(member.workspace_id).filter(pk__in=update_ids)} if update_ids else {}
    entries: list[FeedEntry] = []
    for src, pk, when in rows:
        if src == "story" and pk in stories:
            entries.append(FeedEntry(when=when, card=stories[pk]))
        elif src == "update" and pk in updates:
            entries.append(FeedEntry(when=when, update=updates[pk]))
    return entries


def latest_for_home(member: Membership, limit: int = 3) -> list[StoryCard]:
    """The newest stories ``member`` may see, written by someone else (the home panel)."""
    stories = with_card_data(
        visible_stories(member).filter(visibility=Visibility.PUBLISHED).exclude(author_id=member.pk)
    ).order_by("-created_at", "-pk")[:limit]
    return cards_for(member, list(stories))


def recent_comments_on_my_stories(member: Membership, since: dt.datetime, limit: int = 3) -> list[StoryComment]:
    """Colleagues' comments on ``member``'s stories since ``since``, newest first (the author's home panel)."""
    return list(
        StoryComment.objects.filter(
            story__author=member,
            story__deleted_at__isnull=True,
            deleted_at__isnull=True,
            visibility=Visibility.PUBLISHED,
            created_at__gte=since,
        )
        .exclude(author=member)
        .select_related("author", "story")
        .order_by("-created_at", "-pk")[:limit]
    )


def open_reports(workspace: Workspace) -> QuerySet[StoryReport]:
    return StoryReport.objects.filter(
        workspace=workspace, resolved_at__isnull=True, story__deleted_at__isnull=True
    ).select_related("story", "story__author", "comment", "comment__author", "reporter")


def open_report_count(workspace: Workspace) -> int:
    return open_reports(workspace).count()


def reactors(story: Story) -> dict[str, list[str]]:
    """Who reacted how (names, for the list under the counts)."""
    names: dict[str, list[str]] = defaultdict(list)
    for reaction, name in (
        StoryReaction.objects.filter(story=story)
        .order_by("created_at", "pk")
        .values_list("reaction", "member__display_name")
    ):
        names[reaction].append(name)
    return dict(names)
