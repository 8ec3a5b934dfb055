"""The feed: the audience rule, stories and program updates in one stream, filters kept in the URL, and a
query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.content.models import Topic
from groundswell.stories.models import Audience, Story, StoryComment, StoryImage, StoryKind, StoryReaction, Visibility
from groundswell.stories.queries import visible_stories
from groundswell.stories.tests.conftest import png
from groundswell.teams.models import Seat, Team
from groundswell.updates.models import Update
from groundswell.workspaces.models import Department, Membership, Role

pytestmark = pytest.mark.django_db


def test_audience_rule(
    alice: Membership,
    bob: Membership,
    carol: Membership,
    dave: Membership,
    sales: Department,
    make_story: Callable[..., Story],
) -> None:
    team = Team.objects.create(
        workspace=bob.workspace, name="Ambassadors", term_start="2026-01-01", term_end="2027-01-01"
    )
    Seat.objects.create(team=team, member=bob, served_from="2026-01-01")
    Seat.objects.create(team=team, member=carol, served_from="2025-01-01", served_until="2026-01-01")  # served before
    everyone = make_story(dave, "Everyone")
    for_sales = make_story(dave, "For sales", audience=Audience.DEPARTMENT, department=sales)
    for_team = make_story(alice, "For the team", audience=Audience.TEAM, team=team)
    hidden = make_story(dave, "Hidden", visibility=Visibility.HIDDEN, hidden_reason="Off topic")

    def titles(member: Membership) -> set[str]:
        return set(visible_stories(member).values_list("title", flat=True))

    assert titles(bob) == {"Everyone", "For sales", "For the team"}
    assert titles(carol) == {"Everyone", "For sales"}  # no longer on the team
    assert titles(dave) == {"Everyone", "For sales", "Hidden"}  # the author always, hidden included
    assert titles(alice) == {"Everyone", "For sales", "For the team", "Hidden"}  # admins see everything
    # a department story is a 404 for another department, on its page and its images
    image = StoryImage.objects.create(story=for_sales, image=png(), alt_text="x")
    other = make_member(bob.workspace, "erin@acme.test", Role.EMPLOYEE)
    erin = client_for(other)
    assert erin.get(f"/w/acme/stories/{for_sales.pk}/").status_code == 404
    assert erin.get(f"/w/acme/stories/{for_sales.pk}/images/{image.pk}/").status_code == 404
    assert erin.post(f"/w/acme/stories/{for_sales.pk}/react/", {"reaction": "like"}).status_code == 404
    assert erin.post(f"/w/acme/stories/{for_sales.pk}/comments/", {"body": "hi"}).status_code == 404
    assert erin.get(f"/w/acme/stories/{hidden.pk}/").status_code == 404
    assert erin.get(f"/w/acme/stories/{everyone.pk}/").status_code == 200
    assert client_for(bob).get(f"/w/acme/stories/{for_team.pk}/").status_code == 200
    assert client_for(carol).get(f"/w/acme/stories/{for_team.pk}/").status_code == 404


def test_outsider_gets_404_everywhere(
    bob: Membership, charlie_client: Client, make_story: Callable[..., Story]
) -> None:
    story = make_story(bob)
    image = StoryImage.objects.create(story=story, image=png(), alt_text="x")
    comment = StoryComment.objects.create(workspace=bob.workspace, story=story, author=bob, body="hi")
    for url in (
        "/w/acme/stories/",
        "/w/acme/stories/new/",
        "/w/acme/stories/moderation/",
        f"/w/acme/stories/{story.pk}/",
        f"/w/acme/stories/{story.pk}/images/{image.pk}/",
        f"/w/acme/stories/{story.pk}/report/",
        f"/w/acme/stories/comments/{comment.pk}/edit/",
    ):
        assert charlie_client.get(url).status_code == 404, url
    for url in (f"/w/acme/stories/{story.pk}/react/", f"/w/acme/stories/{story.pk}/delete/"):
        assert charlie_client.post(url, {"reaction": "like"}).status_code == 404, url
    # the id swap: Acme's story under Globex's workspace
    assert charlie_client.get(f"/w/globex/stories/{story.pk}/").status_code == 404


def test_feed_mixes_stories_and_updates_newest_first(
    alice: Membership, bob: Membership, bob_client: Client, make_story: Callable[..., Story]
) -> None:
    now = timezone.now()
    make_story(bob, "Old story", created_at=now - dt.timedelta(days=3))
    Update.objects.create(
        workspace=bob.workspace,
        title="Program news",
        body_markdown="We grew",
        author=alice,
        posted_at=now - dt.timedelta(days=2),
    )
    make_story(alice, "New story", created_at=now - dt.timedelta(days=1))
    text = bob_client.get("/w/acme/stories/").content.decode()
    assert text.index("New story") < text.index("Program news") < text.index("Old story")
    stories_only = bob_client.get("/w/acme/stories/?show=stories").content.decode()
    assert "Program news" not in stories_only and "Old story" in stories_only
    updates_only = bob_client.get("/w/acme/stories/?show=updates").content.decode()
    assert "Program news" in updates_only and "Old story" not in updates_only


def test_filters_department_topic_kind_and_bad_values(
    bob: Membership, dave: Membership, bob_client: Client, sales: Department, make_story: Callable[..., Story]
) -> None:
    topic = Topic.objects.create(workspace=bob.workspace, name="Trails", slug="trails")
    from_sales = make_story(bob, "From sales", kind=StoryKind.WIN)
    from_sales.topics.add(topic)
    make_story(dave, "From marketing", kind=StoryKind.PEOPLE)
    Update.objects.create(workspace=bob.workspace, title="Program news", body_markdown="x")
    by_dept = bob_client.get(f"/w/acme/stories/?department={sales.pk}").content.decode()
    assert "From sales" in by_dept and "From marketing" not in by_dept and "Program news" not in by_dept
    by_topic = bob_client.get(f"/w/acme/stories/?topic={topic.pk}").content.decode()
    assert "From sales" in by_topic and "From marketing" not in by_topic
    by_kind = bob_client.get("/w/acme/stories/?kind=people").content.decode()
    assert "From marketing" in by_kind and "From sales" not in by_kind
    for bad in ("?department=abc", "?topic=999999", "?kind=nope", "?page=x", "?page=999", "?show=%00"):
        assert bob_client.get(f"/w/acme/stories/{bad}").status_code in (200, 400), bad


def test_filters_are_kept_in_the_pager_links(
    bob: Membership, bob_client: Client, make_story: Callable[..., Story]
) -> None:
    for n in range(14):
        make_story(bob, f"Story {n}", kind=StoryKind.WIN)
    text = bob_client.get("/w/acme/stories/?kind=win").content.decode()
    assert "kind=win&amp;page=2" in text


def test_hidden_story_shows_its_reason_to_the_author_only(
    bob: Membership, dave: Membership, alice: Membership, make_story: Callable[..., Story]
) -> None:
    make_story(bob, "Hidden one", visibility=Visibility.HIDDEN, hidden_reason="Names a customer")
    author = client_for(bob).get("/w/acme/stories/").content.decode()
    assert "Hidden one" in author and "Hidden by a moderator: Names a customer" in author
    assert "Hidden one" not in client_for(dave).get("/w/acme/stories/").content.decode()
    assert "Hidden one" in client_for(alice).get("/w/acme/stories/").content.decode()


def _fill(author: Membership, readers: list[Membership], n: int, start: int) -> None:
    topic, _ = Topic.objects.get_or_create(workspace=author.workspace, slug="t", defaults={"name": "T"})
    for i in range(start, start + n):
        story = Story.objects.create(workspace=author.workspace, author=author, title=f"S{i}", kind=StoryKind.WIN)
        story.topics.add(topic)
        StoryImage.objects.create(story=story, image=png(), alt_text="x")
        for reader in readers:
            StoryReaction.objects.create(workspace=author.workspace, story=story, member=reader, reaction="like")
            StoryComment.objects.create(workspace=author.workspace, story=story, author=reader, body="Nice")
        Update.objects.create(workspace=author.workspace, title=f"U{i}", body_markdown="x")


def test_feed_query_count_does_not_grow_with_the_data(
    alice: Membership, bob: Membership, carol: Membership, dave: Membership, bob_client: Client
) -> None:
    _fill(dave, [alice, carol], 2, 0)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert bob_client.get("/w/acme/stories/").status_code == 200
        return len(ctx.captured_queries)

    bob_client.get("/w/acme/stories/")  # warm the session and caches
    small = count()
    _fill(dave, [alice, carol, bob], 10, 100)
    assert count() == small
    with CaptureQueriesContext(connection) as ctx:
        assert bob_client.get("/w/acme/stories/").status_code == 200
    assert len(ctx.captured_queries) <= 25, [q["sql"] for q in ctx.captured_queries]


def test_story_page_query_count_does_not_grow(
    alice: Membership, bob: Membership, carol: Membership, dave: Membership
) -> None:
    _fill(dave, [alice, carol], 1, 0)
    story = Story.objects.get()
    client = client_for(bob)
    client.get(f"/w/acme/stories/{story.pk}/")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/w/acme/stories/{story.pk}/")
    small = len(ctx.captured_queries)
    for n in range(6):
        member = make_member(bob.workspace, f"m{n}@acme.test")
        StoryReaction.objects.create(workspace=bob.workspace, story=story, member=member, reaction="love")
        StoryComment.objects.create(workspace=bob.workspace, story=story, author=member, body=f"Comment {n}")
        StoryImage.objects.create(story=story, image=png(), alt_text=f"img {n}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/w/acme/stories/{story.pk}/")
    assert len(ctx.captured_queries) == small


def test_video_poster_and_watch_rule(
    bob: Membership, dave: Membership, sales: Department, make_story: Callable[..., Story]
) -> None:
    from django.core.files.base import ContentFile

    from groundswell.stories.queries import can_watch_story_video
    from groundswell.videos.models import Video, VideoState

    video = Video.objects.create(workspace=bob.workspace, uploaded_by=bob, title="Clip", state=VideoState.READY)
    video.poster.save("poster.png", ContentFile(png().read()))
    story = make_story(bob, "With a video", audience=Audience.DEPARTMENT, department=sales, video=video)
    feed = client_for(bob).get("/w/acme/stories/").content.decode()
    assert f"/w/acme/stories/{story.pk}/poster/" in feed
    served = client_for(bob).get(f"/w/acme/stories/{story.pk}/poster/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert client_for(dave).get(f"/w/acme/stories/{story.pk}/poster/").status_code == 404  # Marketing
    assert client_for(bob).get(f"/w/acme/stories/{story.pk}/").status_code == 200  # the player (or its stand-in)
    assert can_watch_story_video(bob, video) and not can_watch_story_video(dave, video)


def test_a_deleted_department_leaves_its_stories_to_the_author_and_admins(
    alice: Membership, bob: Membership, carol: Membership, sales: Department, make_story: Callable[..., Story]
) -> None:
    story = make_story(bob, "For sales", audience=Audience.DEPARTMENT, department=sales)
    sales.delete()
    story.refresh_from_db()
    assert story.department is None and story.audience == Audience.DEPARTMENT
    assert visible_stories(carol).count() == 0
    assert visible_stories(bob).get() == story and visible_stories(alice).get() == story
    bob.workspace.delete()  # the SET_NULL before the cascade must not break deleting a workspace
    assert not Story.objects.exists()
