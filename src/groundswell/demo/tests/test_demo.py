"""The demo company builds quickly, consistently (rollups agree with raw rows) and idempotently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import Dimension, ItemDay, MemberPeriod, SegmentPeriod
from groundswell.content.models import Item, ItemState
from groundswell.demo import data
from groundswell.demo.generator import DEMO_PASSWORD, DemoResult, build_demo
from groundswell.goals.models import Goal
from groundswell.links.models import Click
from groundswell.rewards.models import PointsEntry
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership, Role, Workspace

NOW = dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC)


def small_demo(seed: int = 3) -> DemoResult:
    return build_demo(seed=seed, employees=40, days=30, now=NOW)


def all_time(ws: Workspace, dimension: str = Dimension.ALL, key: str = "") -> SegmentPeriod:
    return SegmentPeriod.objects.get(workspace=ws, period="a", dimension=dimension, key=key)


@pytest.mark.django_db
def test_demo_rollups_match_raw_rows() -> None:
    result = small_demo()
    ws = result.workspace
    assert result.counts["shares"] > 20 and result.counts["clicks"] > 50

    clicks = Click.objects.filter(workspace=ws)
    everyone = all_time(ws)
    assert everyone.shares == Share.objects.filter(workspace=ws).count() == result.counts["shares"]
    assert everyone.clicks == clicks.filter(is_bot=False).count()
    assert everyone.bot_clicks == clicks.filter(is_bot=True).count() > 0
    assert everyone.unique_clicks == clicks.filter(is_unique=True).count()
    assert everyone.points == PointsEntry.objects.filter(workspace=ws).aggregate(s=Sum("points"))["s"]
    assert everyone.reach == Share.objects.filter(workspace=ws).aggregate(s=Sum("reach_estimate"))["s"]
    assert everyone.active_members == Share.objects.filter(workspace=ws).values("member").distinct().count()

    shares = Share.objects.filter(workspace=ws).aggregate(h=Sum("human_clicks"), u=Sum("unique_clicks"))
    assert (shares["h"], shares["u"]) == (everyone.clicks, everyone.unique_clicks)

    members = MemberPeriod.objects.filter(workspace=ws, period="a").aggregate(
        s=Sum("shares"), c=Sum("clicks"), p=Sum("points")
    )
    assert (members["s"], members["c"], members["p"]) == (everyone.shares, everyone.clicks, everyone.points)
    items = ItemDay.objects.filter(workspace=ws).aggregate(s=Sum("shares"), c=Sum("clicks"), b=Sum("bot_clicks"))
    assert (items["s"], items["c"], items["b"]) == (everyone.shares, everyone.clicks, everyone.bot_clicks)
    networks = SegmentPeriod.objects.filter(workspace=ws, period="a", dimension=Dimension.NETWORK)
    assert sum(n.clicks for n in networks) == everyone.clicks
    # Daily rows add up to the all-time row.
    days = SegmentPeriod.objects.filter(workspace=ws, period="d", dimension=Dimension.ALL)
    assert sum(d.clicks for d in days) == everyone.clicks

    # Shares only ever happen on live items and by their workspace's members; no click precedes its share.
    assert not Click.objects.filter(workspace=ws, clicked_at__lt=timezone.now() - dt.timedelta(days=3650)).exists()
    for click in Click.objects.filter(workspace=ws).select_related("share")[:500]:
        assert click.share.created_at <= click.clicked_at <= NOW


@pytest.mark.django_db
def test_demo_company_shape() -> None:
    ws = small_demo().workspace
    members = Membership.objects.filter(workspace=ws)
    assert members.count() == 40
    assert members.filter(role=Role.ADMIN).count() == 2
    # Every department has a manager, and everyone but the CEO has a manager.
    for dept in ws.departments.all():
        assert members.filter(department=dept, role__in=[Role.MANAGER, Role.ADMIN]).exists(), dept.name
    assert members.filter(manager__isnull=True).count() == 1
    assert ws.departments.count() == 8 and ws.locations.count() == 5
    assert members.exclude(mastodon_instance="").exists()
    assert Membership.interests.through.objects.filter(membership__workspace=ws).exists()
    assert ws.vision

    items = Item.objects.filter(workspace=ws)
    assert items.filter(state=ItemState.PUBLISHED).count() >= 40
    assert items.filter(state=ItemState.PENDING).count() == 3
    assert items.filter(state=ItemState.REJECTED).exclude(rejection_reason="").count() == 1
    assert not items.filter(url__contains="://", unfurl_state="pending").exists()
    published_urls = items.filter(state=ItemState.PUBLISHED).exclude(url="")
    assert all(".example" in url for url in published_urls.values_list("url", flat=True))
    with_captions = items.annotate(n=Count("captions")).filter(state=ItemState.PUBLISHED, n__gte=3)
    assert with_captions.count() >= 40

    goals = {g.metric: g for g in Goal.objects.filter(workspace=ws)}
    assert {"clicks", "shares", "active"} <= set(goals)
    clicks_goal = goals["clicks"]
    quarter = SegmentPeriod.objects.get(
        workspace=ws, period="q", start=clicks_goal.period_start, dimension=Dimension.ALL
    )
    assert quarter.clicks < clicks_goal.target <= max(50, quarter.clicks * 1.6) * 1.1 + 10


@pytest.mark.django_db
def test_demo_is_seeded_and_idempotent() -> None:
    first = small_demo(seed=11)
    users = get_user_model().objects.count()
    second = small_demo(seed=11)
    assert Workspace.objects.filter(slug=data.SLUG).count() == 1
    assert get_user_model().objects.count() == users
    assert first.counts == second.counts
    assert Share.objects.count() == second.counts["shares"]
    assert Click.objects.count() == second.counts["clicks"]


@pytest.mark.django_db
def test_demo_logins_work() -> None:
    result = small_demo()
    assert [login.role for login in result.logins] == ["Program admin", "Manager (Sales)", "Employee"]
    for login in result.logins:
        assert login.password == DEMO_PASSWORD
        client = Client()
        response = client.post(reverse("account_login"), {"login": login.email, "password": login.password})
        assert response.status_code == 302, login.email
        home = client.get("/", follow=True)
        assert home.status_code == 200
        assert home.redirect_chain[-1][0].startswith(f"/w/{data.SLUG}/")
    assert not Client().login(username=result.logins[0].email, password="wrong password")


@pytest.mark.django_db
def test_demo_command_refuses_without_debug_and_builds_with_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", "--no-serve", "--employees", "20")
    call_command("demo", "--no-serve", "--employees", "20", "--days", "14", "--i-know-this-is-not-production")
    out = capsys.readouterr().out
    assert "Northwind Outfitters is ready" in out
    assert "priya.raman@northwind-outfitters.example" in out and DEMO_PASSWORD in out
    assert Membership.objects.filter(workspace__slug=data.SLUG).count() == 20


@pytest.mark.django_db
def test_demo_shows_scim_provisioning() -> None:
    from groundswell.demo.generator import demo_email
    from groundswell.scim.models import ScimEvent, ScimToken, ScimUser

    ws = small_demo().workspace
    token = ScimToken.objects.get(workspace=ws)
    assert token.revoked_at is None and token.last_used_at is not None
    operations = sorted(ScimEvent.objects.filter(workspace=ws).values_list("operation", flat=True))
    assert operations == ["create", "create", "deactivate", "update"]
    assert ScimUser.objects.filter(workspace=ws).count() == Membership.objects.filter(workspace=ws).count()
    assert Membership.objects.filter(workspace=ws, is_active=False).count() >= 1
    assert all(e.created_at <= NOW for e in ScimEvent.objects.filter(workspace=ws))
    client = Client()
    assert client.login(username=demo_email(data.ADMIN[1]), password=DEMO_PASSWORD)
    page = client.get(f"/w/{ws.slug}/scim-tokens/")
    assert page.status_code == 200
    assert "Okta (Northwind directory)" in page.content.decode() and "Deactivated member" in page.content.decode()


@pytest.mark.django_db
def test_the_smallest_demo_company_builds_and_a_smaller_one_is_refused_clearly() -> None:
    from groundswell.demo.data import MIN_EMPLOYEES

    result = build_demo(seed=5, employees=MIN_EMPLOYEES, days=14, now=NOW)
    assert Membership.objects.filter(workspace=result.workspace).count() == MIN_EMPLOYEES
    with pytest.raises(CommandError, match=f"at least {MIN_EMPLOYEES}"):
        call_command("demo", "--no-serve", "--i-know-this-is-not-production", "--employees", str(MIN_EMPLOYEES - 1))
