"""Helpers for the test servers the suite starts as child processes (the Bluesky network, the OIDC provider)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path


def tail(path: Path, limit: int = 4000) -> str:
    """The end of a server's log, for error messages ("" when it cannot be read)."""
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


def stop_process_group(proc: subprocess.Popen[bytes] | subprocess.Popen[str], *, grace: float) -> None:
    """SIGTERM the process group, SIGKILL it after ``grace`` seconds, and close the pipes."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    for stream in (proc.stdin, proc.stdout):
        if stream:
            stream.close()
