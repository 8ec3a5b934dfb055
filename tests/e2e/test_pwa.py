"""The installable app in Chromium: the app's own service worker shows a Web Push notification sent by
notify() through pywebpush to a loopback push service (which checks the VAPID signature and decrypts the
aes128gcm payload, then hands it to the browser over the DevTools protocol, as a real push service would over
its own connection), and the shell and the latest items stay readable offline after one visit."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.notify import actions
from groundswell.notify.models import Kind, PushSubscription
from groundswell.notify.push import new_key_pair
from groundswell.notify.tests.fake_push import FakePushService
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAIR = new_key_pair()


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    service = FakePushService()
    yield service
    service.close()


def until(page: Any, check: Callable[[], Any], what: str, seconds: float = 15.0) -> Any:
    """Poll ``check``; waiting through the page lets Playwright deliver events (CDP) meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def _acme() -> Membership:
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    make_user(workspace, "bob@acme.test", Role.EMPLOYEE)
    return Membership.objects.get(user__email="bob@acme.test")


def _worker_active(page: Any) -> bool:
    return bool(
        page.evaluate(
            "navigator.serviceWorker.getRegistration('/').then(r => Boolean(r && r.active && "
            "r.active.state === 'activated'))"
        )
    )


def test_push_from_notify_is_shown_by_the_apps_service_worker(
    browser: Any, live_server: Any, settings: Any, push_service: FakePushService
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = PAIR.public, PAIR.private
    settings.VAPID_SUBJECT = "mailto:push@acme.test"
    bob = _acme()
    page = sign_in(browser, base, "bob@acme.test")
    page.context.grant_permissions(["notifications"], origin=base)
    page.goto(f"{base}/w/acme/notifications/")
    expect(page.get_by_role("button", name="Enable on this device")).to_be_visible()  # shown by pwa.js
    expect(page.get_by_role("button", name="Turn off on this device")).to_be_hidden()
    until(page, lambda: _worker_active(page), "the service worker to activate")

    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    registration = until(
        page,
        lambda: next((r for r in registrations if r["scopeURL"] == f"{base}/" and not r["isDeleted"]), None),
        "the registration over CDP",
    )

    # The device's subscription: its endpoint is the loopback push service, its keys made by the test.
    sub = push_service.new_subscription()
    actions.subscribe(bob, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])
    actions.set_channel(bob, Kind.CASE_ROUTED, "push")
    assert actions.notify(bob, Kind.CASE_ROUTED, "A customer is waiting", "Where is my order?", "/w/acme/care/") == (
        "push"
    )
    assert push_service.errors == []
    (got,) = push_service.received  # signed with our VAPID key, decrypted with the device's key
    assert got.claims["sub"] == "mailto:push@acme.test"

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base, "registrationId": registration["registrationId"], "data": json.dumps(got.payload)},
    )
    shown = until(
        page,
        lambda: page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(ns => ns.map(n => ({title: n.title, body: n.body, url: n.data && n.data.url})))"
        ),
        "the notification",
    )
    assert shown == [{"title": "A customer is waiting", "body": "Where is my order?", "url": f"{base}/w/acme/care/"}]
    assert PushSubscription.objects.filter(member=bob).count() == 1


def test_shell_and_latest_items_render_offline_after_one_visit(browser: Any, live_server: Any) -> None:
    base = live_server.url
    bob = _acme()
    Item.objects.create(
        workspace=bob.workspace,
        kind=ItemKind.URL,
        state=ItemState.PUBLISHED,
        url="https://example.com/launch",
        title="Our spring launch",
        description="New tents",
        created_by=bob,
        published_at=timezone.now(),
    )
    page = sign_in(browser, base, "bob@acme.test")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base}/w/acme/")  # one visit: the worker installs and keeps the latest items
    until(page, lambda: _worker_active(page), "the service worker to activate")
    until(
        page,
        lambda: page.evaluate(
            "caches.open('gs-pages-v1').then(c => c.match('/w/acme/content/list/')).then(r => Boolean(r))"
        ),
        "the latest items to be kept",
    )
    page.context.set_offline(True)
    page.goto(f"{base}/w/acme/content/list/")
    assert "Our spring launch" in page.content()
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).position") == "sticky"  # CSS from cache
    page.goto(f"{base}/w/acme/learn/")  # never visited: the offline page, in the app's frame
    assert page.get_by_role("heading", name="You are offline").is_visible()
    page.context.set_offline(False)
    assert not [p for p in problems if "Content Security Policy" in p], problems
