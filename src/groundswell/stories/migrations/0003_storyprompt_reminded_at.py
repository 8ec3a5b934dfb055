from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_story_target_may_be_deleted"),
    ]

    operations = [
        migrations.AddField(
            model_name="storyprompt",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
