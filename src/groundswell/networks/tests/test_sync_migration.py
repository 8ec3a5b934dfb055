"""The data migration gives existing workspaces the default engagement rule."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Workspaces too: a later workspaces migration adds a column the historical model of this point lacks.
BEFORE = [
    ("rewards", "0002_alter_pointsentry_action_alter_pointsrule_action"),
    ("workspaces", "0002_import_job_employee_id"),
]
AFTER = [("rewards", "0003_engagement_rule")]


@pytest.mark.django_db(transaction=True)
def test_existing_workspaces_get_the_engagement_rule() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    workspace = apps.get_model("workspaces", "Workspace").objects.create(name="Old", slug="old")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    rules = apps.get_model("rewards", "PointsRule").objects.filter(workspace_id=workspace.pk, action="engagement")
    assert [(r.points, r.daily_cap) for r in rules] == [(1, 30)]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the full schema for the tests that follow
