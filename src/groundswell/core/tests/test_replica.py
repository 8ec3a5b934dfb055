"""Dashboard reads on the read replica where one is configured; writes and other reads on the primary."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groundswell.analytics.models import ItemDay, SegmentPeriod
from groundswell.analytics.tests.helpers import share_with_clicks
from groundswell.conftest import client_for
from groundswell.content.models import Item
from groundswell.core.dbrouter import ReplicaRouter, replica_reads
from groundswell.workspaces.models import Membership

# Committed rows (transaction=True): the mirror alias is a second connection to the same test database.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

ROLLUP_TABLES = (SegmentPeriod._meta.db_table, ItemDay._meta.db_table)


def _rollup_queries(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if any(table in q["sql"] for table in ROLLUP_TABLES)]


@override_settings(READ_REPLICA="replica")
def test_the_dashboard_reads_its_rollups_from_the_replica(bob: Membership, carol: Membership, item: Item) -> None:
    share_with_clicks(bob, item, 3)
    client = client_for(carol)  # a manager
    url = reverse("analytics:dashboard", kwargs={"ws": "acme"})
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["totals"].clicks == 3  # the replica holds the same rows
    assert _rollup_queries(replica.captured_queries), "the rollups were read on the replica"
    assert not _rollup_queries(primary.captured_queries), "no rollup read on the primary"
    # Access checks and the session stay on the primary.
    assert any("workspaces_membership" in q["sql"] for q in primary.captured_queries)
    assert not any(
        q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in replica.captured_queries
    )


def test_without_a_replica_everything_stays_on_the_primary(bob: Membership, carol: Membership, item: Item) -> None:
    share_with_clicks(bob, item, 1)
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client_for(carol).get(reverse("analytics:dashboard", kwargs={"ws": "acme"}))
    assert response.status_code == 200
    assert replica.captured_queries == []


@override_settings(READ_REPLICA="replica")
def test_writes_and_reads_outside_a_dashboard_stay_on_the_primary() -> None:
    router = ReplicaRouter()
    assert router.db_for_read(SegmentPeriod) is None  # a worker's read-modify-write: primary
    assert router.db_for_write(SegmentPeriod) is None
    with replica_reads():
        assert router.db_for_read(SegmentPeriod) == "replica"
        assert router.db_for_read(Membership) is None
        assert router.db_for_write(SegmentPeriod) is None
    assert router.allow_migrate("replica", "analytics") is False
    assert router.allow_migrate("default", "analytics") is None
