from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.analytics.tests.helpers import share_with_clicks
from groundswell.conftest import client_for
from groundswell.content.models import Item
from groundswell.goals.actions import create_goal
from groundswell.goals.models import Goal
from groundswell.updates.actions import UpdateError, post_update, set_pinned
from groundswell.updates.models import Update
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(workspace: Workspace, alice: Membership) -> Goal:
    return create_goal(
        workspace=workspace, author=alice, name="Shares this month", metric="shares", target=10, period="m",
        day=timezone.now().date(),
    )  # fmt: skip


def test_admin_posts_an_update_with_a_goal_snapshot(
    alice_client: Client, alice: Membership, bob: Membership, item: Item, goal: Goal
) -> None:
    share_with_clicks(bob, item, 0)
    resp = alice_client.post(
        "/w/acme/updates/new/",
        {"title": "First shares are in", "body_markdown": "Thanks **everyone**!", "goal": goal.pk, "action": "save"},
    )
    assert resp.status_code == 302 and resp["Location"] == "/w/acme/updates/"
    update = Update.objects.get()
    assert update.author == alice and update.goal == goal
    assert (update.goal_value_at_post, update.goal_percent_at_post) == (1, 10)
    # Two more shares later: the feed shows then and now.
    share_with_clicks(bob, item, 0, network="x")
    share_with_clicks(bob, item, 0, network="bluesky")
    html = client_for(bob).get("/w/acme/updates/").content.decode()
    assert "<strong>everyone</strong>" in html
    assert "When posted: 1 of 10 (10%)" in html and "Now: <strong>3</strong> (30%)" in html and "+2 since" in html
    assert "Pin to the top" not in html  # bob is no admin


def test_markdown_is_sanitised(alice: Membership, workspace: Workspace, bob_client: Client) -> None:
    post_update(
        workspace=workspace,
        author=alice,
        title="Hello <b>there</b>",
        body_markdown="<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror=alert(3)> [ok](https://example.com)",
    )
    html = bob_client.get("/w/acme/updates/").content.decode()
    assert "<script>alert" not in html and 'href="javascript' not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)" in html  # shown as text, never run
    assert 'href="https://example.com"' in html and "Hello &lt;b&gt;there&lt;/b&gt;" in html


def test_bad_input_gives_form_errors(alice_client: Client, workspace: Workspace, other_workspace: Workspace) -> None:
    other_goal = Goal.objects.create(
        workspace=other_workspace, name="Theirs", metric="clicks", target=5, period_start=timezone.now().date()
    )
    resp = alice_client.post("/w/acme/updates/new/", {"title": "", "body_markdown": "", "goal": other_goal.pk})
    assert resp.status_code == 200
    form = resp.context["form"]
    assert "title" in form.errors and "body_markdown" in form.errors and "goal" in form.errors
    assert 'aria-invalid="true"' in resp.content.decode() or "errorlist" in resp.content.decode()
    assert not Update.objects.exists()
    with pytest.raises(UpdateError):
        post_update(workspace=workspace, author=None, title="x", body_markdown="y", goal=other_goal)  # type: ignore[arg-type]


def test_preview_does_not_post(alice_client: Client) -> None:
    resp = alice_client.post("/w/acme/updates/new/", {"title": "T", "body_markdown": "# Big", "action": "preview"})
    assert resp.status_code == 200 and "<h2>Big</h2>" in resp.content.decode()
    assert not Update.objects.exists()


def test_edit_pin_and_soft_delete(alice_client: Client, alice: Membership, workspace: Workspace) -> None:
    first = post_update(workspace=workspace, author=alice, title="First", body_markdown="one")
    second = post_update(workspace=workspace, author=alice, title="Second", body_markdown="two")
    assert alice_client.post(f"/w/acme/updates/{first.pk}/pin/", {"pinned": "1"}).status_code == 302
    html = alice_client.get("/w/acme/updates/").content.decode()
    assert html.index("First") < html.index("Second")  # pinned first, although older
    # Pinning another unpins the first: one pinned update per workspace.
    alice_client.post(f"/w/acme/updates/{second.pk}/pin/", {"pinned": "1"})
    assert list(Update.objects.filter(pinned=True)) == [second]
    resp = alice_client.post(f"/w/acme/updates/{first.pk}/edit/", {"title": "First, edited", "body_markdown": "1"})
    assert resp.status_code == 302
    first.refresh_from_db()
    assert first.title == "First, edited" and first.edited_at is not None
    assert alice_client.post(f"/w/acme/updates/{second.pk}/delete/").status_code == 302
    second.refresh_from_db()
    assert second.deleted_at is not None and not second.pinned
    alice_client.get("/w/acme/updates/")  # the flash message names the deleted update once
    assert "Second" not in alice_client.get("/w/acme/updates/").content.decode()
    # A deleted update cannot be edited or pinned any more.
    assert alice_client.get(f"/w/acme/updates/{second.pk}/edit/").status_code == 404
    with pytest.raises(UpdateError):
        set_pinned(update=second, pinned=True)


def test_employees_cannot_write_and_outsiders_get_404(
    bob_client: Client, charlie_client: Client, alice: Membership, workspace: Workspace
) -> None:
    update = post_update(workspace=workspace, author=alice, title="News", body_markdown="text")
    for url in ("/w/acme/updates/new/", f"/w/acme/updates/{update.pk}/edit/"):
        assert bob_client.get(url).status_code == 404
    for url in (f"/w/acme/updates/{update.pk}/delete/", f"/w/acme/updates/{update.pk}/pin/"):
        assert bob_client.post(url).status_code == 404
    for url in (
        "/w/acme/updates/",
        "/w/acme/updates/new/",
        f"/w/acme/updates/{update.pk}/edit/",
        "/w/acme/updates/digest/",
    ):
        assert charlie_client.get(url).status_code == 404
        assert charlie_client.post(url).status_code == 404
    for url in (f"/w/acme/updates/{update.pk}/delete/", f"/w/acme/updates/{update.pk}/pin/"):
        assert charlie_client.post(url).status_code == 404
    update.refresh_from_db()
    assert update.deleted_at is None and not update.pinned
    assert bob_client.get("/w/acme/updates/?page=zzz").status_code == 200  # a bad page number is no 500


def test_program_page_shows_latest_updates_with_constant_queries(
    alice: Membership, workspace: Workspace, bob_client: Client, goal: Goal, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            resp = bob_client.get("/w/acme/program/")
        assert resp.status_code == 200
        return len(ctx.captured_queries)

    empty = bob_client.get("/w/acme/program/").content.decode()
    assert "No program news yet" in empty
    post_update(workspace=workspace, author=alice, title="Update 1", body_markdown="**bold** start", goal=goal)
    baseline = count()
    for i in range(2, 9):
        other = create_goal(
            workspace=workspace, author=alice, name=f"G{i}", metric="clicks", target=5, period="w",
            day=timezone.now().date(),
        )  # fmt: skip
        post_update(workspace=workspace, author=alice, title=f"Update {i}", body_markdown="text", goal=other)
    assert count() <= baseline
    with django_assert_max_num_queries(baseline):
        bob_client.get("/w/acme/program/")
    html = bob_client.get("/w/acme/program/").content.decode()
    assert "Update 8" in html and "Update 6" in html and "Update 5" not in html  # the latest three
    assert 'href="/w/acme/updates/"' in html and "All updates" in html
    assert "**" not in html  # excerpts drop the Markdown


def test_home_shows_the_newest_update(alice: Membership, workspace: Workspace, bob_client: Client) -> None:
    assert "Program news" not in bob_client.get("/w/acme/").content.decode()
    post_update(workspace=workspace, author=alice, title="Older", body_markdown="old")
    post_update(workspace=workspace, author=alice, title="Halfway there", body_markdown="We are **halfway** & happy")
    html = bob_client.get("/w/acme/").content.decode()
    assert "Halfway there" in html and "We are halfway &amp; happy" in html and "Older" not in html


def test_feed_queries_do_not_grow_with_updates(
    alice: Membership, workspace: Workspace, bob_client: Client, goal: Goal, django_assert_max_num_queries: Any
) -> None:
    post_update(workspace=workspace, author=alice, title="Update 0", body_markdown="text", goal=goal)
    with CaptureQueriesContext(connection) as ctx:
        assert bob_client.get("/w/acme/updates/").status_code == 200
    for i in range(1, 12):
        post_update(workspace=workspace, author=alice, title=f"Update {i}", body_markdown=f"*{i}*", goal=goal)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        html = bob_client.get("/w/acme/updates/").content.decode()
    assert html.count('class="card update') == 12
