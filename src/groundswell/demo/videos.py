"""Demo videos: two short clips made by ffmpeg at build time (tiny, a few seconds), processed by the same code
the worker runs, with captions; one is shown by a published video item (sharing it opens the public page
that plays it). No share is made here: the demo's shares and clicks are counted elsewhere.

Skipped (with a log line) when ffmpeg is not installed: the rest of the demo does not need it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File

from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.demo import data
from groundswell.videos import actions
from groundswell.videos.models import Video, VideoState

if TYPE_CHECKING:
    from groundswell.demo.generator import DemoBuilder

#: (title, ffmpeg test source, tone in Hz, captions)
CLIPS = [
    (
        "Launch day at the Berlin office",
        "testsrc2=duration=4:size=320x180:rate=15",
        440,
        "WEBVTT\n\n00:00.000 --> 00:02.000\nThe new release went live at nine this morning.\n\n"
        "00:02.000 --> 00:04.000\nThank you to everyone who tested it with customers!\n",
    ),
    (
        "Sixty seconds with our support team",
        "smptebars=duration=3:size=180x320:rate=15",
        660,
        "WEBVTT\n\n00:00.000 --> 00:01.500\nHi, I'm on the support team.\n\n"
        "00:01.500 --> 00:03.000\nHere is what a good day looks like for us.\n",
    ),
]


def _make_clip(target: Path, source: str, tone: int) -> None:
    seconds = source.split("duration=")[1].split(":")[0]
    subprocess.run(  # noqa: S603
        [
            settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source,
            "-f", "lavfi", "-i", f"sine=frequency={tone}:duration={seconds}", "-shortest",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(target),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def build_videos(builder: DemoBuilder) -> None:
    if not (shutil.which(settings.FFMPEG_BINARY) and shutil.which(settings.FFPROBE_BINARY)):
        builder.log("  videos skipped: ffmpeg is not installed (make ffmpeg)")
        return
    ws, now = builder.ws, builder.now
    admin = builder.by_email[f"{data.ADMIN[1]}@{data.DOMAIN}"]
    authors = [admin, next((m for m in builder.members if m.pk != admin.pk and m.is_active), admin)]
    made: list[Video] = []
    with tempfile.TemporaryDirectory(prefix="gs-demo-video-") as tmp:
        for (title, source, tone, captions), author in zip(CLIPS, authors, strict=True):
            clip = Path(tmp) / f"clip{len(made)}.mp4"
            _make_clip(clip, source, tone)
            video = Video(
                workspace=ws, uploaded_by=author, title=title, original_name=clip.name,
                original_size=clip.stat().st_size, captions_vtt=captions,
                created_at=now - dt.timedelta(days=3 - len(made)),
            )  # fmt: skip
            with clip.open("rb") as f:
                video.original.save(f"demo-{clip.name}", File(f), save=False)
            video.save()
            actions.process(video.pk)  # what the worker runs
            made.append(video)
    ready = [v for v in made if Video.objects.filter(pk=v.pk, state=VideoState.READY).exists()]
    if not ready:
        builder.log("  videos: processing failed, no video item")
        return
    Item.objects.create(
        workspace=ws, kind=ItemKind.VIDEO, state=ItemState.PUBLISHED, video=ready[0], title=ready[0].title,
        description="Launch day at the office, in a few seconds (with captions).", created_by=admin, reviewed_by=admin,
        created_at=now - dt.timedelta(days=2), published_at=now - dt.timedelta(days=2), announced_at=now,
    )  # fmt: skip
    builder.log(f"  {len(ready)} videos, 1 video item")
