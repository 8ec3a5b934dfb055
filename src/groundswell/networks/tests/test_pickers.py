"""Picking the Page / organisation a connection posts as: the real LinkedIn and Facebook plug-ins behind the
HTTP choke point (``networks.http``), the callback, the picker page and the stored account."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.conftest import client_for
from groundswell.networks import http, outbox, registry
from groundswell.networks.base import LinkCard, PostRequest
from groundswell.networks.models import ConnectedAccount, EngagementSnapshot
from groundswell.networks.sync import sync_engagement
from groundswell.rewards.models import PointsEntry
from groundswell.stewards.models import BrandAccount
from groundswell.workspaces.models import Membership, Role, Workspace

from .test_accounts_fakes import encryption_key_fixture  # noqa: F401

PLUGINS = Path(__file__).resolve().parents[1]
API = "https://api.linkedin.test"
GRAPH = "https://graph.facebook.test/v21.0"
ORG = "urn:li:organization:2414183"
OTHER_ORG = "urn:li:organization:5515715"
SHARE = "urn:li:share:6844785523593134080"


def fixture(network: str, name: str) -> Any:
    return json.loads((PLUGINS / network / "tests" / "fixtures" / name).read_text())


class FakeNetworks:
    """LinkedIn and the Graph API as far as connecting and posting go; records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.pages = fixture("facebook", "accounts.json")

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host == "www.linkedin.com" and path == "/oauth/v2/accessToken":
            return httpx.Response(200, json=fixture("linkedin", "token.json"))
        if request.url.host == "api.linkedin.test":
            if path == "/v2/userinfo":
                return httpx.Response(200, json=fixture("linkedin", "userinfo.json"))
            if path == "/rest/organizationAcls":
                return httpx.Response(200, json=fixture("linkedin", "organization_acls.json"))
            if path.startswith("/rest/organizations/"):
                return httpx.Response(200, json=fixture("linkedin", f"organization_{path.rsplit('/', 1)[1]}.json"))
            if path == "/rest/posts" and request.method == "POST":
                return httpx.Response(201, headers={"x-restli-id": SHARE})
            if path.startswith("/rest/socialActions/"):
                return httpx.Response(200, json=fixture("linkedin", "social_actions.json"))
        if request.url.host == "graph.facebook.test":
            if path == "/v21.0/oauth/access_token":
                grant = request.url.params.get("grant_type")
                return httpx.Response(200, json=fixture("facebook", "long_token.json" if grant else "short_token.json"))
            if path == "/v21.0/me/accounts":
                return httpx.Response(200, json=self.pages)
        return httpx.Response(404, json={"message": "Not Found"})

    def sent(self, method: str, host: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if (r.method, r.url.host, r.url.path) == (method, host, path)]


@pytest.fixture
def networks(settings: Any) -> Iterator[FakeNetworks]:
    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = "cl1ent", "s3cret"
    settings.LINKEDIN_API_URL = API
    settings.LINKEDIN_READ_POSTS = False
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = "app-1d", "app-s3cret"
    settings.FACEBOOK_GRAPH_URL = GRAPH
    fake = FakeNetworks()
    with http.use_transport(httpx.MockTransport(fake.handler)):
        yield fake


def consent(c: Client, start_url: str, network: str) -> dict[str, list[str]]:
    resp = c.get(start_url + f"?network={network}")
    assert resp.status_code == 302, resp.content[:300]
    return parse_qs(urlsplit(resp["Location"]).query)


def back_from_network(c: Client, state: str) -> str:
    """The network sends the browser back; the answer is the picker's address."""
    resp = c.get(reverse("oauth_callback") + f"?state={state}&code=c0de")
    assert resp.status_code == 302, resp.content[:500]
    assert resp["Location"].startswith(reverse("networks:choose", kwargs={"ws": "acme"}) + "?pick=")
    return str(resp["Location"])


def brand_picker(alice_client: Client) -> str:
    query = consent(alice_client, reverse("stewards:connect_start", kwargs={"ws": "acme"}), "linkedin")
    return back_from_network(alice_client, query["state"][0])


def pick_of(picker_url: str) -> str:
    return parse_qs(urlsplit(picker_url).query)["pick"][0]


CHOOSE = reverse("networks:choose", kwargs={"ws": "acme"})


# --- LinkedIn company pages ------------------------------------------------------------------------


def test_brand_linkedin_asks_for_org_scopes_lists_pages_and_posts_as_the_organisation(
    alice_client: Client, alice: Membership, networks: FakeNetworks
) -> None:
    page = alice_client.get(reverse("stewards:connect", kwargs={"ws": "acme"})).content.decode()
    assert "w_organization_social" in page and "List the LinkedIn Pages you administer" in page

    query = consent(alice_client, reverse("stewards:connect_start", kwargs={"ws": "acme"}), "linkedin")
    scopes = query["scope"][0].split()
    assert {"w_organization_social", "r_organization_social", "rw_organization_admin"} <= set(scopes)
    picker = back_from_network(alice_client, query["state"][0])
    assert not ConnectedAccount.objects.exists()  # nothing connected before the choice

    html = alice_client.get(picker).content.decode()
    assert 'type="radio"' in html and "Acme Field Notes" in html and "Acme Careers" in html
    assert "AQUvlL_DYEzvT2wz1QJiEPeLioeA" not in html  # no token on the page
    session_blob = json.dumps(dict(alice_client.session.items()))
    assert "AQUvlL_DYEzvT2wz1QJiEPeLioeA" not in session_blob  # nor in the session in the clear

    resp = alice_client.post(CHOOSE, {"pick": pick_of(picker), "choice": ORG})
    assert resp.status_code == 302 and resp["Location"] == reverse("stewards:accounts", kwargs={"ws": "acme"})
    account = ConnectedAccount.objects.get()
    assert (account.member, account.remote_id, account.handle) == (None, ORG, "Acme Field Notes")
    assert account.access_token == "AQUvlL_DYEzvT2wz1QJiEPeLioeA"
    assert BrandAccount.objects.get(account=account).connected_by == alice
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM networks_connectedaccount WHERE id = %s", [account.pk])
        assert "AQUvlL" not in cursor.fetchone()[0]  # encrypted at rest

    # The outbox posts it as the organisation.
    post = outbox.schedule_account_post(account, "Hello from the company", "", None)
    outbox.deliver_due(now=timezone.now() + dt.timedelta(hours=1))
    (sent,) = networks.sent("POST", "api.linkedin.test", "/rest/posts")
    assert json.loads(sent.content)["author"] == ORG
    post.refresh_from_db()
    assert post.remote_id == SHARE

    # Its counts are read with the page's own permission, even without r_member_social (LINKEDIN_READ_POSTS
    # off), and kept for the stewards only: no rollups, no points (it is nobody's share).
    report = sync_engagement(now=timezone.now() + dt.timedelta(hours=2))
    assert (report.accounts, report.snapshots, report.points, report.engagements) == (1, 1, 0, 0)
    assert len(networks.sent("GET", "api.linkedin.test", f"/rest/socialActions/{SHARE}")) == 1
    snapshot = EngagementSnapshot.objects.get(post=post)
    assert (snapshot.likes, snapshot.replies) == (12, 4)
    assert not PointsEntry.objects.exists() and not MemberPeriod.objects.exists()

    # The choice is single use.
    again = alice_client.post(CHOOSE, {"pick": pick_of(picker), "choice": OTHER_ORG})
    assert again.status_code == 400 and "expired" in again.content.decode()
    assert ConnectedAccount.objects.count() == 1


def test_a_members_own_linkedin_posts_as_the_person(
    bob_client: Client, bob: Membership, networks: FakeNetworks
) -> None:
    query = consent(bob_client, reverse("networks:start", kwargs={"ws": "acme"}), "linkedin")
    assert not {"w_organization_social", "r_organization_social", "rw_organization_admin"} & set(
        query["scope"][0].split()
    )
    resp = bob_client.get(reverse("oauth_callback") + f"?state={query['state'][0]}&code=c0de")
    assert resp.status_code == 302 and resp["Location"] == reverse("networks:accounts", kwargs={"ws": "acme"})
    account = ConnectedAccount.objects.get(member=bob)
    assert (account.remote_id, account.handle) == ("782bbtaQ", "John Doe")
    assert networks.sent("GET", "api.linkedin.test", "/rest/organizationAcls") == []
    request = PostRequest(text="Mine", link=LinkCard(url="https://gs.example/s/Ab3dE"), idempotency_key="k1")
    registry.get_client("linkedin").publish(account.tokens(), request)
    (sent,) = networks.sent("POST", "api.linkedin.test", "/rest/posts")
    assert json.loads(sent.content)["author"] == "urn:li:person:782bbtaQ"


def test_an_organisation_not_in_the_list_is_refused(alice_client: Client, networks: FakeNetworks) -> None:
    picker = brand_picker(alice_client)
    for bad in ("urn:li:organization:999", "", "782bbtaQ"):
        resp = alice_client.post(CHOOSE, {"pick": pick_of(picker), "choice": bad})
        assert resp.status_code == 400
        html = resp.content.decode()
        assert "Choose one of the accounts listed" in html or "Choose the account Groundswell should post as" in html
    assert not ConnectedAccount.objects.exists()
    # The choice stays open: a listed one still connects.
    assert alice_client.post(CHOOSE, {"pick": pick_of(picker), "choice": OTHER_ORG}).status_code == 302
    assert ConnectedAccount.objects.get().remote_id == OTHER_ORG


def test_a_missing_or_forged_pick_is_a_clear_400(alice_client: Client, networks: FakeNetworks) -> None:
    for query in ("", "?pick=forged"):
        resp = alice_client.get(CHOOSE + query)
        assert resp.status_code == 400 and "expired" in resp.content.decode()
    assert alice_client.post(CHOOSE, {"pick": "forged", "choice": ORG}).status_code == 400


def test_outsider_gets_404_on_the_picker(alice_client: Client, charlie_client: Client, networks: FakeNetworks) -> None:
    picker = brand_picker(alice_client)
    assert charlie_client.get(picker).status_code == 404
    assert charlie_client.post(CHOOSE, {"pick": pick_of(picker), "choice": ORG}).status_code == 404
    assert not ConnectedAccount.objects.exists()


def test_another_member_of_the_workspace_cannot_use_the_pick(
    alice_client: Client, bob_client: Client, networks: FakeNetworks
) -> None:
    picker = brand_picker(alice_client)
    # Bob's session has no such pending connection; it is bound to Alice's.
    assert bob_client.get(picker).status_code == 400
    assert bob_client.post(CHOOSE, {"pick": pick_of(picker), "choice": ORG}).status_code == 400
    assert not ConnectedAccount.objects.exists()


def test_the_pick_is_bound_to_the_workspace_it_was_started_from(
    alice_client: Client, alice: Membership, other_workspace: Workspace, networks: FakeNetworks
) -> None:
    Membership.objects.create(workspace=other_workspace, user=alice.user, role=Role.ADMIN, display_name="Alice")
    picker = brand_picker(alice_client)
    elsewhere = reverse("networks:choose", kwargs={"ws": other_workspace.slug})
    assert alice_client.get(elsewhere + f"?pick={pick_of(picker)}").status_code == 404
    assert alice_client.post(elsewhere, {"pick": pick_of(picker), "choice": ORG}).status_code == 404
    assert not ConnectedAccount.objects.exists()
    assert alice_client.post(CHOOSE, {"pick": pick_of(picker), "choice": ORG}).status_code == 302
    assert ConnectedAccount.objects.get().workspace_id == alice.workspace_id


def test_a_demoted_admin_cannot_finish_a_brand_connection(
    alice_client: Client, alice: Membership, networks: FakeNetworks
) -> None:
    picker = brand_picker(alice_client)
    Membership.objects.filter(pk=alice.pk).update(role=Role.EMPLOYEE)
    assert alice_client.post(CHOOSE, {"pick": pick_of(picker), "choice": ORG}).status_code == 404
    assert not ConnectedAccount.objects.exists()


def test_the_picker_post_needs_the_csrf_token(alice: Membership, networks: FakeNetworks) -> None:
    c = client_for(alice)
    c.handler.enforce_csrf_checks = True  # type: ignore[attr-defined]
    picker = brand_picker(c)
    html = c.get(picker).content.decode()
    assert "csrfmiddlewaretoken" in html
    assert c.post(CHOOSE, {"pick": pick_of(picker), "choice": ORG}).status_code == 403
    assert not ConnectedAccount.objects.exists()


# --- Facebook Pages ------------------------------------------------------------------------------


def test_facebook_lists_the_pages_to_post_to_and_stores_the_chosen_page(
    bob_client: Client, bob: Membership, networks: FakeNetworks
) -> None:
    query = consent(bob_client, reverse("networks:start", kwargs={"ws": "acme"}), "facebook")
    picker = back_from_network(bob_client, query["state"][0])
    html = bob_client.get(picker).content.decode()
    assert "Acme Field Notes" in html and "Acme Careers" in html
    assert "Acme Read-only Page" not in html  # analyst only: cannot post there
    assert "EAAGm0PX4ZCpsBAPageToken" not in html
    resp = bob_client.post(CHOOSE, {"pick": pick_of(picker), "choice": "2222222222"})
    assert resp.status_code == 302 and resp["Location"] == reverse("networks:accounts", kwargs={"ws": "acme"})
    account = ConnectedAccount.objects.get(member=bob)
    assert (account.network, account.remote_id, account.handle) == ("facebook", "2222222222", "Acme Careers")
    assert account.access_token == "EAAGm0PX4ZCpsBAPageTokenCareers"  # the Page's own token
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM networks_connectedaccount WHERE id = %s", [account.pk])
        assert "PageToken" not in cursor.fetchone()[0]


def test_facebook_brand_account_with_one_page_is_still_confirmed(alice_client: Client, networks: FakeNetworks) -> None:
    networks.pages = {"data": [fixture("facebook", "accounts.json")["data"][1]]}
    query = consent(alice_client, reverse("stewards:connect_start", kwargs={"ws": "acme"}), "facebook")
    picker = back_from_network(alice_client, query["state"][0])
    assert not ConnectedAccount.objects.exists()
    html = alice_client.get(picker).content.decode()
    assert "Confirm the Page" in html and "Acme Field Notes" in html and "checked" in html
    resp = alice_client.post(CHOOSE, {"pick": pick_of(picker), "choice": "1234567890"})
    assert resp.status_code == 302 and resp["Location"] == reverse("stewards:accounts", kwargs={"ws": "acme"})
    account = ConnectedAccount.objects.get()
    assert (account.member, account.remote_id) == (None, "1234567890")
    assert BrandAccount.objects.filter(account=account).exists()


def test_facebook_without_a_page_to_post_to_is_a_clear_error(bob_client: Client, networks: FakeNetworks) -> None:
    networks.pages = {"data": [fixture("facebook", "accounts.json")["data"][0]]}  # analyst only
    query = consent(bob_client, reverse("networks:start", kwargs={"ws": "acme"}), "facebook")
    resp = bob_client.get(reverse("oauth_callback") + f"?state={query['state'][0]}&code=c0de")
    assert resp.status_code == 400 and "none was shared with it" in resp.content.decode()
    assert not ConnectedAccount.objects.exists()
