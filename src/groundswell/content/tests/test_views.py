"""Content hub pages: access (outsiders and employees get 404 on admin pages), forms and state changes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from groundswell.content import actions
from groundswell.content.actions import ItemData
from groundswell.content.models import Caption, Item, ItemKind, ItemState, Topic
from groundswell.rewards.models import PointsEntry
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def url(name: str, ws: str = "acme", **kw: Any) -> str:
    return reverse(f"content:{name}", kwargs={"ws": ws, **kw})


def png(size: tuple[int, int] = (20, 10), fmt: str = "PNG", name: str = "pic.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, "teal").save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def captions_mgmt(n: int = 2, initial: int = 0, **rows: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "captions-TOTAL_FORMS": str(n),
        "captions-INITIAL_FORMS": str(initial),
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
    }
    data.update(rows)
    return data


def pending_item(workspace: Workspace, bob: Membership) -> Item:
    return actions.submit_item(member=bob, data=ItemData(kind=ItemKind.URL, url="https://example.com/sub", title="Sub"))


# --- outsiders and roles ----------------------------------------------------------------------------

ALL_GET = ["list", "create", "submit", "submissions", "review", "topics"]
ITEM_GET = ["detail", "edit", "reject"]
ITEM_POST = ["approve", "reject", "publish", "archive", "unpublish"]


@pytest.mark.parametrize("name", ALL_GET)
def test_outsider_gets_404(charlie_client: Client, item: Item, name: str) -> None:
    assert charlie_client.get(url(name)).status_code == 404


@pytest.mark.parametrize("name", ITEM_GET)
def test_outsider_gets_404_on_items(charlie_client: Client, item: Item, name: str) -> None:
    assert charlie_client.get(url(name, pk=item.pk)).status_code == 404
    # …also when asking through their own workspace for another workspace's item.
    assert charlie_client.get(url(name, ws="globex", pk=item.pk)).status_code == 404


@pytest.mark.parametrize("name", ITEM_POST)
def test_outsider_gets_404_on_state_changes(charlie_client: Client, item: Item, name: str) -> None:
    assert charlie_client.post(url(name, pk=item.pk), {"reason": "x"}).status_code == 404
    assert charlie_client.post(url(name, ws="globex", pk=item.pk), {"reason": "x"}).status_code == 404
    item.refresh_from_db()
    assert item.state == ItemState.PUBLISHED


@pytest.mark.parametrize("name", ["create", "review", "topics"])
def test_employees_and_managers_cannot_reach_admin_pages(
    bob_client: Client, carol: Membership, client: Client, name: str
) -> None:
    assert bob_client.get(url(name)).status_code == 404
    client.force_login(carol.user)
    assert client.get(url(name)).status_code == 404


@pytest.mark.parametrize("name", ITEM_POST)
def test_employees_cannot_change_states(bob_client: Client, item: Item, name: str) -> None:
    assert bob_client.post(url(name, pk=item.pk), {"reason": "x"}).status_code == 404
    assert bob_client.get(url("edit", pk=item.pk)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, workspace: Workspace) -> None:
    response = client.get(url("list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["approve", "publish", "archive", "unpublish"])
def test_state_changes_are_post_only(alice_client: Client, item: Item, name: str) -> None:
    assert alice_client.get(url(name, pk=item.pk)).status_code == 405


# --- hub --------------------------------------------------------------------------------------------


def test_employee_hub_shows_targeted_live_items(bob_client: Client, workspace: Workspace, item: Item) -> None:
    ai = Topic.objects.create(workspace=workspace, name="AI", slug="ai")
    item.topics.add(ai)
    Item.objects.create(workspace=workspace, kind=ItemKind.TEXT, body="Secret draft", title="Secret draft")
    other = Item.objects.create(
        workspace=workspace,
        kind=ItemKind.TEXT,
        body="About hiring",
        title="Hiring",
        state=ItemState.PUBLISHED,
        published_at=timezone.now(),
    )
    page = bob_client.get(url("list")).content.decode()
    assert "We launched" in page and "Hiring" in page and "Secret draft" not in page
    assert reverse("sharing:share", kwargs={"ws": "acme", "item_id": item.pk}) in page
    page = bob_client.get(url("list"), {"topic": "ai"}).content.decode()
    assert "We launched" in page and "Hiring" not in page
    page = bob_client.get(url("list"), {"q": "hiring"}).content.decode()
    assert "Hiring" in page and "We launched" not in page
    page = bob_client.get(url("list"), {"q": "nothing like this"}).content.decode()
    assert "Nothing matches" in page
    assert other.pk


def test_employee_hub_empty_state(bob_client: Client, workspace: Workspace) -> None:
    page = bob_client.get(url("list")).content.decode()
    assert "Nothing to share right now" in page and url("submit") in page


def test_admin_hub_has_state_tabs(alice_client: Client, workspace: Workspace, item: Item, bob: Membership) -> None:
    pending_item(workspace, bob)
    page = alice_client.get(url("list")).content.decode()
    assert "We launched" in page and "Sub" in page and "Pending approval" in page
    page = alice_client.get(url("list"), {"state": "pending"}).content.decode()
    assert "Sub" in page and "We launched" not in page
    assert alice_client.get(url("list"), {"state": "bogus"}).status_code == 200


def test_admin_hub_empty_state(alice_client: Client, workspace: Workspace) -> None:
    assert "Create the first item" in alice_client.get(url("list")).content.decode()


# --- detail -----------------------------------------------------------------------------------------


def test_detail_for_employee(bob_client: Client, item: Item, workspace: Workspace) -> None:
    Caption.objects.create(item=item, text="Proud of the team", network="linkedin")
    page = bob_client.get(url("detail", pk=item.pk)).content.decode()
    assert "Proud of the team" in page and "LinkedIn" in page and "Share this" in page
    assert "Archive" not in page
    draft = Item.objects.create(workspace=workspace, kind=ItemKind.TEXT, body="Draft")
    assert bob_client.get(url("detail", pk=draft.pk)).status_code == 404
    assert bob_client.get(url("detail", pk=999999)).status_code == 404


def test_submitter_sees_rejection_reason(
    bob_client: Client, alice: Membership, bob: Membership, workspace: Workspace
) -> None:
    item = pending_item(workspace, bob)
    actions.reject_item(member=alice, item=item, reason="Off-topic for us")
    assert "Off-topic for us" in bob_client.get(url("detail", pk=item.pk)).content.decode()
    assert "Off-topic for us" in bob_client.get(url("submissions")).content.decode()


def test_detail_for_admin_has_post_buttons(alice_client: Client, item: Item) -> None:
    page = alice_client.get(url("detail", pk=item.pk)).content.decode()
    assert f'action="{url("archive", pk=item.pk)}"' in page
    assert f'action="{url("unpublish", pk=item.pk)}"' in page
    assert 'method="post"' in page


# --- create / edit ----------------------------------------------------------------------------------


def test_admin_creates_and_publishes_with_captions(alice_client: Client, workspace: Workspace, bob: Membership) -> None:
    topic = Topic.objects.create(workspace=workspace, name="AI", slug="ai")
    assert alice_client.get(url("create")).status_code == 200
    data = {
        "kind": "text",
        "title": "Hiring",
        "body": "We are hiring engineers",
        "topics": [topic.pk],
        "target_departments": [bob.department_id],
        "starts_at": "2026-01-01T09:00",
        "publish": "1",
        **captions_mgmt(
            2,
            **{
                "captions-0-text": "Join us!",
                "captions-0-network": "",
                "captions-1-text": "Short one",
                "captions-1-network": "x",
            },
        ),
    }
    response = alice_client.post(url("create"), data)
    assert response.status_code == 302
    item = Item.objects.get(title="Hiring")
    assert item.state == ItemState.PUBLISHED
    assert list(item.captions.values_list("text", "network")) == [("Join us!", ""), ("Short one", "x")]
    assert list(item.topics.all()) == [topic]
    assert list(item.target_departments.values_list("pk", flat=True)) == [bob.department_id]
    assert item.starts_at and item.starts_at.isoformat() == "2026-01-01T09:00:00+00:00"


def test_draft_is_saved_and_dates_use_workspace_timezone(alice_client: Client, workspace: Workspace) -> None:
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    data = {
        "kind": "url",
        "url": "https://example.com/x",
        "expires_at": "2026-06-01T12:00",
        "draft": "1",
        **captions_mgmt(0),
    }
    assert alice_client.post(url("create"), data).status_code == 302
    item = Item.objects.get(url="https://example.com/x")
    assert item.state == ItemState.DRAFT
    assert item.expires_at and item.expires_at.isoformat() == "2026-06-01T10:00:00+00:00"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "url"}, "url", "A link item needs a link."),
        ({"kind": "url", "url": "javascript:alert(1)"}, "url", "Enter a valid URL."),
        ({"kind": "text", "body": "   "}, "body", "A text post needs its text."),
        ({"kind": "image"}, "image", "An image post needs an image."),
        ({"kind": "nope"}, "kind", "Select a valid choice"),
        (
            {"kind": "text", "body": "x", "starts_at": "2026-02-01T00:00", "expires_at": "2026-01-01T00:00"},
            "expires_at",
            "The end must be after the start.",
        ),
        ({"kind": "text", "body": "x", "starts_at": "yesterday"}, "starts_at", "Enter a valid date/time."),
    ],
)
def test_create_form_errors(
    alice_client: Client, workspace: Workspace, data: dict[str, str], field: str, message: str
) -> None:
    response = alice_client.post(url("create"), {**data, **captions_mgmt(0)})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Item.objects.exists()


def test_broken_formset_is_an_error_not_a_500(alice_client: Client, workspace: Workspace) -> None:
    response = alice_client.post(url("create"), {"kind": "text", "body": "Hi"})
    assert response.status_code == 200
    assert not Item.objects.exists()
    too_many = captions_mgmt(11, **{f"captions-{i}-text": f"c{i}" for i in range(11)})
    response = alice_client.post(url("create"), {"kind": "text", "body": "Hi", **too_many})
    assert response.status_code == 200 and not Item.objects.exists()


def test_caption_network_must_exist(alice_client: Client, workspace: Workspace) -> None:
    data = {
        "kind": "text",
        "body": "Hi",
        **captions_mgmt(1, **{"captions-0-text": "x", "captions-0-network": "myspace"}),
    }
    response = alice_client.post(url("create"), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_image_upload(alice_client: Client, workspace: Workspace, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    data = {"kind": "image", "title": "Team photo", "image": png(), "publish": "1", **captions_mgmt(0)}
    assert alice_client.post(url("create"), data).status_code == 302
    item = Item.objects.get(title="Team photo")
    assert item.image.name.startswith("items/") and item.state == ItemState.PUBLISHED


def test_image_upload_validation(alice_client: Client, workspace: Workspace, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    not_image = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    response = alice_client.post(url("create"), {"kind": "image", "image": not_image, **captions_mgmt(0)})
    assert "Upload a valid image" in response.context["form"].errors["image"][0]
    response = alice_client.post(
        url("create"), {"kind": "image", "image": png(fmt="BMP", name="a.bmp"), **captions_mgmt(0)}
    )
    assert "JPEG, PNG, GIF or WebP" in response.context["form"].errors["image"][0]
    settings.MAX_IMAGE_UPLOAD_BYTES = 1024
    response = alice_client.post(url("create"), {"kind": "image", "image": png((400, 400)), **captions_mgmt(0)})
    assert "the limit is 1.0" in response.context["form"].errors["image"][0]
    assert not Item.objects.exists()


def test_edit_item(alice_client: Client, item: Item) -> None:
    Caption.objects.create(item=item, text="Old caption")
    page = alice_client.get(url("edit", pk=item.pk)).content.decode()
    assert "Old caption" in page and "https://example.com/launch" in page
    data = {
        "kind": "url",
        "url": item.url,
        "title": "New title",
        **captions_mgmt(
            2, 1, **{"captions-0-text": "Old caption", "captions-0-DELETE": "on", "captions-1-text": "New caption"}
        ),
    }
    assert alice_client.post(url("edit", pk=item.pk), data).status_code == 302
    item.refresh_from_db()
    assert item.title == "New title"
    assert list(item.captions.values_list("text", flat=True)) == ["New caption"]


# --- submissions and review -------------------------------------------------------------------------


def test_employee_submits(bob_client: Client, bob: Membership, workspace: Workspace) -> None:
    assert bob_client.get(url("submit")).status_code == 200
    response = bob_client.post(
        url("submit"), {"kind": "url", "url": "https://example.com/great", "caption": "Must read"}
    )
    assert response.status_code == 302 and response["Location"] == url("submissions")
    item = Item.objects.get(url="https://example.com/great")
    assert (item.state, item.submitted_by) == (ItemState.PENDING, bob)
    assert list(item.captions.values_list("text", flat=True)) == ["Must read"]
    page = bob_client.get(url("submissions")).content.decode()
    assert "https://example.com/great" in page and "Pending approval" in page


def test_submit_errors(bob_client: Client, workspace: Workspace) -> None:
    response = bob_client.post(url("submit"), {"kind": "url"})
    assert response.status_code == 200 and "Paste the link you suggest." in response.content.decode()
    response = bob_client.post(url("submit"), {"kind": "image"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Item.objects.exists()


def test_submissions_empty_state(bob_client: Client, workspace: Workspace) -> None:
    assert "No suggestions yet" in bob_client.get(url("submissions")).content.decode()


def test_review_queue_approve(alice_client: Client, bob: Membership, workspace: Workspace) -> None:
    assert "All caught up" in alice_client.get(url("review")).content.decode()
    item = pending_item(workspace, bob)
    page = alice_client.get(url("review")).content.decode()
    assert "Sub" in page and "Bob" in page
    response = alice_client.post(url("approve", pk=item.pk), {"next": "review"})
    assert response.status_code == 302 and response["Location"] == url("review")
    item.refresh_from_db()
    assert item.state == ItemState.PUBLISHED
    assert PointsEntry.objects.get(member=bob).action == "submission_approved"
    # Approving again is a clear message, not an error page.
    response = alice_client.post(url("approve", pk=item.pk), follow=True)
    assert "Only items waiting for review can be approved; this one is published." in response.content.decode()


def test_review_queue_reject(alice_client: Client, bob: Membership, workspace: Workspace) -> None:
    item = pending_item(workspace, bob)
    response = alice_client.post(url("reject", pk=item.pk), {"reason": "  "})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    item.refresh_from_db()
    assert item.state == ItemState.PENDING
    response = alice_client.post(url("reject", pk=item.pk), {"reason": "Too salesy", "next": "review"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.rejection_reason) == (ItemState.REJECTED, "Too salesy")


def test_publish_archive_unpublish(alice_client: Client, workspace: Workspace, alice: Membership) -> None:
    item = actions.create_item(member=alice, data=ItemData(kind=ItemKind.TEXT, body="Draft text"))
    assert alice_client.post(url("publish", pk=item.pk)).status_code == 302
    assert Item.objects.get(pk=item.pk).state == ItemState.PUBLISHED
    assert alice_client.post(url("archive", pk=item.pk)).status_code == 302
    assert Item.objects.get(pk=item.pk).state == ItemState.ARCHIVED
    response = alice_client.post(url("archive", pk=item.pk), follow=True)
    assert "Can&#x27;t archive an item that is archived." in response.content.decode()
    assert alice_client.post(url("unpublish", pk=item.pk)).status_code == 302
    assert Item.objects.get(pk=item.pk).state == ItemState.DRAFT


# --- topics -----------------------------------------------------------------------------------------


def test_topics_page(alice_client: Client, workspace: Workspace) -> None:
    assert "No topics yet" in alice_client.get(url("topics")).content.decode()
    assert alice_client.post(url("topics"), {"name": "Product news"}).status_code == 302
    assert Topic.objects.get(workspace=workspace).slug == "product-news"
    response = alice_client.post(url("topics"), {"name": "PRODUCT news"})
    assert response.status_code == 200 and "already a topic" in response.content.decode()
    response = alice_client.post(url("topics"), {"name": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert "Product news" in alice_client.get(url("topics")).content.decode()


def test_pages_use_no_inline_styles_or_scripts(
    alice_client: Client, bob_client: Client, item: Item, bob: Membership, workspace: Workspace
) -> None:
    pending_item(workspace, bob)
    pages = [alice_client.get(url(n)) for n in ("list", "create", "review", "topics")]
    pages += [alice_client.get(url("detail", pk=item.pk)), alice_client.get(url("edit", pk=item.pk))]
    pages += [bob_client.get(url(n)) for n in ("list", "submit", "submissions")]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "style=" not in html and "<script>" not in html and "onclick" not in html
        assert response.context["nav"] and response.context["member"] and response.context["workspace"]


def test_hub_has_no_n_plus_one(
    bob_client: Client, alice_client: Client, workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    ai = Topic.objects.create(workspace=workspace, name="AI", slug="ai")
    for i in range(25):
        it = Item.objects.create(
            workspace=workspace,
            kind=ItemKind.TEXT,
            body=f"Post {i}",
            state=ItemState.PUBLISHED,
            published_at=timezone.now(),
        )
        it.topics.add(ai)
    with django_assert_max_num_queries(10):
        assert bob_client.get(url("list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert alice_client.get(url("list")).status_code == 200
