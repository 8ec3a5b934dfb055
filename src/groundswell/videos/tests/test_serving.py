"""The members' file views: ranges, headers, captions, and nothing for outsiders or strangers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.videos.access import _RULES as WATCH_RULES
from groundswell.videos.access import can_watch, register_watch_rule
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.ffmpeg

VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello from launch day\n"


def _url(name: str, video: Video) -> str:
    return reverse(f"videos:{name}", kwargs={"ws": video.workspace.slug, "video_id": video.pk})


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_member_gets_ranges_of_the_web_file(
    bob: Membership, carol: Membership, make_video: Callable[..., Video]
) -> None:
    from groundswell.conftest import client_for

    video = make_video(bob)
    data = video.web.read()
    video.web.close()
    client = client_for(carol)  # a colleague, not the uploader
    url = _url("file", video)

    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Content-Type"] == "video/mp4"
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Cache-Control"].startswith("private")
    assert _body(whole) == data

    first = client.get(url, headers={"Range": "bytes=0-1"})  # what Safari asks first
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-1/{len(data)}"
    assert _body(first) == data[:2]

    middle = client.get(url, headers={"Range": "bytes=100-299"})
    assert (middle.status_code, _body(middle)) == (206, data[100:300])

    suffix = client.get(url, headers={"Range": "bytes=-50"})
    assert (suffix.status_code, _body(suffix)) == (206, data[-50:])

    beyond = client.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"

    poster = client.get(_url("poster", video))
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"
    assert _body(poster)[:3] == b"\xff\xd8\xff"


def test_captions_upload_edit_and_serve(bob: Membership, bob_client: Client, make_video: Callable[..., Video]) -> None:
    video = make_video(bob)
    assert bob_client.get(_url("captions", video)).status_code == 404  # none yet
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("captions.vtt", VTT.encode(), content_type="text/vtt")
    response = bob_client.post(_url("edit_captions", video), {"captions_file": upload, "language": "de"})
    assert response.status_code == 302
    served = bob_client.get(_url("captions", video))
    assert served.status_code == 200
    assert served["Content-Type"] == "text/vtt; charset=utf-8"
    assert served["Cache-Control"].startswith("private")
    assert served.content.decode() == VTT
    page = bob_client.get(_url("detail", video)).content.decode()
    assert '<track kind="captions"' in page and 'srclang="de"' in page
    assert 'preload="metadata"' in page and "playsinline" in page

    bad = bob_client.post(
        _url("edit_captions", video),
        {"captions_text": "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nBackwards\n", "language": "en"},
    )
    assert bad.status_code == 400
    assert "Line 3: the cue ends before it starts." in bad.content.decode()
    video.refresh_from_db()
    assert video.captions_vtt == VTT  # unchanged

    cleared = bob_client.post(_url("edit_captions", video), {"captions_text": "", "language": "en"})
    assert cleared.status_code == 302
    assert bob_client.get(_url("captions", video)).status_code == 404


def test_captions_file_not_utf8(bob: Membership, bob_client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    video = Video.objects.create(workspace=bob.workspace, uploaded_by=bob, state=VideoState.READY)
    upload = SimpleUploadedFile("c.vtt", b"\xff\xfe\x00W", content_type="text/vtt")
    response = bob_client.post(_url("edit_captions", video), {"captions_file": upload, "language": "en"})
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


@pytest.mark.parametrize("name", ["detail", "status", "file", "poster", "captions"])
def test_outsider_and_stranger_get_404(
    name: str, bob: Membership, charlie_client: Client, make_video: Callable[..., Video]
) -> None:
    video = make_video(bob)
    Video.objects.filter(pk=video.pk).update(captions_vtt=VTT)
    assert charlie_client.get(_url(name, video)).status_code == 404
    # The same id under charlie's own workspace: still 404 (the id swap).
    swapped = reverse(f"videos:{name}", kwargs={"ws": "globex", "video_id": video.pk})
    assert charlie_client.get(swapped).status_code == 404
    anonymous = Client().get(_url(name, video))
    assert anonymous.status_code in (302, 404)


def test_file_of_a_video_still_processing_is_404(bob: Membership, bob_client: Client) -> None:
    video = Video.objects.create(workspace=bob.workspace, uploaded_by=bob)
    assert bob_client.get(_url("file", video)).status_code == 404
    assert bob_client.get(_url("poster", video)).status_code == 404


def test_wrong_methods_are_405_for_members(bob: Membership, bob_client: Client) -> None:
    video = Video.objects.create(workspace=bob.workspace, uploaded_by=bob)
    assert bob_client.post(_url("file", video)).status_code == 405
    assert bob_client.get(_url("delete", video)).status_code == 405


def test_registered_watch_rule_can_deny(
    bob: Membership, carol: Membership, alice: Membership, make_video: Callable[..., Video]
) -> None:
    from groundswell.conftest import client_for

    video = make_video(bob)

    def only_uploader(member: Membership, v: Video) -> bool | None:
        return False if v.pk == video.pk else None

    register_watch_rule(only_uploader)
    try:
        assert not can_watch(carol, video)
        assert can_watch(bob, video)  # the uploader
        assert can_watch(alice, video)  # an admin
        assert client_for(carol).get(_url("file", video)).status_code == 404
        assert client_for(carol).get(_url("detail", video)).status_code == 404
    finally:
        WATCH_RULES.remove(only_uploader)
    assert can_watch(carol, video)


def test_list_page(bob: Membership, bob_client: Client, carol: Membership, make_video: Callable[..., Video]) -> None:
    url = reverse("videos:list", kwargs={"ws": bob.workspace.slug})
    empty = bob_client.get(url).content.decode()
    assert "No videos yet" in empty and "Record or upload a video" in empty
    make_video(carol, title="Carol's clip")
    make_video(bob, title="Bob's clip")
    page = bob_client.get(url).content.decode()
    assert "Bob&#x27;s clip" in page and "Carol&#x27;s clip" in page
