"""The platform-neutral handlers the Slack endpoints and the Teams bot both call."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.care.models import Case, CaseStatus
from groundswell.chat import handlers
from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage, InstallationState
from groundswell.chat.platforms import ActionButton, LinkButton
from groundswell.chat.tests.conftest import link
from groundswell.chat.tests.fake import TEAM
from groundswell.content.models import Caption, Item, ItemState
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost
from groundswell.sharing.models import Share, ShareMethod
from groundswell.workspaces.models import Department, Membership


def _go(url: str) -> Any:
    return Client().get(urlparse(url).path)


# --- identities and links ------------------------------------------------------------------------------


def test_identity_for_finds_only_active_linked_members(bob_slack: ChatIdentity, bob: Membership) -> None:
    assert handlers.identity_for("slack", TEAM, "U0BOB") == bob_slack
    assert handlers.identity_for("slack", TEAM, "U0OTHER") is None
    assert handlers.identity_for("slack", "T0ELSE", "U0BOB") is None
    assert handlers.identity_for("teams", TEAM, "U0BOB") is None
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    assert handlers.identity_for("slack", TEAM, "U0BOB") is None


def test_link_url_points_into_the_connected_workspace(installation: ChatInstallation) -> None:
    url = handlers.link_url("slack", TEAM, "U0BOB", "bob", "D0BOB")
    assert url.startswith("http://testserver/w/acme/chat/link/?token=")
    with pytest.raises(LookupError):
        handlers.link_url("slack", "T0NOBODY", "U0BOB", "bob", "")


# --- the personal share link ---------------------------------------------------------------------------


def test_a_share_button_makes_the_members_share_and_opens_the_network(
    bob_slack: ChatIdentity, bob: Membership, item: Item
) -> None:
    Caption.objects.create(item=item, text="Proud of the team", network="")
    response = _go(handlers.personal_share_url(bob_slack, item, "linkedin"))
    assert response.status_code == 302
    share = Share.objects.get()
    assert (share.member, share.item, share.network, share.method) == (bob, item, "linkedin", ShareMethod.INTENT)
    assert share.caption == "Proud of the team"
    assert response["Location"].startswith("https://www.linkedin.com/")
    assert share.code in response["Location"]  # the member's own tracked link
    assert response["Referrer-Policy"] == "no-referrer"


def test_opening_the_same_button_again_reuses_the_share(bob_slack: ChatIdentity, item: Item) -> None:
    url = handlers.personal_share_url(bob_slack, item, "x")
    first = _go(url)["Location"]
    assert _go(url)["Location"] == first
    assert Share.objects.count() == 1


def test_a_share_button_is_refused_with_a_clear_page_when_the_member_left(
    bob_slack: ChatIdentity, bob: Membership, item: Item
) -> None:
    url = handlers.personal_share_url(bob_slack, item, "x")
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    response = _go(url)
    assert response.status_code == 410
    assert "no longer a member" in response.content.decode()
    assert not Share.objects.exists()


def test_a_share_button_is_refused_when_the_item_is_withdrawn(bob_slack: ChatIdentity, item: Item) -> None:
    url = handlers.personal_share_url(bob_slack, item, "x")
    Item.objects.filter(pk=item.pk).update(state=ItemState.ARCHIVED)
    response = _go(url)
    assert response.status_code == 410 and "no longer open for sharing" in response.content.decode()
    assert not Share.objects.exists()


def test_a_share_button_is_refused_for_an_item_not_aimed_at_the_member(
    bob_slack: ChatIdentity, item: Item, workspace: Any
) -> None:
    item.target_departments.add(Department.objects.create(workspace=workspace, name="Legal"))
    assert _go(handlers.personal_share_url(bob_slack, item, "x")).status_code == 410


def test_a_share_button_expires(bob_slack: ChatIdentity, item: Item, settings: Any) -> None:
    url = handlers.personal_share_url(bob_slack, item, "x")
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=settings.CHAT_SHARE_LINK_MAX_AGE_SECONDS + 5)):
        response = _go(url)
    assert response.status_code == 410 and "expired" in response.content.decode()


@pytest.mark.django_db
def test_a_forged_or_edited_share_token_is_refused() -> None:
    assert Client().get("/chat/go/not-a-token/").status_code == 410


@pytest.mark.django_db
def test_a_share_token_cannot_be_used_as_a_link_token(bob_slack: ChatIdentity, item: Item) -> None:
    token = urlparse(handlers.personal_share_url(bob_slack, item, "x")).path.split("/")[3]
    response = Client().get(f"/chat/go/{token}/")
    assert response.status_code == 302
    alice_like = Client()
    alice_like.force_login(bob_slack.member.user)
    page = alice_like.get(reverse("chat:link", kwargs={"ws": "acme"}) + "?token=" + token)
    assert page.status_code == 400  # another salt


def test_the_share_buttons_list_each_network_and_schedule_for_connected_accounts(
    bob_slack: ChatIdentity, bob: Membership, item: Item
) -> None:
    ConnectedAccount.objects.create(workspace=bob.workspace, member=bob, network="x", handle="bobby",
                                    status=AccountStatus.ACTIVE)  # fmt: skip
    message = handlers.share_buttons(bob_slack, item)
    links = [b for b in message.buttons if isinstance(b, LinkButton)]
    actions = [b for b in message.buttons if isinstance(b, ActionButton)]
    labels = [b.label for b in links]
    assert "Share on LinkedIn" in labels and "Share on X" in labels
    assert not any("Mastodon" in label for label in labels)  # bob has no Mastodon server set
    assert all("/chat/go/" in b.url for b in links)
    assert [(a.label, a.action, a.value) for a in actions] == [
        ("Schedule for me on X", handlers.ACTION_SCHEDULE, f"{item.pk}:x")
    ]
    assert "LinkedIn:" in message.fallback


# --- schedule for me -----------------------------------------------------------------------------------


def test_schedule_for_me_without_an_account_says_how_to_connect(bob_slack: ChatIdentity, item: Item) -> None:
    reply = handlers.schedule_for_me(bob_slack, item.pk, "x")
    assert "connect your X account first" in reply and "/w/acme/accounts/" in reply
    assert not OutboundPost.objects.exists()


def test_schedule_for_me_schedules_a_spread_out_post(bob_slack: ChatIdentity, bob: Membership, item: Item) -> None:
    ConnectedAccount.objects.create(workspace=bob.workspace, member=bob, network="x", handle="bobby",
                                    status=AccountStatus.ACTIVE)  # fmt: skip
    reply = handlers.schedule_for_me(bob_slack, item.pk, "x")
    post = OutboundPost.objects.get()
    assert reply.startswith("Scheduled: your post goes out on X as @bobby on ") and "spread out" in reply
    share = Share.objects.get()
    assert (share.member, share.method, share.outbound) == (bob, ShareMethod.API, post)


def test_schedule_for_me_with_an_account_to_reconnect(bob_slack: ChatIdentity, bob: Membership, item: Item) -> None:
    ConnectedAccount.objects.create(workspace=bob.workspace, member=bob, network="x", handle="bobby",
                                    status=AccountStatus.RECONNECT)  # fmt: skip
    assert "reconnect your X account" in handlers.schedule_for_me(bob_slack, item.pk, "x")


def test_schedule_for_me_refuses_an_item_no_longer_live(bob_slack: ChatIdentity, item: Item) -> None:
    Item.objects.filter(pk=item.pk).update(state=ItemState.ARCHIVED)
    assert handlers.schedule_for_me(bob_slack, item.pk, "x") == "This item is no longer open for sharing."


# --- actions from buttons ------------------------------------------------------------------------------


def test_an_unlinked_user_clicking_gets_their_link(installation: ChatInstallation, item: Item) -> None:
    message = handlers.handle_action("slack", TEAM, "U0NEW", handlers.ACTION_SHARE_BUTTONS, str(item.pk))
    assert "Link your chat account" in message.text
    [button] = message.buttons
    assert isinstance(button, LinkButton) and "/w/acme/chat/link/" in button.url


def test_a_linked_user_clicking_gets_their_own_buttons(bob_slack: ChatIdentity, item: Item) -> None:
    message = handlers.handle_action("slack", TEAM, "U0BOB", handlers.ACTION_SHARE_BUTTONS, str(item.pk))
    assert any(isinstance(b, LinkButton) and b.label == "Share on X" for b in message.buttons)


@pytest.mark.parametrize(("action", "value"), [("share_buttons", "abc"), ("schedule", "1:nope"), ("ack_case", "x"),
                                               ("rm_rf", "1")])  # fmt: skip
def test_bad_button_values_get_a_polite_answer(bob_slack: ChatIdentity, action: str, value: str) -> None:
    message = handlers.handle_action("slack", TEAM, "U0BOB", action, value)
    assert "not valid any more" in message.text or "no longer open" in message.text


# --- acknowledging a case ------------------------------------------------------------------------------


@pytest.fixture
def routed_case(bob: Membership, workspace: Any) -> Case:
    from groundswell.listening.models import Intent, Post, Source, SourceKind

    source = Source.objects.create(workspace=workspace, kind=SourceKind.MASTODON, name="Mastodon search")
    post = Post.objects.create(workspace=workspace, source=source, external_id="https://social.example/1",
                               url="https://social.example/1", author="@kim@social.example", text="Help?",
                               published_at=timezone.now(), content_hash="1" * 64, intent=Intent.QUESTION)  # fmt: skip
    return Case.objects.create(workspace=workspace, post=post, intent=Intent.QUESTION, status=CaseStatus.ASSIGNED,
                               assignee=bob, assigned_at=timezone.now())  # fmt: skip


def test_only_the_assignee_acknowledges_a_case(
    installation: ChatInstallation, bob_slack: ChatIdentity, carol: Membership, routed_case: Case
) -> None:
    carol_slack = link(carol, "U0CAROL")
    assert handlers.acknowledge_case(carol_slack, routed_case.pk) == "This case is not routed to you (any more)."
    ChatMessage.objects.create(workspace=installation.workspace, installation=installation,
                               key=f"case:{routed_case.pk}", target=f"member:{bob_slack.member_id}",
                               member=bob_slack.member)  # fmt: skip
    reply = handlers.acknowledge_case(bob_slack, routed_case.pk)
    assert reply.startswith("Thanks, it is yours") and f"/w/acme/care/cases/{routed_case.pk}/" in reply
    assert ChatMessage.objects.get().acted_at is not None
    assert handlers.acknowledge_case(bob_slack, routed_case.pk).startswith("You already acknowledged")


def test_an_answered_case_needs_no_acknowledgement(bob_slack: ChatIdentity, routed_case: Case) -> None:
    Case.objects.filter(pk=routed_case.pk).update(status=CaseStatus.ANSWERED)
    assert handlers.acknowledge_case(bob_slack, routed_case.pk).startswith("This case is already answered")


def test_a_case_of_another_workspace_is_not_found(
    bob_slack: ChatIdentity, routed_case: Case, other_workspace: Any
) -> None:
    Case.objects.filter(pk=routed_case.pk).update(workspace=other_workspace)
    assert handlers.acknowledge_case(bob_slack, routed_case.pk) == "This case is not routed to you (any more)."


def test_nothing_is_answered_for_a_team_whose_app_was_removed(
    installation: ChatInstallation, bob_slack: ChatIdentity, item: Item
) -> None:
    ChatInstallation.objects.filter(pk=installation.pk).update(state=InstallationState.REVOKED)
    message = handlers.handle_action("slack", TEAM, "U0NEW", handlers.ACTION_SHARE_BUTTONS, str(item.pk))
    assert "No Groundswell workspace is connected" in message.text
