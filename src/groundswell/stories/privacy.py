"""What the stories feed keeps about a member: their stories, comments, reactions, reports and moderation acts.

What the employer sees: stories, comments and reactions are seen by the colleagues the author chose (everyone,
a department or a team) and always by the program admins; who reported what is seen only by the program
admins (never by the author reported); an admin's moderation decisions are in the log the admins see.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, Model, OuterRef, Subquery
from django.db.models.functions import Coalesce

from groundswell.privacy.registry import ADMINS, ErasureResult, InventoryLine, register
from groundswell.stories.models import ModerationEvent, Story, StoryComment, StoryReaction, StoryReport
from groundswell.workspaces.models import Membership

AUDIENCE = "Colleagues you chose as the audience, and program admins"


class StoriesPrivacy:
    key = "stories"
    label = "Stories"
    models: tuple[str, ...] = (
        "stories.Story",
        "stories.StoryReaction",
        "stories.StoryComment",
        "stories.StoryReport",
        "stories.ModerationEvent",
    )

    def _counts(self, member: Membership) -> dict[str, int]:
        """The five counts in one query (the privacy centre asks every provider; its query budget is tight)."""

        def count(model: type[Model], field: str) -> Coalesce:
            rows = (
                model._default_manager.filter(**{field: OuterRef("pk")})
                .order_by()
                .values(field)
                .annotate(n=Count("pk"))
            )
            return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)

        row = (
            Membership.objects.filter(pk=member.pk)
            .annotate(
                n_stories=count(Story, "author"),
                n_comments=count(StoryComment, "author"),
                n_reactions=count(StoryReaction, "member"),
                n_reports=count(StoryReport, "reporter"),
                n_decisions=count(ModerationEvent, "actor"),
            )
            .values("n_stories", "n_comments", "n_reactions", "n_reports", "n_decisions")
            .first()
        )
        return {key: value if isinstance(value, int) else 0 for key, value in row.items()} if row else {}

    def inventory(self, member: Membership) -> list[InventoryLine]:
        counts = self._counts(member)
        return [
            InventoryLine(
                what="Stories you wrote (text, images, video, who it is for)",
                count=counts.get("n_stories", 0),
                visible_to=AUDIENCE,
                why="To share them with the colleagues you chose.",
            ),
            InventoryLine(
                what="Your comments on colleagues' stories",
                count=counts.get("n_comments", 0),
                visible_to="Colleagues who can read the story, and program admins",
                why="To show them under the story.",
            ),
            InventoryLine(
                what="Your reactions to stories (which story, which reaction)",
                count=counts.get("n_reactions", 0),
                visible_to="Colleagues who can read the story, and program admins",
                why="To count them and show who reacted.",
            ),
            InventoryLine(
                what="Stories and comments you reported (reason and note)",
                count=counts.get("n_reports", 0),
                visible_to=ADMINS,
                why="So moderators can act on them. The author is not told who reported.",
                erasable=False,
            ),
            InventoryLine(
                what="Your moderation decisions as an admin (hidden, restored, dismissed, deleted)",
                count=counts.get("n_decisions", 0),
                visible_to=ADMINS,
                why="The moderation log, so decisions can be explained later.",
                erasable=False,
            ),
        ]

    def keeps(self, member: Membership) -> list[str]:
        return [
            "Reports you filed and moderation decisions you made: kept without your name (the reason and note "
            "stay), so the moderators' log still explains what happened",
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "stories": [
                {
                    "title": s.title,
                    "body_markdown": s.body_markdown,
                    "kind": s.kind,
                    "audience": s.audience,
                    "images": [i.alt_text for i in s.images.all()],
                    "has_video": s.video_id is not None,
                    "created_at": s.created_at.isoformat(),
                    "hidden_reason": s.hidden_reason,
                }
                for s in Story.objects.filter(author=member).prefetch_related("images").order_by("created_at")
            ],
            "comments": [
                {"story": title, "body": body, "created_at": at.isoformat()}
                for title, body, at in StoryComment.objects.filter(author=member)
                .order_by("created_at")
                .values_list("story__title", "body", "created_at")
            ],
            "reactions": [
                {"story": title, "reaction": reaction, "created_at": at.isoformat()}
                for title, reaction, at in StoryReaction.objects.filter(member=member)
                .order_by("created_at")
                .values_list("story__title", "reaction", "created_at")
            ],
            "reports": [
                {"story": title, "reason": reason, "note": note, "created_at": at.isoformat()}
                for title, reason, note, at in StoryReport.objects.filter(reporter=member)
                .order_by("created_at")
                .values_list("story__title", "reason", "note", "created_at")
            ],
            "moderation": [
                {"action": action, "reason": reason, "created_at": at.isoformat()}
                for action, reason, at in ModerationEvent.objects.filter(actor=member)
                .order_by("created_at")
                .values_list("action", "reason", "created_at")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        """Delete the member's stories (with their images' files), comments and reactions; keep their reports
        and moderation decisions without their name."""
        result = ErasureResult()
        files = [
            i.image for s in Story.objects.filter(author=member).prefetch_related("images") for i in s.images.all()
        ]
        with transaction.atomic():
            result.erased += StoryReaction.objects.filter(member=member).delete()[0]
            result.erased += StoryComment.objects.filter(author=member).delete()[0]
            result.erased += Story.objects.filter(author=member).delete()[0]
            result.erased += StoryReport.objects.filter(reporter=member).update(reporter=None)
            result.erased += ModerationEvent.objects.filter(actor=member).update(actor=None)
            transaction.on_commit(lambda: [f.delete(save=False) for f in files])
        result.kept += self.keeps(member)
        return result


register(StoriesPrivacy())
