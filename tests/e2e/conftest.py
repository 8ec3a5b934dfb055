"""Browser tests: real headless Chromium (Debian's package) driven by Playwright for Python.

Playwright's own browser download is never used: we launch /usr/bin/chromium (or $CHROMIUM). When it is
missing the tests fail with a message telling how to install it (`make test` installs it when run as root).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in this thread; the test itself only uses the ORM between
# browser steps, never concurrently with the live server's requests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: run `apt-get install chromium` (make test does this as root)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# The local Bluesky network (PLC + PDS + AppView on loopback) for the posting test.
from tests.bluesky.network import bluesky_network  # noqa: E402,F401
