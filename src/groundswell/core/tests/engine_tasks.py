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


@task()
def slow_mark(n: int) -> int:
    """Sleeps long enough to be killed mid-run, then appends n to the file ENGINE_TEST_MARKS names."""
    import os
    import time

    time.sleep(float(os.environ.get("ENGINE_TEST_TASK_SECONDS", "3")))
    with open(os.environ["ENGINE_TEST_MARKS"], "a") as marks:
        marks.write(f"{n}\n")
    return n
