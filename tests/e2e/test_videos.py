"""A member uploads a clip (made by ffmpeg) on a phone-sized page: the progress bar runs (XHR), the worker
processes it, and the player loads its metadata (duration > 0) through the range-serving view."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from groundswell.rewards.actions import ensure_default_rules
from groundswell.videos.models import Video, VideoState
from groundswell.videos.tests.conftest import make_clip
from groundswell.workspaces.models import Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg, pytest.mark.django_db(transaction=True)]


def test_upload_a_clip_and_play_its_metadata(browser: Any, live_server: Any, tmp_path: Path) -> None:
    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    clip = make_clip(tmp_path / "hello.mp4")

    page = sign_in(browser, base, "bob@acme.test")
    page.set_viewport_size({"width": 390, "height": 844})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{base}/w/acme/videos/upload/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_label("Title").fill("Hello from Bob")
    page.locator("input[type=file][name=video]").set_input_files(str(clip))
    page.get_by_role("button", name=re.compile("Upload")).click()
    # The immediate task backend processes it when the upload commits; the script then opens the video.
    page.wait_for_url(re.compile(r"/w/acme/videos/\d+/$"), timeout=30_000)
    video = Video.objects.get()
    assert video.state == VideoState.READY, video.error

    player = page.locator("video")
    player.wait_for(timeout=10_000)
    duration = page.evaluate(
        """() => new Promise((resolve) => {
            const v = document.querySelector('video');
            if (v.readyState >= 1) { resolve(v.duration); return; }
            v.addEventListener('loadedmetadata', () => resolve(v.duration));
            v.addEventListener('error', () => resolve(-1));
            v.load();
        })"""
    )
    assert duration > 1.5, duration
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_record_in_the_page_with_the_camera(browser: Any, live_server: Any) -> None:
    """MediaRecorder with Chromium's fake camera and microphone: record two seconds, upload, processed."""
    from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path

    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    fake_media = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    # A second Chromium from the session's Playwright, with the fake devices (the shared one has none).
    with_camera = browser.browser_type.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS + fake_media)
    try:
        page = sign_in(with_camera, base, "bob@acme.test")
        console: list[str] = []
        page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: console.append(f"pageerror: {exc}"))
        page.goto(f"{base}/w/acme/videos/upload/")
        # Until the camera is on, only its switch shows (the hidden buttons stay hidden under app.css).
        assert not page.get_by_role("button", name=re.compile("Start recording")).is_visible()
        page.get_by_role("button", name=re.compile("Turn on the camera")).click()
        record = page.get_by_role("button", name=re.compile("Start recording"))
        record.wait_for(timeout=10_000)
        record.click()
        page.wait_for_timeout(2500)
        page.get_by_role("button", name=re.compile("Stop")).click()
        page.get_by_text("Recorded. Watch it back, then press Upload.").wait_for(timeout=10_000)
        page.get_by_role("button", name=re.compile("Upload")).click()
        page.wait_for_url(re.compile(r"/w/acme/videos/\d+/$"), timeout=60_000)
    finally:
        with_camera.close()
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console
    video = Video.objects.get()
    assert video.state == VideoState.READY, video.error
    assert video.original_name.startswith("recording.")
    assert video.duration_seconds and video.duration_seconds > 1.5
