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
from dataclasses import dataclass
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

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Clip:
    title: str
    size: str  # a phone's portrait clip, or landscape
    colors: tuple[str, str, str, str]  # the moving gradient behind the words
    headline: str  # drawn on the clip when the DejaVu fonts are installed (no quotes or colons: drawtext)
    seconds: int
    tone: int  # Hz
    captions: str


CLIPS = [
    Clip(
        "Launch day at the Berlin office",
        "640x360",
        ("0x1f6feb", "0x0b3d91", "0x2da44e", "0x0e4429"),
        "Launch day in Berlin",
        6,
        440,
        "WEBVTT\n\n00:00.000 --> 00:03.000\nThe new release went live at nine this morning.\n\n"
        "00:03.000 --> 00:06.000\nThank you to everyone who tested it with customers!\n",
    ),
    Clip(
        "Hello from the support team",
        "360x640",
        ("0xbf3989", "0x6e40c9", "0xfb8f44", "0x9a6700"),
        "Hello from support",
        5,
        660,
        "WEBVTT\n\n00:00.000 --> 00:02.500\nHi, we are the support team in Porto.\n\n"
        "00:02.500 --> 00:05.000\nHere is what a good day looks like for us.\n",
    ),
]


def _make_clip(target: Path, clip: Clip) -> None:
    """A short clip: a slowly moving gradient, the headline and the company's name when fonts are at hand,
    and a tone (so the player shows sound)."""
    c0, c1, c2, c3 = clip.colors
    source = (
        f"gradients=size={clip.size}:duration={clip.seconds}:rate=15:speed=0.02:"
        f"c0={c0}:c1={c1}:c2={c2}:c3={c3}:nb_colors=4"
    )
    bold, regular = FONT_DIR / "DejaVuSans-Bold.ttf", FONT_DIR / "DejaVuSans.ttf"
    filters: list[str] = []
    if bold.exists() and regular.exists():
        big = 40 if clip.size.startswith("640") else 30
        filters = [
            "-vf",
            f"drawtext=fontfile={bold}:text='{clip.headline}':fontcolor=white:fontsize={big}:"
            "x=(w-text_w)/2:y=(h-text_h)/2-20,"
            f"drawtext=fontfile={regular}:text='{data.COMPANY}':fontcolor=white@0.85:fontsize=22:"
            "x=(w-text_w)/2:y=(h/2)+30",
        ]
    subprocess.run(  # noqa: S603
        [
            settings.FFMPEG_BINARY, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source,
            "-f", "lavfi", "-i", f"sine=frequency={clip.tone}:duration={clip.seconds}", *filters, "-shortest",
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
        for spec, author in zip(CLIPS, authors, strict=True):
            clip = Path(tmp) / f"clip{len(made)}.mp4"
            _make_clip(clip, spec)
            video = Video(
                workspace=ws, uploaded_by=author, title=spec.title, original_name=clip.name,
                original_size=clip.stat().st_size, captions_vtt=spec.captions,
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
