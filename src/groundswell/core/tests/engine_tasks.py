"""Tasks for the task-engine tests (module level, so every engine's worker can import them by path)."""

from __future__ import annotations

import threading

from django_tasks import task

RUNS: list[int] = []
_lock = threading.Lock()


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def record(n: int) -> int:
    with _lock:
        RUNS.append(n)
    return n


@task()
def boom() -> None:
    raise ValueError("this task always fails")
