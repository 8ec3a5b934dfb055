"""The privacy provider, the rewards data migration, and the outbox's brand-post path on its own."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.networks import outbox
from groundswell.networks.base import Metrics
from groundswell.networks.models import ConnectedAccount, EngagementSnapshot, OutboundPost, PostStatus
from groundswell.networks.sync import _due_posts, record_metrics
from groundswell.privacy.registry import providers
from groundswell.rewards.models import PointsEntry
from groundswell.stewards import actions, queries
from groundswell.stewards.models import BrandAccount, BrandPost, BrandPostStatus, Shift
from groundswell.workspaces.models import Membership

from .conftest import FakePDS


def _provider() -> object:
    [provider] = [p for p in providers() if p.key == "stewards"]
    return provider


def test_privacy_inventory_export_and_erase(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, alice: Membership, pds: FakePDS
) -> None:
    provider = _provider()
    actions.write_handover(bob_shift, bob, "My words for the next one")
    published = actions.write_post(brand=brand, steward=bob, text="Published words")
    actions.set_require_approval(brand, True)
    draft = actions.write_post(brand=brand, steward=bob, text="Draft words")
    lines = provider.inventory(bob)  # type: ignore[attr-defined]
    assert [line.count for line in lines] == [1, 1, 2, 0] and all(line.visible_to for line in lines)
    assert provider.inventory(alice)[3].count == 1  # type: ignore[attr-defined]
    exported = provider.export(bob)  # type: ignore[attr-defined]
    json.dumps(exported)
    assert exported["shifts"][0]["handover_note"] == "My words for the next one"
    assert {p["text"] for p in exported["posts"]} == {"Published words", "Draft words"}

    result = provider.erase(bob)  # type: ignore[attr-defined]
    assert result.erased >= 3 and len(result.kept) == 2
    assert not Shift.objects.filter(steward=bob).exists()
    assert not BrandPost.objects.filter(pk=draft.pk).exists()
    published.refresh_from_db()
    assert published.author is None and published.status == BrandPostStatus.QUEUED  # the company's post stays
    assert provider.export(bob) == {"shifts": [], "posts": []}  # type: ignore[attr-defined]
    provider.erase(alice)  # type: ignore[attr-defined]
    brand.refresh_from_db()
    assert brand.connected_by is None and BrandAccount.objects.filter(pk=brand.pk).exists()


def test_every_stewards_model_with_a_member_is_claimed() -> None:
    from django.apps import apps

    provider = _provider()
    with_member = {
        f"stewards.{model.__name__}"
        for model in apps.get_app_config("stewards").get_models()
        if any(getattr(f, "related_model", None) is Membership for f in model._meta.get_fields())
    }
    assert with_member == set(provider.models)  # type: ignore[attr-defined]


def test_the_points_job_is_registered() -> None:
    from groundswell.core.scheduler import _REGISTRY
    from groundswell.stewards.tasks import award_shift_points

    assert any(job.task is award_shift_points and job.every.total_seconds() == 900 for job in _REGISTRY.values())


def test_member_accounts_cannot_take_brand_posts(bob: Membership, pds: FakePDS) -> None:
    personal = ConnectedAccount.objects.create(
        workspace=bob.workspace, member=bob, network="bluesky", remote_id="did:plc:bob", handle="bob", access_token="x"
    )
    with pytest.raises(outbox.PostingError, match="not one of the company's accounts"):
        outbox.schedule_account_post(personal, "hi", "", None)
    assert not OutboundPost.objects.exists()


def test_brand_post_can_be_cancelled_and_its_counts_are_kept_without_points(brand: BrandAccount, pds: FakePDS) -> None:
    later = timezone.now() + dt.timedelta(hours=2)
    post = outbox.schedule_account_post(brand.account, "Later", "", later)
    assert outbox.cancel_account_post(post, "The steward withdrew it.")
    assert post.status == PostStatus.CANCELLED and not outbox.cancel_account_post(post, "again")
    sent = outbox.schedule_account_post(brand.account, "Now", "", None)
    outbox.deliver_due()
    sent.refresh_from_db()
    assert sent.status == PostStatus.SENT
    (row,) = [row for row in _due_posts(timezone.now()) if row.pk == sent.pk]  # no member share to feed
    done = record_metrics([row], {sent.remote_id: Metrics(likes=5, reposts=2, replies=1)}, timezone.now())
    assert (done.snapshots, done.points, done.engagements) == (1, 0, 0)
    assert EngagementSnapshot.objects.get(post=sent).likes == 5
    assert not PointsEntry.objects.exists() and not MemberPeriod.objects.exists()
    # The stewards see the counts next to the post.
    post = BrandPost.objects.create(
        workspace=brand.workspace, brand=brand, text="Now", status=BrandPostStatus.QUEUED, outbound=sent
    )
    (shown,) = queries.with_engagement([post])
    assert shown.engagement.likes == 5  # type: ignore[attr-defined]
    # A reply to a customer from the same account is care's business: never synced.
    OutboundPost.objects.filter(pk=sent.pk).update(reply_to={"uri": "at://did:plc:x/app.bsky.feed.post/1"})
    assert sent.pk not in {row.pk for row in _due_posts(timezone.now())}


def test_reconnect_refuses_new_brand_posts(brand: BrandAccount) -> None:
    ConnectedAccount.objects.filter(pk=brand.account.pk).update(status="reconnect")
    brand.account.refresh_from_db()
    with pytest.raises(outbox.PostingError, match="needs reconnecting"):
        outbox.schedule_account_post(brand.account, "x", "", None)


@pytest.mark.django_db(transaction=True)
def test_existing_workspaces_get_the_brand_shift_rule() -> None:
    before = [("rewards", "0004_more_actions"), ("workspaces", "0002_import_job_employee_id")]
    after = [("rewards", "0006_brand_shift_rule")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    workspace = apps.get_model("workspaces", "Workspace").objects.create(name="Old", slug="old")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    rules = apps.get_model("rewards", "PointsRule").objects.filter(workspace_id=workspace.pk, action="brand_shift")
    assert [(r.points, r.daily_cap) for r in rules] == [(40, None)]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_demo_has_brand_accounts_that_never_post() -> None:
    from groundswell.demo.generator import build_demo

    result = build_demo(seed=3, employees=40, days=30)
    brands = list(BrandAccount.objects.filter(workspace=result.workspace).select_related("account"))
    assert {b.account.network for b in brands} == {"linkedin", "bluesky"}
    assert all(b.account.member is None and b.account.status == "reconnect" for b in brands)
    assert Shift.objects.filter(brand__in=brands).exclude(handover_note="").count() == 2
    assert BrandPost.objects.filter(brand__in=brands, status=BrandPostStatus.PENDING).count() == 1
    assert outbox.due_ids(timezone.now() + dt.timedelta(days=400)) == []  # nothing would ever be sent
    assert actions.notify_started_shifts(timezone.now() + dt.timedelta(days=30)) == 0  # and nobody is e-mailed
    from groundswell.rewards.models import PointsEntry

    assert PointsEntry.objects.filter(workspace=result.workspace, action="brand_shift").count() >= 2


def test_admin_outbox_overview_lists_brand_posts(brand: BrandAccount, alice: Membership, pds: FakePDS) -> None:
    from django.urls import reverse

    from groundswell.conftest import client_for

    post = outbox.schedule_account_post(brand.account, "Company news of the week", "", None)
    OutboundPost.objects.filter(pk=post.pk).update(status=PostStatus.FAILED, last_error="Bluesky refused")
    page = client_for(alice).get(reverse("posting:overview", kwargs={"ws": "acme"}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Company account acme.bsky.test" in html and "Company news of the week" in html and "Bluesky" in html
