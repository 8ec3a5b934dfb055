from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0001_videos"),
    ]

    operations = [
        migrations.AddField(
            model_name="video",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
