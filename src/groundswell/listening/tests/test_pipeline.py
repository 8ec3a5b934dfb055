"""The ingest pipeline: matching, storage, duplicates, cursors across a crash, claims, back-off, health."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from groundswell.listening import dedupe, pipeline
from groundswell.listening.matching import forget
from groundswell.listening.models import Mention, Post, Source, Topic, TopicDay
from groundswell.listening.sources import base
from groundswell.listening.sources.base import Credential, FetchedPost, FetchResult, SourceError
from groundswell.listening.tasks import poll_due_sources
from groundswell.workspaces.models import Workspace

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REVIEW = (
    "Northwind Ridge 2 review after a week in the Highlands: the tent is light enough for long days, roomy for two "
    "people with packs inside, and it stayed completely dry through three nights of heavy rain and wind on exposed "
    "ground. Pitching takes five minutes once you have done it twice, the poles feel solid, and the vents kept "
    "condensation low. The only complaint is the price, but it is worth every penny for serious hikers."
)


class ListPlugin:
    """A source that serves a fixed list of posts from an offset cursor (the shape every plug-in has)."""

    kind = "rss"

    def __init__(self, posts: list[FetchedPost], fail: SourceError | None = None) -> None:
        self.posts = posts
        self.fail = fail
        self.calls = 0

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return config

    def credential_network(self, config: dict[str, Any]) -> str | None:
        return None

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult:
        self.calls += 1
        if self.fail:
            raise self.fail
        start = int(cursor.get("offset", 0))
        chunk = self.posts[start : start + limit]
        return FetchResult(chunk, {"offset": start + len(chunk)}, more=start + len(chunk) < len(self.posts))


def fp(n: int, text: str, **extra: Any) -> FetchedPost:
    return FetchedPost(external_id=f"id-{n}", text=text, published_at=T0 + dt.timedelta(minutes=n), **extra)


@pytest.fixture
def topics(workspace: Workspace) -> dict[str, Topic]:
    forget()
    return {
        "brand": Topic.objects.create(workspace=workspace, name="Northwind", kind="brand", query="northwind"),
        "rival": Topic.objects.create(
            workspace=workspace, name="Fjord", kind="competitor", query='fjord OR "fjord gear"'
        ),
    }


@pytest.fixture
def source(workspace: Workspace) -> Source:
    return Source.objects.create(workspace=workspace, kind="rss", name="Feed", config={"url": "https://x.example/f"})


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> ListPlugin:
    p = ListPlugin(
        [
            fp(1, "Northwind tents are great", metrics={"likes": 3, "replies": 1}),
            fp(2, "Nothing to see here"),
            fp(3, "Fjord and Northwind compared in the rain today"),
            fp(4, "Is the Fjord gear recall real?"),
        ]
    )
    monkeypatch.setitem(base._PLUGINS, "rss", p)
    return p


def test_only_matching_posts_are_stored_with_mentions_and_day_counts(
    source: Source, topics: dict[str, Topic], plugin: ListPlugin
) -> None:
    result = pipeline.poll_source(source)
    assert result is not None
    assert (result.fetched, result.unmatched, result.stored, result.mentions) == (4, 1, 3, 4)
    assert sorted(Post.objects.values_list("external_id", flat=True)) == ["id-1", "id-3", "id-4"]
    assert sorted(Mention.objects.values_list("post__external_id", "topic__name")) == [
        ("id-1", "Northwind"),
        ("id-3", "Fjord"),
        ("id-3", "Northwind"),
        ("id-4", "Fjord"),
    ]
    brand_day = TopicDay.objects.get(topic=topics["brand"])
    assert (brand_day.day, brand_day.posts, brand_day.duplicates, brand_day.engagement) == (T0.date(), 2, 0, 4)
    rival_day = TopicDay.objects.get(topic=topics["rival"])
    assert (rival_day.posts, rival_day.questions) == (2, 1)
    source.refresh_from_db()
    assert source.cursor == {"offset": 4}
    assert source.posts_seen == 4
    assert source.last_success_at is not None
    assert source.failures == 0
    assert source.polling_until is None
    assert source.next_poll_at > timezone.now() + dt.timedelta(minutes=14)


def test_crash_between_fetch_and_commit_skips_nothing_and_doubles_nothing(
    source: Source, topics: dict[str, Topic], plugin: ListPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker dies inside the transaction, after the posts are inserted and before the cursor is written.
    def die(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt("killed")

    with monkeypatch.context() as m:
        m.setattr(pipeline, "additive_upsert", die)
        with pytest.raises(KeyboardInterrupt):
            pipeline.ingest(source, plugin.posts[:2], {"offset": 2})
    assert Post.objects.count() == 0
    assert Mention.objects.count() == 0
    source = Source.objects.get(pk=source.pk)  # "restart": a fresh process reads the stored state
    assert source.cursor == {}
    # First run after the restart stores the first page; then the old cursor is re-read once more (as if the
    # next crash came after the commit but before anything else): nothing is stored twice.
    first = pipeline.ingest(source, plugin.posts[:2], {"offset": 2})
    again = pipeline.ingest(source, plugin.posts[:3], {"offset": 3})
    assert (first.stored, again.stored, again.known) == (1, 1, 1)
    assert TopicDay.objects.get(topic=topics["brand"]).posts == 2
    pipeline.poll_source(Source.objects.get(pk=source.pk))
    assert sorted(Post.objects.values_list("external_id", flat=True)) == ["id-1", "id-3", "id-4"]
    assert Source.objects.get(pk=source.pk).cursor == {"offset": 4}


def test_more_posts_waiting_are_polled_again_soon(source: Source, topics: dict[str, Topic], plugin: ListPlugin) -> None:
    pipeline.poll_source(source, limit=2)
    source.refresh_from_db()
    assert source.cursor == {"offset": 2}
    assert source.next_poll_at <= timezone.now() + pipeline.CATCH_UP


def test_exact_and_near_duplicates_are_linked_and_counted_apart(source: Source, topics: dict[str, Topic]) -> None:
    first = pipeline.ingest(source, [fp(1, REVIEW)], {})
    exact = pipeline.ingest(source, [fp(2, REVIEW.upper() + "!!")], {})
    repost = pipeline.ingest(source, [fp(3, "RT @kim: " + REVIEW + " https://t.example/x #camping")], {})
    edited = REVIEW.replace("five minutes", "six minutes")
    assert 0 < dedupe.distance(dedupe.simhash(REVIEW), dedupe.simhash(edited)) <= dedupe.NEAR_DISTANCE
    near = pipeline.ingest(source, [fp(4, edited)], {})
    other = pipeline.ingest(source, [fp(5, "Northwind opens a new store in Leeds with a climbing wall")], {})
    original = Post.objects.get(pk=first.post_ids[0])
    for result in (exact, repost, near):
        assert Post.objects.get(pk=result.post_ids[0]).duplicate_of == original
    assert Post.objects.get(pk=other.post_ids[0]).duplicate_of is None
    day = TopicDay.objects.get(topic=topics["brand"])
    assert (day.posts, day.duplicates) == (2, 3)


def test_duplicates_inside_one_batch(source: Source, topics: dict[str, Topic]) -> None:
    text = "Northwind sleeping bag kept me warm at minus ten on the ridge last weekend honestly"
    result = pipeline.ingest(source, [fp(1, text), fp(2, text + " https://x.example #camping"), fp(2, text)], {})
    assert result.stored == 2  # the repeated id is read once
    a, b = (Post.objects.get(pk=pk) for pk in result.post_ids)
    assert a.duplicate_of is None and b.duplicate_of_id == a.pk


def test_simhash_bands_find_every_fingerprint_within_three_bits() -> None:
    value = dedupe.simhash("Northwind Ridge 2 review: light, roomy and dry")
    for flips in ([0, 17, 33], [15, 31, 47], [63, 62, 61]):
        other = value
        for bit in flips:
            other ^= 1 << bit
        assert dedupe.distance(value, other) == 3
        assert any(a == b for a, b in zip(dedupe.bands(value), dedupe.bands(other), strict=True))
    assert dedupe.to_unsigned(dedupe.to_signed(value)) == value
    assert dedupe.simhash("") == 0
    for text in ("one", "two words", REVIEW, REVIEW * 30, "RT @a: Northwind https://x.example #tag"):
        assert dedupe.simhash(text) == dedupe.simhash_reference(text)
    assert dedupe.content_hash("Café, OK!") == dedupe.content_hash("cafe ok")


def test_matcher_is_rebuilt_when_topics_change(workspace: Workspace, source: Source, topics: dict[str, Topic]) -> None:
    assert pipeline.ingest(source, [fp(1, "Aurora headlamps are bright")], {}).stored == 0
    Topic.objects.create(workspace=workspace, name="Aurora", kind="competitor", query="aurora")
    assert pipeline.ingest(source, [fp(2, "Aurora headlamps are bright indeed")], {}).stored == 1
    Topic.objects.filter(name="Aurora").update(is_active=False)
    assert pipeline.ingest(source, [fp(3, "Aurora again")], {}).stored == 0


def test_two_workers_never_claim_the_same_source(source: Source) -> None:
    now = timezone.now()
    assert pipeline.claim(source.pk, now) is True
    assert pipeline.claim(source.pk, now) is False
    assert pipeline.claim(source.pk, now + pipeline.LEASE + dt.timedelta(seconds=1)) is True  # the lease ran out


def test_errors_back_off_and_show_on_the_health_fields(
    source: Source, topics: dict[str, Topic], monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = ListPlugin([], fail=SourceError("The page answered with HTTP status 503."))
    monkeypatch.setitem(base._PLUGINS, "rss", failing)
    now = timezone.now()
    assert pipeline.poll_source(source, now=now) is None
    source.refresh_from_db()
    assert (source.failures, source.last_error, source.last_error_at) == (
        1,
        "The page answered with HTTP status 503.",
        now,
    )
    assert source.next_poll_at == now + dt.timedelta(seconds=900)
    pipeline.poll_source(source, now=now)
    source.refresh_from_db()
    assert source.next_poll_at == now + dt.timedelta(seconds=1800)
    failing.fail = SourceError("gone", permanent=True)
    pipeline.poll_source(source, now=now)
    source.refresh_from_db()
    assert source.next_poll_at == now + pipeline.PERMANENT_BACKOFF
    failing.fail = None
    pipeline.poll_source(source, now=now)
    source.refresh_from_db()
    assert source.failures == 0 and source.last_success_at == now
    assert source.last_error == "gone"  # kept for the health view; the status says it works again


def test_a_bug_in_a_plugin_is_recorded_not_raised(source: Source, monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(ListPlugin):
        def fetch(
            self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
        ) -> FetchResult:
            raise KeyError("oops")

    monkeypatch.setitem(base._PLUGINS, "rss", Broken([]))
    assert pipeline.poll_source(source) is None
    source.refresh_from_db()
    assert source.last_error == "Unexpected error while polling (KeyError)."


def test_the_periodic_task_polls_due_active_sources_only(
    workspace: Workspace, source: Source, topics: dict[str, Topic], plugin: ListPlugin
) -> None:
    Source.objects.create(workspace=workspace, kind="rss", name="Paused", is_active=False)
    Source.objects.create(workspace=workspace, kind="csv", name="Uploads")
    Source.objects.create(
        workspace=workspace, kind="rss", name="Later", next_poll_at=timezone.now() + dt.timedelta(hours=1)
    )
    poll_due_sources.call()
    assert plugin.calls == 1
    assert Post.objects.filter(source=source).count() == 3
    poll_due_sources.call()
    assert plugin.calls == 1  # not due again until its next poll


def test_only_web_links_are_kept(source: Source, topics: dict[str, Topic]) -> None:
    posts = [
        fp(1, "Northwind one", url="javascript:alert(1)", author_url="data:text/html,x"),
        fp(2, "Northwind two", url="https://ok.example/2"),
    ]
    pipeline.ingest(source, posts, {})
    assert dict(Post.objects.values_list("external_id", "url")) == {"id-1": "", "id-2": "https://ok.example/2"}
    assert Post.objects.get(external_id="id-1").author_url == ""
