from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0005_membership_awaiting_acceptance"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["id", "is_active", "leaderboard_visibility"], name="membership_board_rule"),
        ),
    ]
