"""Step 4 of inverting OutboundPost → Share: with ``OutboundPost.share`` gone, its reverse name ``share``
is free again for ``Share.outbound`` (``post.share``, ``share__member`` keep working). No SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0003_copy_outbound_links"),
        ("networks", "0006_remove_outboundpost_share"),
    ]

    operations = [
        migrations.AlterField(
            model_name="share",
            name="outbound",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="share",
                to="networks.outboundpost",
            ),
        ),
    ]
