"""Give every existing workspace the default lesson rule (new workspaces get it from DEFAULT_RULES)."""

import datetime

from django.db import migrations

LESSON_POINTS = 15
LESSON_DAILY_CAP = 30


def add_lesson_rule(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    PointsRule = apps.get_model("rewards", "PointsRule")
    have = set(PointsRule.objects.filter(action="lesson").values_list("workspace_id", flat=True))
    PointsRule.objects.bulk_create(
        [
            PointsRule(
                workspace_id=pk,
                action="lesson",
                points=LESSON_POINTS,
                daily_cap=LESSON_DAILY_CAP,
                active_from=datetime.date(2000, 1, 1),
            )
            for pk in Workspace.objects.values_list("pk", flat=True)
            if pk not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0004_more_actions"),
        ("workspaces", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_lesson_rule, migrations.RunPython.noop)]
