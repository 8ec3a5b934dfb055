"""The installable app's files: the manifest, the service worker at the root scope, the offline page, the
head include on every page, and the vapid_keys command."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from PIL import Image
from py_vapid import Vapid

from groundswell.conftest import client_for
from groundswell.workspaces.models import Membership


def test_manifest_is_served_with_the_fields_an_install_needs(client: Client) -> None:
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/manifest+json"
    data = answer.json()
    assert data["name"] == "Groundswell" and data["start_url"].startswith("/") and data["scope"] == "/"
    assert data["display"] == "standalone" and data["theme_color"] == "#0f766e"
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        found = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert found, icon["src"]
        with Image.open(found) as png:
            side = int(icon["sizes"].split("x")[0])
            assert png.format == "PNG" and png.size == (side, side)


def test_service_worker_is_served_at_the_root_scope(client: Client) -> None:
    answer = client.get("/sw.js")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/" and "no-cache" in answer["Cache-Control"]
    source = answer.content.decode()
    assert source.startswith("self.GS = {") and '"/offline/"' in source and "/static/groundswell/app.css" in source
    assert "skipWaiting()" in source and 'addEventListener("push"' in source
    assert "script-src 'self'" in answer["Content-Security-Policy"]


def test_offline_page(client: Client) -> None:
    answer = client.get("/offline/")
    assert answer.status_code == 200 and "You are offline" in answer.content.decode()


def test_every_page_links_the_manifest_and_the_worker(bob: Membership) -> None:
    html = client_for(bob).get("/w/acme/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="gs-sw" content="/sw.js">' in html and "groundswell/pwa.js" in html
    assert '<meta name="gs-latest" content="/w/acme/content/list/">' in html
    assert "<script>" not in html  # no inline script (CSP)


def test_vapid_keys_prints_a_usable_pair(capsys: Any) -> None:
    call_command("vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line)
    public = base64.urlsafe_b64decode(lines["VAPID_PUBLIC_KEY"] + "==")
    assert len(public) == 65 and public[0] == 4  # an uncompressed P-256 point: the browser's applicationServerKey
    signed = Vapid.from_string(lines["VAPID_PRIVATE_KEY"]).sign({"sub": "mailto:a@b.test", "aud": "https://x.test"})
    assert signed["Authorization"].startswith("vapid t=")
