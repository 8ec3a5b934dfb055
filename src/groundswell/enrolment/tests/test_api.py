"""/api/enrolment: my enrolment (GET/PUT) and the volunteers list for program admins."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest

from groundswell.api.endpoints import enrolment as endpoint
from groundswell.api.tests.conftest import ApiClient
from groundswell.content.models import Topic
from groundswell.enrolment import queries
from groundswell.enrolment.models import LANGUAGE_CHOICES, NETWORK_CHOICES, Activity, Comfort, Hours, Status
from groundswell.enrolment.tests.helpers import join, open_a_call
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def put(api: ApiClient, body: Any) -> Any:
    return api.client.put(
        "/api/enrolment/me", json.dumps(body), content_type="application/json", headers=api._headers()
    )


def test_api_literals_match_the_model_choices() -> None:
    assert list(typing.get_args(endpoint.ActivityKey)) == list(Activity.values)
    assert list(typing.get_args(endpoint.NetworkKey)) == [k for k, _ in NETWORK_CHOICES]
    assert list(typing.get_args(endpoint.LanguageKey)) == [k for k, _ in LANGUAGE_CHOICES]
    assert list(typing.get_args(endpoint.HoursKey)) == list(Hours.values)
    assert list(typing.get_args(endpoint.ComfortKey)) == list(Comfort.values)


def test_get_and_put_my_enrolment(alice: Membership, bob: Membership, bob_api: ApiClient, workspace: Workspace) -> None:
    topic = Topic.objects.create(workspace=workspace, name="Product", slug="product")
    r = bob_api.get("/api/enrolment/me")
    assert r.status_code == 200
    assert r.json()["status"] == "none" and r.json()["open_call"] is None and r.json()["needs_answer"] is False
    call = open_a_call(alice)
    assert bob_api.get("/api/enrolment/me").json()["needs_answer"] is True
    r = put(
        bob_api,
        {"status": "joined", "activities": ["answer"], "networks": ["x"], "topic_ids": [topic.pk], "languages": ["fr"]},
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["status"] == "joined" and data["activities"] == ["answer"] and data["topic_ids"] == [topic.pk]
    assert data["hours"] == "lt1" and data["open_call"]["id"] == call.pk and data["needs_answer"] is False
    r = put(bob_api, {"status": "left"})
    assert r.status_code == 200 and r.json()["status"] == "left" and r.json()["activities"] == ["answer"]
    enrolment = queries.enrolment_for(bob)
    assert enrolment is not None and enrolment.status == Status.LEFT


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"status": "joined"}, 422, "at least one"),
        ({"status": "joined", "activities": ["dance"]}, 422, "activities"),
        ({"status": "maybe"}, 422, "status"),
        ({"status": "joined", "activities": ["share"], "hours": "lots"}, 422, "hours"),
        ({"status": "joined", "activities": ["share"], "topic_ids": [999_999]}, 422, "topics"),
        ({"status": "left"}, 422, "nothing to leave"),
        ({"status": "joined", "activities": ["share"], "topic_ids": [2**70]}, 422, "topic_ids"),
    ],
)
def test_put_bad_input_is_a_clear_422(bob_api: ApiClient, body: Any, status: int, detail: str) -> None:
    r = put(bob_api, body)
    assert r.status_code == status and detail in r.json()["detail"], r.content


def test_volunteers_for_admins_only(
    alice_api: ApiClient, bob_api: ApiClient, carol_api: ApiClient, bob: Membership, carol: Membership,
    workspace: Workspace,
) -> None:  # fmt: skip
    topic = Topic.objects.create(workspace=workspace, name="Product", slug="product")
    join(bob, "answer", networks=["linkedin"], topic_ids=[topic.pk], languages=["de"])
    from groundswell.enrolment import actions

    actions.decline(carol)
    for api in (bob_api, carol_api):
        r = api.get("/api/enrolment/volunteers")
        assert r.status_code == 403 and "program admins" in r.json()["detail"]
    r = alice_api.get("/api/enrolment/volunteers")
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 1 and data["results"][0]["display_name"] == "Bob"
    assert data["results"][0]["department"] == "Sales" and data["results"][0]["topics"] == ["Product"]
    assert "Carol" not in r.content.decode()
    assert alice_api.get("/api/enrolment/volunteers", {"activity": "video"}).json()["total"] == 0
    assert alice_api.get("/api/enrolment/volunteers", {"language": "de", "topic_id": topic.pk}).json()["total"] == 1
    assert alice_api.get("/api/enrolment/volunteers", {"activity": "dance"}).status_code == 422
    assert alice_api.get("/api/enrolment/volunteers", {"topic_id": 999_999}).status_code == 404


def test_outsider_and_anonymous(
    charlie_api: ApiClient, anon_api: ApiClient, bob: Membership, workspace: Workspace
) -> None:
    topic = Topic.objects.create(workspace=workspace, name="Product", slug="product")
    join(bob, "share")
    r = charlie_api.get("/api/enrolment/volunteers")
    assert r.status_code == 200 and r.json()["total"] == 0  # charlie's own workspace: nobody
    assert charlie_api.get("/api/enrolment/volunteers", {"topic_id": topic.pk}).status_code == 404
    r = put(charlie_api, {"status": "joined", "activities": ["share"], "topic_ids": [topic.pk]})
    assert r.status_code == 422 and "Product" not in r.content.decode()
    assert charlie_api.get("/api/enrolment/me").json()["status"] == "none"
    for path in ("/api/enrolment/me", "/api/enrolment/volunteers"):
        assert anon_api.get(path).status_code == 401
    assert put(anon_api, {"status": "declined"}).status_code == 401
