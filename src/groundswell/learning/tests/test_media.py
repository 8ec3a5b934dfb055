"""Lesson images (private storage, access-checked view) and videos (chosen from the workspace's ready
videos, or uploaded through ``videos.actions.create_video``)."""

from __future__ import annotations

import io
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from groundswell.conftest import client_for
from groundswell.learning.models import Lesson, LessonTrack
from groundswell.learning.tests.helpers import make_lesson, make_track, management
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent


def png(size: tuple[int, int] = (8, 6)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 80, 10)).save(buf, "PNG")
    return SimpleUploadedFile("team.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def track(workspace: Workspace) -> LessonTrack:
    return make_track(workspace, "Media", days_ago=0, interval=7)


@pytest.fixture
def player(settings: Any) -> None:
    """The videos app's player partial, stood in for by a stub (the lesson page only includes it)."""
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [HERE / "templates", *templates[0].get("DIRS", [])]
    settings.TEMPLATES = templates


def form(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Pictures",
        "body_markdown": "Look.",
        "pass_percent": 100,
        "action": "save",
        **management(2),
        **extra,
    }


def test_image_is_private_and_access_checked(
    track: LessonTrack, alice_client: Client, bob_client: Client, charlie: Membership
) -> None:
    url = f"/w/acme/learn/tracks/{track.pk}/new/"
    missing_alt = alice_client.post(url, form(image=png()))
    assert "Describe the image in one sentence" in missing_alt.content.decode()
    not_an_image = alice_client.post(
        url, form(image=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"), image_alt="x")
    )
    assert not_an_image.status_code == 200 and "errorlist" in not_an_image.content.decode()
    assert not Lesson.objects.exists()

    assert alice_client.post(url, form(image=png(), image_alt="Six people holding an award")).status_code == 302
    lesson = Lesson.objects.get()
    stored = Path(lesson.image.path)
    assert stored.exists() and not str(stored).startswith(str(Path(django_settings.MEDIA_ROOT).resolve()))
    page = bob_client.get(f"/w/acme/learn/{lesson.pk}/").content.decode()
    assert f'src="/w/acme/learn/{lesson.pk}/image/" alt="Six people holding an award"' in page
    image = bob_client.get(f"/w/acme/learn/{lesson.pk}/image/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert "private" in image["Cache-Control"]
    assert client_for(charlie).get(f"/w/acme/learn/{lesson.pk}/image/").status_code == 404
    # A lesson not released yet: its image is not either.
    later = make_lesson(track, "Later")
    later.image.save("later.png", png(), save=True)
    assert bob_client.get(f"/w/acme/learn/{later.pk}/image/").status_code == 404
    assert alice_client.get(f"/w/acme/learn/{later.pk}/image/").status_code == 200

    edit = alice_client.post(f"/w/acme/learn/{lesson.pk}/edit/", form(remove_image="on", position=1))
    assert edit.status_code == 302
    lesson.refresh_from_db()
    assert not lesson.image and lesson.image_alt == ""
    assert bob_client.get(f"/w/acme/learn/{lesson.pk}/image/").status_code == 404


def test_video_chosen_from_the_workspaces_ready_videos(
    player: None,
    track: LessonTrack,
    workspace: Workspace,
    other_workspace: Workspace,
    alice_client: Client,
    bob_client: Client,
) -> None:
    ready = Video.objects.create(workspace=workspace, title="Our ready clip", state=VideoState.READY)
    processing = Video.objects.create(workspace=workspace, title="Still processing", state=VideoState.PROCESSING)
    theirs = Video.objects.create(workspace=other_workspace, title="Their clip", state=VideoState.READY)
    page = alice_client.get(f"/w/acme/learn/tracks/{track.pk}/new/").content.decode()
    assert "Our ready clip" in page and "Still processing" not in page and "Their clip" not in page
    for bad in (theirs, processing):
        resp = alice_client.post(f"/w/acme/learn/tracks/{track.pk}/new/", form(video=bad.pk))
        assert resp.status_code == 200 and "errorlist" in resp.content.decode()
    assert alice_client.post(f"/w/acme/learn/tracks/{track.pk}/new/", form(video=ready.pk)).status_code == 302
    lesson = Lesson.objects.get()
    assert lesson.video == ready
    assert f'data-test-player="{ready.pk}"' in bob_client.get(f"/w/acme/learn/{lesson.pk}/").content.decode()


class VideoRejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@pytest.fixture
def fake_videos(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """``videos.actions`` as the videos app documents it: ``create_video(*, member, upload, title)`` that
    raises ``VideoRejected(message)``."""
    calls: list[dict[str, Any]] = []

    def create_video(*, member: Membership, upload: Any, title: str = "") -> Video:
        calls.append({"member": member, "name": upload.name, "title": title})
        if upload.name.endswith(".txt"):
            raise VideoRejected("That file is not a video we can play. Upload an MP4, MOV or WebM clip.")
        return Video.objects.create(workspace=member.workspace, uploaded_by=member, title=title)

    module = types.ModuleType("groundswell.videos.actions")
    module.create_video = create_video  # type: ignore[attr-defined]
    module.VideoRejected = VideoRejected  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "groundswell.videos.actions", module)
    return calls


def test_video_uploaded_with_the_lesson(
    player: None, fake_videos: list[dict[str, Any]], track: LessonTrack, alice: Membership, alice_client: Client
) -> None:
    url = f"/w/acme/learn/tracks/{track.pk}/new/"
    rejected = alice_client.post(url, form(video_upload=SimpleUploadedFile("notes.txt", b"hello")))
    assert "That file is not a video we can play." in rejected.content.decode()
    assert not Lesson.objects.exists()
    ok = alice_client.post(url, form(video_upload=SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42")))
    assert ok.status_code == 302
    lesson = Lesson.objects.select_related("video").get()
    assert lesson.video is not None and lesson.video.uploaded_by == alice and lesson.video.title == "Pictures"
    assert fake_videos[-1] == {"member": alice, "name": "clip.mp4", "title": "Pictures"}
    # The clip is still processing: the edit form keeps it selected.
    edit = alice_client.get(f"/w/acme/learn/{lesson.pk}/edit/").content.decode()
    assert f'<option value="{lesson.video.pk}" selected>' in edit


def test_a_lessons_video_is_for_those_who_may_open_the_lesson(
    workspace: Workspace, carol: Membership, sales: Any
) -> None:
    """carol is in sales, dave in marketing: a sales-only lesson's video is carol's to watch, not dave's; a
    lesson not released yet shows its video to nobody but admins; a video in no lesson is every member's."""
    from groundswell.conftest import make_member
    from groundswell.videos.access import can_watch
    from groundswell.workspaces.models import Department, Role

    marketing = Department.objects.create(workspace=workspace, name="Marketing")
    dave = make_member(workspace, "dave@acme.test", Role.EMPLOYEE, department=marketing)

    sales_track = make_track(workspace, "Sales", days_ago=0, interval=7, departments=(sales.pk,))
    clip = Video.objects.create(workspace=workspace, title="Pitch", state=VideoState.READY)
    first = make_lesson(sales_track, "First")
    Lesson.objects.filter(pk=first.pk).update(video=clip)
    assert can_watch(carol, clip) and not can_watch(dave, clip)
    later = Video.objects.create(workspace=workspace, title="Later", state=VideoState.READY)
    second = make_lesson(sales_track, "Second (next week)")
    Lesson.objects.filter(pk=second.pk).update(video=later)
    assert not can_watch(carol, later)
    assert can_watch(dave, Video.objects.create(workspace=workspace, title="Library", state=VideoState.READY))
