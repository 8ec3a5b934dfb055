"""Background work of the privacy centre: building data exports, deleting expired ones."""

from __future__ import annotations

import logging

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.privacy import actions

log = logging.getLogger(__name__)


@task()
def build_export(export_id: int) -> str:
    """Build a member's archive; a crash marks the job failed (with a retry button), never stuck."""
    try:
        return str(actions.build_archive(export_id).status)
    except Exception as exc:
        log.exception("Data export %s failed", export_id)
        actions.fail_export(export_id, f"The export stopped unexpectedly ({type(exc).__name__}). Please try again.")
        return "failed"


@task()
def delete_expired_exports() -> int:
    return actions.delete_expired_exports()


register_periodic(delete_expired_exports, every_seconds=3600)
