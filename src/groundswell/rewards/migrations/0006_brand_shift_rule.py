"""Give every existing workspace the default brand-shift rule (new workspaces get it from DEFAULT_RULES)."""

import datetime

from django.db import migrations

BRAND_SHIFT_POINTS = 40


def add_brand_shift_rule(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    PointsRule = apps.get_model("rewards", "PointsRule")
    have = set(PointsRule.objects.filter(action="brand_shift").values_list("workspace_id", flat=True))
    PointsRule.objects.bulk_create(
        [
            PointsRule(
                workspace_id=pk,
                action="brand_shift",
                points=BRAND_SHIFT_POINTS,
                daily_cap=None,
                active_from=datetime.date(2000, 1, 1),
            )
            for pk in Workspace.objects.values_list("pk", flat=True)
            if pk not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0005_lesson_rule"),
        ("workspaces", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_brand_shift_rule, migrations.RunPython.noop)]
