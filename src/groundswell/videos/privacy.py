"""What videos keep about a member: the videos they uploaded (files, title, captions)."""

from __future__ import annotations

from typing import Any

from groundswell.privacy.registry import ErasureResult, InventoryLine, register
from groundswell.videos import actions
from groundswell.videos.models import Video
from groundswell.workspaces.models import Membership

#: Who in the company sees a member's videos: every member of the workspace may watch them (a story's video
#: only its audience), admins too; an admin may share one outside as a content item.
VISIBLE_TO = "Colleagues in your workspace (and the public, for a video an admin shared as an item)"


class VideosPrivacy:
    key = "videos"
    label = "Videos"
    models: tuple[str, ...] = ("videos.Video",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                what="Videos you uploaded or recorded (the video, its poster frame, title and captions)",
                count=Video.objects.filter(uploaded_by=member).count(),
                visible_to=VISIBLE_TO,
                why="So colleagues can watch them, in stories and lessons, and in items your company shares.",
                erasable=True,
            )
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "videos": [
                {
                    "title": v.title,
                    "file_name": v.original_name,
                    "state": v.state,
                    "duration_seconds": v.duration_seconds,
                    "captions_vtt": v.captions_vtt,
                    "created_at": v.created_at.isoformat(),
                }
                for v in Video.objects.filter(uploaded_by=member).order_by("created_at", "pk")
            ]
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult(kept=self.keeps(member))
        for video in Video.objects.filter(uploaded_by=member, items__isnull=True):
            actions.erase_video(video)
            result.erased += 1
        return result

    def keeps(self, member: Membership) -> list[str]:
        used = Video.objects.filter(uploaded_by=member, items__isnull=False).distinct().count()
        if not used:
            return []
        return [
            f"{used} video(s) that your company made into content items to share: the items are the company's "
            "content and show the video. They stay under your anonymised membership; once a program admin removes "
            "the item, the video can be deleted."
        ]


register(VideosPrivacy())
