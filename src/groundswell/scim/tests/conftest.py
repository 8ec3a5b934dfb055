"""SCIM fixtures: a token of Acme (created by alice), and a test client that sends it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from groundswell.scim import actions
from groundswell.workspaces.models import Membership

SCIM = "application/scim+json"
# At most this many queries for the per-token rate limit's counter in the database cache (the first request
# of a minute adds it; later ones fail the add, then read and rewrite it, each write with a cull check in a
# savepoint). With Redis (REDIS_URL) it costs no database query.
RATE_LIMIT_QUERIES = 11
BASE = "/scim/v2"


class ScimClient:
    """Django's test client speaking SCIM with a bearer token."""

    def __init__(self, secret: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        data = json.dumps(body) if body is not None else ""
        response = getattr(self.client, method)(BASE + path, data=data, content_type=SCIM, **extra)
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params)

    def post(self, path: str, body: Any) -> Any:
        return self.call("post", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("put", path, body)

    def patch(self, path: str, *operations: dict[str, Any]) -> Any:
        return self.call(
            "patch",
            path,
            {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)},
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path)


@pytest.fixture
def scim_secret(alice: Membership) -> str:
    return actions.create_token(alice.workspace, by=alice, name="Okta")[1]


@pytest.fixture
def scim(scim_secret: str) -> ScimClient:
    return ScimClient(scim_secret)


@pytest.fixture
def globex_scim(charlie: Membership) -> ScimClient:
    """A token of Globex (charlie's workspace): the outsider."""
    return ScimClient(actions.create_token(charlie.workspace, by=charlie, name="Globex IdP")[1])


def new_user(user_name: str = "dana@acme.test", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Dana", "familyName": "Scully"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body
