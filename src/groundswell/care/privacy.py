"""What customer care keeps about a member: their responder profile, the cases routed to them and their
answers, and the case log lines that name them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from groundswell.care.actions import ERASED, release_cases_of
from groundswell.care.hours import format_day, from_json
from groundswell.care.models import Case, CaseEvent, ResponderProfile, Snippet, TriageItem
from groundswell.privacy.registry import ADMINS, ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class CarePrivacy:
    key: str = "care"
    label: str = "Customer care"
    models: tuple[str, ...] = (
        "care.ResponderProfile",
        "care.Case",
        "care.CaseEvent",
        "care.Snippet",
        "care.TriageItem",
    )

    def inventory(self, member: Membership) -> list[InventoryLine]:
        cases = Case.objects.filter(Q(assignee=member) | Q(responder=member))
        return [
            InventoryLine(
                what="Your responder profile: working hours, time zone, languages, topics, and whether you paused",
                count=ResponderProfile.objects.filter(member=member).count(),
                visible_to=ADMINS,
                why="To route customer questions to someone on shift who speaks the language.",
            ),
            InventoryLine(
                what="Customer cases routed to you and your answers, with how long the first answer took",
                count=cases.count(),
                visible_to=ADMINS,
                why="The team queue, response-time targets and answer points.",
                erasable=False,
            ),
            InventoryLine(
                what="Lines of the case log that name you (assigned, moved on, answered)",
                count=CaseEvent.objects.filter(Q(member=member) | Q(actor=member)).count(),
                visible_to=ADMINS,
                why="So admins can see what happened to a customer's question.",
                erasable=False,
            ),
            InventoryLine(
                what="Brand mentions you took out of the triage queue (a case made, or dismissed with a reason)",
                count=TriageItem.objects.filter(decided_by=member).count(),
                visible_to="The care team (admins and colleagues who answer customers)",
                why="So the team can see why a post got no reply, and who decided.",
                erasable=False,
            ),
        ]

    def keeps(self, member: Membership) -> list[str]:
        return [
            "Customer cases and their log stay (the company's record of answering customers), and so do the "
            "triage decisions and their reasons; they no longer name you. Answer points stay in the append-only "
            "points ledger."
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        profile = ResponderProfile.objects.filter(member=member).prefetch_related("skills").first()
        cases = Case.objects.filter(Q(assignee=member) | Q(responder=member)).select_related("post")
        return {
            "profile": None
            if profile is None
            else {
                "languages": list(profile.languages),
                "timezone": profile.time_zone,
                "hours": {str(d): format_day(w) for d, w in sorted(from_json(profile.week).items())},
                "topics": [t.name for t in profile.skills.all()],
                "paused": profile.paused,
            },
            "cases": [
                {
                    "post_url": c.post.url,
                    "status": c.status,
                    "opened_at": _iso(c.opened_at),
                    "first_response_at": _iso(c.first_response_at),
                    "answered_by_you": c.responder_id == member.pk,
                    "reply_text": c.reply_text if c.responder_id == member.pk else "",
                    "reply_url": c.reply_url if c.responder_id == member.pk else "",
                }
                for c in cases.order_by("opened_at", "pk")
            ],
            "triage_decisions": [
                {
                    "post_url": t.post.url,
                    "decision": t.status,
                    "reason": t.reason,
                    "note": t.note,
                    "decided_at": _iso(t.decided_at),
                }
                for t in TriageItem.objects.filter(decided_by=member).select_related("post").order_by("decided_at")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        with transaction.atomic():
            # First, while the case log still names them (routing skips earlier assignees): their unanswered
            # cases go back to the queue and are routed again, rather than stay "assigned" to nobody.
            release_cases_of(member, reason=ERASED)
            result.erased += ResponderProfile.objects.filter(member=member).delete()[0]
            result.erased += Case.objects.filter(assignee=member).update(assignee=None)
            # A reply posted by hand from their own account: its address names the account.
            result.erased += Case.objects.filter(responder=member).exclude(reply_url="").update(reply_url="")
            result.erased += Case.objects.filter(responder=member).update(responder=None)
            result.erased += CaseEvent.objects.filter(member=member).update(member=None)
            result.erased += CaseEvent.objects.filter(actor=member).update(actor=None)
            result.erased += Snippet.objects.filter(created_by=member).update(created_by=None)
            result.erased += TriageItem.objects.filter(decided_by=member).update(decided_by=None)
        result.kept.extend(self.keeps(member))
        return result
