"""Servers a member or an admin names are checked when each connection is made, not only when the form was saved.

A DNS-rebinding attacker answers a public address while the form checks the name, then a private one when
Groundswell connects. These tests play that resolver (first answer public, every later one private) and check
that the connection is refused with a clear message and that not a byte reaches the private address.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import httpx
import pytest
from django.test import Client
from django.urls import reverse

from groundswell.conftest import *  # noqa: F403  (fixtures: bob, bob_client, item…)
from groundswell.content.models import Item
from groundswell.listening import http as listening_http
from groundswell.listening.sources.base import SourceError
from groundswell.networks import http
from groundswell.networks.models import ConnectedAccount, MastodonApp, OutboundPost, PostStatus
from groundswell.networks.outbox import deliver_due
from groundswell.sharing.posting import schedule_post
from groundswell.workspaces.models import Membership

PUBLIC = "93.184.215.14"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class Rebinder:
    """A resolver that answers each name from a script: the next answer per look-up, the last one repeats.
    An answer is one address or several separated by commas."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.script: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            if name in self.script:
                self.lookups.append(name)
                answers = self.script[name]
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                return [info for ip in answer.split(",") for info in real(ip, port, *args, **kwargs)]
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def rebind(self, name: str, *answers: str) -> None:
        self.script[name] = list(answers)


class Recorder(BaseHTTPRequestHandler):
    """A loopback server standing for something inside the network; it only counts what reaches it."""

    hits: list[str] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        self.hits.append(f"{self.command} {self.path}")
        body = b'{"did": "did:plc:inside", "handle": "inside.test", "accessJwt": "a", "refreshJwt": "r"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer


@pytest.fixture
def inside() -> Iterator[tuple[int, list[str]]]:
    """A server on 127.0.0.1: (its port, the requests that reached it)."""
    hits: list[str] = []
    handler = type("Handler", (Recorder,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def strict(settings: Any) -> Any:
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = False
    return settings


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Rebinder:
    return Rebinder(monkeypatch)


@pytest.fixture
def sockets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address a network socket was opened to."""
    opened: list[str] = []
    real = httpcore.SyncBackend.connect_tcp

    def connect_tcp(self: Any, host: str, *args: Any, **kwargs: Any) -> Any:
        opened.append(host)
        return real(self, host, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    return opened


# --- the choke point itself --------------------------------------------------------------------------------


def test_every_client_checks_the_address_when_it_connects(
    strict: Any, dns: Rebinder, inside: tuple[int, list[str]], sockets: list[str]
) -> None:
    port, hits = inside
    dns.rebind("pds.example", PUBLIC, "127.0.0.1")
    socket.getaddrinfo("pds.example", port)  # the check at save time saw a public address
    with http.client() as client, pytest.raises(http.AddressRefused, match=r"pds\.example points to 127\.0\.0\.1"):
        client.get(f"http://pds.example:{port}/xrpc/com.atproto.server.describeServer")
    assert hits == [] and sockets == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    strict: Any, dns: Rebinder, inside: tuple[int, list[str]], sockets: list[str]
) -> None:
    port, hits = inside
    dns.rebind("split.example", f"{PUBLIC},127.0.0.1")
    with http.client() as client, pytest.raises(http.AddressRefused, match="loopback"):
        client.get(f"http://split.example:{port}/")
    assert hits == [] and sockets == []


def test_operator_endpoints_and_the_test_setting_are_trusted(
    settings: Any, dns: Rebinder, inside: tuple[int, list[str]]
) -> None:
    """The operator's own endpoint settings (a PDS on the LAN) and ``UNFURL_ALLOW_PRIVATE_ADDRESSES`` connect."""
    port, hits = inside
    dns.rebind("pds.internal", "127.0.0.1")
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = False
    settings.BLUESKY_SERVICE_URL = f"http://PDS.internal:{port}"
    with http.client() as client:
        assert client.get(f"http://pds.internal:{port}/a").status_code == 200
    settings.BLUESKY_SERVICE_URL = "https://bsky.social"
    with http.client() as client, pytest.raises(http.AddressRefused):
        client.get(f"http://pds.internal:{port}/b")
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = True
    with http.client() as client:
        assert client.get(f"http://pds.internal:{port}/c").status_code == 200
    assert hits == ["GET /a", "GET /c"]


def test_a_name_that_does_not_resolve_is_a_connect_error(strict: Any) -> None:
    with http.client() as client, pytest.raises(httpx.ConnectError, match="Could not find the server") as caught:
        client.get("https://no-such-host.invalid/")
    assert not isinstance(caught.value, http.AddressRefused)


# --- Mastodon ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mastodon_instance_rebound_after_the_form_is_refused(
    strict: Any,
    dns: Rebinder,
    bob_client: Client,
    sockets: list[str],
) -> None:
    dns.rebind("social.example", PUBLIC, "127.0.0.1")
    resp = bob_client.post(
        reverse("networks:connect_instance", kwargs={"ws": "acme"}),
        {"network": "mastodon", "instance": "social.example"},
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "Groundswell does not connect to this Mastodon server" in html
    assert "social.example points to 127.0.0.1, a loopback address" in html
    assert dns.lookups == ["social.example", "social.example"]  # once by the form, once when connecting
    assert sockets == [] and not MastodonApp.objects.exists()


@pytest.mark.django_db
def test_mastodon_post_to_a_rebound_instance_fails_clearly_and_sends_nothing(
    strict: Any,
    dns: Rebinder,
    bob: Membership,
    item: Item,
    sockets: list[str],
) -> None:
    bob.mastodon_instance = "social.example"
    bob.save(update_fields=["mastodon_instance"])
    MastodonApp.objects.create(instance="social.example", client_id="id", client_secret="secret")
    account = ConnectedAccount.objects.create(
        workspace=bob.workspace,
        member=bob,
        network="mastodon",
        remote_id="14715",
        handle="@bob@social.example",
        access_token="token",
        service_url="https://social.example",
    )
    dns.rebind("social.example", "10.0.0.7")
    post = schedule_post(bob, item, account, "Proud of this launch", None, False, now=NOW)
    deliver_due(NOW)
    post = OutboundPost.objects.get(pk=post.pk)
    assert post.status == PostStatus.FAILED
    assert "Groundswell does not connect to this Mastodon server" in post.last_error
    assert "social.example points to 10.0.0.7, a private address" in post.last_error
    assert sockets == []


# --- Bluesky -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bluesky_pds_rebound_after_the_form_is_refused(
    strict: Any,
    dns: Rebinder,
    bob_client: Client,
    inside: tuple[int, list[str]],
    sockets: list[str],
) -> None:
    port, hits = inside
    dns.rebind("pds.example", PUBLIC, "127.0.0.1")
    resp = bob_client.post(
        reverse("networks:connect_password", kwargs={"ws": "acme"}),
        {
            "network": "bluesky",
            "identifier": "ana.bsky.social",
            "password": "abcd-efgh-ijkl-mnop",
            "service_url": f"https://pds.example:{port}",
        },
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "Bluesky: Groundswell does not connect to this Bluesky server" in html
    assert "pds.example points to 127.0.0.1, a loopback address" in html
    assert hits == [] and sockets == [] and not ConnectedAccount.objects.exists()


# --- listening ------------------------------------------------------------------------------------------------


def test_listening_fetch_checks_the_address_on_every_request(
    strict: Any, dns: Rebinder, inside: tuple[int, list[str]]
) -> None:
    """RSS feeds and Mastodon timelines (``listening/http.py``) go through ``safe_fetch``: resolved per request."""
    port, hits = inside
    dns.rebind("feeds.example", PUBLIC, "127.0.0.1")
    socket.getaddrinfo("feeds.example", port)  # the source was saved while the name pointed outside
    with pytest.raises(SourceError, match=r"feeds\.example points to 127\.0\.0\.1") as caught:
        listening_http.get(f"http://feeds.example:{port}/feed.xml", content_types=listening_http.FEED_TYPES)
    assert caught.value.permanent
    assert hits == []
