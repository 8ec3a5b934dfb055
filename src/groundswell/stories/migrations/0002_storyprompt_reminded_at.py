from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_stories_prompts_moderation"),
    ]

    operations = [
        migrations.AddField(
            model_name="storyprompt",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
