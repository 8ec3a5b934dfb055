"""The privacy centre's own records about the member."""

from __future__ import annotations

from typing import Any

from groundswell.privacy.models import DataExport, MemberPrivacy, PrivacyEvent
from groundswell.privacy.providers._util import iso
from groundswell.privacy.registry import ADMINS, ONLY_YOU, ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


class PrivacyCentreProvider:
    key = "privacy"
    label = "Your privacy choices and requests"
    models: tuple[str, ...] = ("privacy.MemberPrivacy", "privacy.DataExport", "privacy.PrivacyEvent")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Your privacy requests (exports, changes of these settings): what and when, never the content",
                PrivacyEvent.objects.filter(member=member).count(),
                ADMINS,
                "An audit log, so admins can show requests were honoured.",
                erasable=False,
            ),
            InventoryLine(
                "Your data exports (each is deleted 7 days after it is ready)",
                DataExport.objects.filter(member=member).count(),
                ONLY_YOU,
                "So you can download your data.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        settings = MemberPrivacy.objects.filter(member=member).first()
        return {
            "share_statistics_with_manager": bool(settings and settings.share_stats_with_manager),
            "requests": [
                {"action": e.action, "detail": e.detail, "at": iso(e.at)}
                for e in PrivacyEvent.objects.filter(member=member).order_by("at")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        exports, _ = DataExport.objects.filter(member=member).delete()
        settings, _ = MemberPrivacy.objects.filter(member=member).delete()
        return ErasureResult(erased=exports + settings, kept=self.keeps(member))

    def keeps(self, member: Membership) -> list[str]:
        return [
            "The audit log of your privacy requests (what was asked and when, no content), under your "
            "anonymised membership: it shows that your request was honoured."
        ]
