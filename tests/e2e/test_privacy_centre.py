"""A member opens the privacy centre on a phone, turns on sharing with their manager, and exports their data:
the progress bar follows the background job (static JS, no inline script under our CSP) and the archive
downloads once it is ready."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from playwright.sync_api import expect

from groundswell.privacy import actions
from groundswell.privacy.models import DataExport, ExportStatus
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_privacy_centre_switch_and_export_with_progress(browser: Any, live_server: Any) -> None:
    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    bob = Membership.objects.get(user__email="bob@acme.test")

    page = sign_in(browser, base, "bob@acme.test")
    page.set_viewport_size({"width": 390, "height": 844})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{base}/w/acme/privacy/")
    assert page.get_by_role("heading", name="Who can see what").is_visible()
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_label("Yes, my manager may see my statistics").check()
    page.locator("form[action$='/privacy/manager/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/w/acme/privacy/$"))
    assert "Your manager can now see your statistics." in page.content()
    assert actions.shares_with_manager(bob)

    # A large account's export is still running: the bar moves as the worker reports progress.
    job = DataExport.objects.create(workspace=workspace, member=bob, status=ExportStatus.RUNNING, total_steps=4)
    page.goto(f"{base}/w/acme/privacy/export/")
    assert page.locator("#export-bar").get_attribute("value") == "0"
    DataExport.objects.filter(pk=job.pk).update(done_steps=2)
    expect(page.locator("#export-percent")).to_have_text("50%", timeout=10_000)
    actions.build_archive(job.pk)
    download_link = page.get_by_role("link", name="Download my data")
    download_link.wait_for(timeout=10_000)  # the script reloaded the page once the job finished
    with page.expect_download() as info:
        download_link.click()
    path = info.value.path()
    with open(path, "rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert "README.txt" in names and "sharing.json" in names
    assert not [p for p in problems if "Content Security Policy" in p], problems
