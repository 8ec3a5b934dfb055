"""What the stewards domain keeps about a member: their shifts, hand-over notes and brand posts."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.stewards.models import BrandAccount, BrandPost, BrandPostStatus, Shift
from groundswell.workspaces.models import Membership


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class StewardsPrivacy:
    key = "stewards"
    label = "Brand-account stewardship"
    models: tuple[str, ...] = ("stewards.BrandAccount", "stewards.Shift", "stewards.BrandPost")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        shifts = Shift.objects.filter(steward=member)
        posts = BrandPost.objects.filter(author=member)
        return [
            InventoryLine(
                what="Your shifts running the company's accounts (when, and whether you declined or gave one up, "
                "with the reason you gave)",
                count=shifts.count(),
                visible_to="Program admins",
                why="To plan who runs each company account, and to award shift points.",
            ),
            InventoryLine(
                what="Your hand-over notes",
                count=shifts.exclude(handover_note="").count(),
                visible_to="Program admins and the stewards of the same account",
                why="So the next steward knows what is going on.",
            ),
            InventoryLine(
                what="Posts you wrote for the company's accounts, with the review decision and reason",
                count=posts.count(),
                visible_to="Program admins and the stewards of the same account",
                why="Approval, and the account's history of posts.",
            ),
            InventoryLine(
                what="Company accounts you connected, and shifts and posts you assigned or reviewed as an admin",
                count=BrandAccount.objects.filter(connected_by=member).count(),
                visible_to="Program admins",
                why="So admins know who set an account up and who decided on a post.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        shifts = Shift.objects.filter(steward=member).select_related("brand__account").order_by("starts_at", "pk")
        posts = BrandPost.objects.filter(author=member).select_related("brand__account", "outbound")
        return {
            "shifts": [
                {
                    "account": f"{s.brand.account.network}:{s.brand.account.handle}",
                    "starts_at": _iso(s.starts_at),
                    "ends_at": _iso(s.ends_at),
                    "status": s.status,
                    "release_reason": s.release_reason,
                    "handover_note": s.handover_note,
                    "handover_at": _iso(s.handover_at),
                }
                for s in shifts
            ],
            "posts": [
                {
                    "account": f"{p.brand.account.network}:{p.brand.account.handle}",
                    "text": p.text,
                    "link_url": p.link_url,
                    "status": p.status,
                    "review_reason": p.review_reason,
                    "created_at": _iso(p.created_at),
                    "posted_url": p.outbound.remote_url if p.outbound else "",
                }
                for p in posts.order_by("created_at", "pk")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        with transaction.atomic():
            drafts = BrandPost.objects.filter(author=member).exclude(status=BrandPostStatus.QUEUED)
            result.erased += drafts.delete()[0]
            result.erased += BrandPost.objects.filter(author=member).update(author=None)
            result.erased += Shift.objects.filter(steward=member).delete()[0]
            result.erased += BrandAccount.objects.filter(connected_by=member).update(connected_by=None)
            result.erased += Shift.objects.filter(assigned_by=member).update(assigned_by=None)
            result.erased += BrandPost.objects.filter(reviewed_by=member).update(reviewed_by=None)
        result.kept.append(
            "Posts you wrote that were published (or are about to be) on the company's accounts: they are the "
            "company's posts. They no longer name you."
        )
        result.kept.append("Points you earned for shifts stay in the points ledger, which is append-only.")
        return result
