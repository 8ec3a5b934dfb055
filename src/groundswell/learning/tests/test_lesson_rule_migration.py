"""The data migration gives existing workspaces the default lesson rule."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("rewards", "0004_more_actions")]
AFTER = [("rewards", "0005_lesson_rule")]


@pytest.mark.django_db(transaction=True)
def test_existing_workspaces_get_the_lesson_rule() -> None:
    from groundswell.workspaces.models import Workspace

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # The workspaces app is not rolled back, so today's model matches the table.
    workspace = Workspace.objects.create(name="Old", slug="old")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    rules = apps.get_model("rewards", "PointsRule").objects.filter(workspace_id=workspace.pk, action="lesson")
    assert [(r.points, r.daily_cap) for r in rules] == [(15, 30)]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
