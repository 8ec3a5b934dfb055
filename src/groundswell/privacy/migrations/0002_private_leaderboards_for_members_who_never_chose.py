"""Leaderboards become private by default (ADR 0025).

Members whose "under my name" was only the old default — they never chose it in the privacy centre, so the
audit log has no visibility change of theirs to "name" — become private. Explicit choices are kept: anybody
who chose "under my name", "anonymously" or "not at all" keeps it. Reversing restores "under my name" for the
members this migration made private (the ids are recomputed the same way, from the audit log).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _never_chose_name(apps: Any) -> Any:
    Membership = apps.get_model("workspaces", "Membership")
    PrivacyEvent = apps.get_model("privacy", "PrivacyEvent")
    chose_name = PrivacyEvent.objects.filter(action="visibility", detail="name").values("member_number")
    return Membership.objects.filter(leaderboard_visibility="name").exclude(pk__in=chose_name)


def make_private(apps: Any, schema_editor: Any) -> None:
    _never_chose_name(apps).update(leaderboard_visibility="hidden")


def restore_default(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("workspaces", "Membership")
    PrivacyEvent = apps.get_model("privacy", "PrivacyEvent")
    chose = PrivacyEvent.objects.filter(action="visibility").values("member_number")
    Membership.objects.filter(leaderboard_visibility="hidden").exclude(pk__in=chose).update(
        leaderboard_visibility="name"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_privacy_centre"),
        ("workspaces", "0004_leaderboard_private_by_default"),
    ]

    operations = [migrations.RunPython(make_private, restore_default)]
