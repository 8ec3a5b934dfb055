"""The listening pages: who may see and change what, query errors, sources, CSV uploads, mentions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.listening import http, pipeline
from groundswell.listening.matching import forget
from groundswell.listening.models import Post, Source, Topic
from groundswell.listening.sources.base import FetchedPost
from groundswell.listening.tests.fixtures import RSS, FakeFetcher
from groundswell.workspaces.models import Membership, Workspace


def url(name: str, **kwargs: object) -> str:
    return reverse(f"listening:{name}", kwargs={"ws": "acme", **kwargs})


@pytest.fixture
def topic(workspace: Workspace, alice: Membership) -> Topic:
    forget()
    return Topic.objects.create(
        workspace=workspace, name="Northwind", kind="brand", query="northwind", created_by=alice
    )


@pytest.fixture
def csv_source(workspace: Workspace) -> Source:
    return Source.objects.create(workspace=workspace, kind="csv", name="Clippings", is_active=False)


@pytest.fixture
def feed(workspace: Workspace) -> Source:
    return Source.objects.create(
        workspace=workspace, kind="rss", name="Outdoor News", config={"url": "https://news.example.com/feed.xml"}
    )


def _every_url(topic: Topic, feed: Source) -> list[tuple[str, str]]:
    return [
        ("get", url("mentions")),
        ("get", url("topics")),
        ("post", url("topic_create")),
        ("post", url("topic_edit", listening_topic_id=topic.pk)),
        ("get", url("sources")),
        ("post", url("source_create")),
        ("get", url("source", source_id=feed.pk)),
        ("post", url("source_pause", source_id=feed.pk)),
        ("post", url("source_poll", source_id=feed.pk)),
        ("post", url("source_upload", source_id=feed.pk)),
    ]


def test_outsiders_and_employees_get_404_everywhere(
    topic: Topic, feed: Source, charlie: Membership, bob: Membership
) -> None:
    for who in (charlie, bob):
        c = client_for(who)
        for method, address in _every_url(topic, feed):
            assert getattr(c, method)(address).status_code == 404, (who, address)
    assert Source.objects.get(pk=feed.pk).is_active is True


def test_managers_read_but_do_not_change(topic: Topic, feed: Source, carol: Membership) -> None:
    c = client_for(carol)
    for name in ("mentions", "topics", "sources"):
        assert c.get(url(name)).status_code == 200
    assert c.get(url("source", source_id=feed.pk)).status_code == 200
    assert c.post(url("source_pause", source_id=feed.pk)).status_code == 404
    assert c.post(url("topic_create"), {"name": "X", "kind": "brand", "query": "x"}).status_code == 404


def test_create_topic_and_query_errors_point_at_the_position(workspace: Workspace, alice: Membership) -> None:
    c = client_for(alice)
    bad = c.post(url("topic_create"), {"name": "Northwind", "kind": "brand", "query": "northwind AND (tent OR"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert "at position" in page
    form = bad.context["form"]
    assert form.query_error is not None
    assert form.caret == " " * (form.query_error.position - 1) + "^"
    assert 'class="query-error"' in page
    assert not Topic.objects.exists()
    ok = c.post(url("topic_create"), {"name": "Northwind", "kind": "brand", "query": 'northwind AND "sleeping bag"'})
    assert ok.status_code == 302
    topic = Topic.objects.get()
    assert (topic.created_by, topic.query) == (alice, 'northwind AND "sleeping bag"')
    dup = c.post(url("topic_create"), {"name": "Northwind", "kind": "brand", "query": "x"})
    assert "already a topic" in dup.content.decode()
    edit = c.post(
        url("topic_edit", listening_topic_id=topic.pk), {"name": "Northwind", "kind": "brand", "query": "northwind"}
    )
    assert edit.status_code == 302
    topic.refresh_from_db()
    assert (topic.query, topic.is_active) == ("northwind", False)


def test_test_this_query_runs_over_stored_posts_without_saving(
    workspace: Workspace, alice: Membership, topic: Topic, csv_source: Source
) -> None:
    now = timezone.now()
    pipeline.ingest(
        csv_source,
        [
            FetchedPost("a", "Northwind tent review", now),
            FetchedPost("b", "Northwind stove recall notice", now),
        ],
        {},
    )
    response = client_for(alice).post(
        url("topic_create"), {"name": "Recall", "kind": "brand", "query": "recall", "test": "1"}
    )
    assert response.context["tested"].sample == 2
    assert response.context["tested"].matched == 1
    assert "Northwind stove recall notice" in response.content.decode()
    assert not Topic.objects.filter(name="Recall").exists()


def test_create_sources_per_kind_with_errors_on_the_right_field(alice: Membership) -> None:
    c = client_for(alice)
    base = {"name": "S", "poll_every_minutes": "10"}
    bad = c.post(url("source_create"), {**base, "kind": "mastodon", "instance": "https://m.example"})
    assert bad.context["form"].errors["tag"] == ["A hashtag timeline needs a hashtag."]
    bad = c.post(url("source_create"), {**base, "kind": "reddit", "subreddit": "no spaces!"})
    assert "subreddit" in bad.context["form"].errors
    bad = c.post(url("source_create"), {**base, "kind": "nope"})
    assert "kind" in bad.context["form"].errors
    bad = c.post(url("source_create"), {**base, "kind": "rss", "poll_every_minutes": "0", "url": "https://x.example"})
    assert "poll_every_minutes" in bad.context["form"].errors
    for kind, fields in (
        ("rss", {"url": "https://news.example.com/feed.xml"}),
        ("mastodon", {"instance": "https://mastodon.example", "timeline": "tag", "tag": "northwind"}),
        ("reddit", {"subreddit": "CampingGear", "search": "northwind"}),
        ("hackernews", {"search": "northwind"}),
        ("csv", {}),
    ):
        assert c.post(url("source_create"), {**base, "kind": kind, "name": kind, **fields}).status_code == 302, kind
    assert Source.objects.get(name="reddit").config == {"subreddit": "CampingGear", "query": "northwind"}
    assert Source.objects.get(name="rss").poll_every_seconds == 600
    assert Source.objects.get(name="csv").is_active is False


def test_bluesky_sources_offer_search_signed_in_or_the_stream(alice: Membership) -> None:
    c = client_for(alice)
    base = {"poll_every_minutes": "5", "kind": "bluesky"}
    form = c.get(url("source_create")).content.decode()
    assert "Search, signed in with the workspace" in form and "The live event stream (no account needed)" in form
    no_query = c.post(url("source_create"), {**base, "name": "x", "mode": "search"})
    assert no_query.context["form"].errors["search"] == ["A search needs a query: the words to search Bluesky for."]
    search = {**base, "name": "search", "mode": "search", "search": "northwind", "settings_json": '{"lang": "en"}'}
    assert c.post(url("source_create"), search).status_code == 302
    stream = {**base, "name": "stream", "mode": "stream", "settings_json": '{"service_url": "https://bsky.network"}'}
    assert c.post(url("source_create"), stream).status_code == 302
    assert Source.objects.get(name="search").config == {"mode": "search", "query": "northwind", "lang": "en"}
    assert Source.objects.get(name="stream").config == {"mode": "stream", "service_url": "https://bsky.network"}
    edit = c.get(url("source_edit", source_id=Source.objects.get(name="stream").pk)).content.decode()
    assert 'value="stream" checked' in edit or '<option value="stream" selected>' in edit


def test_pause_resume_and_poll_now(
    alice: Membership, feed: Source, topic: Topic, django_capture_on_commit_callbacks: Any
) -> None:
    c = client_for(alice)
    c.post(url("source_pause", source_id=feed.pk))
    assert Source.objects.get(pk=feed.pk).is_active is False
    c.post(url("source_pause", source_id=feed.pk))
    assert Source.objects.get(pk=feed.pk).is_active is True
    with http.use_fetcher(FakeFetcher({"/feed.xml": RSS})), django_capture_on_commit_callbacks(execute=True):
        response = c.post(url("source_poll", source_id=feed.pk), follow=True)
    assert "being polled now" in response.content.decode()
    assert Post.objects.filter(source=feed).count() == 2
    feed.refresh_from_db()
    assert feed.last_success_at is not None and feed.posts_seen == 3
    health = c.get(url("sources")).content.decode()
    assert "Working" in health and "Outdoor News" in health


def test_health_view_shows_a_failing_source(
    alice: Membership, feed: Source, django_capture_on_commit_callbacks: Any
) -> None:
    with http.use_fetcher(FakeFetcher({})), django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(url("source_poll", source_id=feed.pk))
    page = client_for(alice).get(url("sources")).content.decode()
    assert "Not found" in page  # the problem, not just "failing"
    assert "HTTP status 404" in page
    assert "There is nothing at this name or address any more" in page
    assert url("source_edit", source_id=feed.pk) in page
    feed.refresh_from_db()
    assert feed.error_kind == "not_found"


CSV = (
    "text,url,author,published_at,lang,site\n"
    "Northwind tent held up in the storm,https://forum.example/t/1,ann,2026-03-01T09:30:00Z,en,\n"
    "Unrelated post about bikes,,bob,2026-03-01T10:00:00Z,en,\n"
    ",,carl,2026-03-01T10:00:00Z,en,\n"
    "Northwind again,notaurl,dee,yesterday,english,\n"
)


def test_csv_upload_previews_with_row_errors_then_imports_once(
    alice: Membership, csv_source: Source, topic: Topic
) -> None:
    c = client_for(alice)
    preview = c.post(url("source_upload", source_id=csv_source.pk), {"file": SimpleUploadedFile("p.csv", CSV.encode())})
    parsed = preview.context["parsed"]
    assert len(parsed.posts) == 2
    assert [e.line for e in parsed.errors] == [4, 5]
    assert parsed.errors[0].message == "The text is empty."
    assert "is not a date and time" in parsed.errors[1].message
    assert "is not an http or https address" in parsed.errors[1].message
    assert "is not a language code" in parsed.errors[1].message
    assert not Post.objects.exists()
    text = preview.context["text"]
    done = c.post(url("source_upload", source_id=csv_source.pk), {"csv_text": text}, follow=True)
    assert "1 post stored (1 matched no topic, 0 were imported before, 2 rows with errors skipped)" in (
        done.content.decode()
    )
    post = Post.objects.get()
    assert (post.site, post.author, post.published_at) == (
        "forum.example",
        "ann",
        dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    )
    again = c.post(url("source_upload", source_id=csv_source.pk), {"csv_text": text}, follow=True)
    assert "0 posts stored" in again.content.decode()
    assert Post.objects.count() == 1


def test_csv_upload_refuses_unusable_files(alice: Membership, csv_source: Source, feed: Source) -> None:
    c = client_for(alice)
    target = url("source_upload", source_id=csv_source.pk)
    r = c.post(target, {"file": SimpleUploadedFile("p.csv", b"name,email\nx,y\n")})
    assert "has no text and no published_at column" in r.content.decode()
    r = c.post(target, {"file": SimpleUploadedFile("p.csv", "text,published_at\n\xe9,x\n".encode("latin-1"))})
    assert "not UTF-8" in r.content.decode()
    r = c.post(target, {})
    assert r.status_code == 200 and r.context["form"].errors["file"]
    assert c.get(url("source_upload", source_id=feed.pk)).status_code == 404  # only CSV sources take uploads


def test_mentions_filters_and_query_count_does_not_grow(
    alice: Membership, workspace: Workspace, csv_source: Source, topic: Topic, django_assert_max_num_queries: object
) -> None:
    rival = Topic.objects.create(workspace=workspace, name="Fjord", kind="competitor", query="fjord")
    now = timezone.now()

    def add(n: int) -> None:
        posts = [
            FetchedPost(f"p{n}-{i}", f"Does Northwind or Fjord ship to Norway? Asking for trip {n}-{i}", now)
            for i in range(5)
        ]
        pipeline.ingest(csv_source, posts, {})

    add(1)
    c = client_for(alice)
    page = c.get(url("mentions"))
    # Each post about both topics is one row listing both, and the counts say what they count.
    assert page.context["page"].paginator.count == 5 and page.context["mention_count"] == 10
    html = page.content.decode()
    assert "5 posts, 10 mentions across topics" in html
    assert html.count("Asking for trip 1-0") == 1
    filtered = c.get(url("mentions"), {"topic": rival.pk, "intent": "question", "source": csv_source.pk})
    assert filtered.context["page"].paginator.count == 5 and filtered.context["mention_count"] == 5
    assert c.get(url("mentions"), {"sentiment": "negative"}).context["page"].paginator.count == 0
    assert c.get(url("mentions"), {"topic": "abc"}).status_code == 200  # bad filter: shown as a form error
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        c.get(url("mentions"))
    for n in range(2, 6):
        add(n)
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        c.get(url("mentions"))


def test_empty_states_say_what_to_do_next(alice: Membership) -> None:
    c = client_for(alice)
    assert "Define a topic" in c.get(url("mentions")).content.decode()
    assert "Add the first source" in c.get(url("sources")).content.decode()
    assert "Define the first topic" in c.get(url("topics")).content.decode()


def test_poll_now_refuses_paused_and_csv_sources(alice: Membership, feed: Source, csv_source: Source) -> None:
    c = client_for(alice)
    Source.objects.filter(pk=feed.pk).update(is_active=False)
    for source in (feed, csv_source):
        page = c.post(url("source_poll", source_id=source.pk), follow=True).content.decode()
        assert "Only an active source that polls can be polled now." in page
    assert Source.objects.get(pk=feed.pk).last_success_at is None


def test_poll_now_while_a_poll_runs_does_not_start_a_second(alice: Membership, feed: Source) -> None:
    assert pipeline.claim(feed.pk)
    page = client_for(alice).post(url("source_poll", source_id=feed.pk), follow=True).content.decode()
    assert "is being polled already" in page


def test_a_manager_is_not_linked_to_the_admins_credentials_page(alice: Membership, carol: Membership) -> None:
    """Found by bench-ui: the empty sources page linked managers to credentials, which answer them 404."""
    credentials = url("credentials")
    assert credentials in client_for(alice).get(url("sources")).content.decode()
    page = client_for(carol).get(url("sources")).content.decode()
    assert credentials not in page
    assert "which a program admin sets up" in page
    assert client_for(carol).get(credentials).status_code == 404
