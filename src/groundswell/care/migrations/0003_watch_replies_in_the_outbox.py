"""Replies already in the outbox when the failure sweep arrived: watch those that did not go out (still on
their way, or failed or cancelled with nobody told), so the sweep tells their responders once."""

from django.db import migrations


def watch(apps, schema_editor):
    Case = apps.get_model("care", "Case")
    Case.objects.filter(
        reply_via__in=("account", "brand"), reply_outbound__isnull=False, status__in=("answered", "resolved")
    ).exclude(reply_outbound__status="sent").update(awaiting_delivery=True)


class Migration(migrations.Migration):
    dependencies = [("care", "0002_reply_retry_and_failure_notice")]

    operations = [migrations.RunPython(watch, migrations.RunPython.noop)]
