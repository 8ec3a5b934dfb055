"""Periodic jobs: claimed once per due run, whatever the number of workers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django_tasks import task

from groundswell.core import scheduler
from groundswell.core.models import PeriodicRun

CALLS: list[str] = []


@task()
def tick() -> None:
    CALLS.append("tick")


@pytest.fixture
def job() -> Iterator[scheduler.PeriodicJob]:
    CALLS.clear()
    registered = scheduler.register_periodic(tick, every_seconds=60, name="test-tick")
    yield registered
    scheduler.unregister_periodic("test-tick")


@pytest.mark.django_db
def test_a_due_run_is_claimed_once(job: scheduler.PeriodicJob) -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert scheduler.run_pending(now=now, worker_id="a", jobs=[job]) == ["test-tick"]
    assert scheduler.run_pending(now=now, worker_id="b", jobs=[job]) == []
    assert scheduler.run_pending(now=now + dt.timedelta(seconds=59), worker_id="b", jobs=[job]) == []
    later = now + dt.timedelta(seconds=60)
    assert scheduler.run_pending(now=later, worker_id="b", jobs=[job]) == ["test-tick"]
    assert CALLS == ["tick", "tick"]  # the test settings run tasks immediately
    run = PeriodicRun.objects.get(name="test-tick")
    assert (run.last_claimed_by, run.last_run_at, run.next_run_at) == ("b", later, later + dt.timedelta(seconds=60))


@pytest.mark.django_db
def test_a_job_that_waits_a_full_interval_first() -> None:
    job = scheduler.register_periodic(tick, every_seconds=30, name="test-later", run_at_start=False)
    try:
        now = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
        assert scheduler.run_pending(now=now, jobs=[job]) == []
        assert scheduler.run_pending(now=now + dt.timedelta(seconds=30), jobs=[job]) == ["test-later"]
    finally:
        scheduler.unregister_periodic("test-later")


@pytest.mark.django_db
def test_discover_registers_the_builtin_jobs() -> None:
    names = {j.name for j in scheduler.discover()}
    assert "groundswell.links.tasks.replay_click_spool" in names


def test_register_refuses_a_non_positive_interval() -> None:
    with pytest.raises(ValueError, match="positive"):
        scheduler.register_periodic(tick, every_seconds=0)
