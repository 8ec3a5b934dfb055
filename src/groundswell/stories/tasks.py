"""Background work of the stories app: the deadline reminder of the calls for stories (harvest.py)."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic
from groundswell.stories.harvest import send_deadline_reminders

#: Hourly: a prompt is reminded in the first run after its workspace's day reaches two days before the deadline.
REMIND_INTERVAL_SECONDS = 3600


@task()
def remind_prompt_deadlines() -> int:
    """Remind each call's audience once, two days before its deadline (claimed per prompt, any worker)."""
    return send_deadline_reminders()


register_periodic(remind_prompt_deadlines, REMIND_INTERVAL_SECONDS)
