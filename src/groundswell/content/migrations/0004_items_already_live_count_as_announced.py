"""Items already live when notifications arrived are not announced again: only items still scheduled for later
wait for ``announce_started_items``."""

from django.db import migrations
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now


def mark_live_items(apps, schema_editor):  # type: ignore[no-untyped-def]
    Item = apps.get_model("content", "Item")
    Item.objects.filter(state="published", announced_at__isnull=True).filter(
        Q(starts_at__isnull=True) | Q(starts_at__lte=Now())
    ).update(announced_at=Coalesce(F("published_at"), Now()))


class Migration(migrations.Migration):
    dependencies = [("content", "0003_item_announced_at")]

    operations = [migrations.RunPython(mark_live_items, migrations.RunPython.noop)]
