"""The pages: answering (mobile form), the admin's calls and volunteers, settings; bad input and outsiders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.content.models import Topic
from groundswell.enrolment import actions, queries
from groundswell.enrolment.models import CallForInterest, Status
from groundswell.enrolment.tests.helpers import join, open_a_call
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"enrolment:{name}", kwargs={"ws": "acme", **kwargs})


def test_answer_page_joins_in_one_post(bob_client: Client, bob: Membership, workspace: Workspace) -> None:
    topic = Topic.objects.create(workspace=workspace, name="Product", slug="product")
    page = bob_client.get(url("answer"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="checkbox" name="activities" value="video"' in html and "Product" in html
    assert "Not now" in html and 'value="lt1"' in html
    r = bob_client.post(
        url("answer"),
        {
            "action": "join",
            "activities": ["share", "answer"],
            "networks": ["linkedin", "bluesky"],
            "topics": [topic.pk],
            "hours": "3-5",
            "comfort": "intermediate",
            "languages": ["de"],
        },
    )
    assert r.status_code == 302 and r["Location"] == url("done")
    enrolment = queries.enrolment_for(bob)
    assert enrolment is not None and enrolment.status == Status.JOINED
    assert enrolment.activities == ["share", "answer"] and enrolment.networks == ["linkedin", "bluesky"]
    done = bob_client.get(url("done")).content.decode()
    assert "What happens next" in done and "Your manager does not see that you joined" in done
    # The summary lists every answer, topics and languages included.
    assert '<span class="badge topic">Product</span>' in done and '<span class="badge">German' in done
    # Coming back shows the saved answers, a way to leave, and the member's own history.
    again = bob_client.get(url("answer")).content.decode()
    assert "Save my answers" in again and "Leave the program" in again and "Your history (1)" in again
    assert 'value="answer" class="chip-input" id="id_activities_2" checked' in again


def test_answer_page_bad_input_is_a_form_error(bob_client: Client, bob: Membership) -> None:
    r = bob_client.post(url("answer"), {"action": "join", "hours": "lt1", "comfort": "beginner"})
    assert r.status_code == 200 and "Pick at least one thing" in r.content.decode()
    r = bob_client.post(
        url("answer"), {"action": "join", "activities": ["dance"], "hours": "forever", "comfort": "beginner"}
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert "Select a valid choice" in text and 'aria-describedby="id_activities-errors"' in text
    assert queries.enrolment_for(bob) is None


def test_not_now_from_the_home_banner(alice: Membership, bob: Membership, bob_client: Client) -> None:
    home = reverse("core:home", kwargs={"ws": "acme"})
    assert "call-banner" not in bob_client.get(home).content.decode()  # no call open
    call = open_a_call(alice)
    text = bob_client.get(home).content.decode()
    assert "call-banner" in text and call.title in text and "Answer (1 minute)" in text
    r = bob_client.post(url("answer"), {"action": "decline", "next": home})
    assert r.status_code == 302 and r["Location"] == home
    enrolment = queries.enrolment_for(bob)
    assert enrolment is not None and enrolment.status == Status.DECLINED
    assert "call-banner" not in bob_client.get(home).content.decode()  # not nagged
    # …and can still join later from the page.
    page = bob_client.get(url("answer")).content.decode()
    assert "You said “not now”" in page
    r = bob_client.post(url("answer"), {"action": "decline", "next": "//evil.example/"})
    assert r["Location"] == home  # no open redirect


def test_leave(bob_client: Client, bob: Membership) -> None:
    r = bob_client.post(url("leave"), follow=True)
    assert "nothing to leave" in r.content.decode()
    join(bob)
    r = bob_client.post(url("leave"), follow=True)
    assert "You have left" in r.content.decode()
    enrolment = queries.enrolment_for(bob)
    assert enrolment is not None and enrolment.status == Status.LEFT
    assert bob_client.get(url("leave")).status_code == 405
    assert bob_client.get(url("done")).status_code == 302  # nothing to confirm after leaving


def test_admin_opens_a_call_with_a_preview(
    alice_client: Client,
    workspace: Workspace,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,  # type: ignore[type-arg]
) -> None:
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = {"title": "Join us", "message": "We need voices.", "deadline": deadline}
    assert alice_client.get(url("open_call")).status_code == 200
    r = alice_client.post(url("open_call"), {**data, "action": "preview"})
    text = r.content.decode()
    assert r.status_code == 200 and "Preview of the email" in text and "http://testserver/w/acme/join/" in text
    assert not CallForInterest.objects.exists() and not mailoutbox
    with django_capture_on_commit_callbacks(execute=True):
        r = alice_client.post(url("open_call"), {**data, "action": "open"})
    assert r.status_code == 302 and r["Location"] == url("calls")
    call = CallForInterest.objects.get()
    assert call.title == "Join us" and call.deadline.isoformat() == deadline
    assert [m.to for m in mailoutbox] == [["alice@acme.test"]]  # the only member so far
    # A second call while one is open: a clear error.
    r = alice_client.post(url("open_call"), {**data, "action": "open"})
    assert r.status_code == 200 and "already open" in r.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "message": "x", "deadline": "2099-01-01"}, "This field is required"),
        ({"title": "T", "message": "x", "deadline": "yesterday"}, "Enter a valid date"),
        ({"title": "T", "message": "x", "deadline": "2000-01-01"}, "in the past"),
        ({"title": "T", "message": "x", "deadline": "2999-01-01"}, "within 180 days"),
    ],
)
def test_open_call_bad_input(alice_client: Client, data: dict[str, str], message: str) -> None:
    r = alice_client.post(url("open_call"), {**data, "action": "open"})
    assert r.status_code == 200 and message in r.content.decode()
    assert not CallForInterest.objects.exists()


def test_calls_page_counts_and_close(
    alice: Membership, alice_client: Client, bob: Membership, carol: Membership
) -> None:
    assert "No call is open" in alice_client.get(url("calls")).content.decode()
    call = open_a_call(alice)
    join(bob)
    actions.decline(carol)
    text = alice_client.get(url("calls")).content.decode()
    assert "Open: " + call.title in text
    assert "Carol" not in text  # declines are counted, never named
    r = alice_client.post(url("close_call", call_id=call.pk))
    assert r.status_code == 302
    call.refresh_from_db()
    assert call.closed_at is not None
    assert alice_client.post(url("close_call", call_id=999_999)).status_code == 404


def test_volunteers_list_and_filters(
    alice_client: Client, bob: Membership, carol: Membership, workspace: Workspace
) -> None:
    dave = make_member(workspace, "dave@acme.test")
    join(bob, "answer", networks=["linkedin"], comfort="expert", hours="5+")
    join(carol, "video", networks=["x"])
    actions.decline(dave)
    text = alice_client.get(url("volunteers")).content.decode()
    assert "Bob" in text and "Carol" in text and "Dave" not in text
    assert "Answer customers" in text and "Expert" in text and "More than 5 hours a week" in text
    text = alice_client.get(url("volunteers"), {"activity": "video"}).content.decode()
    assert "Carol" in text and "Bob</th>" not in text
    text = alice_client.get(url("volunteers"), {"network": "linkedin"}).content.decode()
    assert "Bob" in text and "Carol</th>" not in text
    r = alice_client.get(url("volunteers"), {"activity": "dance", "topic": "abc"})
    assert r.status_code == 200 and "not valid" in r.content.decode()


def test_settings_changes_the_threshold(alice_client: Client, workspace: Workspace) -> None:
    assert alice_client.get(url("settings")).status_code == 200
    r = alice_client.post(url("settings"), {"min_group_size": "1"})
    assert r.status_code == 200 and "greater than or equal to 2" in r.content.decode()
    r = alice_client.post(url("settings"), {"min_group_size": "8"})
    assert r.status_code == 302
    workspace.refresh_from_db()
    assert workspace.min_group_size == 8


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("calls", {}), ("open_call", {}), ("close_call", {"call_id": 0}), ("volunteers", {}), ("settings", {})],
)
def test_admin_pages_are_404_for_employees_and_managers(
    alice: Membership, bob_client: Client, carol: Membership, name: str, kwargs: dict[str, int]
) -> None:
    call = open_a_call(alice)
    kwargs = {k: call.pk for k in kwargs}
    for c in (bob_client, client_for(carol)):
        statuses = {c.get(url(name, **kwargs)).status_code, c.post(url(name, **kwargs)).status_code}
        assert 404 in statuses and statuses <= {404, 405}  # 405 only for the method the page does not take
    call.refresh_from_db()
    assert call.closed_at is None


def test_team_page_is_for_managers(bob_client: Client, carol: Membership) -> None:
    assert bob_client.get(url("team")).status_code == 404
    assert client_for(carol).get(url("team")).status_code == 200


@pytest.mark.parametrize(
    "name", ["answer", "done", "leave", "team", "calls", "open_call", "close_call", "volunteers", "settings"]
)
def test_outsider_gets_404(alice: Membership, charlie_client: Client, name: str) -> None:
    call = open_a_call(alice)
    kwargs = {"call_id": call.pk} if name == "close_call" else {}
    for method in ("get", "post"):
        r = getattr(charlie_client, method)(url(name, **kwargs), {"action": "decline", "min_group_size": 2})
        assert r.status_code == 404, (name, method)
    call.refresh_from_db()
    assert call.closed_at is None and not queries.volunteers(alice.workspace).exists()


def test_home_query_count_with_a_call_open(
    alice: Membership, bob: Membership, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    home = reverse("core:home", kwargs={"ws": "acme"})
    bob_client.get(home)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without_call:
        bob_client.get(home)
    open_a_call(alice)
    with django_assert_max_num_queries(len(without_call) + 2):
        assert "call-banner" in bob_client.get(home).content.decode()


def test_volunteers_query_count_does_not_grow(
    alice_client: Client, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    topic = Topic.objects.create(workspace=workspace, name="Product", slug="product")

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            join(make_member(workspace, f"v{i}@acme.test"), "share", "video", networks=["x"], topic_ids=[topic.pk])

    add(3, 0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        alice_client.get(url("volunteers"))
    add(12, 3)
    with django_assert_max_num_queries(len(small)):
        text = alice_client.get(url("volunteers")).content.decode()
    assert text.count("Make videos") >= 15


def test_call_chart(alice: Membership, alice_client: Client, bob: Membership, bob_client: Client) -> None:
    call = open_a_call(alice)
    join(bob)
    page = alice_client.get(url("calls")).content.decode()
    # Chart.js draws the page's chart from its JSON; the table behind it has one row per day since opening.
    assert '<canvas data-chart="chart-volunteers-data"' in page and 'id="chart-volunteers-data"' in page
    assert '"label": "People taking part", "data": [1]' in page
    assert "<summary>Show as table</summary>" in page and page.count('<th scope="row">') == 1
    # The SVG stays for anything that cannot run scripts.
    r = alice_client.get(url("call_chart", call_id=call.pk))
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml" and b"<script" not in r.content
    assert r["Content-Security-Policy"].startswith("default-src 'none'")
    assert bob_client.get(url("call_chart", call_id=call.pk)).status_code == 404
    assert alice_client.get(url("call_chart", call_id=999_999)).status_code == 404


def test_home_banner_shows_the_message_reflowed_with_read_more(alice: Membership, bob_client: Client) -> None:
    message = (
        "It takes a minute. We are starting an advocacy program and would\nlike to know who wants to take part.\n\n"
        "Second paragraph: what you would do, and how\nmuch time it takes."
    )
    call = open_a_call(alice)
    CallForInterest.objects.filter(pk=call.pk).update(message=message)
    html = bob_client.get(reverse("core:home", kwargs={"ws": "acme"})).content.decode()
    # Hard line breaks reflow; the first paragraph is shown whole (CSS clamps its lines), the rest folds.
    assert "advocacy program and would like to know who wants to take part." in html
    assert "It t…" not in html and "<br>" not in html.split("call-banner", 1)[1].split("</section>", 1)[0]
    assert "<summary>Read more</summary>" in html and "<p>Second paragraph: what you would do, and how much" in html
