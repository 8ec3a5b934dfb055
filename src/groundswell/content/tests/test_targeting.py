"""Who sees what: department, location and interest targeting on live items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.content.models import Item, ItemKind, ItemState, Topic
from groundswell.content.targeting import items_for_member
from groundswell.workspaces.models import Department, Location, Membership, Workspace

pytestmark = pytest.mark.django_db


def new_item(ws: Workspace, title: str, state: str = ItemState.PUBLISHED, **kw: object) -> Item:
    return Item.objects.create(
        workspace=ws, kind=ItemKind.TEXT, body=title, title=title, state=state, published_at=timezone.now(), **kw
    )


def titles(member: Membership) -> set[str]:
    return set(items_for_member(member, timezone.now()).values_list("title", flat=True))


def test_targeting(workspace: Workspace, bob: Membership, alice: Membership, other_workspace: Workspace) -> None:
    sales = bob.department
    berlin = bob.location
    assert sales and berlin
    hr = Department.objects.create(workspace=workspace, name="HR")
    paris = Location.objects.create(workspace=workspace, name="Paris")
    ai = Topic.objects.create(workspace=workspace, name="AI", slug="ai")
    jobs = Topic.objects.create(workspace=workspace, name="Jobs", slug="jobs")
    bob.interests.add(ai)

    new_item(workspace, "everyone")
    new_item(workspace, "sales").target_departments.add(sales)
    new_item(workspace, "hr").target_departments.add(hr)
    both = new_item(workspace, "sales or hr")
    both.target_departments.add(sales, hr)
    new_item(workspace, "berlin").target_locations.add(berlin)
    new_item(workspace, "paris").target_locations.add(paris)
    new_item(workspace, "ai").target_topics.add(ai)
    new_item(workspace, "jobs").target_topics.add(jobs)
    ai_or_jobs = new_item(workspace, "ai or jobs")
    ai_or_jobs.target_topics.add(ai, jobs)
    mixed = new_item(workspace, "sales in paris")
    mixed.target_departments.add(sales)
    mixed.target_locations.add(paris)
    new_item(workspace, "draft", state=ItemState.DRAFT)
    new_item(workspace, "archived", state=ItemState.ARCHIVED)
    new_item(workspace, "expired", expires_at=timezone.now() - dt.timedelta(minutes=1))
    new_item(workspace, "later", starts_at=timezone.now() + dt.timedelta(days=1))
    new_item(other_workspace, "globex")

    assert titles(bob) == {"everyone", "sales", "sales or hr", "berlin", "ai", "ai or jobs"}
    # No department, location or interests: only items aimed at everyone.
    assert titles(alice) == {"everyone"}
    # The query returns each item once even when several targets match.
    assert items_for_member(bob, timezone.now()).count() == 6


def test_items_for_member_is_one_query(workspace: Workspace, bob: Membership) -> None:
    for i in range(5):
        new_item(workspace, f"item {i}").target_departments.add(bob.department)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as ctx:
        items = list(items_for_member(bob, timezone.now()))
    assert len(items) == 5
    assert len(ctx.captured_queries) == 1


def test_member_without_department_sees_untargeted_only(workspace: Workspace, bob: Membership) -> None:
    loner = make_member(workspace, "dora@acme.test")
    new_item(workspace, "sales").target_departments.add(bob.department)  # type: ignore[arg-type]
    new_item(workspace, "all")
    assert titles(loner) == {"all"}
