"""Export my data: a background job with progress, a zip with one JSON file per provider, owner-only, 7 days."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.privacy import actions, registry
from groundswell.privacy.models import DataExport, ExportStatus, PrivacyAction, PrivacyEvent
from groundswell.workspaces.models import Membership

from .conftest import ACCESS_SECRET, CAPTION, REFRESH_SECRET, Activity
from .test_switches import url


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with commit():`` runs the on-commit callbacks (enqueueing the export task) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _zip(body: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(body))


def test_export_archive_has_the_shares_and_never_tokens(
    bob: Membership, bob_client: Client, activity: Activity, commit: Callable[[], Any]
) -> None:
    with commit():
        resp = bob_client.post(url(bob, "export/"))
    assert resp.status_code == 302  # the ImmediateBackend built it already
    job = DataExport.objects.get(member=bob)
    assert job.status == ExportStatus.DONE and job.percent == 100
    assert job.expires_at is not None and job.expires_at - job.finished_at == dt.timedelta(days=7)  # type: ignore[operator]

    page = bob_client.get(url(bob, "export/")).content.decode()
    assert "Download my data" in page
    resp = bob_client.get(url(bob, "export/download/"))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/zip"
    assert resp["Cache-Control"] == "no-store"
    archive = _zip(resp.content)
    names = set(archive.namelist())
    assert names == {"README.txt", *(f"{p.key}.json" for p in registry.providers())}
    readme = archive.read("README.txt").decode()
    assert "sharing.json" in readme and "never included" in readme

    sharing = json.loads(archive.read("sharing.json"))
    assert CAPTION in [s["caption"] for s in sharing["shares"]] and len(sharing["shares"]) == 3
    networks = json.loads(archive.read("networks.json"))
    assert networks["connected_accounts"][0]["permissions_granted"] == ["post.write", "post.read"]
    links = json.loads(archive.read("links.json"))
    assert links["clicks_per_share_and_day"][0]["human_clicks"] == 1
    everything = b"".join(archive.read(n) for n in names).decode()
    for secret in (ACCESS_SECRET, REFRESH_SECRET, "VISITOR-HASH", "access_token", "token_hash"):
        assert secret not in everything, secret
    assert PrivacyEvent.objects.get().action == PrivacyAction.EXPORT


def test_only_the_owner_can_download(
    bob: Membership,
    alice: Membership,
    bob_client: Client,
    charlie_client: Client,
    activity: Activity,
    commit: Callable[[], Any],
) -> None:
    with commit():
        actions.request_export(bob)
    alice_client = client_for(alice)
    # The download URL has no id: alice (a program admin) gets her own export, and she has none.
    assert alice_client.get(url(bob, "export/download/")).status_code == 404
    assert alice_client.get(url(bob, "export/status.json")).status_code == 404
    assert charlie_client.get(url(bob, "export/download/")).status_code == 404
    assert bob_client.get(url(bob, "export/download/")).status_code == 200


def test_progress_json_and_expiry(bob: Membership, bob_client: Client) -> None:
    job = DataExport.objects.create(workspace=bob.workspace, member=bob, total_steps=4, done_steps=1)
    job.status = ExportStatus.RUNNING
    job.save()
    status = bob_client.get(url(bob, "export/status.json")).json()
    assert status == {"status": "running", "status_label": "Building your archive", "finished": False, "percent": 25}
    page = bob_client.get(url(bob, "export/")).content.decode()
    assert 'id="export-bar"' in page and "privacy.js" in page and "<script>" not in page
    # Asking again while one runs does not start a second job.
    assert actions.request_export(bob).pk == job.pk

    actions.build_archive(job.pk)
    assert bob_client.get(url(bob, "export/download/")).status_code == 200
    later = timezone.now() + dt.timedelta(days=7, minutes=1)
    assert actions.delete_expired_exports(later) == 1
    assert bob_client.get(url(bob, "export/download/")).status_code == 404


def test_a_failing_provider_marks_the_job_failed(
    bob: Membership, bob_client: Client, commit: Callable[[], Any]
) -> None:
    class Broken:
        key = "zz-broken"
        label = "Broken"
        models: tuple[str, ...] = ()

        def inventory(self, member: Membership) -> list[registry.InventoryLine]:
            return []

        def export(self, member: Membership) -> dict[str, object]:
            raise RuntimeError("boom")

        def erase(self, member: Membership) -> registry.ErasureResult:
            return registry.ErasureResult()

    registry.register(Broken())
    try:
        with commit():
            bob_client.post(url(bob, "export/"))
    finally:
        registry._PROVIDERS.pop("zz-broken")
    job = DataExport.objects.get(member=bob)
    assert job.status == ExportStatus.FAILED and "try again" in job.failure
    page = bob_client.get(url(bob, "export/")).content.decode()
    assert "Make a new export" in page
    assert bob_client.get(url(bob, "export/download/")).status_code == 404


def test_the_privacy_centre_starts_an_export_in_one_click(bob: Membership, bob_client: Client) -> None:
    centre = bob_client.get(url(bob)).content.decode()
    export = url(bob, "export/")
    assert f'<form method="post" action="{export}"' in centre and "Export my data" in centre
    # The controls come first; the inventory is folded under them.
    assert centre.index('id="lb-h"') < centre.index('id="who-h"') < centre.index('id="inventory-h"')
    assert "<details>" in centre[centre.index('id="inventory-h"') :]
    resp = bob_client.post(export)
    assert resp.status_code == 302 and resp["Location"] == export
    assert DataExport.objects.filter(member=bob).exists()
