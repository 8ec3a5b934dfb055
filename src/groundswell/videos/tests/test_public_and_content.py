"""Sharing outside: a video item made from a ready video, its share page with og:video, and the /watch/ URLs
that exist only for a live item's share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.sharing.models import Share
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.ffmpeg


def _video_item(alice: Membership, video: Video, **extra: object) -> Item:
    fields: dict[str, object] = {
        "workspace": alice.workspace, "kind": ItemKind.VIDEO, "state": ItemState.PUBLISHED, "video": video,
        "title": "Launch day in 20 seconds", "created_by": alice, "published_at": timezone.now(),
    }  # fmt: skip
    fields.update(extra)
    return Item.objects.create(**fields)


def _watch(name: str, code: str) -> str:
    return reverse(f"videos_public:{name}", kwargs={"code": code})


def test_share_page_plays_the_video_with_link_card_tags(
    alice: Membership, bob: Membership, make_video: Callable[..., Video]
) -> None:
    video = make_video(bob)
    Video.objects.filter(pk=video.pk).update(captions_vtt="WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n")
    item = _video_item(alice, video)
    share = Share.objects.create(workspace=alice.workspace, item=item, member=bob, network="linkedin")
    visitor = Client()

    page = visitor.get(f"/p/{share.code}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<meta property="og:video" content="http://testserver/watch/{share.code}/video.mp4">' in html
    assert f'<meta property="og:image" content="http://testserver/watch/{share.code}/poster.jpg">' in html
    assert '<meta property="og:video:type" content="video/mp4">' in html
    assert '<meta property="og:type" content="video.other">' in html
    assert f'src="/watch/{share.code}/video.mp4"' in html
    assert f'src="/watch/{share.code}/captions.vtt"' in html
    assert f"/w/{alice.workspace.slug}/videos/" not in html  # nothing that needs a member's session

    ranged = visitor.get(_watch("file", share.code), headers={"Range": "bytes=0-1"})
    assert ranged.status_code == 206 and ranged["Cache-Control"].startswith("private")
    assert visitor.get(_watch("poster", share.code)).status_code == 200
    captions = visitor.get(_watch("captions", share.code))
    assert captions.status_code == 200 and captions["Content-Type"].startswith("text/vtt")


@pytest.mark.parametrize(
    "change",
    [
        {"state": ItemState.DRAFT},
        {"state": ItemState.ARCHIVED},
        {"expires_at": timezone.now() - dt.timedelta(minutes=1)},
        {"starts_at": timezone.now() + dt.timedelta(days=1)},
    ],
)
def test_not_public_unless_the_item_is_live(
    change: dict[str, object], alice: Membership, bob: Membership, make_video: Callable[..., Video]
) -> None:
    video = make_video(bob)
    item = _video_item(alice, video, **change)
    share = Share.objects.create(workspace=alice.workspace, item=item, member=bob, network="linkedin")
    for name in ("file", "poster", "captions"):
        assert Client().get(_watch(name, share.code)).status_code == 404


def test_a_video_without_an_item_or_with_another_kind_is_never_public(
    alice: Membership, bob: Membership, item: Item, make_video: Callable[..., Video]
) -> None:
    video = make_video(bob)
    # A URL item that somehow points at the video: not a video item, so not public.
    Item.objects.filter(pk=item.pk).update(video=video)
    share = Share.objects.create(workspace=alice.workspace, item=item, member=bob, network="linkedin")
    assert Client().get(_watch("file", share.code)).status_code == 404
    assert Client().get(_watch("file", "ZZZZZZZ")).status_code == 404
    assert Client().post(_watch("file", share.code)).status_code == 405


def test_admin_makes_a_video_item_by_picking_a_ready_video(
    alice: Membership, alice_client: Client, bob: Membership, make_video: Callable[..., Video]
) -> None:
    video = make_video(bob)
    url = reverse("content:create", kwargs={"ws": alice.workspace.slug})
    form = alice_client.get(url).content.decode()
    assert f'<option value="{video.pk}">Launch day</option>' in form
    response = alice_client.post(
        url,
        {"kind": "video", "title": "Launch", "video": video.pk, "publish": "1", **_empty_captions()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get(title="Launch")
    assert (item.kind, item.video_id, item.state) == (ItemKind.VIDEO, video.pk, ItemState.PUBLISHED)
    detail = alice_client.get(response["Location"]).content.decode()
    assert "<video" in detail


def test_admin_uploads_a_video_with_the_item_form(
    alice: Membership, alice_client: Client, clips: dict[str, Path]
) -> None:
    url = reverse("content:create", kwargs={"ws": alice.workspace.slug})
    with open(clips["good"], "rb") as f:
        response = alice_client.post(
            url, {"kind": "video", "title": "Fresh", "video_upload": f, "draft": "1", **_empty_captions()}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get(title="Fresh")
    assert item.video is not None and item.video.uploaded_by == alice


def test_item_form_video_errors(
    alice: Membership, alice_client: Client, charlie: Membership, clips: dict[str, Path]
) -> None:
    url = reverse("content:create", kwargs={"ws": alice.workspace.slug})
    missing = alice_client.post(url, {"kind": "video", "title": "X", "publish": "1", **_empty_captions()})
    assert missing.status_code == 200 and "A video post needs a video" in missing.content.decode()
    foreign = Video.objects.create(workspace=charlie.workspace, uploaded_by=charlie, state=VideoState.READY)
    other = alice_client.post(url, {"kind": "video", "video": foreign.pk, "publish": "1", **_empty_captions()})
    assert "Select a valid choice" in other.content.decode()
    with open(clips["text"], "rb") as f:
        bad = alice_client.post(url, {"kind": "video", "video_upload": f, "publish": "1", **_empty_captions()})
    assert "could not be read as a video" in bad.content.decode()
    assert not Item.objects.exists()
    assert Video.objects.filter(workspace=alice.workspace).count() == 0


def test_video_used_by_an_item_cannot_be_deleted(
    alice: Membership, alice_client: Client, bob: Membership, make_video: Callable[..., Video]
) -> None:
    video = make_video(bob)
    _video_item(alice, video)
    response = alice_client.post(reverse("videos:delete", kwargs={"ws": alice.workspace.slug, "video_id": video.pk}))
    assert response.status_code == 302
    assert Video.objects.filter(pk=video.pk).exists()


def _empty_captions() -> dict[str, str]:
    return {
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
    }
