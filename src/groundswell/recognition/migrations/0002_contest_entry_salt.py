"""Published contest entry keys no longer follow from a membership id (ADR 0025).

Open contests get a secret salt now (their entries are not published until the draw). Drawn contests keep
the keys their published draw was computed with, so they still verify; cancelled ones publish nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import migrations

import groundswell.networks.crypto


def salt_open_contests(apps: Any, schema_editor: Any) -> None:
    Contest = apps.get_model("recognition", "Contest")
    for contest in Contest.objects.filter(status="open"):  # encrypted: compared in Python, not in SQL
        if not contest.entry_salt:
            contest.entry_salt = secrets.token_hex(32)
            contest.save(update_fields=["entry_salt"])


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contest",
            name="entry_salt",
            field=groundswell.networks.crypto.EncryptedTextField(blank=True, default=""),
        ),
        migrations.RunPython(salt_open_contests, migrations.RunPython.noop),
    ]
