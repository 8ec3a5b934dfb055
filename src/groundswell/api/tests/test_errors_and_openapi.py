from __future__ import annotations

import re

import pytest
from django.test import Client

EXPECTED_OPERATIONS = {
    ("/api/items", "get"),
    ("/api/items", "post"),
    ("/api/items/{item_id}", "get"),
    ("/api/shares", "get"),
    ("/api/shares", "post"),
    ("/api/shares/{share_id}", "get"),
    ("/api/stats/clicks", "get"),
    ("/api/stats/items", "get"),
    ("/api/leaderboard", "get"),
    ("/api/league/me", "get"),
    ("/api/goals", "get"),
    ("/api/enrolment/me", "get"),
    ("/api/enrolment/me", "put"),
    ("/api/enrolment/volunteers", "get"),
    ("/api/teams", "get"),
    ("/api/teams/mine", "get"),
    ("/api/teams/{team_id}/apply", "post"),
    ("/api/teams/{team_id}/withdraw", "post"),
}


@pytest.mark.parametrize("path", ["/api/nope", "/api/items/", "/api/v2/items", "/api/shares/1/x"])
def test_unknown_paths_are_json_404(bob_api, path):
    response = bob_api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_unknown_path_without_token_and_with_post_is_json_404(anon_api):
    response = anon_api.post("/api/nope", {"a": 1})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No API endpoint")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/items", "GET, POST"),
        ("PUT", "/api/shares", "GET, POST"),
        ("POST", "/api/items/1", "GET"),
        ("PATCH", "/api/goals", "GET"),
    ],
)
def test_wrong_method_is_json_405(bob_api, method, path, allowed):
    response = bob_api.request(method, path)
    assert response.status_code == 405
    assert response.json()["detail"].startswith(f"Method {method} not allowed")
    assert sorted(response["Allow"].split(", ")) == sorted(allowed.split(", "))


def test_huge_ids_are_422_not_500(bob_api):
    assert bob_api.get(f"/api/items/{10**30}").status_code == 422
    assert bob_api.get(f"/api/shares/{2**63}").status_code == 422
    assert bob_api.get("/api/shares", {"member": 10**30}).status_code == 422
    assert bob_api.get("/api/items/0").status_code == 422
    assert bob_api.get("/api/items/abc").json()["errors"][0]["loc"] == ["path", "item_id"]


def test_validation_error_shape(bob_api):
    response = bob_api.get("/api/items", {"limit": "many"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Invalid request: query.limit:")
    assert body["errors"] == [
        {
            "loc": ["query", "limit"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]


def test_wrong_content_type_is_an_error_not_500(bob_api, item):
    response = bob_api.client.post(
        "/api/shares", "item_id=1", content_type="text/plain", headers={"Authorization": f"Bearer {bob_api.secret}"}
    )
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


def test_api_root_points_to_docs(client):
    body = client.get("/api/").json()
    assert body["docs"] == "/api/docs" and body["openapi"] == "/api/openapi.json"


def test_docs_page_works_under_csp(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    # No executable inline script (the JSON settings block is data, allowed by CSP).
    for attrs in re.findall(r"<script([^>]*)>.*?</script>", html, re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    assert "script-src 'self'" in response["Content-Security-Policy"]


def _resolve(document, ref):
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_document(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Groundswell API"
    operations = {(p, m) for p, methods in document["paths"].items() for m in methods}
    assert operations == EXPECTED_OPERATIONS
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            assert op["summary"] and op["description"], (path, method)
            assert op["security"] == [{"TokenAuth": []}]
            assert {"400", "401", "422"} <= set(op["responses"]), (path, method)
            for status, resp in op["responses"].items():
                if status != "204":
                    assert resp["content"]["application/json"]["schema"], (path, method, status)
    for path in ("/api/items/{item_id}", "/api/shares/{share_id}"):
        assert "404" in document["paths"][path]["get"]["responses"]
    scheme = document["components"]["securitySchemes"]["TokenAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for ref in set(_refs(document)):
        assert _resolve(document, ref) is not None, ref
    # Examples are part of the documentation.
    schemas = document["components"]["schemas"]
    assert schemas["ShareIn"]["examples"] and schemas["ItemIn"]["examples"] and schemas["ErrorOut"]["examples"]


@pytest.mark.parametrize(
    ("url", "documented"),
    [
        ("/api/items", "/api/items"),
        ("/api/shares", "/api/shares"),
        ("/api/teams/1/apply", "/api/teams/{team_id}/apply"),
    ],
)
def test_a_body_that_is_not_json_is_a_documented_400(alice_api, url, documented):
    """Found by the API fuzzer (bench/fuzz): the 400 was real but missing from the OpenAPI document."""
    response = alice_api.post(url, raw="{not json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}
    document = Client().get("/api/openapi.json").json()
    assert "400" in document["paths"][documented]["post"]["responses"]


def test_openapi_document_validates(db):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(Client().get("/api/openapi.json").json())
