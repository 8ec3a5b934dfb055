"""Shared fixtures: alice (program admin), bob (employee), carol (manager) in Acme; charlie is an outsider
who runs another workspace. Every endpoint test includes charlie and expects a 404."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Department, Location, Membership, Role, Workspace

User = get_user_model()


def pytest_configure(config: pytest.Config) -> None:
    """``GROUNDSWELL_TEST_NOW=2027-01-03T23:58:30+00:00`` runs the suite with the clock moved there (and
    ticking): ``make test-clocks`` uses it to find tests that pass only at some times of day or week."""
    now = os.environ.get("GROUNDSWELL_TEST_NOW")
    if now:
        import time_machine

        time_machine.travel(dt.datetime.fromisoformat(now), tick=True).start()


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    """Tests that commit (live server, ``transaction=True``) start with an empty cache. The cache is a database
    table the test database's flush does not empty, so throttles of one such test (sign-in, /sso/ e-mails)
    would otherwise decide another's outcome on the same xdist worker. Other tests roll their rows back."""
    marker = request.node.get_closest_marker("django_db")
    committing = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & set(request.fixturenames)
    )
    if committing:
        from django.core.cache import caches

        request.getfixturevalue("transactional_db")
        for alias in caches:
            caches[alias].clear()


def make_member(workspace: Workspace, email: str, role: str = Role.EMPLOYEE, **extra: object) -> Membership:
    user = User.objects.create_user(username=email, email=email, password="correct horse battery")
    return Membership.objects.create(
        workspace=workspace, user=user, role=role, display_name=email.split("@")[0].title(), **extra
    )


@pytest.fixture
def workspace(db: None) -> Workspace:
    ws = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(ws)
    return ws


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    ws = Workspace.objects.create(name="Globex", slug="globex")
    ensure_default_rules(ws)
    return ws


@pytest.fixture
def sales(workspace: Workspace) -> Department:
    return Department.objects.create(workspace=workspace, name="Sales")


@pytest.fixture
def berlin(workspace: Workspace) -> Location:
    return Location.objects.create(workspace=workspace, name="Berlin")


@pytest.fixture
def alice(workspace: Workspace) -> Membership:
    return make_member(workspace, "alice@acme.test", Role.ADMIN)


@pytest.fixture
def bob(workspace: Workspace, sales: Department, berlin: Location) -> Membership:
    return make_member(workspace, "bob@acme.test", Role.EMPLOYEE, department=sales, location=berlin, audience_size=300)


@pytest.fixture
def carol(workspace: Workspace, sales: Department) -> Membership:
    return make_member(workspace, "carol@acme.test", Role.MANAGER, department=sales)


@pytest.fixture
def charlie(other_workspace: Workspace) -> Membership:
    return make_member(other_workspace, "charlie@globex.test", Role.ADMIN)


def client_for(member: Membership) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


@pytest.fixture
def alice_client(alice: Membership) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob: Membership) -> Client:
    return client_for(bob)


@pytest.fixture
def charlie_client(charlie: Membership) -> Client:
    return client_for(charlie)


@pytest.fixture
def item(workspace: Workspace, alice: Membership) -> Item:
    return Item.objects.create(
        workspace=workspace,
        kind=ItemKind.URL,
        state=ItemState.PUBLISHED,
        url="https://example.com/launch",
        title="We launched",
        description="Our new thing",
        created_by=alice,
        published_at=timezone.now(),
    )
