"""The one place that runs Debian's ffprobe and ffmpeg: argument lists (never a shell), a timeout, and errors
turned into sentences a member can read.

``probe`` answers what a file really is (read from its content, never from its name); ``transcode`` makes the
web version (MP4: H.264 + AAC, ``+faststart``, the short side at most 720 px, even dimensions); ``poster``
takes one JPEG frame.
"""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

#: Formats ffprobe reports for still images (a photo renamed .mp4 has a "video" stream too).
IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "webp_pipe", "tiff_pipe", "gif", "svg_pipe"}
#: Codecs of a single still picture.
IMAGE_CODECS = {"png", "mjpeg", "bmp", "webp", "tiff", "gif", "svg"}
#: The only containers ffprobe and ffmpeg may open (MP4/MOV/3GP and Matroska/WebM: what phones and browsers
#: record). Anything else is refused before it is parsed: a playlist format (HLS, concat) would make ffmpeg
#: read other files of this server into the uploader's video.
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"

#: Short side of the web version, in pixels: 720p is enough for a phone's screen and a link card.
MAX_SHORT_SIDE = 720

# The short side scaled down to MAX_SHORT_SIDE (never up), the other side following the aspect ratio,
# both even (H.264 in yuv420p needs even dimensions). Portrait phone videos stay portrait.
SCALE_FILTER = (
    f"scale=w='if(gte(iw,ih),-2,trunc(min({MAX_SHORT_SIDE},iw)/2)*2)'"
    f":h='if(gte(iw,ih),trunc(min({MAX_SHORT_SIDE},ih)/2)*2,-2)',setsar=1"
)


class MediaError(Exception):
    """ffmpeg/ffprobe could not do it; ``str(exc)`` is a sentence for the member."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class ProbeResult:
    format_name: str
    duration: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    has_audio: bool

    @property
    def is_video(self) -> bool:
        """A moving picture: a video stream that is not a still image, and a duration."""
        if self.video_codec is None or self.video_codec in IMAGE_CODECS:
            return False
        if any(name in IMAGE_FORMATS for name in self.format_name.split(",")):
            return False
        return bool(self.duration and self.duration > 0)


def _run(args: list[str], *, timeout: int) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(  # noqa: S603
            args, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError as exc:
        log.error("video tool missing: %s", args[0])
        raise MediaError("Videos cannot be processed on this server right now.", detail=str(exc)) from exc
    except subprocess.TimeoutExpired as exc:
        raise MediaError("Processing this video took too long.", detail=f"timeout after {timeout}s") from exc


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # NaN and negatives are unknown


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def probe(path: Path | str) -> ProbeResult:
    """What the file contains, from ffprobe's JSON; MediaError when ffprobe cannot read it at all."""
    result = _run(
        [
            settings.FFPROBE_BINARY,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-format_whitelist",
            FORMAT_WHITELIST,
            str(path),
        ],
        timeout=int(settings.VIDEO_PROBE_TIMEOUT_SECONDS),
    )
    if result.returncode != 0:
        if b"not on whitelist" in result.stderr:  # a picture, a playlist, a document: not a container we open
            raise MediaError(
                "This file is not a video. Upload a video such as MP4, MOV or WebM.",
                detail=result.stderr.decode(errors="replace")[-500:],
            )
        raise MediaError(
            "This file could not be read as a video: it may be damaged or in a format we do not know.",
            detail=result.stderr.decode(errors="replace")[-500:],
        )
    try:
        info = json.loads(result.stdout or b"{}")
    except ValueError as exc:
        raise MediaError("This file could not be read as a video.", detail="ffprobe printed no JSON") from exc
    streams = [s for s in info.get("streams") or [] if isinstance(s, dict)]
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    fmt = info.get("format") or {}
    duration = _float(fmt.get("duration"))
    if duration is None and video is not None:
        duration = _float(video.get("duration"))
    if duration is None and video is not None and video.get("codec_name") not in IMAGE_CODECS:
        # Browsers' MediaRecorder writes WebM without a duration in its header: read the packets to find it.
        duration = _demuxed_duration(path)
    return ProbeResult(
        format_name=str(fmt.get("format_name") or ""),
        duration=duration,
        width=_int(video.get("width")) if video else None,
        height=_int(video.get("height")) if video else None,
        video_codec=str(video.get("codec_name")) if video else None,
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def _demuxed_duration(path: Path | str) -> float | None:
    """The duration of the first video stream, by copying its packets to nowhere (no decoding: fast)."""
    result = _run(
        [
            settings.FFMPEG_BINARY,
            "-nostdin",
            "-v",
            "error",
            "-format_whitelist",
            FORMAT_WHITELIST,
            "-i",
            str(path),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "null",
            "-progress",
            "pipe:1",
            "-nostats",
            "-",
        ],
        timeout=int(settings.VIDEO_PROBE_TIMEOUT_SECONDS),
    )
    if result.returncode != 0:
        return None
    last = None
    for line in result.stdout.decode(errors="replace").splitlines():
        if line.startswith("out_time_us="):
            last = line.partition("=")[2]
    micros = _float(last)
    return micros / 1_000_000 if micros else None


def transcode(source: Path, target: Path, *, max_seconds: float) -> None:
    """The web version of ``source`` at ``target`` (.mp4). Audio is kept when there is some."""
    result = _run(
        [
            settings.FFMPEG_BINARY,
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-y",
            "-format_whitelist",
            FORMAT_WHITELIST,
            "-i",
            str(source),
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            "-t",
            f"{max_seconds:.3f}",
            "-vf",
            SCALE_FILTER,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-ac",
            "2",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(target),
        ],
        timeout=int(settings.VIDEO_TRANSCODE_TIMEOUT_SECONDS),
    )
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise MediaError(
            "This video could not be converted for the web: the file may be damaged.",
            detail=result.stderr.decode(errors="replace")[-500:],
        )


def poster(source: Path, target: Path, *, at_seconds: float) -> None:
    """One JPEG frame of ``source`` (the web version, already scaled) at ``target``."""
    result = _run(
        [
            settings.FFMPEG_BINARY,
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-y",
            "-ss",
            f"{max(at_seconds, 0):.3f}",
            "-format_whitelist",
            FORMAT_WHITELIST,
            "-i",
            str(source),
            "-frames:v",
            "1",
            "-q:v",
            "3",
            "-f",
            "image2",
            str(target),
        ],
        timeout=int(settings.VIDEO_PROBE_TIMEOUT_SECONDS),
    )
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise MediaError(
            "No poster frame could be taken from this video.", detail=result.stderr.decode(errors="replace")[-500:]
        )
