"""Links registers its background work with core (core imports no links): the spool replay as a periodic job,
the click ingest as a thread every worker runs."""

from __future__ import annotations

import threading

import pytest

from groundswell.core.scheduler import discover, start_worker_threads
from groundswell.links import buffer


def test_the_worker_starts_the_click_ingest_links_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    started = threading.Thread(target=stop.wait, name="click-ingest", daemon=True)

    def fake_start() -> tuple[threading.Thread, threading.Event]:
        started.start()
        return started, stop

    monkeypatch.setattr(buffer, "start_ingest_thread", fake_start)
    threads = start_worker_threads()
    try:
        assert (started, stop) in threads and started.is_alive()
    finally:
        stop.set()
        started.join(timeout=5)


@pytest.mark.django_db
def test_the_spool_replay_is_a_periodic_job_of_links() -> None:
    assert "groundswell.links.tasks.replay_click_spool" in {job.name for job in discover()}
