"""API test helpers: a token per fixture member and a client that sends it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from groundswell.api.tokens import create_token
from groundswell.workspaces.models import Membership


class ApiClient:
    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.secret = secret

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self._headers())

    def post(self, path: str, data: Any = None, *, raw: str | None = None) -> Any:
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(path, body, content_type="application/json", headers=self._headers())

    def request(self, method: str, path: str) -> Any:
        return getattr(self.client, method.lower())(path, headers=self._headers())


def api_client_for(member: Membership) -> ApiClient:
    _, secret = create_token(member, "tests")
    return ApiClient(secret)


@pytest.fixture
def alice_api(alice: Membership) -> ApiClient:
    return api_client_for(alice)


@pytest.fixture
def bob_api(bob: Membership) -> ApiClient:
    return api_client_for(bob)


@pytest.fixture
def carol_api(carol: Membership) -> ApiClient:
    return api_client_for(carol)


@pytest.fixture
def charlie_api(charlie: Membership) -> ApiClient:
    return api_client_for(charlie)


@pytest.fixture
def anon_api() -> ApiClient:
    return ApiClient(None)
