from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from groundswell.api.schemas import ItemOut, ItemPage
from groundswell.content.models import Caption, Item, ItemKind, ItemState
from groundswell.workspaces.models import Department


def make_item(workspace, creator, **extra):
    defaults = {
        "kind": ItemKind.URL,
        "state": ItemState.PUBLISHED,
        "url": "https://example.com/x",
        "title": "Another",
        "created_by": creator,
        "published_at": timezone.now(),
    }
    defaults.update(extra)
    return Item.objects.create(workspace=workspace, **defaults)


def test_list_items_targeted_to_me(bob_api, item, workspace, alice):
    Caption.objects.create(item=item, text="Look!", network="")
    draft = make_item(workspace, alice, state=ItemState.DRAFT, title="Draft")
    marketing = Department.objects.create(workspace=workspace, name="Marketing")
    other_dept = make_item(workspace, alice, title="For marketing")
    other_dept.target_departments.add(marketing)
    expired = make_item(workspace, alice, title="Old", expires_at=timezone.now() - dt.timedelta(days=1))
    response = bob_api.get("/api/items")
    assert response.status_code == 200
    page = ItemPage.model_validate(response.json())
    assert [i.id for i in page.results] == [item.pk]
    assert page.total == 1
    assert page.results[0].captions[0].text == "Look!"
    assert page.results[0].is_live
    ids = {draft.pk, other_dept.pk, expired.pk}
    assert not ids & {i.id for i in page.results}


def test_pagination(bob_api, workspace, alice):
    for n in range(5):
        make_item(workspace, alice, title=f"Item {n}")
    body = bob_api.get("/api/items", {"limit": 2, "offset": 2}).json()
    assert body["total"] == 5 and body["limit"] == 2 and body["offset"] == 2
    assert len(body["results"]) == 2
    assert bob_api.get("/api/items", {"limit": 101}).status_code == 422
    assert bob_api.get("/api/items", {"offset": -1}).status_code == 422


def test_admin_lists_by_state(alice_api, bob_api, item, workspace, alice):
    draft = make_item(workspace, alice, state=ItemState.DRAFT)
    body = alice_api.get("/api/items", {"state": "draft"}).json()
    assert [i["id"] for i in body["results"]] == [draft.pk]
    assert alice_api.get("/api/items", {"state": "all"}).json()["total"] == 2
    response = bob_api.get("/api/items", {"state": "draft"})
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]
    assert alice_api.get("/api/items", {"state": "bogus"}).status_code == 422


def test_get_item(bob_api, alice_api, item, workspace, alice):
    response = bob_api.get(f"/api/items/{item.pk}")
    assert response.status_code == 200
    assert ItemOut.model_validate(response.json()).title == "We launched"
    draft = make_item(workspace, alice, state=ItemState.DRAFT)
    assert bob_api.get(f"/api/items/{draft.pk}").status_code == 404
    assert alice_api.get(f"/api/items/{draft.pk}").status_code == 200
    assert bob_api.get("/api/items/999999").json() == {"detail": "Not found."}


def test_outsider_sees_nothing(charlie_api, item):
    assert charlie_api.get("/api/items").json()["total"] == 0
    assert charlie_api.get("/api/items", {"state": "all"}).json()["total"] == 0
    response = charlie_api.get(f"/api/items/{item.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_admin_creates_items(alice_api, workspace, django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    from groundswell.content import tasks

    class FakeTask:
        @staticmethod
        def enqueue(*args):
            enqueued.append(args)

    monkeypatch.setattr(tasks, "unfurl_item", FakeTask)
    payload = {
        "kind": "url",
        "url": "https://example.com/new",
        "title": "New",
        "captions": [{"text": "Read this"}, {"network": "x", "text": "Short"}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post("/api/items", payload)
    assert response.status_code == 201, response.content
    body = ItemOut.model_validate(response.json())
    item = Item.objects.get(pk=body.id)
    assert item.workspace == workspace and item.state == ItemState.PUBLISHED and item.is_live()
    assert [c.text for c in item.captions.all()] == ["Read this", "Short"]
    assert enqueued == [(item.pk, "https://example.com/new")]
    response = alice_api.post("/api/items", {"kind": "text", "body": "Hiring!", "state": "draft"})
    assert response.status_code == 201
    assert response.json()["state"] == "draft"


def test_employee_cannot_create_items(bob_api, charlie_api, workspace):
    response = bob_api.post("/api/items", {"kind": "text", "body": "x"})
    assert response.status_code == 403
    # charlie is an admin of Globex: his item lands in Globex, never in Acme.
    assert charlie_api.post("/api/items", {"kind": "text", "body": "x"}).status_code == 201
    assert not Item.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"kind": "url"}, "needs a url"),
        ({"kind": "url", "url": "ftp://example.com"}, "http"),
        ({"kind": "url", "url": "https://"}, "valid web address"),
        ({"kind": "text", "body": "x", "target_department_ids": [10**30]}, "less than or equal"),
        ({"kind": "text"}, "needs a body"),
        ({"kind": "video", "url": "https://example.com"}, "kind"),
        (
            {
                "kind": "text",
                "body": "x",
                "starts_at": "2026-02-01T00:00:00Z",
                "expires_at": "2026-01-01T00:00:00Z",
            },
            "expires_at",
        ),
        ({"kind": "text", "body": "x", "starts_at": "2026-02-01T00:00:00"}, "time zone"),
        ({"kind": "text", "body": "x", "title": "t" * 301}, "300"),
    ],
)
def test_create_item_validation(alice_api, payload, message):
    response = alice_api.post("/api/items", payload)
    assert response.status_code == 422
    body = response.json()
    assert message in body["detail"]
    assert body["errors"] and all({"loc", "msg", "type"} <= set(e) for e in body["errors"])
    assert body["errors"][0]["loc"][0] == "body"


def test_create_item_with_topics_and_targeting(alice_api, bob_api, workspace, sales, berlin, other_workspace):
    from groundswell.content.models import Topic

    Topic.objects.create(workspace=workspace, name="Product", slug="product")
    payload = {
        "kind": "text",
        "body": "Sales in Berlin only",
        "topics": ["product"],
        "target_department_ids": [sales.pk],
        "target_location_ids": [berlin.pk],
    }
    response = alice_api.post("/api/items", payload)
    assert response.status_code == 201, response.content
    assert response.json()["topics"] == ["Product"]
    item = Item.objects.get(pk=response.json()["id"])
    assert list(item.target_departments.all()) == [sales]
    assert [i["id"] for i in bob_api.get("/api/items").json()["results"]] == [item.pk]  # bob is Sales, Berlin
    globex = Department.objects.create(workspace=other_workspace, name="Globex ops")
    response = alice_api.post("/api/items", {"kind": "text", "body": "x", "target_department_ids": [globex.pk]})
    assert response.status_code == 422
    assert response.json()["detail"] == f"Unknown department: {globex.pk}."
    response = alice_api.post("/api/items", {"kind": "text", "body": "x", "topics": ["nope"]})
    assert response.status_code == 422 and "nope" in response.json()["detail"]


def test_a_video_item_is_listed_as_one(bob_api, workspace, alice):
    """Video items (issue 13) are in the API like any other kind (they once answered 500: the fuzz found it)."""
    from groundswell.videos.models import Video

    clip = Video.objects.create(workspace=workspace, uploaded_by=alice, title="Launch day", state="ready")
    video_item = make_item(workspace, alice, title="Launch day", kind=ItemKind.VIDEO, video=clip, url="")
    response = bob_api.get("/api/items")
    assert response.status_code == 200
    [found] = [i for i in ItemPage.model_validate(response.json()).results if i.id == video_item.pk]
    assert found.kind == "video" and found.image_url == ""
    assert bob_api.get(f"/api/items/{video_item.pk}").json()["kind"] == "video"
