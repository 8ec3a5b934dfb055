"""Cases that an erasure left "assigned" to nobody (before erasure released them): back to the queue, with a
``queued`` line that names nobody, so the periodic task routes them again within a minute."""

from django.db import migrations
from django.utils import timezone

NOTE = "Back in the queue: the assignee's data was erased."


def requeue(apps, schema_editor):
    Case = apps.get_model("care", "Case")
    CaseEvent = apps.get_model("care", "CaseEvent")
    now = timezone.now()
    stranded = list(Case.objects.filter(status="assigned", assignee__isnull=True).values_list("pk", "workspace_id"))
    Case.objects.filter(pk__in=[pk for pk, _ in stranded]).update(status="new", escalate_at=None)
    CaseEvent.objects.bulk_create(
        [CaseEvent(workspace_id=ws, case_id=pk, kind="queued", note=NOTE, at=now) for pk, ws in stranded]
    )


class Migration(migrations.Migration):
    dependencies = [("care", "0004_reply_stuck_notice")]

    operations = [migrations.RunPython(requeue, migrations.RunPython.noop)]
