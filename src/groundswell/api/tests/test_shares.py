from __future__ import annotations

import pytest

from groundswell.api.schemas import ShareOut, SharePage
from groundswell.rewards.models import PointsEntry
from groundswell.sharing.actions import create_share
from groundswell.sharing.models import Share


def test_create_share(bob_api, bob, item):
    response = bob_api.post("/api/shares", {"item_id": item.pk, "network": "linkedin", "caption": "Proud!"})
    assert response.status_code == 201, response.content
    body = ShareOut.model_validate(response.json())
    share = Share.objects.get(pk=body.id)
    assert share.member == bob and share.item == item and share.caption == "Proud!"
    assert body.short_url == f"http://testserver/{share.code}"
    assert body.intent_url.startswith("https://www.linkedin.com/")
    # A share link earns its points at its first human click, not when it is made (ADR 0034).
    assert share.confirmed_at is None
    assert not PointsEntry.objects.filter(member=bob, key=f"share:{share.pk}").exists()


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"network": "linkedin"}, 422, "item_id"),
        ({"item_id": "abc", "network": "linkedin"}, 422, "item_id"),
        ({"item_id": 10**30, "network": "linkedin"}, 422, "item_id"),
        ({"item_id": "ITEM", "network": "myspace"}, 422, "Unknown network"),
        ({"item_id": "ITEM", "network": "linkedin", "caption": "x" * 3001}, 422, "3000"),
        ({"item_id": "ITEM", "network": "x", "caption": "x" * 290}, 422, "280"),
        ({"item_id": "ITEM", "network": "mastodon"}, 422, "Mastodon"),
    ],
)
def test_create_share_errors(bob_api, item, payload, status, message):
    payload = {k: item.pk if v == "ITEM" else v for k, v in payload.items()}
    response = bob_api.post("/api/shares", payload)
    assert response.status_code == status, response.content
    assert message.lower() in response.json()["detail"].lower()
    assert not Share.objects.exists()


def test_malformed_json_is_400_json(bob_api):
    response = bob_api.post("/api/shares", raw="{not json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_outsider_cannot_share_or_see_acme_shares(charlie_api, bob, item):
    share = create_share(member=bob, item=item, network="linkedin", caption="")
    response = charlie_api.post("/api/shares", {"item_id": item.pk, "network": "linkedin"})
    assert response.status_code == 404
    assert charlie_api.get(f"/api/shares/{share.pk}").status_code == 404
    assert charlie_api.get("/api/shares").json()["total"] == 0
    assert charlie_api.get("/api/shares", {"member": bob.pk}).status_code == 404
    assert charlie_api.get("/api/shares", {"item_id": item.pk}).json()["total"] == 0


def test_list_and_get_shares(bob_api, alice_api, carol_api, bob, carol, alice, item):
    mine = create_share(member=bob, item=item, network="linkedin", caption="a")
    create_share(member=carol, item=item, network="x", caption="b")
    page = SharePage.model_validate(bob_api.get("/api/shares").json())
    assert [s.id for s in page.results] == [mine.pk] and page.total == 1
    assert bob_api.get(f"/api/shares/{mine.pk}").status_code == 200
    # Another non-admin member cannot read bob's share.
    assert carol_api.get(f"/api/shares/{mine.pk}").status_code == 404
    assert carol_api.get("/api/shares", {"member": bob.pk}).status_code == 403
    # Admins may.
    assert alice_api.get(f"/api/shares/{mine.pk}").json()["member_id"] == bob.pk
    body = alice_api.get("/api/shares", {"member": bob.pk}).json()
    assert [s["id"] for s in body["results"]] == [mine.pk]
    assert alice_api.get("/api/shares").json()["total"] == 0  # alice's own
    assert bob_api.get("/api/shares", {"network": "x"}).json()["total"] == 0
    assert bob_api.get("/api/shares", {"member": bob.pk}).json()["total"] == 1


def test_cannot_share_an_item_not_targeted_to_me(bob_api, item, workspace):
    from groundswell.workspaces.models import Department

    item.target_departments.add(Department.objects.create(workspace=workspace, name="Legal"))
    assert bob_api.post("/api/shares", {"item_id": item.pk, "network": "linkedin"}).status_code == 404
