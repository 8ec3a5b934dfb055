"""Give every existing workspace the default answer rule of customer care (new workspaces get it from DEFAULT_RULES)."""

import datetime

from django.db import migrations

ANSWER_POINTS = 20
ANSWER_DAILY_CAP = 100


def add_answer_rule(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    PointsRule = apps.get_model("rewards", "PointsRule")
    have = set(PointsRule.objects.filter(action="answer").values_list("workspace_id", flat=True))
    PointsRule.objects.bulk_create(
        [
            PointsRule(
                workspace_id=pk,
                action="answer",
                points=ANSWER_POINTS,
                daily_cap=ANSWER_DAILY_CAP,
                active_from=datetime.date(2000, 1, 1),
            )
            for pk in Workspace.objects.values_list("pk", flat=True)
            if pk not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0007_decay_tallies_antigaming_leagues"),
        ("workspaces", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_answer_rule, migrations.RunPython.noop)]
