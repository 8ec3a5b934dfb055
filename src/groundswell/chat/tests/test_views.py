"""The chat page, linking, and the admin's Slack connection (OAuth, channel, disconnect, manifest)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.chat.models import ChatIdentity, ChatInstallation, InstallationState, Platform
from groundswell.chat.tests.conftest import link
from groundswell.chat.tests.fake import BOT_TOKEN, TEAM, FakeSlack
from groundswell.chat.tokens import make_link_token
from groundswell.conftest import client_for
from groundswell.workspaces.models import Membership


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"chat:{name}", kwargs={"ws": "acme", **kwargs})


def link_path(user_id: str = "U0BOB", name: str = "bob.slack") -> str:
    return url("link") + "?" + urlencode({"token": make_link_token("slack", TEAM, user_id, name, "D0BOB")})


# --- the member's page ---------------------------------------------------------------------------------


def test_a_member_without_links_is_told_how_to_link(bob_client: Client, installation: ChatInstallation) -> None:
    page = bob_client.get(url("settings")).content.decode()
    assert "/groundswell link" in page
    assert "Add to Slack" not in page and "Slack app manifest" not in page  # admins only


def test_without_any_installation_the_member_is_told_to_ask_an_admin(bob_client: Client, bob: Membership) -> None:
    assert "Ask a program admin" in bob_client.get(url("settings")).content.decode()


def test_linking_asks_then_links(bob_client: Client, bob: Membership, installation: ChatInstallation) -> None:
    page = bob_client.get(link_path())
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        "Link Slack user <strong>bob.slack</strong>" in text
        and "Acme Slack" in text
        and "<strong>Acme</strong>" in text
    )
    assert not ChatIdentity.objects.exists()  # a GET links nothing
    done = bob_client.post(link_path())
    assert done.status_code == 302 and done["Location"] == url("settings")
    identity = ChatIdentity.objects.get()
    assert (identity.member, identity.external_user_id, identity.conversation_id) == (bob, "U0BOB", "D0BOB")
    assert "bob.slack" in bob_client.get(url("settings")).content.decode()


def test_a_link_is_used_once(
    bob_client: Client, bob: Membership, carol: Membership, installation: ChatInstallation
) -> None:
    """A link forwarded to a colleague after it was used cannot link the same chat user to them."""
    path = link_path()
    assert bob_client.post(path).status_code == 302
    again = client_for(carol).post(path)
    assert again.status_code == 400 and "already used" in again.content.decode()
    assert ChatIdentity.objects.get().member == bob


def test_a_link_needs_sign_in(installation: ChatInstallation) -> None:
    response = Client().get(link_path())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_damaged_link_gets_a_clear_page(bob_client: Client, installation: ChatInstallation) -> None:
    response = bob_client.get(url("link") + "?token=garbage")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert bob_client.post(url("link") + "?token=garbage").status_code == 400
    assert bob_client.get(url("link")).status_code == 400
    assert not ChatIdentity.objects.exists()


def test_a_link_for_a_team_connected_elsewhere_is_not_found(
    charlie_client: Client, installation: ChatInstallation
) -> None:
    token = make_link_token("slack", TEAM, "U0BOB", "bob", "")
    page = reverse("chat:link", kwargs={"ws": "globex"}) + "?" + urlencode({"token": token})
    assert charlie_client.get(page).status_code == 404


def test_a_chat_user_linked_to_a_colleague_cannot_be_taken(
    bob_client: Client, carol: Membership, installation: ChatInstallation
) -> None:
    link(carol, "U0BOB")
    response = bob_client.post(link_path())
    assert response.status_code == 400 and "already linked to someone else" in response.content.decode()
    assert ChatIdentity.objects.get().member == carol


def test_unlink_and_direct_messages(bob_client: Client, bob_slack: ChatIdentity) -> None:
    bob_client.post(url("direct_messages"), {"platform": "slack"})
    bob_slack.refresh_from_db()
    assert bob_slack.direct_messages is False
    bob_client.post(url("direct_messages"), {"platform": "slack", "direct_messages": "on"})
    bob_slack.refresh_from_db()
    assert bob_slack.direct_messages is True
    assert bob_client.post(url("unlink"), {"platform": "irc"}).status_code == 404
    assert bob_client.post(url("unlink"), {"platform": "slack"}).status_code == 302
    assert not ChatIdentity.objects.exists()
    assert bob_client.get(url("unlink")).status_code == 405


# --- outsiders and employees ---------------------------------------------------------------------------


def test_an_outsider_gets_404_everywhere(charlie_client: Client, installation: ChatInstallation) -> None:
    for name in ("settings", "slack_channel", "slack_manifest"):
        assert charlie_client.get(url(name)).status_code == 404, name
    assert charlie_client.get(link_path()).status_code == 404
    assert charlie_client.post(link_path()).status_code == 404
    for name in ("slack_install", "slack_disconnect", "unlink", "direct_messages", "slack_channel"):
        assert charlie_client.post(url(name), {"platform": "slack"}).status_code == 404, name
    assert ChatInstallation.objects.get().state == InstallationState.ACTIVE


def test_employees_cannot_use_the_admin_pages(
    bob_client: Client, installation: ChatInstallation, slack: FakeSlack
) -> None:
    assert bob_client.get(url("slack_channel")).status_code == 404
    assert bob_client.post(url("slack_disconnect")).status_code == 404
    assert bob_client.post(url("slack_install")).status_code == 404
    assert bob_client.get(url("slack_manifest")).status_code == 404
    assert slack.calls == [] and ChatInstallation.objects.exists()


# --- the admin: install ---------------------------------------------------------------------------------


def test_add_to_slack_goes_through_oauth_with_a_state_bound_to_the_session(
    alice_client: Client, alice: Membership, slack: FakeSlack
) -> None:
    start = alice_client.post(url("slack_install"))
    assert start.status_code == 302
    target = urlparse(start["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://slack.com/oauth/v2/authorize"
    query = parse_qs(target.query)
    assert query["client_id"] == ["1111.2222"]
    assert set(query["scope"][0].split(",")) >= {"chat:write", "commands", "im:write", "channels:read"}
    assert query["redirect_uri"] == ["http://testserver/chat/slack/oauth/"]
    state = query["state"][0]

    # Another browser (session) cannot finish it.
    assert Client().get("/chat/slack/oauth/", {"code": "c", "state": state}).status_code == 302  # sign in first
    other = Client()
    other.force_login(alice.user)
    assert other.get("/chat/slack/oauth/", {"code": "c", "state": state}).status_code == 400
    assert alice_client.get("/chat/slack/oauth/", {"code": "c", "state": "wrong"}).status_code == 400
    assert slack.calls == []

    alice_client.post(url("slack_install"))  # the wrong state above used up the pending install
    state = parse_qs(urlparse(alice_client.post(url("slack_install"))["Location"]).query)["state"][0]
    done = alice_client.get("/chat/slack/oauth/", {"code": "the-code", "state": state})
    assert done.status_code == 302 and done["Location"] == url("slack_channel")
    [exchange] = slack.of("oauth.v2.access")
    assert exchange.body["code"] == "the-code" and exchange.body["client_secret"] == "client-secret"
    installation = ChatInstallation.objects.get()
    assert (installation.external_id, installation.name, installation.installed_by) == (TEAM, "Acme Slack", alice)
    assert installation.bot_token == BOT_TOKEN
    stored = ChatInstallation.objects.filter(pk=installation.pk).values_list("bot_token", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT bot_token FROM chat_chatinstallation")
        (raw,) = cursor.fetchone()
    assert BOT_TOKEN not in raw and list(stored) == [BOT_TOKEN]  # encrypted at rest
    # The state is single use.
    assert alice_client.get("/chat/slack/oauth/", {"code": "again", "state": state}).status_code == 400


def test_a_cancelled_install_says_so(alice_client: Client, slack: FakeSlack) -> None:
    state = parse_qs(urlparse(alice_client.post(url("slack_install"))["Location"]).query)["state"][0]
    response = alice_client.get("/chat/slack/oauth/", {"error": "access_denied", "state": state}, follow=True)
    assert "cancelled in Slack" in response.content.decode()
    assert slack.calls == [] and not ChatInstallation.objects.exists()


def test_a_failed_exchange_is_shown_not_a_500(alice_client: Client, slack: FakeSlack) -> None:
    slack.queue("oauth.v2.access", {"ok": False, "error": "invalid_code"})
    state = parse_qs(urlparse(alice_client.post(url("slack_install"))["Location"]).query)["state"][0]
    response = alice_client.get("/chat/slack/oauth/", {"code": "old", "state": state}, follow=True)
    assert response.status_code == 200 and "invalid_code" in response.content.decode()
    assert not ChatInstallation.objects.exists()


def test_a_slack_team_connected_to_another_workspace_is_refused(
    alice_client: Client, charlie: Membership, slack: FakeSlack
) -> None:
    ChatInstallation.objects.create(workspace=charlie.workspace, platform=Platform.SLACK, external_id=TEAM)
    state = parse_qs(urlparse(alice_client.post(url("slack_install"))["Location"]).query)["state"][0]
    response = alice_client.get("/chat/slack/oauth/", {"code": "c", "state": state}, follow=True)
    assert "already connected to another Groundswell workspace" in response.content.decode()
    assert ChatInstallation.objects.count() == 1


def test_without_slack_settings_the_page_shows_the_setup_steps(alice_client: Client, settings: Any) -> None:
    settings.SLACK_CLIENT_ID = ""
    page = alice_client.get(url("settings")).content.decode()
    assert "SLACK_SIGNING_SECRET" in page and "Add to Slack" not in page
    assert alice_client.post(url("slack_install")).status_code == 302  # back to the page, with a message


def test_the_manifest_has_this_servers_addresses(alice_client: Client) -> None:
    manifest = json.loads(alice_client.get(url("slack_manifest")).content)
    assert manifest["settings"]["event_subscriptions"]["request_url"] == "http://testserver/chat/slack/events/"
    assert manifest["settings"]["interactivity"]["request_url"] == "http://testserver/chat/slack/interactivity/"
    assert manifest["features"]["slash_commands"][0]["url"] == "http://testserver/chat/slack/commands/"
    assert manifest["oauth_config"]["redirect_urls"] == ["http://testserver/chat/slack/oauth/"]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_uninstalled", "tokens_revoked"}  # fmt: skip
    assert "http://testserver/chat/slack/events/" in alice_client.get(url("settings")).content.decode()


# --- the admin: channel, status, disconnect -------------------------------------------------------------


def test_the_admin_picks_the_channel_from_slacks_list(
    alice_client: Client, installation: ChatInstallation, slack: FakeSlack
) -> None:
    page = alice_client.get(url("slack_channel"))
    assert page.status_code == 200 and "#news" in page.content.decode() and "advocates" in page.content.decode()
    [listing] = slack.of("conversations.list")
    assert listing.body["types"] == "public_channel,private_channel"
    response = alice_client.post(url("slack_channel"), {"channel": "G0ADV", "announce_items": "on"})
    assert response.status_code == 302
    installation.refresh_from_db()
    assert (installation.channel_id, installation.channel_name) == ("G0ADV", "advocates")
    assert (installation.announce_items, installation.send_digest, installation.send_tips) == (True, False, False)


def test_a_channel_not_in_the_list_is_refused(
    alice_client: Client, installation: ChatInstallation, slack: FakeSlack
) -> None:
    response = alice_client.post(url("slack_channel"), {"channel": "C0FORGED"})
    assert response.status_code == 400
    installation.refresh_from_db()
    assert installation.channel_id == "C0NEWS"


def test_when_slack_cannot_list_channels_the_page_says_why(
    alice_client: Client, installation: ChatInstallation, slack: FakeSlack
) -> None:
    slack.queue("conversations.list", {"ok": False, "error": "missing_scope"})
    page = alice_client.get(url("slack_channel"))
    assert page.status_code == 200 and "missing_scope" in page.content.decode()


def test_the_status_shows_a_failing_installation_and_what_to_do(
    alice_client: Client, installation: ChatInstallation
) -> None:
    ChatInstallation.objects.filter(pk=installation.pk).update(
        state=InstallationState.FAILING,
        last_error="Slack refused Groundswell's token (invalid_auth). Reinstall the Slack app.",
    )
    page = alice_client.get(url("settings")).content.decode()
    assert "Needs attention" in page and "Reinstall the Slack app" in page


def test_disconnect_revokes_the_token_then_forgets_everything(
    alice_client: Client, installation: ChatInstallation, bob_slack: ChatIdentity, slack: FakeSlack
) -> None:
    assert alice_client.post(url("slack_disconnect")).status_code == 302
    [revoke] = slack.of("auth.revoke")
    assert revoke.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert not ChatInstallation.objects.exists() and not ChatIdentity.objects.exists()


def test_disconnect_still_forgets_when_slack_already_revoked(
    alice_client: Client, installation: ChatInstallation, slack: FakeSlack
) -> None:
    slack.queue("auth.revoke", {"ok": False, "error": "invalid_auth"})
    response = alice_client.post(url("slack_disconnect"), follow=True)
    assert "already have been revoked" in response.content.decode()
    assert not ChatInstallation.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete"])
def test_wrong_methods_are_405(alice_client: Client, installation: ChatInstallation, method: str) -> None:
    assert getattr(alice_client, method)(url("settings")).status_code == 405
