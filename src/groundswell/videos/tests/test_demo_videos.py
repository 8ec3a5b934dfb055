"""The demo's videos: made by ffmpeg, processed, captioned, one shown by a published video item."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.demo import data
from groundswell.demo.videos import build_videos
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Membership, Role, Workspace

pytestmark = pytest.mark.ffmpeg


def test_demo_videos(workspace: Workspace, bob: Membership) -> None:
    admin = make_member(workspace, f"{data.ADMIN[1]}@{data.DOMAIN}", Role.ADMIN)
    lines: list[str] = []
    builder = SimpleNamespace(
        ws=workspace, now=timezone.now(), by_email={admin.user.email: admin}, members=[admin, bob], log=lines.append
    )
    build_videos(builder)  # type: ignore[arg-type]
    videos = list(Video.objects.filter(workspace=workspace))
    assert len(videos) == 2
    assert all(v.state == VideoState.READY and v.captions_vtt.startswith("WEBVTT") for v in videos), [
        v.error for v in videos
    ]
    assert {v.uploaded_by_id for v in videos} == {admin.pk, bob.pk}
    item = Item.objects.get(workspace=workspace, kind=ItemKind.VIDEO)
    assert item.state == ItemState.PUBLISHED and item.is_live() and item.video in videos
    assert lines == ["  2 videos, 1 video item"]
