"""Production start-up refuses a SECRET_KEY that `check --deploy` would warn about (security.W009)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet


def _start(secret_key: str, *, debug: bool = False) -> subprocess.CompletedProcess[str]:
    """Import the production settings in a fresh interpreter, as `groundswell serve` would."""
    environ = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG")}
    environ.update(
        SECRET_KEY=secret_key,
        DEBUG="1" if debug else "0",
        GROUNDSWELL_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        SITE_URL="https://advocacy.example.com",
        ALLOWED_HOSTS="advocacy.example.com",
    )
    return subprocess.run(
        [sys.executable, "-c", "import groundswell.settings"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "weak",
    [
        "a" * 36,  # the key from the report: long enough for the old rule, one character
        "a" * 64,  # long, but one character
        "abcd" * 20,  # four different characters
        "x" * 10 + "Qm7vR2kLp9ZtW4nYc8HbJ3sDf6GxVa1Ue5",  # 44 characters
        "django-insecure-" + "Tq3ZmL8wRv2Kp6YcN9bHs4JdG7xFa1Ue5Wo0Ir" * 2,  # Django's generated development key
    ],
    ids=["36-same", "64-same", "4-distinct", "44-chars", "django-insecure"],
)
def test_a_weak_secret_key_is_refused_with_a_clear_message(weak: str) -> None:
    started = _start(weak)
    assert started.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak for production" in started.stderr
    assert "at least 50 characters, at least 5 different ones" in started.stderr


def test_a_generated_key_starts_and_debug_keeps_the_development_rule() -> None:
    started = _start(secrets.token_urlsafe(50))
    assert started.returncode == 0, started.stderr
    # DEBUG installs only need 32 characters (as before); production rules apply when DEBUG is off.
    assert _start("y" * 40, debug=True).returncode == 0
