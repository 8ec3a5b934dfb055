"""Clips made by ffmpeg itself (tiny: 160x120, 10 fps, a couple of seconds), and helpers to upload them."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from groundswell.videos.models import Video
from groundswell.workspaces.models import Membership


def make_clip(
    path: Path, *, seconds: float = 2, size: str = "160x120", audio: bool = True, pix_fmt: str = "yuv420p"
) -> Path:
    args = [
        settings.FFMPEG_BINARY,
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc=duration={seconds}:size={size}:rate=10",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", pix_fmt, "-shortest", str(path)]
    subprocess.run(args, check=True, capture_output=True, timeout=60)  # noqa: S603
    return path


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One set per test session: a good clip, a portrait one, a long one, and bad files."""
    root = tmp_path_factory.mktemp("clips")
    good = make_clip(root / "good.mp4")
    portrait = make_clip(root / "portrait.mov", seconds=1, size="121x241", audio=False, pix_fmt="yuv444p")
    long_clip = make_clip(root / "long.mp4", seconds=3, audio=False)
    corrupt = root / "corrupt.mp4"
    data = good.read_bytes()
    corrupt.write_bytes(data[: len(data) // 2])  # the index (moov) is written last: this cannot be read
    text = root / "notes.mp4"
    text.write_text("This is a shopping list, not a video.\n")
    picture = root / "photo.mp4"
    subprocess.run(  # noqa: S603
        [settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1",
         "-f", "image2", "-c:v", "png", str(picture)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    # What a browser's MediaRecorder uploads: WebM written as a stream, so its header has no duration.
    recorded = root / "recording.webm"
    with recorded.open("wb") as out:
        subprocess.run(  # noqa: S603
            [settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10",
             "-c:v", "libvpx", "-b:v", "200k", "-f", "webm", "pipe:1"],
            check=True, stdout=out, stderr=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
    return {
        "good": good, "portrait": portrait, "long": long_clip, "corrupt": corrupt, "text": text, "picture": picture,
        "recorded": recorded,
    }  # fmt: skip


def upload_of(path: Path, name: str | None = None, content_type: str = "video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


@pytest.fixture
def make_video(clips: dict[str, Path], django_capture_on_commit_callbacks: Any) -> Callable[..., Video]:
    """Upload a clip as ``member`` and let the (immediate) task backend process it; returns the fresh row."""
    from groundswell.videos.actions import create_video

    def make(member: Membership, clip: str = "good", title: str = "Launch day") -> Video:
        with django_capture_on_commit_callbacks(execute=True):
            video = create_video(member=member, upload=upload_of(clips[clip]), title=title)
        video.refresh_from_db()
        return video

    return make


@pytest.fixture(autouse=True)
def own_private_storage(settings: Any, tmp_path: Path) -> None:
    """Each test stores members-only files in a folder of its own: tests that check "nothing was stored" list
    the folder, and the suite's parallel workers share one data directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
