"""What the updates app keeps about a member: the digest choice, the digests sent, updates they wrote."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.updates.models import DigestDelivery, DigestPreference, Update
from groundswell.workspaces.models import Membership


class UpdatesPrivacy:
    key: str = "updates"
    label: str = "Program updates and the email digest"
    models: tuple[str, ...] = ("updates.DigestPreference", "updates.DigestDelivery", "updates.Update")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        pref = DigestPreference.objects.filter(member=member).first()
        return [
            InventoryLine(
                what=f"Your digest setting ({pref.get_frequency_display() if pref else 'weekly, the default'})",
                count=None,
                visible_to="Only you (admins see no list of who reads or unsubscribed)",
                why="To send the digest as often as you asked, or not at all.",
            ),
            InventoryLine(
                what="Digests we emailed you (date and whether sending worked; not whether you opened them)",
                count=DigestDelivery.objects.filter(member=member).count(),
                visible_to="Program admins, through the database only",
                why="So nobody gets the same digest twice.",
            ),
            InventoryLine(
                what="Program updates you posted (as an admin)",
                count=Update.objects.filter(author=member).count(),
                visible_to="Everyone in the workspace",
                why="They are program news for everyone.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        pref = DigestPreference.objects.filter(member=member).first()
        return {
            "digest_frequency": pref.frequency if pref else None,
            "digests": [
                {"period": d.period_key, "status": d.status, "sent_at": d.sent_at.isoformat() if d.sent_at else None}
                for d in DigestDelivery.objects.filter(member=member).order_by("claimed_at")
            ],
            "updates_posted": [
                {"title": u.title, "posted_at": u.posted_at.isoformat(), "deleted": u.deleted_at is not None}
                for u in Update.objects.filter(author=member).order_by("posted_at")
            ],
        }

    @transaction.atomic
    def erase(self, member: Membership) -> ErasureResult:
        erased = DigestPreference.objects.filter(member=member).delete()[0]
        erased += DigestDelivery.objects.filter(member=member).delete()[0]
        erased += Update.objects.filter(author=member).update(author=None)
        return ErasureResult(
            erased=erased,
            kept=["Program updates you posted stay for everyone, without your name: they are the program's news."],
        )
