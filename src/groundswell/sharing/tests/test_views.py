"""Sharing pages: the share form, the result page with the intent link, and "my shares"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.content.models import Caption, Item, ItemKind, ItemState, Topic
from groundswell.sharing.actions import create_share
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def share_url(item: Item, ws: str = "acme") -> str:
    return reverse("sharing:share", kwargs={"ws": ws, "item_id": item.pk})


def result_url(share: Share, ws: str = "acme") -> str:
    return reverse("sharing:result", kwargs={"ws": ws, "pk": share.pk})


def mine_url(ws: str = "acme") -> str:
    return reverse("sharing:mine", kwargs={"ws": ws})


# --- outsiders --------------------------------------------------------------------------------------


def test_outsider_gets_404_everywhere(charlie_client: Client, bob: Membership, item: Item) -> None:
    share = create_share(member=bob, item=item, network="linkedin", caption="Hi")
    assert charlie_client.get(share_url(item)).status_code == 404
    assert charlie_client.post(share_url(item), {"network": "x", "caption": "hi"}).status_code == 404
    assert charlie_client.get(share_url(item, ws="globex")).status_code == 404
    assert charlie_client.post(share_url(item, ws="globex"), {"network": "x"}).status_code == 404
    assert charlie_client.get(result_url(share)).status_code == 404
    assert charlie_client.get(result_url(share, ws="globex")).status_code == 404
    assert charlie_client.get(mine_url()).status_code == 404
    assert Share.objects.count() == 1


def test_anonymous_goes_to_login(client: Client, item: Item) -> None:
    assert client.get(share_url(item)).status_code == 302


def test_someone_elses_share_result_is_404(carol: Membership, bob: Membership, item: Item) -> None:
    share = create_share(member=bob, item=item, network="linkedin", caption="Hi")
    assert client_for(carol).get(result_url(share)).status_code == 404


def test_items_not_visible_to_the_employee_are_404(bob_client: Client, workspace: Workspace, item: Item) -> None:
    draft = Item.objects.create(workspace=workspace, kind=ItemKind.TEXT, body="Draft")
    archived = Item.objects.create(workspace=workspace, kind=ItemKind.TEXT, body="Old", state=ItemState.ARCHIVED)
    expired = Item.objects.create(
        workspace=workspace,
        kind=ItemKind.TEXT,
        body="Expired",
        state=ItemState.PUBLISHED,
        published_at=timezone.now(),
        expires_at=timezone.now() - dt.timedelta(hours=1),
    )
    jobs = Topic.objects.create(workspace=workspace, name="Jobs", slug="jobs")
    untargeted = Item.objects.create(
        workspace=workspace, kind=ItemKind.TEXT, body="Jobs", state=ItemState.PUBLISHED, published_at=timezone.now()
    )
    untargeted.target_topics.add(jobs)
    for it in (draft, archived, expired, untargeted):
        assert bob_client.get(share_url(it)).status_code == 404
        assert bob_client.post(share_url(it), {"network": "x", "caption": ""}).status_code == 404
    assert not Share.objects.exists()


# --- share form -------------------------------------------------------------------------------------


def test_share_page_lists_captions_and_networks(bob_client: Client, item: Item) -> None:
    Caption.objects.create(item=item, text="Generic words", position=0)
    Caption.objects.create(item=item, text="LinkedIn words", network="linkedin", position=1)
    response = bob_client.get(share_url(item))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Generic words" in html and "LinkedIn words" in html
    for label in ("LinkedIn", "X", "Facebook", "Bluesky", "Mastodon", "Email", "Copy link"):
        assert f">{label}" in html
    assert 'id="caption-count"' in html and 'aria-live="polite"' in html
    assert "style=" not in html and "<script>" not in html
    assert 'src="/static/groundswell/composer.js"' in html
    # With no network chosen the generic caption is prefilled.
    assert response.context["form"]["caption"].value() == "Generic words"


def test_picking_a_caption_or_network_prefills(bob_client: Client, item: Item) -> None:
    generic = Caption.objects.create(item=item, text="Generic words", position=0)
    Caption.objects.create(item=item, text="LinkedIn words", network="linkedin", position=1)
    response = bob_client.get(share_url(item), {"network": "linkedin"})
    assert response.context["form"]["caption"].value() == "LinkedIn words"
    assert response.context["form"]["network"].value() == "linkedin"
    response = bob_client.get(share_url(item), {"network": "linkedin", "caption": str(generic.pk)})
    assert response.context["form"]["caption"].value() == "Generic words"
    response = bob_client.get(share_url(item), {"network": "myspace", "caption": "nonsense"})
    assert response.status_code == 200


def test_mastodon_server_is_asked_inline_and_saved_to_the_profile(
    bob_client: Client, bob: Membership, item: Item
) -> None:
    html = bob_client.get(share_url(item)).content.decode()
    assert 'name="mastodon_instance"' in html and "Your Mastodon server" in html
    response = bob_client.post(share_url(item), {"network": "mastodon", "caption": "Toot"})
    assert response.status_code == 200
    assert "Enter your Mastodon server, for example mastodon.social." in response.content.decode()
    assert response.context["form"].errors["mastodon_instance"]
    response = bob_client.post(
        share_url(item), {"network": "mastodon", "caption": "Toot", "mastodon_instance": "not a server!"}
    )
    assert response.status_code == 200
    assert "is not a server name such as mastodon.social" in response.content.decode()
    assert not Share.objects.exists()
    bob.refresh_from_db()
    assert bob.mastodon_instance == ""
    # The existing rule: the URL is reduced to its host name, an internationalised one to its IDNA form.
    response = bob_client.post(
        share_url(item),
        {"network": "mastodon", "caption": "Toot", "mastodon_instance": "https://Mastodon.Bücher.Example/@me"},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.mastodon_instance == "mastodon.xn--bcher-kva.example"
    share = Share.objects.get()
    html = bob_client.get(result_url(share)).content.decode()
    assert "https://mastodon.xn--bcher-kva.example/share?text=Toot" in html
    # Now known: no inline field any more.
    assert 'name="mastodon_instance"' not in bob_client.get(share_url(item)).content.decode()


def test_the_server_field_is_ignored_for_other_networks(bob_client: Client, bob: Membership, item: Item) -> None:
    response = bob_client.post(share_url(item), {"network": "linkedin", "caption": "Hi", "mastodon_instance": "x y"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.mastodon_instance == ""


def test_share_creates_tracked_link_and_shows_intent(
    bob_client: Client, bob: Membership, item: Item, settings: Any
) -> None:
    response = bob_client.post(share_url(item), {"network": "linkedin", "caption": "  Proud of this  "})
    share = Share.objects.get()
    assert response.status_code == 302 and response["Location"] == result_url(share)
    assert (share.member, share.item, share.network, share.caption) == (bob, item, "linkedin", "Proud of this")
    html = bob_client.get(result_url(share)).content.decode()
    short = f"{settings.SITE_URL}/{share.code}"
    assert "https://www.linkedin.com/feed/?shareActive=true&amp;text=Proud%20of%20this" in html
    assert 'target="_blank" rel="noopener noreferrer"' in html
    assert f'data-copy="{short}"' in html
    assert 'data-copy="Proud of this"' in html


def test_facebook_result_says_to_copy_the_caption(bob_client: Client, item: Item) -> None:
    bob_client.post(share_url(item), {"network": "facebook", "caption": "My words"})
    html = bob_client.get(result_url(Share.objects.get())).content.decode()
    assert "does not take the text" in html and "Copy caption" in html
    assert "https://www.facebook.com/sharer/sharer.php?u=" in html


def test_copy_network_has_no_open_button(bob_client: Client, item: Item) -> None:
    bob_client.post(share_url(item), {"network": "copy", "caption": "Look"})
    response = bob_client.get(result_url(Share.objects.get()))
    assert response.context["intent"] == ""
    assert "Copy caption and link" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"caption": "hi"}, "Pick where you want to share it."),
        ({"network": "myspace", "caption": "hi"}, "Select a valid choice"),
        ({"network": "x", "caption": "x" * 300}, "X allows 280 characters"),
        ({"network": "bluesky", "caption": "b" * 290}, "Bluesky allows 300 characters"),
        ({"network": "linkedin", "caption": "l" * 3001}, "at most 3000 characters"),
    ],
)
def test_share_errors_are_shown_next_to_the_form(
    bob_client: Client, item: Item, data: dict[str, str], message: str
) -> None:
    response = bob_client.post(share_url(item), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Share.objects.exists()


def test_admin_sees_a_clear_error_for_items_not_open(alice_client: Client, workspace: Workspace) -> None:
    draft = Item.objects.create(workspace=workspace, kind=ItemKind.TEXT, body="Draft")
    response = alice_client.get(share_url(draft))
    assert response.status_code == 200 and "not open for sharing" in response.content.decode()
    response = alice_client.post(share_url(draft), {"network": "x", "caption": "hi"})
    assert response.status_code == 200 and "not open for sharing" in response.content.decode()


# --- my shares --------------------------------------------------------------------------------------


def test_my_shares(bob_client: Client, bob: Membership, carol: Membership, item: Item) -> None:
    html = bob_client.get(mine_url()).content.decode()
    assert "You haven't shared anything yet" in html
    mine = create_share(member=bob, item=item, network="linkedin", caption="A")
    Share.objects.filter(pk=mine.pk).update(human_clicks=17, unique_clicks=9)
    create_share(member=carol, item=item, network="x", caption="Carol's")
    response = bob_client.get(mine_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "We launched" in html and "LinkedIn" in html and ">17<" in html and ">9<" in html
    assert len(response.context["rows"]) == 1
    assert "style=" not in html


def test_my_shares_paginates_without_n_plus_one(
    bob_client: Client, bob: Membership, item: Item, django_assert_max_num_queries: Any
) -> None:
    for i in range(60):
        create_share(member=bob, item=item, network="copy", caption=str(i))
    with django_assert_max_num_queries(12):
        response = bob_client.get(mine_url())
    assert len(response.context["rows"]) == 50
    assert len(bob_client.get(mine_url(), {"page": "2"}).context["rows"]) == 10
    assert bob_client.get(mine_url(), {"page": "nonsense"}).status_code == 200
