"""What harvesting keeps about a member: the calls for stories they opened (admins) and, for their stories,
whether they agreed to share them outside and which were turned into items.

The stories themselves (text, reactions, comments) are the stories app's provider's (``stories/privacy.py``);
this one claims ``StoryPrompt`` (its ``created_by``) and reports the consent state the admins see.
"""

from __future__ import annotations

from typing import Any

from groundswell.privacy.registry import ADMINS, ErasureResult, InventoryLine
from groundswell.stories.models import Story, StoryPrompt
from groundswell.workspaces.models import Membership


class StoryHarvestPrivacy:
    key = "story_harvest"
    label = "Calls for stories and sharing your stories outside"
    models: tuple[str, ...] = ("stories.StoryPrompt",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        stories = Story.objects.filter(author=member, deleted_at__isnull=True)
        return [
            InventoryLine(
                what="Your stories you agreed the program team may share outside the company, with your name",
                count=stories.filter(share_consent=True).count(),
                visible_to=ADMINS,
                why="Program admins see, for each story, whether you agreed; only then can they make it an item.",
            ),
            InventoryLine(
                what="Your stories turned into items to share (credited to you, story points awarded once)",
                count=stories.filter(item__isnull=False).count(),
                visible_to=ADMINS,
                why="The item names you as the author wherever it is shared.",
                erasable=False,
            ),
            InventoryLine(
                what="Calls for stories you opened as a program admin",
                count=StoryPrompt.objects.filter(created_by=member).count(),
                visible_to=ADMINS,
                why="To show who asked. Erasing removes your name from them; the calls stay.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "stories_consent": [
                {
                    "story": s.title,
                    "share_consent": s.share_consent,
                    "consent_at": s.share_consent_at.isoformat() if s.share_consent_at else None,
                    "item_id": s.item_id,
                }
                for s in Story.objects.filter(author=member).order_by("created_at")
            ],
            "prompts_opened": [
                {"title": p.title, "deadline": p.deadline.isoformat(), "created_at": p.created_at.isoformat()}
                for p in StoryPrompt.objects.filter(created_by=member).order_by("created_at")
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        result.erased += StoryPrompt.objects.filter(created_by=member).update(created_by=None)
        if Story.objects.filter(author=member, item__isnull=False).exists():
            result.kept.append("Items made from your stories: they were shared outside with your consent.")
        return result

    def keeps(self, member: Membership) -> list[str]:
        if Story.objects.filter(author=member, item__isnull=False).exists():
            return ["Items made from your stories: they were shared outside with your consent."]
        return []
