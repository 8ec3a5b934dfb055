"""The demo on a live server at a random port: its cover images load (from this server, whatever its address)
and the Content-Security-Policy blocks nothing on the content hub."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from groundswell.demo import data
from groundswell.demo.generator import DEMO_PASSWORD, build_demo, demo_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_covers_load_on_any_port(browser: Any, live_server: Any, settings: Any) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000"  # what a default install says: not the port this test serves on
    build_demo(seed=3, employees=40, days=30, now=timezone.now() - dt.timedelta(minutes=5))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(demo_email(data.EMPLOYEE[1]))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile(rf"/w/{data.SLUG}/"))

    page.goto(f"{live_server.url}/w/{data.SLUG}/content/list/")
    page.wait_for_load_state("load")
    page.wait_for_function(
        "[...document.querySelectorAll(\"main img[src*='/media/demo/covers/']\")].some(i => i.complete && i.naturalWidth > 0)"
    )
    covers = page.locator("main img[src*='/media/demo/covers/']")
    assert covers.count() >= 3
    src = covers.first.get_attribute("src")
    assert src and src.startswith("/media/")
    response = page.request.get(f"{live_server.url}{src}")
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg")
    widths = covers.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : -1)")
    assert all(w > 0 for w in widths if w != -1) and any(w > 0 for w in widths), widths
    assert violations == []
    context.close()
