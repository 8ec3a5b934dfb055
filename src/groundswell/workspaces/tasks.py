"""Background work for the people pages."""

from __future__ import annotations

import logging

from django_tasks import task

from groundswell.workspaces import importing

log = logging.getLogger(__name__)


@task()
def run_import(job_id: int) -> str:
    """Apply a started CSV import (see ``importing.apply_job``); a crash marks the job failed, never stuck."""
    try:
        return str(importing.apply_job(job_id).status)
    except Exception as exc:
        log.exception("CSV import %s failed", job_id)
        importing.fail_job(
            job_id,
            f"The import stopped unexpectedly ({type(exc).__name__}). Rows already "
            "imported are kept; importing the same file again finishes the job safely.",
        )
        return "failed"
