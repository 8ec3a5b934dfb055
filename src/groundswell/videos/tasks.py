"""The worker's video jobs: one task per video, and a sweep that re-enqueues videos whose worker died."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.videos import actions

SWEEP_EVERY_SECONDS = 300


@task()
def process_video(video_id: int) -> str:
    """Transcode one upload to the web version and take its poster (see ``videos.actions.process``)."""
    return actions.process(video_id)


@task()
def resume_stalled_videos() -> int:
    """Enqueue the videos left waiting (a lost message) or stuck in "processing" (a worker that died)."""
    actions.fail_exhausted()
    ids = actions.stalled_video_ids()
    for video_id in ids:
        process_video.enqueue(video_id)
    return len(ids)


register_periodic(resume_stalled_videos, every_seconds=SWEEP_EVERY_SECONDS)
