"""The whole path with clips made by ffmpeg: upload (checked by content), processing, states, retries."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from groundswell.videos import actions, media
from groundswell.videos.actions import VideoRejected, create_video
from groundswell.videos.models import Video, VideoState
from groundswell.videos.tasks import resume_stalled_videos
from groundswell.videos.tests.conftest import upload_of
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.ffmpeg


def _private_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _probe(path: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603
        [settings.FFPROBE_BINARY, "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return dict(json.loads(out.stdout))


def test_upload_is_processed_to_a_web_mp4_and_a_poster(bob: Membership, make_video: Callable[..., Video]) -> None:
    video = make_video(bob)
    assert video.state == VideoState.READY, video.error
    assert video.attempts == 1
    assert video.processed_at is not None
    assert video.original_name == "good.mp4"
    assert not video.original  # deleted after success (ADR 0038)
    assert 1.5 < (video.duration_seconds or 0) < 2.5
    info = _probe(video.web.path)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert streams["video"]["codec_name"] == "h264"
    assert streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["audio"]["codec_name"] == "aac"
    assert "mp4" in info["format"]["format_name"]
    with open(video.web.path, "rb") as f:  # +faststart: the index (moov) comes before the media data
        head = f.read(4096)
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))
    with open(video.poster.path, "rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"  # a JPEG


def test_portrait_clip_gets_even_dimensions_and_no_audio_is_fine(
    bob: Membership, make_video: Callable[..., Video]
) -> None:
    video = make_video(bob, "portrait")
    assert video.state == VideoState.READY, video.error
    assert (video.width, video.height) == (120, 240)  # 121x241 → even, aspect kept, never scaled up


def test_browser_recording_without_a_duration_in_its_header(
    bob: Membership, clips: dict[str, Path], make_video: Callable[..., Video]
) -> None:
    assert media.probe(clips["recorded"]).duration == pytest.approx(1.9, abs=0.2)  # read from the packets
    video = make_video(bob, "recorded")
    assert video.state == VideoState.READY, video.error
    assert video.duration_seconds and video.duration_seconds > 1.5


def test_large_video_is_scaled_to_720p(
    tmp_path: Path, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    from groundswell.videos.tests.conftest import make_clip

    clip = make_clip(tmp_path / "big.mp4", seconds=0.5, size="1600x900", audio=False)
    with django_capture_on_commit_callbacks(execute=True):
        video = create_video(member=bob, upload=upload_of(clip))
    video.refresh_from_db()
    assert (video.width, video.height) == (1280, 720)


@pytest.mark.parametrize(
    ("clip", "message"),
    [
        ("corrupt", "could not be read as a video"),
        ("text", "could not be read as a video"),
        ("picture", "This file is not a video"),
    ],
)
def test_bad_files_are_rejected_and_nothing_is_stored(
    bob: Membership, clips: dict[str, Path], clip: str, message: str
) -> None:
    before = _private_files()
    with pytest.raises(VideoRejected, match=message):
        create_video(member=bob, upload=upload_of(clips[clip]))
    assert Video.objects.count() == 0
    assert _private_files() == before


@override_settings(VIDEO_MAX_SECONDS=1)
def test_too_long(bob: Membership, clips: dict[str, Path]) -> None:
    with pytest.raises(VideoRejected, match=r"The video is 3 s long; the limit is 1 s"):
        create_video(member=bob, upload=upload_of(clips["long"]))
    assert Video.objects.count() == 0


@override_settings(VIDEO_MAX_BYTES=2048)
def test_too_big(bob: Membership, clips: dict[str, Path]) -> None:
    with pytest.raises(VideoRejected, match=r"the limit is 2\.0"):
        create_video(member=bob, upload=upload_of(clips["good"]))
    assert Video.objects.count() == 0


def test_upload_page_without_javascript(bob: Membership, bob_client: Client, clips: dict[str, Path]) -> None:
    url = reverse("videos:upload", kwargs={"ws": bob.workspace.slug})
    page = bob_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'accept="video/*"' in body and 'capture="user"' in body
    assert page["Permissions-Policy"].startswith("camera=(self), microphone=(self)")
    assert page["Content-Security-Policy"].endswith("; media-src 'self' blob:")  # the recording's preview
    with open(clips["good"], "rb") as f:
        response = bob_client.post(url, {"title": "Hello", "video": f})
    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("videos:detail", kwargs={"ws": bob.workspace.slug, "video_id": video.pk})
    assert video.uploaded_by == bob and video.title == "Hello"
    detail = bob_client.get(response["Location"])
    assert detail.status_code == 200
    # on_commit does not run inside the test's transaction: still waiting, so the page says so and polls.
    assert b"Processing" in detail.content and b"data-video-status-url" in detail.content
    status = bob_client.get(reverse("videos:status", kwargs={"ws": bob.workspace.slug, "video_id": video.pk}))
    assert status.json()["state"] == "uploaded"


def test_upload_errors_on_the_form_and_as_json(bob: Membership, bob_client: Client, clips: dict[str, Path]) -> None:
    url = reverse("videos:upload", kwargs={"ws": bob.workspace.slug})
    with open(clips["text"], "rb") as f:
        page = bob_client.post(url, {"video": f})
    assert page.status_code == 400
    assert "could not be read as a video" in page.content.decode()
    with open(clips["picture"], "rb") as f:
        api = bob_client.post(url, {"video": f}, headers={"Accept": "application/json"})
    assert api.status_code == 400
    assert "not a video" in api.json()["errors"]["video"][0]
    assert bob_client.post(url, {}).status_code == 400  # no file at all: a message, not a 500
    assert Video.objects.count() == 0
    with open(clips["good"], "rb") as f:
        ok = bob_client.post(url, {"video": f}, headers={"Accept": "application/json"})
    assert ok.status_code == 201 and ok.json()["redirect"].endswith(f"/videos/{ok.json()['id']}/")


def test_two_workers_never_process_one_video(bob: Membership, clips: dict[str, Path]) -> None:
    video = create_video(member=bob, upload=upload_of(clips["good"]))
    assert actions.claim(video.pk) is True
    assert actions.claim(video.pk) is False
    assert actions.process(video.pk) == "skipped"
    video.refresh_from_db()
    assert (video.state, video.attempts) == (VideoState.PROCESSING, 1)


def test_a_crashed_worker_is_retried_by_the_sweep(
    bob: Membership, clips: dict[str, Path], django_capture_on_commit_callbacks: Any
) -> None:
    video = create_video(member=bob, upload=upload_of(clips["good"]))
    assert actions.claim(video.pk)  # a worker took it, then died
    assert resume_stalled_videos.call() == 0  # too early: the claim is fresh
    long_ago = timezone.now() - dt.timedelta(seconds=settings.VIDEO_TRANSCODE_TIMEOUT_SECONDS + 120)
    Video.objects.filter(pk=video.pk).update(claimed_at=long_ago)
    assert resume_stalled_videos.call() == 1  # the immediate backend runs process_video at once
    video.refresh_from_db()
    assert video.state == VideoState.READY, video.error
    assert video.attempts == 2


@override_settings(VIDEO_MAX_ATTEMPTS=1)
def test_a_worker_dying_on_the_last_attempt_fails_the_video(bob: Membership, clips: dict[str, Path]) -> None:
    video = create_video(member=bob, upload=upload_of(clips["good"]))
    assert actions.claim(video.pk)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.VIDEO_TRANSCODE_TIMEOUT_SECONDS + 120)
    Video.objects.filter(pk=video.pk).update(claimed_at=long_ago)
    assert resume_stalled_videos.call() == 0
    video.refresh_from_db()
    assert (video.state, video.error) == (VideoState.FAILED, "Processing this video kept stopping half-way.")


def test_unexpected_crash_puts_it_back_for_the_sweep(
    bob: Membership, clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    video = create_video(member=bob, upload=upload_of(clips["good"]))

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(media, "transcode", boom)
    with pytest.raises(OSError, match="disk full"):
        actions.process(video.pk)
    video.refresh_from_db()
    assert (video.state, video.attempts) == (VideoState.UPLOADED, 1)
    assert video.original  # kept for the next attempt
    assert video.pk in actions.stalled_video_ids(timezone.now() + dt.timedelta(minutes=5))


def test_media_error_fails_with_a_human_message_and_the_author_can_retry(
    bob: Membership, bob_client: Client, clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    video = create_video(member=bob, upload=upload_of(clips["good"]))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise media.MediaError("This video could not be converted for the web: the file may be damaged.")

    with monkeypatch.context() as m:
        m.setattr(media, "transcode", broken)
        assert actions.process(video.pk) == VideoState.FAILED
    video.refresh_from_db()
    assert video.state == VideoState.FAILED
    assert "could not be converted" in video.error
    page = bob_client.get(reverse("videos:detail", kwargs={"ws": bob.workspace.slug, "video_id": video.pk}))
    assert b"could not be processed" in page.content and b"Try again" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse("videos:retry", kwargs={"ws": bob.workspace.slug, "video_id": video.pk}))
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.state == VideoState.READY, video.error


def test_missing_ffmpeg_is_a_clear_failure(bob: Membership, clips: dict[str, Path]) -> None:
    video = create_video(member=bob, upload=upload_of(clips["good"]))
    with override_settings(FFMPEG_BINARY="/nonexistent/ffmpeg"):
        assert actions.process(video.pk) == VideoState.FAILED
    video.refresh_from_db()
    assert video.error == "Videos cannot be processed on this server right now."


def test_delete_removes_the_files(
    bob: Membership, bob_client: Client, make_video: Callable[..., Video], django_capture_on_commit_callbacks: Any
) -> None:
    video = make_video(bob)
    paths = [Path(video.web.path), Path(video.poster.path)]
    assert all(p.exists() for p in paths)
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse("videos:delete", kwargs={"ws": bob.workspace.slug, "video_id": video.pk}))
    assert response.status_code == 302
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not any(p.exists() for p in paths)


def test_colleague_cannot_delete_or_edit(bob: Membership, carol: Membership, make_video: Callable[..., Video]) -> None:
    from groundswell.conftest import client_for

    video = make_video(bob)
    carol_client = client_for(carol)
    kwargs = {"ws": bob.workspace.slug, "video_id": video.pk}
    assert carol_client.get(reverse("videos:detail", kwargs=kwargs)).status_code == 200  # she may watch
    carol_client.post(reverse("videos:delete", kwargs=kwargs))
    assert Video.objects.filter(pk=video.pk).exists()
    edit = carol_client.post(reverse("videos:edit_captions", kwargs=kwargs), {"captions_text": "", "language": "en"})
    assert edit.status_code == 404


def test_a_playlist_that_points_at_other_files_is_refused(
    bob: Membership, clips: dict[str, Path], tmp_path: Path
) -> None:
    """An HLS playlist named .mp4 would make ffmpeg read another file of the server into the uploader's video:
    only MP4/MOV/3GP and Matroska/WebM containers are opened at all."""
    segment = tmp_path / "someone-elses.ts"
    subprocess.run(  # noqa: S603
        [settings.FFMPEG_BINARY, "-v", "error", "-y", "-i", str(clips["good"]), "-c", "copy", str(segment)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    playlist = tmp_path / "innocent.mp4"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{segment}\n#EXT-X-ENDLIST\n")
    with pytest.raises(VideoRejected, match="This file is not a video"):
        create_video(member=bob, upload=upload_of(playlist))
    assert Video.objects.count() == 0
