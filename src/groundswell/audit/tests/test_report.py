"""The report's numbers from fixtures: counts and change, share of voice, sentiment, top lists, themes, summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from groundswell.audit.periods import PeriodError, calendar_period, custom_period, last_complete
from groundswell.audit.report import build_report, percentages, report_counts
from groundswell.audit.tests.factories import hear, source, topics
from groundswell.audit.themes import recurring_themes, terms_of
from groundswell.listening.models import Post, Topic
from groundswell.workspaces.models import Workspace

MARCH = calendar_period("month", dt.date(2026, 3, 15))
FEB_TEXTS = [
    "Loving my Northwind tent on the trail this weekend",
    "Northwind sleeping bag kept me warm at the lake",
    "Anyone tried the Northwind stove for winter camping",
    "Northwind backpack straps feel great on long hikes",
    "Picked up a Northwind lantern for the cabin",
]
MARCH_TEXTS = [
    "Northwind tent zipper recall announced, check your serial number",
    "Got the email about the zipper recall from Northwind",
    "Northwind zipper recall: free repair at any store",
    "Is my Northwind tent part of the zipper recall",
    "Northwind handled the zipper recall well honestly",
    "Northwind sleeping bag still great at the lake",
    "New Northwind stove boils water fast",
]


@dataclass
class Chatter:
    ws: Workspace
    topics: dict[str, Topic]
    top: Post


def make_chatter(ws: Workspace) -> Chatter:
    t = topics(ws)
    src = source(ws)
    feb = dt.date(2026, 2, 3)
    for i in range(10):
        hear(src, t["Northwind"], feb + dt.timedelta(days=i), FEB_TEXTS[i % 5] + f" #{i}", author=f"fan{i % 3}")
    for i in range(4):
        hear(src, t["Contoso"], feb + dt.timedelta(days=i), f"Contoso jacket review {i}")
    march = dt.date(2026, 3, 2)
    sentiments = ["negative"] * 5 + ["positive"] * 6 + ["neutral"]
    top = None
    for i in range(12):
        post = hear(
            src,
            t["Northwind"],
            march + dt.timedelta(days=i),
            MARCH_TEXTS[i % 7] + f" {i}",
            author="outdoorsy" if i < 4 else f"hiker{i}",
            likes=i * 10,
            sentiment=sentiments[i],
            also=(t["Outdoor gear"],) if i < 3 else (),
        )
        top = post
    # A repost of the most engaging post: counted as a duplicate, never in the top list twice.
    assert top is not None
    hear(src, t["Northwind"], march + dt.timedelta(days=12), top.text, likes=500, duplicate_of=top)
    for i in range(6):
        hear(src, t["Contoso"], march + dt.timedelta(days=i), f"Contoso jacket sale {i}", author="deals")
    for i in range(2):
        hear(src, t["Fabrikam"], march + dt.timedelta(days=i), f"Fabrikam boots {i}")
    return Chatter(ws, t, top)


@pytest.fixture
def chatter(workspace: Workspace) -> Chatter:
    return make_chatter(workspace)


def test_periods_compare_with_the_one_before() -> None:
    assert (MARCH.current.start, MARCH.current.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (MARCH.previous.start, MARCH.previous.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert MARCH.label == "March 2026" and MARCH.previous.label == "February 2026"
    q = calendar_period("quarter", dt.date(2026, 1, 5))
    assert q.previous.label == "Q4 2025" and q.previous.start == dt.date(2025, 10, 1)
    week = last_complete("week", dt.date(2026, 12, 2))  # a Wednesday
    assert week.current.start == dt.date(2026, 11, 23) and week.current.end == dt.date(2026, 11, 29)
    custom = custom_period(dt.date(2026, 3, 10), dt.date(2026, 3, 19))
    assert custom.previous.start == dt.date(2026, 2, 28) and custom.previous.end == dt.date(2026, 3, 9)
    with pytest.raises(PeriodError, match="before the start"):
        custom_period(dt.date(2026, 3, 10), dt.date(2026, 3, 1))
    with pytest.raises(PeriodError, match="at most 366"):
        custom_period(dt.date(2020, 1, 1), dt.date(2026, 3, 1))


def test_percentages_always_add_up_to_100() -> None:
    assert percentages([1, 1, 1]) == [34, 33, 33]
    assert percentages([2, 1]) == [67, 33]
    assert percentages([0, 0]) == [0, 0]
    for values in ([7, 3, 1, 1], [999, 1, 1], [5]):
        assert sum(percentages(values)) == 100


def test_counts_change_and_share_of_voice(chatter: Chatter) -> None:
    counts = report_counts(chatter.ws, MARCH)
    by_name = {f.topic.name: f for f in counts.topics}
    northwind = by_name["Northwind"]
    assert (northwind.posts, northwind.previous, northwind.duplicates) == (12, 10, 1)
    assert northwind.change == 20
    assert by_name["Fabrikam"].change is None  # nothing to compare with in February
    assert (northwind.positive, northwind.neutral, northwind.negative) == (6, 1, 5)
    assert northwind.sentiment_percent == [50, 8, 42]
    totals = {t.kind: t for t in counts.totals}
    assert (totals["brand"].posts, totals["competitor"].posts, totals["category"].posts) == (12, 8, 3)
    assert totals["competitor"].change == 100
    shares = {s.name: s.percent for s in counts.share_of_voice}
    assert shares == {"Northwind": 60, "Contoso": 30, "Fabrikam": 10}
    assert sum(shares.values()) == 100
    series = counts.series()
    assert len(series) == 31 and series[1][0] == dt.date(2026, 3, 2)
    assert sum(values[[f.topic.name for f in counts.topics].index("Northwind")] for _, values in series) == 12


def test_top_posts_by_engagement_without_duplicates_and_top_authors(chatter: Chatter) -> None:
    report = build_report(chatter.ws, MARCH)
    first = report.top_posts[0]
    assert first.post.pk == chatter.top.pk and first.engagement == 110
    assert [p.engagement for p in report.top_posts] == sorted((p.engagement for p in report.top_posts), reverse=True)
    assert len({p.post.text for p in report.top_posts}) == len(report.top_posts) == 10
    assert first.topics == ["Northwind"]
    authors = {a.author: a.posts for a in report.top_authors}
    assert report.top_authors[0].author == "deals" and authors["deals"] == 6
    assert authors["outdoorsy"] == 4  # three of them also mention the category: still 4 posts
    assert report.top_authors[0].url == "https://social.example/@deals"


def test_themes_find_the_term_planted_in_the_period(chatter: Chatter) -> None:
    report = build_report(chatter.ws, MARCH)
    terms = [t.term for t in report.themes]
    assert report.themes_compared
    assert terms[0] == "zipper recall", terms
    assert "northwind" not in " ".join(terms)  # the topics' own names are no theme
    recall = report.themes[0]
    assert recall.posts >= 5 and recall.previous == 0
    assert "lake" not in terms  # as frequent in February as in March


def test_themes_remove_stop_words_per_language_and_fall_back_to_frequency() -> None:
    assert terms_of("Das Zelt ist super und die Lampe auch", "de") == {
        "zelt",
        "super",
        "lampe",
    }  # "zelt super" are not neighbours
    de = terms_of("Das Zelt ist super", "de")
    assert "das" not in de and "ist" not in de and "zelt" in de
    en = terms_of("The zipper broke on the tent", "en")
    assert "the" not in en and "zipper" in en and "tent" in en
    posts = [("Great zipper on the tent", "en")] * 4
    themes, compared = recurring_themes(posts, [])
    assert not compared and themes[0].posts == 4 and {t.term for t in themes} >= {"great zipper"}


def test_summary_says_it_in_plain_words(chatter: Chatter) -> None:
    report = build_report(chatter.ws, MARCH)
    text = " ".join(report.summary)
    assert "People mentioned Northwind 12 times in March 2026, 20% more than in February 2026." in text
    assert "Northwind had 60% of the conversation against its 2 competitors (Contoso 30%, Fabrikam 10%)." in text
    assert "50% of the posts about Northwind were positive, 42% negative." in text
    assert "“zipper recall”" in text


def test_no_mentions_in_the_period(chatter: Chatter) -> None:
    report = build_report(chatter.ws, calendar_period("month", dt.date(2025, 6, 1)))
    assert not report.has_mentions and report.top_posts == [] and report.themes == []
    assert report.summary == ["Nobody mentioned the topics you listen to in June 2025."]


def test_report_reads_a_fixed_number_of_queries(chatter: Chatter, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(8) as ctx:
        build_report(chatter.ws, MARCH)
    before = len(ctx.captured_queries)
    src = source(chatter.ws)
    for i in range(40):
        hear(src, chatter.topics["Contoso"], dt.date(2026, 3, 1 + i % 28), f"More Contoso chatter {i}", author=f"a{i}")
    with django_assert_max_num_queries(before):
        build_report(chatter.ws, MARCH)


def test_without_a_brand_topic_there_is_no_share_of_voice(workspace: Workspace) -> None:
    rival = Topic.objects.create(workspace=workspace, name="Contoso", kind="competitor", query="contoso")
    src = source(workspace)
    for i in range(3):
        hear(src, rival, dt.date(2026, 3, 3 + i), f"Contoso news {i}")
    report = build_report(workspace, MARCH)
    assert report.counts.share_of_voice == []
    assert report.summary == [
        "Contoso came up 3 times, with no mentions in February 2026 to compare with.",
        "Recurring themes: “news”.",  # the most frequent term: nothing earlier to compare with
    ]
    assert not report.themes_compared


def test_the_same_report_gives_the_same_pdf(chatter: Chatter) -> None:
    from groundswell.audit.pdf import render_pdf

    assert render_pdf(build_report(chatter.ws, MARCH)) == render_pdf(build_report(chatter.ws, MARCH))
