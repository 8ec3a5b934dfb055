"""Migration 0005: shares made before ADR 0034 were already counted and paid, so they become confirmed as of
then (share links at creation, sent posts at sending); a post not sent yet stays waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sharing", "0004_share_outbound_reverse_name")]
AFTER = [("sharing", "0005_share_confirmed_at")]
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_existing_shares_are_confirmed_as_they_were_counted() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    workspace = apps.get_model("workspaces", "Workspace").objects.create(name="Old", slug="old")
    user = apps.get_model("auth", "User").objects.create(username="old@old.test", email="old@old.test")
    member = apps.get_model("workspaces", "Membership").objects.create(
        workspace=workspace, user=user, display_name="Old"
    )
    item = apps.get_model("content", "Item").objects.create(workspace=workspace, title="Old item")
    Share = apps.get_model("sharing", "Share")
    OutboundPost = apps.get_model("networks", "OutboundPost")

    def post(status: str, sent_at: dt.datetime | None) -> object:
        return OutboundPost.objects.create(
            workspace=workspace,
            text="t",
            idempotency_key=f"k-{status}",
            status=status,
            scheduled_at=T0,
            next_attempt_at=T0,
            sent_at=sent_at,
        )

    common = {"workspace": workspace, "item": item, "member": member, "network": "x"}
    link = Share.objects.create(code="LINK001", method="intent", created_at=T0, **common)
    sent = Share.objects.create(
        code="SENT001", method="api", created_at=T0, outbound=post("sent", T0 + dt.timedelta(hours=2)), **common
    )
    waiting = Share.objects.create(
        code="WAIT001", method="api", created_at=T0, outbound=post("scheduled", None), **common
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    confirmed = dict(apps.get_model("sharing", "Share").objects.values_list("pk", "confirmed_at"))
    assert confirmed == {link.pk: T0, sent.pk: T0 + dt.timedelta(hours=2), waiting.pk: None}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the full schema for the tests that follow
