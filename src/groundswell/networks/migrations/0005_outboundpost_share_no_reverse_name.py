"""Step 1 of inverting OutboundPost → Share (sharing keeps the link, networks knows nothing about shares):
drop the reverse name ``outbound`` on Share, so that ``sharing.0002`` can add ``Share.outbound``. No SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("networks", "0004_outboundpost_reply_to"),
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboundpost",
            name="share",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="sharing.share",
            ),
        ),
    ]
