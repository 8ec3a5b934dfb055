"""The privacy provider: export, and erasure that keeps only videos the company's items show."""

from __future__ import annotations

import pytest
from django.utils import timezone

from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.privacy.registry import planned_keeps
from groundswell.videos.models import Video, VideoState
from groundswell.videos.privacy import VideosPrivacy
from groundswell.workspaces.models import Membership


@pytest.fixture
def videos(alice: Membership, bob: Membership) -> tuple[Video, Video, Video]:
    ws = bob.workspace
    unused = Video.objects.create(workspace=ws, uploaded_by=bob, title="Unused", state=VideoState.READY)
    shown = Video.objects.create(workspace=ws, uploaded_by=bob, title="Shown", state=VideoState.READY)
    alices = Video.objects.create(workspace=ws, uploaded_by=alice, title="Alice's")
    Item.objects.create(
        workspace=ws, kind=ItemKind.VIDEO, state=ItemState.PUBLISHED, video=shown, created_by=alice,
        published_at=timezone.now(),
    )  # fmt: skip
    return unused, shown, alices


def test_inventory_and_export(bob: Membership, videos: tuple[Video, Video, Video]) -> None:
    provider = VideosPrivacy()
    assert provider.inventory(bob)[0].count == 2
    titles = [v["title"] for v in provider.export(bob)["videos"]]
    assert sorted(titles) == ["Shown", "Unused"]


def test_erase_deletes_unused_videos_and_keeps_the_ones_items_show(
    bob: Membership, videos: tuple[Video, Video, Video]
) -> None:
    unused, shown, alices = videos
    provider = VideosPrivacy()
    assert "1 video(s)" in planned_keeps(provider, bob)[0]
    result = provider.erase(bob)
    assert result.erased == 1
    assert not Video.objects.filter(pk=unused.pk).exists()
    assert Video.objects.filter(pk__in=[shown.pk, alices.pk]).count() == 2
    assert result.kept
