"""Who may watch a video, and the access-checked lookups the views use.

Today every member of the workspace may watch its videos. Other apps narrow that with a rule registered in
their ``AppConfig.ready`` (stories: a story's video only for the story's audience):
``register_watch_rule(rule)``, where ``rule(member, video)`` answers True (allow), False (deny) or None (no
opinion). Any False denies; the uploader and the workspace's admins are never denied their own workspace's
videos.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404

from groundswell.videos.models import Video
from groundswell.workspaces.access import get_for_workspace
from groundswell.workspaces.models import Membership

WatchRule = Callable[[Membership, Video], bool | None]

_RULES: list[WatchRule] = []


def register_watch_rule(rule: WatchRule) -> None:
    """Add a rule every ``can_watch`` asks (idempotent: registering the same callable twice keeps one)."""
    if rule not in _RULES:
        _RULES.append(rule)


def can_watch(member: Membership, video: Video) -> bool:
    """May ``member`` watch ``video``? Never across workspaces; then the registered rules."""
    if not member.is_active or member.workspace_id != video.workspace_id:
        return False
    if member.is_admin or (video.uploaded_by_id is not None and video.uploaded_by_id == member.pk):
        return True
    return all(rule(member, video) is not False for rule in _RULES)


def can_edit(member: Membership, video: Video) -> bool:
    """The uploader and the workspace's admins may change captions, retry and delete."""
    return member.workspace_id == video.workspace_id and (
        member.is_admin or (video.uploaded_by_id is not None and video.uploaded_by_id == member.pk)
    )


def video_for_member(member: Membership, video_id: int) -> Video:
    """The video if ``member`` may watch it, else 404 (never revealing that it exists)."""
    video = get_for_workspace(Video.objects.select_related("uploaded_by"), member.workspace, pk=video_id)
    if not can_watch(member, video):
        raise Http404("Not found")
    return video
