"""Give every existing workspace the default engagement rule (new workspaces get it from DEFAULT_RULES)."""

import datetime

from django.db import migrations

ENGAGEMENT_POINTS = 1
ENGAGEMENT_DAILY_CAP = 30


def add_engagement_rule(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    PointsRule = apps.get_model("rewards", "PointsRule")
    have = set(PointsRule.objects.filter(action="engagement").values_list("workspace_id", flat=True))
    PointsRule.objects.bulk_create(
        [
            PointsRule(
                workspace_id=pk,
                action="engagement",
                points=ENGAGEMENT_POINTS,
                daily_cap=ENGAGEMENT_DAILY_CAP,
                active_from=datetime.date(2000, 1, 1),
            )
            for pk in Workspace.objects.values_list("pk", flat=True)
            if pk not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0002_alter_pointsentry_action_alter_pointsrule_action"),
        ("workspaces", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_engagement_rule, migrations.RunPython.noop)]
