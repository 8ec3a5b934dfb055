"""The SCIM OpenAPI document the fuzzer works from (bench/fuzz/scim-openapi.yaml) stays valid and complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.urls import Resolver404, resolve
from openapi_spec_validator import validate

DOCUMENT = Path(__file__).resolve().parents[1] / "bench" / "fuzz" / "scim-openapi.yaml"
#: SCIM routes the document leaves out: the root and /.search only answer errors, "unknown" is the catch-all.
UNDOCUMENTED = {"root", "search", "unknown"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text())
    return loaded


def test_it_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_every_scim_route_is_documented_and_nothing_else(document: dict[str, Any]) -> None:
    base = document["servers"][0]["url"]
    documented = set()
    for path in document["paths"]:
        url = base + path.replace("{id}", "7").replace("{name}", "User")
        try:
            match = resolve(url + ("" if url.endswith("search") else "/"))
        except Resolver404:  # pragma: no cover - reported by the assertion below
            match = None
        assert match is not None and match.namespace == "scim" and match.url_name not in UNDOCUMENTED, path
        documented.add(match.url_name)
    from groundswell.scim import urls

    routes = {pattern.name for pattern in urls.urlpatterns} - UNDOCUMENTED
    assert documented == routes


def test_every_operation_documents_the_scim_error_for_401_and_429(document: dict[str, Any]) -> None:
    error = {"$ref": "#/components/responses/Error"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["responses"]["401"] == error and operation["responses"]["429"] == error, (path, method)
