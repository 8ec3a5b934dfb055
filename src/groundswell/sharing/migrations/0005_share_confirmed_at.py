# Shares made before ADR 0034 were counted, and their points awarded, when they were made (share links) or
# when the outbox posted them: they are confirmed as of then, so nothing already earned changes.

from django.db import migrations, models
from django.db.models import F


def confirm_existing(apps, schema_editor):
    Share = apps.get_model("sharing", "Share")
    Share.objects.filter(method="intent", confirmed_at__isnull=True).update(confirmed_at=F("created_at"))
    for share_id, sent_at, created_at in Share.objects.filter(
        method="api", confirmed_at__isnull=True, outbound__status="sent"
    ).values_list("pk", "outbound__sent_at", "created_at"):
        Share.objects.filter(pk=share_id).update(confirmed_at=sent_at or created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_share_outbound_reverse_name"),
        ("networks", "0006_remove_outboundpost_share"),
    ]

    operations = [
        migrations.AddField(
            model_name="share",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop),
    ]
