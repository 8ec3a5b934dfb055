"""A fake Bluesky for reply tests, behind the networks' HTTP choke point: the PDS's createRecord/getRecord and
the AppView's getPosts (proxied through the PDS), with a fault to lose the answer of a write and outages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from groundswell.networks import http

PDS = "http://pds.test"
MEMBER_DID = "did:plc:bobmember"


@dataclass
class FakeBluesky:
    #: Posts the AppView knows, by at:// URI (``record`` as the network stores it).
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Records written through createRecord, by record key.
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    creates: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    #: "timeout-after-write": the next createRecord stores the record, then the answer is lost.
    faults: list[str] = field(default_factory=list)
    #: While set, every request is answered with this HTTP status: 503 (Bluesky is down) or 401 (the account's
    #: tokens were revoked: the outbox then waits for the account to be reconnected).
    outage: int | None = None

    def add_post(self, uri: str, cid: str, *, reply: dict[str, Any] | None = None) -> None:
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": "a customer's post"}
        if reply is not None:
            record["reply"] = reply
        self.posts[uri] = {"uri": uri, "cid": cid, "record": record, "author": {"did": uri.split("/")[2]}}

    def calls(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(f"/{nsid}")]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.outage is not None:
            error, message = ("ExpiredToken", "Token has expired") if self.outage == 401 else ("Unavailable", "Down")
            return httpx.Response(self.outage, json={"error": error, "message": message})
        nsid = request.url.path.rsplit("/", 1)[-1]
        if nsid == "app.bsky.feed.getPosts":
            uris = request.url.params.get_list("uris")
            return httpx.Response(200, json={"posts": [self.posts[u] for u in uris if u in self.posts]})
        if nsid == "com.atproto.repo.createRecord":
            body = json.loads(request.content)
            self.creates.append(body)
            if body["rkey"] in self.records:
                return httpx.Response(500, json={"error": "InternalServerError", "message": "taken"})
            uri = f"at://{body['repo']}/{body['collection']}/{body['rkey']}"
            self.records[body["rkey"]] = {"uri": uri, "cid": "bafy" + body["rkey"], "value": body["record"]}
            if self.faults and self.faults[0] == "timeout-after-write":
                self.faults.pop(0)
                raise httpx.ReadTimeout("read timed out", request=request)
            return httpx.Response(200, json={"uri": uri, "cid": "bafy" + body["rkey"]})
        if nsid == "com.atproto.repo.getRecord":
            found = self.records.get(request.url.params["rkey"])
            if found is None:
                return httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
            return httpx.Response(200, json=found)
        return httpx.Response(404, json={"error": "NotFound"})


def serve(settings: Any) -> Iterator[FakeBluesky]:
    """Use in a fixture: ``yield from serve(settings)``."""
    settings.BLUESKY_SERVICE_URL = PDS
    fake = FakeBluesky()
    with http.use_transport(httpx.MockTransport(fake.handler)):
        yield fake
