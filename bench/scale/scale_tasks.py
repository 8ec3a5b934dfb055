"""The benchmark's task: leaves a mark per run in a shared file, so runs are counted outside the database."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def mark(n: int) -> int:
    delay = float(os.environ.get("BENCH_TASK_SECONDS", "0"))
    if delay:
        time.sleep(delay)
    # One small O_APPEND write per run: whole lines, whichever worker process writes them.
    fd = os.open(os.environ["BENCH_SCALE_MARKS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{n}\n".encode())
    finally:
        os.close(fd)
    return n
