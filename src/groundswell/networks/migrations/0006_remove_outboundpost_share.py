"""Step 3 of inverting OutboundPost → Share: the link now lives on ``Share.outbound`` (copied by
``sharing.0003``), so the outbox's table loses its column."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("networks", "0005_outboundpost_share_no_reverse_name"),
        ("sharing", "0003_copy_outbound_links"),
    ]

    operations = [
        migrations.RemoveField(model_name="outboundpost", name="share"),
    ]
