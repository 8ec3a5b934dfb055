"""notify(): the channel each member chose, push through a loopback push service that decrypts what it gets,
404/410 and transient failures, e-mail as the fallback; the subscription endpoints and the settings page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from groundswell.conftest import client_for, make_member
from groundswell.notify import actions
from groundswell.notify.models import Channel, Kind, NotificationPreference, PushSubscription
from groundswell.notify.tests.fake_push import FakePushService
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.usefixtures("vapid")


def subscribed(member: Membership, service: FakePushService) -> PushSubscription:
    sub = service.new_subscription()
    return actions.subscribe(member, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])


def send(capture: Any, member: Membership, kind: str = Kind.CASE_ROUTED, **extra: Any) -> str:
    with capture(execute=True):
        return actions.notify(member, kind, "A customer is waiting", "Where is my order?", "/w/acme/care/1/", **extra)


def test_push_reaches_the_device_encrypted_and_signed(
    bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    sub = subscribed(bob, push_service)
    assert send(django_capture_on_commit_callbacks, bob) == Channel.PUSH
    assert push_service.errors == []
    (got,) = push_service.received
    assert got.payload == {
        "title": "A customer is waiting",
        "body": "Where is my order?",
        "url": "http://testserver/w/acme/care/1/",
        "kind": "case_routed",
    }
    assert got.claims["sub"] == "mailto:push@acme.test" and got.claims["aud"] == push_service.base
    assert int(got.headers["ttl"]) > 0
    assert mail.outbox == []
    sub.refresh_from_db()
    assert sub.last_sent_at is not None


@pytest.mark.parametrize("status", [404, 410], ids=["404", "410"])
def test_a_dropped_subscription_is_deleted_and_email_is_used(
    status: int, bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    sub = subscribed(bob, push_service)
    push_service.devices[sub.endpoint.rsplit("/", 1)[-1]].answers = [status]
    assert send(django_capture_on_commit_callbacks, bob) == Channel.PUSH
    assert not PushSubscription.objects.filter(pk=sub.pk).exists()
    (message,) = mail.outbox
    assert message.to == [bob.user.email] and message.subject == "A customer is waiting"
    assert "Where is my order?" in message.body and "http://testserver/w/acme/care/1/" in message.body
    assert "/w/acme/notifications/" in message.body  # where to change it


def test_one_dead_device_of_two_needs_no_email(
    bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    dead = subscribed(bob, push_service)
    subscribed(bob, push_service)
    push_service.devices[dead.endpoint.rsplit("/", 1)[-1]].answers = [410]
    send(django_capture_on_commit_callbacks, bob)
    assert len(push_service.received) == 1 and mail.outbox == []
    assert PushSubscription.objects.filter(member=bob).count() == 1


def test_a_transient_error_is_retried(
    bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    sub = subscribed(bob, push_service)
    push_service.devices[sub.endpoint.rsplit("/", 1)[-1]].answers = [503, 429]
    send(django_capture_on_commit_callbacks, bob)
    assert len(push_service.received) == 1 and mail.outbox == []
    assert PushSubscription.objects.filter(pk=sub.pk).exists()


def test_a_push_service_that_stays_down_ends_in_email(
    bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PUSH_MAX_ATTEMPTS = 3
    sub = subscribed(bob, push_service)
    device = push_service.devices[sub.endpoint.rsplit("/", 1)[-1]]
    device.answers = [503] * 5
    send(django_capture_on_commit_callbacks, bob)
    assert len(device.answers) == 2  # three attempts
    assert len(mail.outbox) == 1 and PushSubscription.objects.filter(pk=sub.pk).exists()


def test_defaults_match_what_existed_before_push(
    bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    assert actions.channels_for(bob) == {
        Kind.NEW_ITEM: Channel.OFF,  # the digest lists new items already
        Kind.CASE_ROUTED: Channel.EMAIL,
        Kind.SHIFT_STARTED: Channel.EMAIL,
        Kind.CONTEST_RESULT: Channel.OFF,
    }
    assert send(django_capture_on_commit_callbacks, bob, Kind.NEW_ITEM) == Channel.OFF
    assert mail.outbox == []
    subscribed(bob, push_service)
    assert set(actions.channels_for(bob).values()) == {Channel.PUSH}


@pytest.mark.parametrize(
    ("channel", "pushes", "emails"), [("off", 0, 0), ("email", 0, 1), ("push", 1, 0)], ids=["off", "email", "push"]
)
def test_the_members_choice_is_respected(
    channel: str,
    pushes: int,
    emails: int,
    bob: Membership,
    push_service: FakePushService,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribed(bob, push_service)
    actions.set_channel(bob, Kind.CASE_ROUTED, channel)
    assert send(django_capture_on_commit_callbacks, bob) == channel
    assert len(push_service.received) == pushes and len(mail.outbox) == emails


def test_push_without_a_device_or_without_keys_falls_back_to_email(
    bob: Membership, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    actions.set_channel(bob, Kind.CONTEST_RESULT, Channel.PUSH)
    assert send(django_capture_on_commit_callbacks, bob, Kind.CONTEST_RESULT) == Channel.EMAIL
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    assert send(django_capture_on_commit_callbacks, bob, Kind.CONTEST_RESULT) == Channel.EMAIL
    assert len(mail.outbox) == 2


def test_an_inactive_member_gets_nothing(
    bob: Membership, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    subscribed(bob, push_service)
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    assert send(django_capture_on_commit_callbacks, bob) == Channel.OFF
    assert push_service.received == [] and mail.outbox == []


def test_own_email_wording_is_kept(bob: Membership, django_capture_on_commit_callbacks: Any) -> None:
    send(django_capture_on_commit_callbacks, bob, email_body="The care team's own words.")
    assert mail.outbox[0].body == "The care team's own words."


def test_nothing_is_sent_when_the_change_rolls_back(bob: Membership, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.notify(bob, Kind.CASE_ROUTED, "t", "b", "/")
    assert len(callbacks) == 1 and mail.outbox == []  # sent only from the on-commit callback


def test_keys_are_encrypted_at_rest(bob: Membership, push_service: FakePushService) -> None:
    sub = subscribed(bob, push_service)
    with connection.cursor() as cursor:
        cursor.execute("SELECT p256dh, auth FROM notify_pushsubscription WHERE id = %s", [sub.pk])
        raw_p256dh, raw_auth = cursor.fetchone()
    assert raw_p256dh != sub.p256dh and raw_auth != sub.auth and raw_p256dh.startswith("gAAAA")
    assert PushSubscription.objects.get(pk=sub.pk).as_info()["keys"] == {"p256dh": sub.p256dh, "auth": sub.auth}


# --- the endpoints pwa.js calls -----------------------------------------------------------------------------


GOOD_KEYS = {"p256dh": "B" + "A" * 86, "auth": "A" * 22}


def _subscribe(client: Client, body: object, ws: str = "acme", **extra: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    url = reverse("notify:subscribe", kwargs={"ws": ws})
    return client.post(url, data, content_type="application/json", **extra)


def test_subscribe_stores_the_device_once(bob: Membership, push_service: FakePushService) -> None:
    client = client_for(bob)
    sub = push_service.new_subscription()
    agent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
    first = _subscribe(client, sub, HTTP_USER_AGENT=agent)
    again = _subscribe(client, sub, HTTP_USER_AGENT=agent)
    assert first.status_code == 201 and again.status_code == 201
    (stored,) = PushSubscription.objects.filter(member=bob)
    assert stored.endpoint == sub["endpoint"] and stored.device == "Chrome on Android"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not valid JSON"),
        ([], "must be a JSON object"),
        ({"endpoint": "https://push.example.net/x"}, "has no keys"),
        ({"endpoint": "file:///etc/passwd", "keys": GOOD_KEYS}, "Only http and https"),
        (
            {"endpoint": "https://push.example.net/x", "keys": {"p256dh": "short", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}},
            "p256dh key is not valid",
        ),
    ],
    ids=["not-json", "not-object", "no-keys", "file-scheme", "bad-key"],
)
def test_subscribe_refuses_bad_input_with_a_message(body: object, message: str, bob: Membership) -> None:
    answer = _subscribe(client_for(bob), body)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert not PushSubscription.objects.exists()


def test_subscribe_refuses_private_addresses_in_production(
    bob: Membership, push_service: FakePushService, settings: Any
) -> None:
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = False
    answer = _subscribe(client_for(bob), push_service.new_subscription())
    assert answer.status_code == 400 and "https" in answer.json()["error"]
    https = {**push_service.new_subscription(), "endpoint": "https://127.0.0.1/push/x"}
    answer = _subscribe(client_for(bob), https)
    assert answer.status_code == 400 and "loopback" in answer.json()["error"]


def test_subscribe_needs_the_csrf_token(bob: Membership, push_service: FakePushService) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob.user)
    assert _subscribe(client, push_service.new_subscription()).status_code == 403


def test_subscribe_when_push_is_not_set_up(bob: Membership, push_service: FakePushService, settings: Any) -> None:
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    answer = _subscribe(client_for(bob), push_service.new_subscription())
    assert answer.status_code == 400 and "e-mail is used instead" in answer.json()["error"]
    page = client_for(bob).get(reverse("notify:settings", kwargs={"ws": "acme"})).content.decode()
    assert "e-mail is used for everything" in page and "Enable on this device" not in page


def test_unsubscribe_forgets_this_browser_only(
    bob: Membership, alice: Membership, push_service: FakePushService
) -> None:
    mine, alices = subscribed(bob, push_service), subscribed(alice, push_service)
    url = reverse("notify:unsubscribe", kwargs={"ws": "acme"})
    client = client_for(bob)
    assert client.post(url, json.dumps({"endpoint": alices.endpoint}), content_type="application/json").json() == {
        "removed": 0
    }
    assert client.post(url, json.dumps({"endpoint": mine.endpoint}), content_type="application/json").json() == {
        "removed": 1
    }
    assert list(PushSubscription.objects.all()) == [alices]


def test_settings_page_saves_channels_and_removes_devices(
    bob: Membership, alice: Membership, push_service: FakePushService, django_assert_max_num_queries: Any
) -> None:
    client = client_for(bob)
    url = reverse("notify:settings", kwargs={"ws": "acme"})
    device, alices = subscribed(bob, push_service), subscribed(alice, push_service)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Enable on this device" in html and 'data-vapid-key="' in html
    assert "A customer case routed to me" in html and "Remove" in html
    answer = client.post(url, {Kind.NEW_ITEM: "email", Kind.CASE_ROUTED: "off"})
    assert answer.status_code == 302
    assert dict(NotificationPreference.objects.filter(member=bob).values_list("kind", "channel")) == {
        Kind.NEW_ITEM: "email",
        Kind.CASE_ROUTED: "off",
    }
    bad = client.post(url, {Kind.NEW_ITEM: "carrier-pigeon"})
    assert bad.status_code == 400 and "Unknown channel" in bad.content.decode()
    # Another member's device id changes nothing.
    assert (
        client.post(reverse("notify:remove_device", kwargs={"ws": "acme", "device_id": alices.pk})).status_code == 404
    )
    assert PushSubscription.objects.filter(pk=alices.pk).exists()
    client.post(reverse("notify:remove_device", kwargs={"ws": "acme", "device_id": device.pk}))
    assert not PushSubscription.objects.filter(pk=device.pk).exists()


def test_outsider_gets_404(charlie: Membership, bob: Membership, push_service: FakePushService) -> None:
    device = subscribed(bob, push_service)
    client = client_for(charlie)
    assert client.get(reverse("notify:settings", kwargs={"ws": "acme"})).status_code == 404
    assert _subscribe(client, push_service.new_subscription()).status_code == 404
    remove = reverse("notify:remove_device", kwargs={"ws": "acme", "device_id": device.pk})
    assert client.post(remove).status_code == 404
    assert (
        PushSubscription.objects.filter(pk=device.pk).exists()
        and not PushSubscription.objects.filter(member=charlie).exists()
    )


def test_settings_page_query_count_does_not_grow_with_devices(
    bob: Membership, push_service: FakePushService, django_assert_num_queries: Any
) -> None:
    client = client_for(bob)
    url = reverse("notify:settings", kwargs={"ws": "acme"})
    subscribed(bob, push_service)
    client.get(url)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        subscribed(bob, push_service)
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)


def test_a_second_workspace_member_is_told_separately(
    bob: Membership, other_workspace: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Preferences are per membership: bob's choice in Acme says nothing about his seat in Globex."""
    globex_bob = make_member(other_workspace, "bob2@acme.test")
    actions.set_channel(bob, Kind.CASE_ROUTED, Channel.OFF)
    assert send(django_capture_on_commit_callbacks, globex_bob) == Channel.EMAIL


def test_deactivating_a_member_forgets_their_devices(
    bob: Membership, alice: Membership, push_service: FakePushService
) -> None:
    from groundswell.workspaces.offboarding import preview
    from groundswell.workspaces.signals import send_member_deactivated

    subscribed(bob, push_service)
    assert "Their 1 device stops getting push notifications." in preview(bob)
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    send_member_deactivated(bob.pk, "admin")
    assert not PushSubscription.objects.filter(member=bob).exists()
