"""Step 2 of inverting OutboundPost → Share: add ``Share.outbound``. ``0003`` copies every link across (a migration
of its own: on PostgreSQL a data change and a constraint change on the same table cannot share a transaction),
and ``networks.0006`` then drops ``OutboundPost.share``."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("networks", "0005_outboundpost_share_no_reverse_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="share",
            name="outbound",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="networks.outboundpost",
            ),
        ),
    ]
