"""The hourly team job: expire invitations, send term-end notices, rotate teams whose term is over."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.teams import actions

ROTATION_INTERVAL_SECONDS = 3600


@task()
def run_team_rotations() -> dict[str, int]:
    """Idempotent: each step claims its work with a conditional update, so overlapping runs do it once."""
    expired = actions.expire_invitations()
    notices = actions.send_rotation_notices()
    rotated = actions.rotate_due_teams()
    return {"expired": expired, "notices": notices, "rotated": len(rotated)}


register_periodic(run_team_rotations, ROTATION_INTERVAL_SECONDS)
