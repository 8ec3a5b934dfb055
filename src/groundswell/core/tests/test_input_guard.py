"""Control characters are refused at the edge with a clear 400 (or a form/row error), never a 500 on
PostgreSQL: query strings, form bodies, API and SCIM JSON, forms, token names and CSV imports."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.api.tests.conftest import ApiClient, api_client_for
from groundswell.api.tokens import TokenError, create_token
from groundswell.content.forms import CaptionForm
from groundswell.content.models import Item
from groundswell.lib.text import first_control
from groundswell.listening import csv_import
from groundswell.scim import actions as scim_actions
from groundswell.sharing.forms import ShareForm
from groundswell.sharing.models import Share
from groundswell.workspaces import importing
from groundswell.workspaces.models import Membership, Workspace


@pytest.fixture
def bob_api(bob: Membership) -> ApiClient:
    return api_client_for(bob)


@pytest.mark.parametrize("query", ["network=a%00b", "q=%01", "a%00=1", "q=tab%09here", "q=%7F"])
def test_a_control_character_in_a_query_string_is_a_clear_400(alice_client: Client, query: str) -> None:
    response = alice_client.get(reverse("analytics:dashboard", kwargs={"ws": "acme"}) + "?" + query)
    assert response.status_code == 400
    assert "control character" in response.content.decode() and "Remove it" in response.content.decode()


def test_a_nul_in_a_form_body_is_a_400_and_nothing_is_written(bob_client: Client, item: Item) -> None:
    url = reverse("sharing:share", kwargs={"ws": "acme", "item_id": item.pk})
    response = bob_client.post(url, {"network": "linkedin", "caption": "Proud\x00 of this"})
    assert response.status_code == 400
    assert "The field “caption” contains a control character (U+0000)" in response.content.decode()
    assert not Share.objects.exists()


def test_tab_newline_and_cr_are_fine_in_bodies(bob_client: Client, item: Item) -> None:
    url = reverse("sharing:share", kwargs={"ws": "acme", "item_id": item.pk})
    response = bob_client.post(url, {"network": "linkedin", "caption": "Line one\r\n\tLine two"})
    assert response.status_code in (200, 302)


def test_api_json_with_a_nul_is_a_json_400(bob_api: ApiClient, item: Item) -> None:
    response = bob_api.post("/api/shares", {"item_id": item.pk, "network": "linkedin", "caption": "a\x00b"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("The value at “caption” contains a control character (U+0000)")
    assert not Share.objects.exists()
    # A key with a control character, and a NUL in the query string, are refused the same way.
    assert bob_api.post("/api/shares", {"item_id": item.pk, "a\x01": 1}).status_code == 400
    assert bob_api.get("/api/items", {"network": "a\x00b"}).json()["detail"].startswith("The query parameter")


def test_api_json_nested_too_deeply_is_a_json_400(bob_api: ApiClient) -> None:
    response = bob_api.post("/api/shares", raw="[" * 50_000 + "]" * 50_000)
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]


def test_scim_json_with_a_nul_is_a_scim_error(workspace: Workspace, alice: Membership) -> None:
    _, secret = scim_actions.create_token(workspace, by=alice, name="Okta")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"userName": "x\x00@acme.test", "emails": [{"value": "x@acme.test"}]}
    response = client.post("/scim/v2/Users", json.dumps(body), content_type="application/scim+json")
    assert response.status_code == 400 and response["Content-Type"] == "application/scim+json"
    data = response.json()
    assert data["scimType"] == "invalidValue" and "userName" in data["detail"] and "U+0000" in data["detail"]
    assert not Membership.objects.filter(user__email__startswith="x").exists()


def test_forms_refuse_control_characters_with_a_field_error() -> None:
    form = ShareForm({"network": "linkedin", "caption": "bell\x07"})
    assert not form.is_valid() and "control character (U+0007)" in form.errors["caption"][0]
    caption = CaptionForm({"network": "", "text": "esc\x1b[31m"})
    assert not caption.is_valid() and "control character (U+001B)" in caption.errors["text"][0]
    assert ShareForm({"network": "linkedin", "caption": "tab\tand\nnewline"}).is_valid()


def test_token_names_with_control_characters_are_refused(alice: Membership, workspace: Workspace) -> None:
    with pytest.raises(TokenError, match=r"control character \(U\+0000\)"):
        create_token(alice, "CRM\x00sync")
    with pytest.raises(scim_actions.TokenError, match=r"control character \(U\+0001\)"):
        scim_actions.create_token(workspace, by=alice, name="Okta\x01")


def test_csv_import_rows_with_control_characters_are_row_errors(workspace: Workspace) -> None:
    parsed = importing.parse("Name,Email\nAda\x00 Lovelace,ada@acme.test\nGrace,grace@acme.test\n")
    analysis = importing.analyse(workspace, parsed)
    assert [(e.row, e.column) for e in analysis.errors] == [(2, "name")]
    assert "control character (U+0000)" in analysis.errors[0].message
    assert analysis.count(importing.CREATE) == 1

    posts = csv_import.parse("text,published_at\nhello\x00,2026-03-01T09:30:00Z\nfine,2026-03-01T09:30:00Z\n")
    assert [e.line for e in posts.errors] == [2] and "control character (U+0000)" in posts.errors[0].message
    assert [p.text for p in posts.posts] == ["fine"]


def test_first_control() -> None:
    assert first_control("plain\t\r\n") is None
    assert first_control("tab\t", allow_whitespace=False) == "U+0009"
    assert first_control("del\x7f") == "U+007F"
