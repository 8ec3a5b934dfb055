"""Fixtures of the stewards tests: a fake Bluesky PDS behind the networks' HTTP choke point, a company
account connected through it, and shifts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from django.utils import timezone

from groundswell.networks import accounts, crypto, http
from groundswell.networks.base import TokenSet
from groundswell.stewards import actions
from groundswell.stewards.models import BrandAccount, Shift
from groundswell.workspaces.models import Membership

TEST_KEY = "x3W2cGbqIVp6zfnjJOx2SM6TFgOB8h4Wq9bTm0xRy1o="
PDS = "http://pds.test"
BRAND_DID = "did:plc:acmebrand"


@pytest.fixture(autouse=True)
def encryption_key(settings: Any) -> Iterator[None]:
    settings.ENCRYPTION_KEYS = [TEST_KEY]
    crypto.reset_keys()
    yield
    crypto.reset_keys()


@dataclass
class FakePDS:
    """A Bluesky PDS as far as the plug-in needs one: sessions, createRecord, getRecord — with faults."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    creates: list[dict[str, Any]] = field(default_factory=list)
    #: Per endpoint (``createRecord``, ``getRecord``): what the next calls do — "timeout-after-write" (store,
    #: then lose the answer), "down" (connection refused), or an HTTP status.
    faults: dict[str, list[Any]] = field(default_factory=dict)

    def handler(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.rsplit("/", 1)[-1]
        fault = self.faults.get(nsid, [None]).pop(0) if self.faults.get(nsid) else None
        if fault == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if isinstance(fault, int):
            return httpx.Response(fault, json={"error": "InternalServerError", "message": "PDS trouble"})
        if nsid == "com.atproto.server.createSession":
            body = json.loads(request.content)
            if body["password"] != "abcd-efgh-ijkl-mnop":
                return httpx.Response(401, json={"error": "AuthenticationRequired", "message": "Invalid password"})
            return httpx.Response(
                200,
                json={"did": BRAND_DID, "handle": "acme.bsky.test", "accessJwt": "a.b.c", "refreshJwt": "r.e.f"},
            )
        if nsid == "com.atproto.repo.createRecord":
            body = json.loads(request.content)
            self.creates.append(body)
            uri = f"at://{body['repo']}/{body['collection']}/{body['rkey']}"
            if body["rkey"] in self.records:
                return httpx.Response(500, json={"error": "InternalServerError", "message": "taken"})
            self.records[body["rkey"]] = {"uri": uri, "cid": "bafy" + body["rkey"], "value": body["record"]}
            if fault == "timeout-after-write":
                raise httpx.ReadTimeout("read timed out", request=request)
            return httpx.Response(200, json={"uri": uri, "cid": "bafy" + body["rkey"]})
        if nsid == "com.atproto.repo.getRecord":
            found = self.records.get(request.url.params["rkey"])
            if found is None:
                return httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
            return httpx.Response(200, json=found)
        return httpx.Response(404, json={"error": "NotFound"})


@pytest.fixture
def pds(settings: Any) -> Iterator[FakePDS]:
    settings.BLUESKY_SERVICE_URL = PDS
    fake = FakePDS()
    with http.use_transport(httpx.MockTransport(fake.handler)):
        yield fake


@pytest.fixture
def brand(alice: Membership, pds: FakePDS) -> BrandAccount:
    """The company's Bluesky account, connected by alice (the signal files it as a brand account)."""
    account = accounts.connect_for_workspace(
        alice,
        "bluesky",
        TokenSet(
            access_token="a.b.c",
            refresh_token="r.e.f",
            remote_id=BRAND_DID,
            handle="acme.bsky.test",
            service_url=PDS,
            scopes=["app password"],
        ),
    )
    return account.brand


def shift_for(brand: BrandAccount, steward: Membership, by: Membership, *, start_hours: float, hours: float) -> Shift:
    now = timezone.now()
    return actions.assign_shift(
        brand=brand,
        steward=steward,
        starts_at=now + dt.timedelta(hours=start_hours),
        ends_at=now + dt.timedelta(hours=start_hours + hours),
        by=by,
        now=now - dt.timedelta(days=30),  # planned a while ago: shifts that started already are allowed
    )


@pytest.fixture
def bob_shift(brand: BrandAccount, bob: Membership, alice: Membership) -> Shift:
    """bob is on shift now (started an hour ago, four hours to go)."""
    return shift_for(brand, bob, alice, start_hours=-1, hours=5)
