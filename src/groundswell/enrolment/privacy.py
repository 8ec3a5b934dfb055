"""What enrolment keeps about a member, who in the company sees it, the export and the erasure."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.enrolment.models import CallEmail, CallForInterest, Enrolment, EnrolmentEvent, Status
from groundswell.enrolment.queries import enrolment_for
from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


class EnrolmentPrivacy:
    key = "enrolment"
    label = "Call for interest and volunteering"
    models: tuple[str, ...] = (
        "enrolment.Enrolment",
        "enrolment.EnrolmentChoice",
        "enrolment.EnrolmentEvent",
        "enrolment.CallEmail",
        "enrolment.CallForInterest",
    )

    def inventory(self, member: Membership) -> list[InventoryLine]:
        enrolment = Enrolment.objects.filter(member=member).only("status", "show_to_manager").first()
        joined = enrolment is not None and enrolment.status == Status.JOINED
        if joined and enrolment is not None and enrolment.show_to_manager:
            manager = "Your manager sees by name that you joined and what you would like to do (you allowed it)."
        else:
            manager = "Your manager sees only totals for groups large enough not to single anyone out."
        return [
            InventoryLine(
                what="Your answer: joined, “not now” or left; what you would like to do, networks, topics, time per "
                "week, comfort, languages, and whether your manager may see it",
                count=1 if enrolment else 0,
                visible_to=(
                    "Program admins see it by name while you are joined, to invite you to teams, brand accounts and "
                    "customer care. If you said “not now” or left, they see only counts. " + manager
                ),
                why="Matching volunteers with what they like to do.",
            ),
            InventoryLine(
                what="The history of your answers (when you joined, changed your answers, said not now or left)",
                count=EnrolmentEvent.objects.filter(member=member).count(),
                visible_to="Only you. Program admins see counts over time, never your history.",
                why="So you can see what you told us, and for participation counts.",
            ),
            InventoryLine(
                what="Which calls for interest were emailed to you",
                count=CallEmail.objects.filter(member=member).count(),
                visible_to="Nobody by name (used by the system only).",
                why="So nobody gets the same call twice.",
            ),
            InventoryLine(
                what="Calls for interest you opened (as a program admin)",
                count=CallForInterest.objects.filter(opened_by=member).count(),
                visible_to="Program admins.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        enrolment = enrolment_for(member)
        return {
            "enrolment": None
            if enrolment is None
            else {
                "status": enrolment.status,
                "activities": enrolment.activities,
                "networks": enrolment.networks,
                "topics": [t.name for t in enrolment.topics.all()],
                "hours": enrolment.hours,
                "comfort": enrolment.comfort,
                "languages": enrolment.languages,
                "show_to_manager": enrolment.show_to_manager,
                "joined_at": enrolment.joined_at.isoformat() if enrolment.joined_at else None,
                "updated_at": enrolment.updated_at.isoformat(),
            },
            "history": [
                {
                    "at": e.at.isoformat(),
                    "status": e.status,
                    "previous_status": e.previous_status,
                    "call": e.call.title if e.call else None,
                    "answers": e.snapshot,
                }
                for e in EnrolmentEvent.objects.filter(member=member).select_related("call").order_by("at", "id")
            ],
            "emails": [
                {"call": c.call.title, "sent_at": c.sent_at.isoformat()}
                for c in CallEmail.objects.filter(member=member).select_related("call").order_by("sent_at")
            ],
            "calls_opened": [
                {"title": c.title, "opened_at": c.opened_at.isoformat(), "deadline": c.deadline.isoformat()}
                for c in CallForInterest.objects.filter(opened_by=member).order_by("opened_at")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        with transaction.atomic():
            deleted, _ = Enrolment.objects.filter(member=member).delete()  # with its choices and topics
            result.erased += deleted
            result.erased += EnrolmentEvent.objects.filter(member=member).update(member=None, snapshot={})
        result.kept.append(
            "The history of answers, without your name or answers (only the status change and its date): "
            "participation counts over time."
        )
        if CallEmail.objects.filter(member=member).exists():
            result.kept.append("Which calls were emailed to you: so you are never emailed the same call twice.")
        if CallForInterest.objects.filter(opened_by=member).exists():
            result.kept.append("Calls for interest you opened: they were sent to everyone in the company.")
        return result


provider = EnrolmentPrivacy()
