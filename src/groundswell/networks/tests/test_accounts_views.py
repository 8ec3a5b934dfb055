"""The connect, callback, accounts and disconnect pages, with fake plug-ins."""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.conftest import client_for, make_member
from groundswell.networks import accounts, oauth
from groundswell.networks.base import TokenSet, TransientError
from groundswell.networks.models import AccountStatus, ConnectedAccount
from groundswell.workspaces.models import Membership

from .test_accounts_fakes import Calls, encryption_key_fixture, fake_networks_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("fake_networks")


def url(name: str, ws: str = "acme", **query: str) -> str:
    # The OAuth callback is one address for every workspace (see oauth.redirect_uri).
    base = reverse("oauth_callback") if name == "callback" else reverse(f"networks:{name}", kwargs={"ws": ws})
    if query:
        from urllib.parse import urlencode

        base += "?" + urlencode(query)
    return base


def start_oauth(c: Client, network: str = "fakeoauth", **extra: str) -> dict[str, list[str]]:
    resp = c.get(url("start", network=network, **extra))
    assert resp.status_code == 302, resp.content[:500]
    return parse_qs(urlsplit(resp["Location"]).query)


def connected(bob: Membership) -> ConnectedAccount:
    return accounts.connect(
        bob,
        "fakeoauth",
        TokenSet(access_token="acc", refresh_token="ref", remote_id="user-42", handle="@ana", scopes=["post.write"]),
    )


# --- connect page ----------------------------------------------------------------------------------


def test_connect_page_lists_networks_scopes_and_promise(bob_client: Client) -> None:
    resp = bob_client.get(url("connect"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Groundswell never reads your feed" in html
    assert "FakeNet" in html and "FakeSky" in html and "FakeMastodon" in html
    assert "post.write" in html and "Publish the posts you ask Groundswell to make." in html
    assert 'href="/static/groundswell/networks.css"' in html
    assert "<style" not in html and "<script>" not in html


def test_unconfigured_network_is_not_enabled(bob_client: Client, settings: object, fake_networks: Calls) -> None:
    settings.LINKEDIN_CLIENT_ID = ""  # type: ignore[attr-defined]
    html = bob_client.get(url("connect")).content.decode()
    assert "FakeLinkedIn" in html and "Not enabled by your administrator" in html
    resp = bob_client.get(url("start", network="linkedin"))
    assert resp.status_code == 400 and "not enabled by your administrator" in resp.content.decode()
    assert fake_networks.authorize == []
    settings.LINKEDIN_CLIENT_ID = "id"  # type: ignore[attr-defined]
    settings.LINKEDIN_CLIENT_SECRET = "secret"  # type: ignore[attr-defined]
    assert bob_client.get(url("start", network="linkedin")).status_code == 302


def test_unknown_network_is_a_clear_error(bob_client: Client) -> None:
    resp = bob_client.get(url("start", network="myspace"))
    assert resp.status_code == 400 and "cannot be connected" in resp.content.decode()
    # An app-password network cannot be started as OAuth (and vice versa).
    assert bob_client.get(url("start", network="fakesky")).status_code == 400
    assert bob_client.get(url("connect_password", network="fakeoauth")).status_code == 400


# --- OAuth 2 flow ----------------------------------------------------------------------------------


def test_full_oauth_flow(bob_client: Client, bob: Membership, fake_networks: Calls) -> None:
    query = start_oauth(bob_client)
    state = query["state"][0]
    challenge = query["code_challenge"][0]
    assert query["code_challenge_method"] == ["S256"] and len(state) >= 32
    redirect_uri = "http://testserver" + url("callback")
    assert query["redirect_uri"] == [redirect_uri]

    resp = bob_client.get(url("callback", state=state, code="the-code"))
    assert resp.status_code == 302 and resp["Location"] == url("accounts")
    exchange = fake_networks.exchange[0]
    assert exchange["code"] == "the-code" and exchange["redirect_uri"] == redirect_uri
    digest = hashlib.sha256(exchange["verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge
    account = ConnectedAccount.objects.get(member=bob)
    assert (account.network, account.handle, account.scopes) == ("fakeoauth", "@ana", ["post.write", "post.read"])
    assert account.access_token == "access-the-code"

    page = bob_client.get(url("accounts")).content.decode()
    assert "@ana" in page and "post.write" in page and "post.read" in page and "Connected" in page

    # The state is single use: replaying the callback connects nothing more.
    again = bob_client.get(url("callback", state=state, code="the-code"))
    assert again.status_code == 400 and "expired" in again.content.decode()
    assert len(fake_networks.exchange) == 1


def test_callback_with_wrong_state(bob_client: Client, fake_networks: Calls) -> None:
    start_oauth(bob_client)
    resp = bob_client.get(url("callback", state="forged", code="c"))
    assert resp.status_code == 400
    assert "expired or was not started from this browser" in resp.content.decode()
    assert not ConnectedAccount.objects.exists() and fake_networks.exchange == []
    assert bob_client.get(url("callback")).status_code == 400


def test_callback_with_expired_state(bob_client: Client, fake_networks: Calls) -> None:
    state = start_oauth(bob_client)["state"][0]
    session = bob_client.session
    pending = session[oauth.SESSION_KEY]
    pending[state]["expires"] = time.time() - 1
    session[oauth.SESSION_KEY] = pending
    session.save()
    resp = bob_client.get(url("callback", state=state, code="c"))
    assert resp.status_code == 400 and "expired" in resp.content.decode()
    assert not ConnectedAccount.objects.exists() and fake_networks.exchange == []


def test_state_is_bound_to_the_member(bob: Membership, alice: Membership, fake_networks: Calls) -> None:
    """A state started by one member does not work for another (even in a shared browser session)."""
    c = client_for(bob)
    state = start_oauth(c)["state"][0]
    c.force_login(alice.user)  # a new login flushes the session anyway; copy the state across to be sure
    session = c.session
    session[oauth.SESSION_KEY] = {
        state: {"member": bob.pk, "network": "fakeoauth", "instance": "", "verifier": "v", "expires": time.time() + 60}
    }
    session.save()
    resp = c.get(url("callback", state=state, code="c"))
    assert resp.status_code == 400 and not ConnectedAccount.objects.exists()


def test_callback_when_member_refuses(bob_client: Client) -> None:
    state = start_oauth(bob_client)["state"][0]
    resp = bob_client.get(url("callback", state=state, error="access_denied"))
    assert resp.status_code == 400 and "You did not allow Groundswell" in resp.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_network_errors_are_clear_messages(bob_client: Client, fake_networks: Calls) -> None:
    fake_networks.fail["authorize"] = TransientError("FakeNet is not answering; try again in a minute.")
    resp = bob_client.get(url("start", network="fakeoauth"))
    assert resp.status_code == 502 and "FakeNet is not answering" in resp.content.decode()

    state = start_oauth(bob_client)["state"][0]
    fake_networks.fail["exchange"] = TransientError("Timed out talking to FakeNet.")
    resp = bob_client.get(url("callback", state=state, code="c"))
    assert resp.status_code == 400 and "Timed out talking to FakeNet." in resp.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_callback_never_redirects_elsewhere(bob_client: Client) -> None:
    state = start_oauth(bob_client)["state"][0]
    resp = bob_client.get(url("callback", state=state, code="c", next="https://evil.example/"))
    assert resp.status_code == 302 and resp["Location"] == url("accounts")


# --- Mastodon: instance first ---------------------------------------------------------------------


def test_mastodon_asks_for_the_instance(bob_client: Client, bob: Membership, fake_networks: Calls) -> None:
    assert bob_client.get(url("start", network="mastodon"))["Location"].startswith(url("connect_instance"))
    assert bob_client.get(url("connect_instance", network="mastodon")).status_code == 200
    bad = bob_client.post(url("connect_instance"), {"network": "mastodon", "instance": "not a server"})
    assert bad.status_code == 400 and "is not a server name" in bad.content.decode()
    assert fake_networks.authorize == []

    resp = bob_client.post(url("connect_instance"), {"network": "mastodon", "instance": "https://Social.Example/"})
    assert resp.status_code == 200
    link = resp.context["url"]
    assert (
        link.startswith("https://social.example/oauth/authorize?")
        and f'href="{link}"'.replace("&", "&amp;") in resp.content.decode()
    )
    state = parse_qs(urlsplit(link).query)["state"][0]
    assert bob_client.get(url("callback", state=state, code="m")).status_code == 302
    assert fake_networks.exchange[-1]["instance"] == "social.example"
    account = ConnectedAccount.objects.get(member=bob, network="mastodon")
    assert account.service_url == "social.example"


# --- App password (Bluesky) -----------------------------------------------------------------------


def test_app_password_flow(bob_client: Client, bob: Membership, fake_networks: Calls, settings: object) -> None:
    page = bob_client.get(url("connect_password", network="fakesky"))
    assert page.status_code == 200 and "app password" in page.content.decode().lower()
    assert 'href="https://bsky.app/settings/app-passwords"' in page.content.decode()

    main = bob_client.post(
        url("connect_password"), {"network": "fakesky", "identifier": "@ana.bsky.social", "password": "main-password"}
    )
    assert main.status_code == 400 and "does not look like an app password" in main.content.decode()
    assert "main-password" not in main.content.decode() and fake_networks.login == []  # never sent anywhere

    wrong = bob_client.post(
        url("connect_password"),
        {"network": "fakesky", "identifier": "@ana.bsky.social", "password": "aaaa-bbbb-cccc-dddd"},
    )
    assert wrong.status_code == 400 and "Invalid identifier or password." in wrong.content.decode()
    assert "aaaa-bbbb-cccc-dddd" not in wrong.content.decode()
    assert not ConnectedAccount.objects.exists()

    ok = bob_client.post(
        url("connect_password"),
        {"network": "fakesky", "identifier": "@ana.bsky.social", "password": "abcd-efgh-ijkl-mnop"},
    )
    assert ok.status_code == 302 and ok["Location"] == url("accounts")
    assert fake_networks.login[-1] == {
        "identifier": "ana.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
        "service_url": settings.BLUESKY_SERVICE_URL,  # type: ignore[attr-defined]
    }
    account = ConnectedAccount.objects.get(member=bob)
    assert (account.network, account.handle, account.remote_id) == ("fakesky", "ana.bsky.social", "did:plc:ana")


def test_app_password_custom_pds(bob_client: Client, fake_networks: Calls) -> None:
    bad = bob_client.post(
        url("connect_password"),
        {
            "network": "fakesky",
            "identifier": "ana",
            "password": "abcd-efgh-ijkl-mnop",
            "service_url": "ftp://pds.example",
        },
    )
    assert bad.status_code == 400 and "https://" in bad.content.decode() and fake_networks.login == []
    ok = bob_client.post(
        url("connect_password"),
        {
            "network": "fakesky",
            "identifier": "ana",
            "password": "abcd-efgh-ijkl-mnop",
            "service_url": "https://pds.example/",
        },
    )
    assert ok.status_code == 302 and fake_networks.login[-1]["service_url"] == "https://pds.example"


def test_app_password_network_error(bob_client: Client, fake_networks: Calls) -> None:
    fake_networks.fail["login"] = TransientError("FakeSky is not answering.")
    resp = bob_client.post(
        url("connect_password"), {"network": "fakesky", "identifier": "ana", "password": "abcd-efgh-ijkl-mnop"}
    )
    assert resp.status_code == 400 and "FakeSky is not answering." in resp.content.decode()


# --- Reconnect --------------------------------------------------------------------------------------


def test_reconnect_state_is_shown_and_fixed_by_reconnecting(bob_client: Client, bob: Membership) -> None:
    account = connected(bob)
    accounts.mark_reconnect(account, "FakeNet revoked the token.")
    page = bob_client.get(url("accounts"))
    html = page.content.decode()
    assert "needs reconnecting" in html and "FakeNet revoked the token." in html
    reconnect = url("start", network="fakeoauth")
    assert f'href="{reconnect}"' in html

    resp = bob_client.get(reconnect)
    state = parse_qs(urlsplit(resp["Location"]).query)["state"][0]
    bob_client.get(url("callback", state=state, code="new"))
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and account.access_token == "access-new"
    assert "needs reconnecting" not in bob_client.get(url("accounts")).content.decode()


def test_reconnect_link_of_app_password_and_mastodon_accounts(bob_client: Client, bob: Membership) -> None:
    sky = accounts.connect(
        bob,
        "fakesky",
        TokenSet(access_token="a", remote_id="did:plc:x", handle="ana.bsky.social", service_url="https://bsky.social"),
    )
    masto = accounts.connect(
        bob, "mastodon", TokenSet(access_token="a", remote_id="1", handle="@ana", service_url="social.example")
    )
    accounts.mark_reconnect(sky, "expired")
    accounts.mark_reconnect(masto, "expired")
    html = bob_client.get(url("accounts")).content.decode()
    assert (
        url(
            "connect_password", network="fakesky", identifier="ana.bsky.social", service_url="https://bsky.social"
        ).replace("&", "&amp;")
        in html
    )
    # Mastodon: the server's form, filled in (no refusal page when the server has moved; bench/ui found one)
    link = url("connect_instance", network="mastodon", instance="social.example")
    assert link.replace("&", "&amp;") in html
    page = bob_client.get(link)
    assert page.status_code == 200 and 'value="social.example"' in page.content.decode()


def test_no_reconnect_link_to_a_network_this_server_cannot_connect(
    bob_client: Client, bob: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = connected(bob)
    accounts.mark_reconnect(account, "FakeNet revoked the token.")
    monkeypatch.setattr(oauth, "is_configured", lambda key: False)  # its OAuth app's settings were removed
    html = bob_client.get(url("accounts")).content.decode()
    assert "needs reconnecting" in html and "cannot be connected on this server now" in html
    assert url("start", network="fakeoauth") not in html  # a link that would only say "not enabled"


# --- Disconnect -------------------------------------------------------------------------------------


def test_disconnect_confirms_then_revokes_and_deletes(
    bob_client: Client, bob: Membership, fake_networks: Calls
) -> None:
    account = connected(bob)
    confirm = bob_client.get(url("disconnect", account=str(account.pk)))
    assert confirm.status_code == 200 and "asks FakeNet to revoke" in confirm.content.decode()
    assert ConnectedAccount.objects.filter(pk=account.pk).exists()  # GET changes nothing

    resp = bob_client.post(url("disconnect"), {"account": account.pk}, follow=True)
    assert resp.redirect_chain[-1][0] == url("accounts")
    assert [t.access_token for t in fake_networks.revoke] == ["acc"]
    assert not ConnectedAccount.objects.exists()
    assert "Disconnected @ana" in resp.content.decode()


def test_disconnect_shows_a_failed_revoke(bob_client: Client, bob: Membership, fake_networks: Calls) -> None:
    account = connected(bob)
    fake_networks.fail["revoke"] = TransientError("FakeNet timed out.")
    resp = bob_client.post(url("disconnect"), {"account": account.pk}, follow=True)
    html = resp.content.decode()
    assert "could not be told to revoke" in html and "FakeNet timed out." in html
    assert not ConnectedAccount.objects.exists()


def test_another_members_account_is_404(bob: Membership, carol: Membership, charlie: Membership) -> None:
    account = connected(bob)
    for c in (client_for(carol), client_for(charlie)):
        assert c.get(url("disconnect", account=str(account.pk))).status_code == 404
        assert c.post(url("disconnect"), {"account": account.pk}).status_code == 404
    # charlie with Acme's account id in his own workspace
    c = client_for(charlie)
    assert c.get(url("disconnect", ws="globex", account=str(account.pk))).status_code == 404
    assert c.post(url("disconnect", ws="globex"), {"account": account.pk}).status_code == 404
    assert bob.pk and ConnectedAccount.objects.filter(pk=account.pk).exists()
    assert "@ana" not in client_for(carol).get(url("accounts")).content.decode()


def test_bad_account_ids_are_404(bob_client: Client) -> None:
    for value in ("", "abc", "999999"):
        assert bob_client.get(url("disconnect", account=value)).status_code == 404
        assert bob_client.post(url("disconnect"), {"account": value}).status_code == 404


# --- Access ---------------------------------------------------------------------------------------

WORKSPACE_VIEWS = ("accounts", "connect", "start", "connect_instance", "connect_password", "disconnect")
VIEWS = (*WORKSPACE_VIEWS, "callback")


def test_outsider_cannot_complete_someone_elses_connection(
    bob_client: Client, charlie_client: Client, fake_networks: Calls
) -> None:
    """The callback has no workspace in its address: it only completes states from the caller's own session."""
    state = start_oauth(bob_client)["state"][0]
    resp = charlie_client.get(url("callback", state=state, code="stolen"))
    assert resp.status_code == 400 and "acme" not in resp.content.decode().lower()
    assert not ConnectedAccount.objects.exists() and fake_networks.exchange == []


@pytest.mark.parametrize("name", WORKSPACE_VIEWS)
def test_outsider_gets_404_everywhere(name: str, bob: Membership, charlie_client: Client) -> None:
    account = connected(bob)
    query = {"network": "fakeoauth", "account": str(account.pk), "state": "s", "code": "c"}
    assert charlie_client.get(url(name, **query)).status_code == 404
    assert charlie_client.post(url(name), query).status_code == 404
    assert ConnectedAccount.objects.filter(pk=account.pk).exists()


@pytest.mark.parametrize("name", VIEWS)
def test_anonymous_goes_to_login(name: str, db: None) -> None:
    resp = Client().get(url(name))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("account_login"))


def test_deactivated_member_gets_404(bob: Membership) -> None:
    c = client_for(bob)
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    assert c.get(url("accounts")).status_code == 404


def test_nav_links_to_accounts(bob_client: Client) -> None:
    html = bob_client.get(url("accounts")).content.decode()
    assert f'href="{url("accounts")}" aria-current="page"' in html


def test_second_workspace_member_sees_only_own(bob: Membership, other_workspace: object) -> None:
    connected(bob)
    same_user_elsewhere = make_member(other_workspace, "bob2@acme.test")  # type: ignore[arg-type]
    html = client_for(same_user_elsewhere).get(url("accounts", ws="globex")).content.decode()
    assert "@ana" not in html


def test_connect_page_with_the_real_registry(bob_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever plug-ins are installed (or broken), the pages answer and say what is on offer."""
    from groundswell.networks import registry

    monkeypatch.undo()  # drop the fakes: the registry as shipped
    assert registry.PLUGINS and "fake" not in str(registry.PLUGINS)
    resp = bob_client.get(url("connect"))
    assert resp.status_code == 200
    assert bob_client.get(url("accounts")).status_code == 200
    for key in registry.available():
        assert bob_client.get(url("start", network=key)).status_code in (302, 400)
