"""What the bot does with activities: connecting a team, linking a member, clicks, and the core's messages
reaching Teams; all against the fake Bot Framework."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from groundswell.chat import dispatch
from groundswell.chat.actions import LinkRequest, link_identity
from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage, InstallationState, MessageStatus
from groundswell.chat.platforms import OutgoingMessage, Target, get_platform
from groundswell.chat.teams import actions
from groundswell.chat.teams.tests import fake_bot
from groundswell.content.actions import publish_item
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership

URL = "/chat/teams/messages"


def post(activity: dict[str, Any]) -> Any:
    return Client().post(
        URL, data=json.dumps(activity), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {fake_bot.token()}"
    )


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    return content


def all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions", []))
    for block in card["body"]:
        if block["type"] == "ActionSet":
            found += block["actions"]
    return found


def open_url(card: dict[str, Any]) -> str:
    (url,) = [a["url"] for a in all_actions(card) if a["type"] == "Action.OpenUrl"][:1]
    return str(url)


def opened(bot: fake_bot.FakeBotFramework) -> list[fake_bot.Recorded]:
    """The 1:1 conversations the bot opened (``POST /v3/conversations``)."""
    return [r for r in bot.requests if r.method == "POST" and r.url.endswith("/v3/conversations")]


def path_of(url: str) -> str:
    """The URL without its scheme and host (what the test client asks for), its query kept."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def connected(alice: Membership) -> ChatInstallation:
    team = actions.TeamReference(
        tenant_id=fake_bot.TENANT,
        team_id=fake_bot.TEAM_ID,
        team_name="Marketing",
        channel_id=fake_bot.TEAM_ID,
        service_url=fake_bot.SERVICE_URL,
    )
    return actions.connect_team(alice, team)


def linked(member: Membership, conversation: str = fake_bot.BOB_CHAT) -> ChatIdentity:
    return link_identity(
        member,
        LinkRequest(
            platform="teams",
            team_id=fake_bot.TENANT,
            user_id=fake_bot.BOB_TEAMS_ID,
            display_name="Bob Employee",
            conversation=conversation,
        ),
    )


# --- connecting a team ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_added_to_a_team_the_bot_posts_a_connect_card_an_admin_confirms(
    bot: fake_bot.FakeBotFramework, alice: Membership, charlie: Membership
) -> None:
    assert post(fake_bot.bot_added_to_team()).status_code == 200
    (posted,) = bot.activities(fake_bot.TEAM_ID)
    card = card_of(posted)
    assert card["body"][0]["text"] == "Connect this team to Groundswell"
    link = path_of(open_url(card))
    assert link.startswith("/chat/teams/connect/")

    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    admin = Client()
    admin.force_login(alice.user)
    page = admin.get(link)
    assert page.status_code == 200
    assert b"Marketing" in page.content and b"Acme" in page.content
    response = admin.post(link, {"workspace": "acme"})
    assert response.status_code == 302
    installation = ChatInstallation.objects.get(workspace=alice.workspace, platform="teams")
    assert installation.state == InstallationState.ACTIVE
    assert installation.external_id == fake_bot.TENANT
    assert installation.channel_id == fake_bot.TEAM_ID
    assert installation.service_url == fake_bot.SERVICE_URL
    assert installation.channel_reference["team_id"] == fake_bot.TEAM_ID
    assert installation.installed_by == alice


@pytest.mark.django_db
def test_only_an_admin_connects_and_only_their_own_workspace(
    bot: fake_bot.FakeBotFramework, alice: Membership, bob: Membership, charlie: Membership
) -> None:
    post(fake_bot.bot_added_to_team())
    link = path_of(open_url(card_of(bot.activities(fake_bot.TEAM_ID)[0])))
    outsider = Client()
    outsider.force_login(charlie.user)
    assert b"Acme" not in outsider.get(link).content  # charlie runs Globex only
    assert outsider.post(link, {"workspace": "acme"}).status_code == 400
    employee = Client()
    employee.force_login(bob.user)
    assert b"not an admin" in employee.get(link).content
    assert employee.post(link, {"workspace": "acme"}).status_code == 400
    assert not ChatInstallation.objects.filter(workspace=alice.workspace).exists()


@pytest.mark.django_db
def test_a_forged_or_damaged_connect_link_is_refused(alice: Membership) -> None:
    admin = Client()
    admin.force_login(alice.user)
    response = admin.get("/chat/teams/connect/eyJ0IjoiZXZpbCJ9:forged:sig/")
    assert response.status_code == 400
    assert b"not valid" in response.content
    assert admin.post("/chat/teams/connect/nope/", {"workspace": "acme"}).status_code == 400
    assert not ChatInstallation.objects.exists()


@pytest.mark.django_db
def test_once_connected_the_channel_is_told_how_members_link(
    bot: fake_bot.FakeBotFramework, alice: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        installation = connected(alice)
    (told,) = bot.activities(fake_bot.TEAM_ID)
    card = card_of(told)
    assert card["body"][0]["text"] == "Groundswell is connected"
    assert "send “link”" in card["body"][1]["text"]
    assert ChatMessage.objects.get(installation=installation).status == MessageStatus.SENT


@pytest.mark.django_db
def test_removed_from_the_team_the_installation_is_revoked(bot: fake_bot.FakeBotFramework, alice: Membership) -> None:
    connected(alice)
    assert post(fake_bot.bot_removed_from_team()).status_code == 200
    installation = ChatInstallation.objects.get(workspace=alice.workspace, platform="teams")
    assert installation.state == InstallationState.REVOKED
    assert bot.activities() == []


# --- linking a member -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_link_in_a_personal_chat_answers_with_the_signed_link_and_linking_works(
    bot: fake_bot.FakeBotFramework, alice: Membership, bob: Membership
) -> None:
    connected(alice)
    assert post(fake_bot.personal_message("link")).status_code == 200
    (answer,) = bot.activities(fake_bot.BOB_CHAT)
    link = path_of(open_url(card_of(answer)))
    assert link.startswith("/w/acme/chat/link/")
    member = Client()
    member.force_login(bob.user)
    assert member.post(link).status_code == 302
    identity = ChatIdentity.objects.get(member=bob, platform="teams")
    assert (identity.external_team_id, identity.external_user_id) == (fake_bot.TENANT, fake_bot.BOB_TEAMS_ID)
    assert identity.conversation_id == fake_bot.BOB_CHAT


@pytest.mark.django_db
def test_link_said_in_a_channel_is_answered_privately(bot: fake_bot.FakeBotFramework, alice: Membership) -> None:
    connected(alice)
    activity = fake_bot.personal_message("<at>Groundswell</at> link")
    activity["conversation"] = {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": fake_bot.TENANT,
        "id": fake_bot.TEAM_ID,
    }
    assert post(activity).status_code == 200
    assert bot.activities(fake_bot.TEAM_ID) == []  # nothing in the channel
    (conversation,) = opened(bot)
    assert conversation.body["members"] == [{"id": fake_bot.BOB_TEAMS_ID}]
    (answer,) = [a for a in bot.activities() if a]
    assert "/chat/link/" in open_url(card_of(answer))


@pytest.mark.django_db
def test_without_a_connected_workspace_the_bot_says_so(bot: fake_bot.FakeBotFramework) -> None:
    assert post(fake_bot.personal_message("link")).status_code == 200
    (answer,) = bot.activities(fake_bot.BOB_CHAT)
    assert "No Groundswell workspace is connected" in json.dumps(card_of(answer))


# --- the platform ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_core_delivers_to_the_channel_and_opens_a_personal_chat_once(
    bot: fake_bot.FakeBotFramework, alice: Membership, bob: Membership
) -> None:
    installation = connected(alice)
    identity = linked(bob, conversation="")
    message = OutgoingMessage(title="Hello", text="From the core", fallback="Hello")
    assert get_platform("teams").key == "teams"
    row = dispatch.deliver(installation, Target.channel(installation), "test:1", message)
    assert row is not None and row.status == MessageStatus.SENT and row.external_id.startswith("1:")
    assert card_of(bot.activities(fake_bot.TEAM_ID)[0])["body"][0]["text"] == "Hello"

    dispatch.deliver(installation, Target.member(identity), "test:1", message)
    dispatch.deliver(installation, Target.member(ChatIdentity.objects.get(pk=identity.pk)), "test:2", message)
    assert len(opened(bot)) == 1  # opened once, then remembered
    identity.refresh_from_db()
    assert identity.conversation_id.startswith("a:new-personal-chat-")
    assert len(bot.activities(identity.conversation_id)) == 2


@pytest.mark.django_db
def test_a_refused_bot_marks_the_installation_for_attention(bot: fake_bot.FakeBotFramework, alice: Membership) -> None:
    import httpx

    installation = connected(alice)
    bot.fail(
        "POST",
        "/activities",
        httpx.Response(403, json={"error": {"code": "BotDisabledByAdmin", "message": "The bot is disabled"}}),
    )
    row = dispatch.deliver(installation, Target.channel(installation), "test:1", OutgoingMessage("T", "x", "T"))
    assert row is not None and row.status == MessageStatus.FAILED
    installation.refresh_from_db()
    assert installation.state == InstallationState.FAILING
    assert "TEAMS_APP_ID" in installation.last_error


# --- the whole path: a new item, a click, a scheduled post ------------------------------------------------


@pytest.mark.django_db
def test_new_item_reaches_the_channel_and_schedule_for_me_schedules_the_post(
    bot: fake_bot.FakeBotFramework,
    alice: Membership,
    bob: Membership,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    connected(alice)
    linked(bob)
    ConnectedAccount.objects.create(
        workspace=bob.workspace, member=bob, network="linkedin", handle="bob", status=AccountStatus.ACTIVE
    )
    draft = Item.objects.create(
        workspace=alice.workspace,
        kind=ItemKind.URL,
        state=ItemState.DRAFT,
        url="https://example.com/spring-report",
        title="Our spring report",
        description="Three things we learnt",
        created_by=alice,
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(member=alice, item=draft)

    (in_channel,) = bot.activities(fake_bot.TEAM_ID)
    channel_card = card_of(in_channel)
    assert "Our spring report" in channel_card["body"][0]["text"]
    (to_bob,) = bot.activities(fake_bot.BOB_CHAT)
    bob_card = card_of(to_bob)
    schedule = [a for a in all_actions(bob_card) if a["type"] == "Action.Submit" and a["data"]["action"] == "schedule"]
    assert [a["data"]["value"] for a in schedule] == [f"{draft.pk}:linkedin"]
    shares = [a for a in all_actions(bob_card) if a["type"] == "Action.OpenUrl" and "/chat/go/" in a["url"]]
    assert shares, "personal share links"
    delivery = ChatMessage.objects.get(key=f"item:{draft.pk}", target=f"member:{bob.pk}")

    # Bob clicks "Schedule for me on LinkedIn": Teams sends the button's data as the message's value.
    click = fake_bot.submit(schedule[0]["data"], reply_to=delivery.external_id)
    assert post(click).status_code == 200
    scheduled = OutboundPost.objects.get(account__member=bob)
    assert Share.objects.filter(item=draft, member=bob, outbound=scheduled).exists()
    (update,) = bot.calls("PUT")
    assert update.url.endswith("/activities/" + delivery.external_id.replace(":", "%3A"))
    updated = card_of(update.body)
    assert not [a for a in all_actions(updated) if a["type"] == "Action.Submit"]  # the used button is gone
    assert [a for a in all_actions(updated) if "/chat/go/" in a.get("url", "")]  # the share links stay
    assert re.search(r"[Ss]cheduled|spread|\d", updated["body"][-1]["text"])

    # The same click delivered twice (Teams retries) does nothing more.
    assert post(click).status_code == 403
    assert OutboundPost.objects.filter(account__member=bob).count() == 1


@pytest.mark.django_db
def test_a_click_on_a_channel_card_is_answered_in_the_personal_chat(
    bot: fake_bot.FakeBotFramework,
    alice: Membership,
    bob: Membership,
    item: Item,
) -> None:
    connected(alice)
    linked(bob)
    click = fake_bot.submit({"action": "share_buttons", "value": str(item.pk)}, reply_to="1:777", channel=True)
    assert post(click).status_code == 200
    assert bot.calls("PUT") == []
    assert bot.activities(fake_bot.TEAM_ID) == []
    (personal,) = bot.activities()
    assert any("/chat/go/" in a.get("url", "") for a in all_actions(card_of(personal)))


@pytest.mark.django_db
def test_an_unlinked_clicker_gets_the_link_card(bot: fake_bot.FakeBotFramework, alice: Membership, item: Item) -> None:
    connected(alice)
    click = fake_bot.submit({"action": "schedule", "value": f"{item.pk}:linkedin"}, reply_to="1:777")
    assert post(click).status_code == 200
    (answer,) = bot.activities(fake_bot.BOB_CHAT)
    assert "/chat/link/" in open_url(card_of(answer))
    assert not OutboundPost.objects.exists()


@pytest.mark.django_db
def test_a_universal_action_is_answered_with_the_card(
    bot: fake_bot.FakeBotFramework, alice: Membership, bob: Membership, item: Item
) -> None:
    connected(alice)
    linked(bob)
    invoke = fake_bot.personal_message("", activity_id="inv-1")
    invoke.update(
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "share_buttons", "data": {"value": str(item.pk)}}},
    )
    response = post(invoke)
    assert response.status_code == 200
    body = response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert any("/chat/go/" in a.get("url", "") for a in all_actions(body["value"]))


@pytest.mark.django_db
def test_a_case_routed_to_a_member_is_acknowledged_from_teams(
    bot: fake_bot.FakeBotFramework,
    alice: Membership,
    bob: Membership,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from django.utils import timezone

    from groundswell.care import actions as care_actions
    from groundswell.care.tests.conftest import make_post, volunteer
    from groundswell.listening.models import Source, SourceKind, Topic, TopicKind

    connected(alice)
    linked(bob)
    source = Source.objects.create(workspace=bob.workspace, kind=SourceKind.MASTODON, name="Mastodon search")
    brand = Topic.objects.create(workspace=bob.workspace, name="Northwind", kind=TopicKind.BRAND, query="northwind")
    volunteer(bob)
    make_post(source, [brand], text="Anyone tried Northwind tents?", external_id="root-1")
    _, mentions = make_post(source, [brand], text="Is the Northwind tent waterproof?", in_reply_to="root-1")
    with django_capture_on_commit_callbacks(execute=True):
        [case] = care_actions.open_cases_for(mentions, now=timezone.now())
    assert case.assignee_id == bob.pk
    (told,) = bot.activities(fake_bot.BOB_CHAT)
    ack = [a for a in all_actions(card_of(told)) if a["type"] == "Action.Submit"]
    assert [a["data"] for a in ack] == [{"action": "ack_case", "value": str(case.pk)}]
    delivery = ChatMessage.objects.get(key=f"case:{case.pk}", target=f"member:{bob.pk}")

    assert post(fake_bot.submit(ack[0]["data"], reply_to=delivery.external_id)).status_code == 200
    delivery.refresh_from_db()
    assert delivery.acted_at is not None
    (update,) = bot.calls("PUT")
    updated = card_of(update.body)
    assert "it is yours" in updated["body"][-1]["text"]
    assert not [a for a in all_actions(updated) if a["type"] == "Action.Submit"]


@pytest.mark.django_db
def test_an_installation_update_removing_the_app_revokes_too(bot: fake_bot.FakeBotFramework, alice: Membership) -> None:
    connected(alice)
    activity = fake_bot.bot_added_to_team(activity_id="f:install-remove")
    del activity["membersAdded"]
    activity.update(type="installationUpdate", action="remove")
    assert post(activity).status_code == 200
    assert ChatInstallation.objects.get(workspace=alice.workspace).state == InstallationState.REVOKED


@pytest.mark.django_db
def test_added_to_another_team_of_the_tenant_does_not_touch_the_connected_one(
    bot: fake_bot.FakeBotFramework, alice: Membership
) -> None:
    connected(alice)
    other = fake_bot.bot_removed_from_team(activity_id="f:other-team")
    other["channelData"]["team"]["id"] = "19:another-team@thread.skype"
    assert post(other).status_code == 200
    assert ChatInstallation.objects.get(workspace=alice.workspace).state == InstallationState.ACTIVE


@pytest.mark.django_db
def test_help_explains_and_malformed_activities_do_no_harm(bot: fake_bot.FakeBotFramework) -> None:
    assert post(fake_bot.personal_message("help")).status_code == 200
    (answer,) = bot.activities(fake_bot.BOB_CHAT)
    assert "link" in json.dumps(card_of(answer))
    weird = fake_bot.bot_added_to_team(activity_id="f:weird")
    weird["membersAdded"] = "28:not-a-list"
    weird["channelData"] = ["not", "a", "dict"]
    assert post(weird).status_code == 200
    unknown = fake_bot.personal_message("", activity_id="typing-1")
    unknown["type"] = "typing"
    assert post(unknown).status_code == 200
    assert len(bot.activities()) == 1


@pytest.mark.django_db
def test_the_chat_page_shows_the_teams_section_to_admins(
    bot: fake_bot.FakeBotFramework, alice: Membership, bob: Membership
) -> None:
    admin = Client()
    admin.force_login(alice.user)
    page = admin.get("/w/acme/chat/").content.decode()
    assert 'id="teams"' in page and "Not connected" in page and "/w/acme/chat/teams/" in page
    connected(alice)
    page = admin.get("/w/acme/chat/teams/").content.decode()
    assert "Marketing" in page and "Connected" in page and "/w/acme/chat/teams/app.zip" in page
    member = Client()
    member.force_login(bob.user)
    assert 'id="teams"' not in member.get("/w/acme/chat/").content.decode()


@pytest.mark.django_db
def test_an_admin_disconnects_teams(
    bot: fake_bot.FakeBotFramework, alice: Membership, bob: Membership, charlie: Membership
) -> None:
    connected(alice)
    linked(bob)
    url = "/w/acme/chat/teams/disconnect/"
    for outsider in (bob, charlie):
        other = Client()
        other.force_login(outsider.user)
        assert other.post(url).status_code == 404
    admin = Client()
    admin.force_login(alice.user)
    assert admin.get(url).status_code == 405
    assert ChatInstallation.objects.filter(platform="teams").exists()
    response = admin.post(url)
    assert response.status_code == 302
    assert not ChatInstallation.objects.filter(platform="teams").exists()
    assert not ChatIdentity.objects.filter(platform="teams").exists()
    assert "disconnected" in admin.get(response["Location"]).content.decode()
