"""The ``groundswell`` command says plainly what is missing when production settings cannot load."""

from __future__ import annotations

import os
import subprocess
import sys


def test_missing_production_settings_are_said_plainly_not_as_a_traceback(tmp_path: object) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from groundswell.cli import main; sys.exit(main(['groundswell', 'serve', '--help']))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "SECRET_KEY is required" in done.stderr and "DEBUG=1" in done.stderr
    assert "Traceback" not in done.stderr
