"""The write layer for videos: upload (validated at the edge), processing by the worker, captions, deletion.

States::

    uploaded ──claim──▶ processing ──▶ ready
        ▲                   │
        └──── retry ─── failed (a human error; the original is kept so the author can try again)

A claim is one conditional UPDATE (two workers never process one video). A worker that dies leaves the video
"processing"; once the claim is older than the transcode timeout, the periodic sweep enqueues it again and
the next claim takes it (up to ``VIDEO_MAX_ATTEMPTS``). After success the original is deleted (ADR 0038).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from groundswell.lib.storage import private_storage
from groundswell.videos import media
from groundswell.videos.captions import CaptionsError, validate_webvtt
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Membership

log = logging.getLogger(__name__)

MAX_ORIGINAL_NAME = 255


class VideoRejected(ValueError):
    """The upload is not accepted; ``str(exc)`` says why, for the form."""


class VideoError(ValueError):
    """A change to a video that cannot be made, with a message for the person making it."""


def duration_text(seconds: float) -> str:
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if not minutes:
        return f"{secs} s"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def check_upload_size(size: int | None) -> None:
    """The size limit alone (forms call it before anything is read)."""
    limit = int(settings.VIDEO_MAX_BYTES)
    if size is not None and size > limit:
        raise VideoRejected(f"The video is {filesizeformat(size)}; the limit is {filesizeformat(limit)}.")
    if size == 0:
        raise VideoRejected("The file is empty.")


def _local_copy(upload: UploadedFile[bytes], directory: Path) -> Path:
    """A path ffprobe can read: Django's temporary upload file, or a copy of an in-memory upload."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if callable(temporary_path):
        return Path(temporary_path())
    path = directory / "upload"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def inspect_upload(upload: UploadedFile[bytes]) -> media.ProbeResult:
    """What the upload really is (read from its content by ffprobe), or VideoRejected with the reason."""
    check_upload_size(upload.size)
    with tempfile.TemporaryDirectory(prefix="gs-video-") as tmp:
        try:
            info = media.probe(_local_copy(upload, Path(tmp)))
        except media.MediaError as exc:
            raise VideoRejected(str(exc)) from exc
    if not info.is_video:
        raise VideoRejected("This file is not a video. Upload a video such as MP4, MOV or WebM.")
    limit = int(settings.VIDEO_MAX_SECONDS)
    if info.duration is not None and info.duration > limit + 0.5:
        raise VideoRejected(
            f"The video is {duration_text(info.duration)} long; the limit is {duration_text(limit)}. "
            "Trim it on your phone and upload it again."
        )
    return info


def create_video(*, member: Membership, upload: UploadedFile[bytes], title: str = "") -> Video:
    """Store a member's upload and enqueue its processing; VideoRejected (nothing stored) for a bad file."""
    info = inspect_upload(upload)
    upload.seek(0)
    name = Path(upload.name or "video").name[-MAX_ORIGINAL_NAME:]
    with transaction.atomic():
        video = Video(
            workspace_id=member.workspace_id,
            uploaded_by=member,
            title=title.strip()[:200],
            original_name=name,
            original_size=upload.size or 0,
            duration_seconds=info.duration,
            width=info.width,
            height=info.height,
        )
        video.original.save(f"{uuid.uuid4().hex}.upload", upload, save=False)
        video.save()
        _enqueue_processing(video.pk)
    return video


def _enqueue_processing(video_id: int) -> None:
    from groundswell.videos.tasks import process_video

    transaction.on_commit(lambda: process_video.enqueue(video_id))


# --- Processing (the worker) ------------------------------------------------------------------------


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=int(settings.VIDEO_TRANSCODE_TIMEOUT_SECONDS) + 60)


def claim(video_id: int, now: dt.datetime | None = None) -> bool:
    """Take the video for processing; False when another worker has it (or it is done, or out of attempts)."""
    now = now or timezone.now()
    claimed = (
        Video.objects.filter(pk=video_id, attempts__lt=int(settings.VIDEO_MAX_ATTEMPTS))
        .filter(Q(state=VideoState.UPLOADED) | Q(state=VideoState.PROCESSING, claimed_at__lt=_stale_before(now)))
        .update(state=VideoState.PROCESSING, claimed_at=now, attempts=F("attempts") + 1, error="")
    )
    # Nothing updated: another worker got there first, or the video is ready, failed or deleted.
    return claimed == 1


def _fail(video_id: int, message: str) -> None:
    Video.objects.filter(pk=video_id, state=VideoState.PROCESSING).update(
        state=VideoState.FAILED, error=message[:300], claimed_at=None
    )


def process(video_id: int) -> str:
    """Claim, transcode, take the poster, and mark the video ready (or failed with a human error).

    Returns the state it left the video in ("skipped" when it could not claim it).
    """
    if not claim(video_id):
        return "skipped"
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return "skipped"
    if not video.original:
        _fail(video_id, "The uploaded file is gone; upload the video again.")
        return VideoState.FAILED
    work = Path(tempfile.mkdtemp(prefix="gs-video-"))
    try:
        source = work / "original"
        with video.original.open("rb") as stored, source.open("wb") as out:
            shutil.copyfileobj(stored, out, 1024 * 1024)
        web, poster = work / "web.mp4", work / "poster.jpg"
        media.transcode(source, web, max_seconds=float(settings.VIDEO_MAX_SECONDS) + 1)
        info = media.probe(web)
        duration = info.duration or video.duration_seconds or 0.0
        media.poster(web, poster, at_seconds=min(1.0, duration / 2))
        _store_result(video, web, poster, info)
    except media.MediaError as exc:
        log.warning("video %s failed: %s (%s)", video_id, exc, exc.detail)
        _fail(video_id, str(exc))
        return VideoState.FAILED
    except Exception:
        # Unexpected (storage, database): back to "uploaded" while attempts remain, so the sweep retries.
        log.exception("video %s: processing crashed", video_id)
        if video.attempts >= int(settings.VIDEO_MAX_ATTEMPTS):
            _fail(video_id, "Something went wrong while processing this video.")
        else:
            Video.objects.filter(pk=video_id, state=VideoState.PROCESSING).update(
                state=VideoState.UPLOADED, claimed_at=None
            )
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return VideoState.READY


def _store_result(video: Video, web: Path, poster: Path, info: media.ProbeResult) -> None:
    now = timezone.now()
    stem = uuid.uuid4().hex
    with web.open("rb") as web_file, poster.open("rb") as poster_file:
        video.web.save(f"{stem}.mp4", File(web_file), save=False)
        video.poster.save(f"{stem}.jpg", File(poster_file), save=False)
    original = video.original.name
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk, state=VideoState.PROCESSING).update(
            state=VideoState.READY,
            web=video.web.name,
            poster=video.poster.name,
            original="",
            duration_seconds=info.duration or video.duration_seconds,
            width=info.width,
            height=info.height,
            processed_at=now,
            claimed_at=None,
            error="",
        )
        if updated != 1:
            # Deleted (or taken over as stale) meanwhile: drop what we made, keep the row as it is.
            _delete_files_on_commit([video.web.name, video.poster.name])
            return
        # The web version is what everybody watches; the original is no longer needed (ADR 0038).
        _delete_files_on_commit([original])


def fail_exhausted(now: dt.datetime | None = None) -> int:
    """Videos whose worker died on the last attempt they had: failed, so the author sees it and can retry."""
    now = now or timezone.now()
    return Video.objects.filter(
        state=VideoState.PROCESSING,
        claimed_at__lt=_stale_before(now),
        attempts__gte=int(settings.VIDEO_MAX_ATTEMPTS),
    ).update(state=VideoState.FAILED, claimed_at=None, error="Processing this video kept stopping half-way.")


def stalled_video_ids(now: dt.datetime | None = None, *, limit: int = 100) -> list[int]:
    """Videos whose processing message was lost or whose worker died, with attempts left."""
    now = now or timezone.now()
    waiting = Q(state=VideoState.UPLOADED, created_at__lt=now - dt.timedelta(minutes=2))
    stale = Q(state=VideoState.PROCESSING, claimed_at__lt=_stale_before(now))
    return list(
        Video.objects.filter(waiting | stale, attempts__lt=int(settings.VIDEO_MAX_ATTEMPTS))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- Changes by the author ---------------------------------------------------------------------------


def _check_editor(member: Membership, video: Video) -> None:
    from groundswell.videos.access import can_edit

    if not can_edit(member, video):
        raise VideoError("Only the person who uploaded this video, or a program admin, can change it.")


def set_captions(*, member: Membership, video: Video, text: str, language: str = "") -> Video:
    """Validate and store WebVTT captions (an empty text removes them); VideoError names the bad line."""
    _check_editor(member, video)
    if text.strip():
        try:
            text = validate_webvtt(text)
        except CaptionsError as exc:
            raise VideoError(str(exc)) from exc
    else:
        text = ""
    video.captions_vtt = text
    fields = ["captions_vtt"]
    if language:
        video.captions_language = language
        fields.append("captions_language")
    video.save(update_fields=fields)
    return video


def retry(*, member: Membership, video: Video) -> Video:
    """Try a failed video again (its original is kept after a failure)."""
    _check_editor(member, video)
    if video.state != VideoState.FAILED:
        raise VideoError("Only a video that could not be processed can be tried again.")
    if not video.original:
        raise VideoError("The uploaded file is gone; upload the video again.")
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk, state=VideoState.FAILED).update(
            state=VideoState.UPLOADED, error="", attempts=0
        )
        if updated:
            _enqueue_processing(video.pk)
    video.refresh_from_db()
    return video


def delete_video(*, member: Membership, video: Video) -> None:
    """Delete a video and its files; refused while a content item shows it."""
    _check_editor(member, video)
    if video.items.exists():
        raise VideoError("A content item shows this video: delete or change the item first.")
    erase_video(video)


def erase_video(video: Video) -> None:
    """Delete the row now and its files once the transaction commits (no access check: callers check)."""
    names: list[str | None] = [f.name for f in (video.original, video.web, video.poster) if f and f.name]
    with transaction.atomic():
        video.delete()
        _delete_files_on_commit(names)


def _delete_files_on_commit(names: list[str | None]) -> None:
    """Files go once the rows that name them are gone for good (a rollback keeps both)."""

    def delete() -> None:
        storage = private_storage()
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(delete)
