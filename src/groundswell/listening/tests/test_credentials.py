"""Listening credentials end to end: the pages that take them (checked by one sign-in, encrypted, never shown
back), the polls that use them (token kept, refusal and rate limit shared by every source), and the health
view that says what is wrong and what to do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.listening import credentials, pipeline
from groundswell.listening.matching import forget
from groundswell.listening.models import CredentialStatus, ListeningCredential, Post, Source, Topic
from groundswell.listening.tests.fixtures import (
    REDDIT_CLIENT_ID,
    REDDIT_SECRET,
    REDDIT_TOO_MANY,
    FakeReddit,
    reddit_listing,
    reddit_post,
)
from groundswell.listening.tests.test_bluesky_source import APP_PASSWORD, HANDLE, PDS, FakeAppView, FakePds, view
from groundswell.networks import http
from groundswell.networks.management.commands.rotate_encryption_key import encrypted_columns
from groundswell.workspaces.models import Membership, Workspace

NEW = "/r/CampingGear/new"


def url(name: str, **kwargs: object) -> str:
    return reverse(f"listening:{name}", kwargs={"ws": "acme", **kwargs})


@pytest.fixture
def topic(workspace: Workspace) -> Topic:
    forget()
    return Topic.objects.create(workspace=workspace, name="Northwind", kind="brand", query="northwind")


@pytest.fixture
def reddit() -> Iterator[FakeReddit]:
    fake = FakeReddit()
    fake.pages[NEW] = reddit_listing([reddit_post(2, 200, "Northwind tent"), reddit_post(1, 100, "Other")])
    with http.use_transport(httpx.MockTransport(fake)):
        yield fake


def reddit_source(workspace: Workspace, name: str = "r/CampingGear", **extra: Any) -> Source:
    return Source.objects.create(
        workspace=workspace, kind="reddit", name=name, config={"subreddit": "CampingGear", "query": ""}, **extra
    )


def save_reddit_app(alice: Membership, secret: str = REDDIT_SECRET, **extra: str) -> httpx.Response | Any:
    data = {"app_type": "confidential", "client_id": REDDIT_CLIENT_ID, "secret": secret, "contact": "northwind_ops"}
    return client_for(alice).post(url("credential_reddit"), data | extra)


def poll(source: Source) -> pipeline.IngestResult | None:
    return pipeline.poll_source(Source.objects.select_related("workspace").get(pk=source.pk))


def test_a_reddit_source_without_credentials_waits_without_asking_and_says_what_to_do(
    workspace: Workspace, alice: Membership, reddit: FakeReddit
) -> None:
    source = reddit_source(workspace)
    before = timezone.now()
    assert poll(source) is None
    assert reddit.requests == []  # nothing asked: Reddit refuses anonymous reads anyway
    source.refresh_from_db()
    assert source.error_kind == "needs_credentials"
    assert source.next_poll_at >= before + pipeline.PERMANENT_BACKOFF
    page = client_for(alice).get(url("sources")).content.decode()
    assert "Needs credentials" in page
    assert "Reddit answers only signed-in apps" in page
    assert url("credential_reddit") in page
    detail = client_for(alice).get(url("source", source_id=source.pk)).content.decode()
    assert "What to do:" in detail and "No Reddit credentials yet" in detail


def test_saving_the_reddit_app_checks_it_keeps_it_encrypted_and_wakes_the_waiting_sources(
    workspace: Workspace, alice: Membership, reddit: FakeReddit, topic: Topic
) -> None:
    source = reddit_source(workspace)
    poll(source)
    response = save_reddit_app(alice)
    assert response.status_code == 302 and response["Location"] == url("credentials")
    row = ListeningCredential.objects.get(workspace=workspace)
    assert (row.network, row.identifier, row.secret, row.status) == ("reddit", REDDIT_CLIENT_ID, REDDIT_SECRET, "ok")
    assert row.token == "1-appOnlyToken" and row.source is None and row.updated_by == alice
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret, token FROM {ListeningCredential._meta.db_table}")
        raw_secret, raw_token = cursor.fetchone()
    assert REDDIT_SECRET not in raw_secret and raw_secret.startswith("gAAAA")  # Fernet, at rest
    assert "appOnlyToken" not in raw_token
    source.refresh_from_db()
    assert source.next_poll_at <= timezone.now()  # polled again at once, not in 24 hours

    result = poll(source)
    assert result is not None and result.stored == 1
    assert Post.objects.get().text == "Northwind tent"
    assert len(reddit.token_requests) == 1  # the check's token is reused by the poll
    source.refresh_from_db()
    assert source.error_kind == "" and source.failures == 0
    assert "Working" in client_for(alice).get(url("sources")).content.decode()


def test_secrets_are_never_shown_back_and_an_empty_secret_keeps_the_stored_one(
    workspace: Workspace, alice: Membership, reddit: FakeReddit
) -> None:
    save_reddit_app(alice)
    c = client_for(alice)
    for page in (c.get(url("credential_reddit")), c.get(url("credentials"))):
        body = page.content.decode()
        assert REDDIT_SECRET not in body and "appOnlyToken" not in body
        assert REDDIT_CLIENT_ID in body
    assert "Leave empty to keep the stored one" in c.get(url("credential_reddit")).content.decode()
    assert save_reddit_app(alice, secret="").status_code == 302  # same client id: the secret is kept
    assert ListeningCredential.objects.get().secret == REDDIT_SECRET
    other = save_reddit_app(alice, secret="", client_id="AnotherClient123")
    assert other.status_code == 400 and "A web app or script has a secret" in other.content.decode()


def test_a_refused_app_is_a_form_error_and_nothing_is_saved(
    workspace: Workspace, alice: Membership, reddit: FakeReddit
) -> None:
    response = save_reddit_app(alice, secret="not-the-secret")
    assert response.status_code == 400
    assert "Reddit refused the client id and secret" in response.content.decode()
    assert not ListeningCredential.objects.exists()
    bad = save_reddit_app(alice, client_id="has spaces!")
    assert bad.status_code == 400 and "A client id has 10 to 64" in bad.content.decode()


def test_when_reddit_cannot_be_asked_the_app_is_saved_unchecked(workspace: Workspace, alice: Membership) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with http.use_transport(httpx.MockTransport(down)):
        response = save_reddit_app(alice)
        follow = client_for(alice).get(response["Location"]).content.decode()
    row = ListeningCredential.objects.get()
    assert row.status == CredentialStatus.UNCHECKED and "Could not reach Reddit" in row.status_message
    assert "Saved, but not checked" in follow and "Not checked yet" in follow


def test_refused_credentials_stop_every_source_using_them_until_the_admin_changes_them(
    workspace: Workspace, alice: Membership, reddit: FakeReddit, topic: Topic
) -> None:
    first, second = reddit_source(workspace, "first"), reddit_source(workspace, "second")
    save_reddit_app(alice)
    # The app's secret was reset on Reddit: the token is revoked and the old secret no longer signs in.
    reddit.revoked.add("1-appOnlyToken")
    ListeningCredential.objects.update(secret="reset-on-reddit")
    assert poll(first) is None
    row = ListeningCredential.objects.get()
    assert row.status == CredentialStatus.REFUSED and "refused the client id and secret" in row.status_message
    asked = len(reddit.requests)
    assert poll(second) is None
    assert len(reddit.requests) == asked  # the other source did not ask Reddit again
    for source in (first, second):
        source.refresh_from_db()
        assert source.error_kind == "credentials_refused"
    page = client_for(alice).get(url("sources")).content.decode()
    assert "Credentials refused" in page
    assert "Reddit refused the client id: check the app&#x27;s id and secret" in page
    assert "in Listening credentials" in page and url("credential_reddit") in page
    creds = client_for(alice).get(url("credentials")).content.decode()
    assert "Refused" in creds and "2 of them waiting for working credentials" in creds

    save_reddit_app(alice)  # the admin enters the new secret
    assert ListeningCredential.objects.get().status == CredentialStatus.OK
    for source in (first, second):
        source.refresh_from_db()
        assert source.next_poll_at <= timezone.now()
        assert poll(source) is not None


def test_check_again_records_the_verdict(workspace: Workspace, alice: Membership, reddit: FakeReddit) -> None:
    save_reddit_app(alice)
    ListeningCredential.objects.update(secret="reset-on-reddit")
    page = client_for(alice).post(url("credential_reddit_check"), follow=True).content.decode()
    assert "Reddit refused the client id and secret" in page
    assert ListeningCredential.objects.get().status == CredentialStatus.REFUSED
    ListeningCredential.objects.update(secret=REDDIT_SECRET)
    page = client_for(alice).post(url("credential_reddit_check"), follow=True).content.decode()
    assert "Signed in: these credentials work." in page
    assert ListeningCredential.objects.get().status == CredentialStatus.OK
    client_for(alice).post(url("credential_reddit_remove"))
    assert not ListeningCredential.objects.exists()


def test_a_rate_limit_holds_every_source_of_the_app_until_the_reset(
    workspace: Workspace, alice: Membership, reddit: FakeReddit, topic: Topic
) -> None:
    first, second = reddit_source(workspace, "first"), reddit_source(workspace, "second")
    save_reddit_app(alice)
    reddit.errors[NEW] = REDDIT_TOO_MANY
    now = timezone.now()
    assert pipeline.poll_source(Source.objects.get(pk=first.pk), now=now) is None
    asked = len(reddit.requests)
    assert pipeline.poll_source(Source.objects.get(pk=second.pk), now=now) is None
    assert len(reddit.requests) == asked
    for source in (first, second):
        source.refresh_from_db()
        assert source.error_kind == "rate_limited"
        # The reset Reddit gave (120 s), not the exponential back-off of an unknown failure.
        assert now + dt.timedelta(seconds=115) <= source.next_poll_at <= now + dt.timedelta(seconds=125)
    assert "Rate limited until" in client_for(alice).get(url("sources")).content.decode()


def test_a_source_can_bring_its_own_app_and_a_refused_one_creates_nothing(
    workspace: Workspace, alice: Membership, reddit: FakeReddit, topic: Topic
) -> None:
    c = client_for(alice)
    base = {"name": "Own app", "kind": "reddit", "poll_every_minutes": "15", "subreddit": "CampingGear"}
    own = {"reddit-app_type": "confidential", "reddit-client_id": REDDIT_CLIENT_ID}
    refused = c.post(url("source_create"), base | own | {"reddit-secret": "wrong"})
    assert "Reddit refused the client id and secret" in refused.content.decode()
    assert not Source.objects.exists() and not ListeningCredential.objects.exists()
    created = c.post(url("source_create"), base | own | {"reddit-secret": REDDIT_SECRET})
    source = Source.objects.get()
    assert created["Location"] == url("source", source_id=source.pk)
    row = ListeningCredential.objects.get()
    assert row.source == source and row.status == CredentialStatus.OK
    assert poll(source) is not None and Post.objects.count() == 1
    page = c.get(url("credentials")).content.decode()
    assert "Sources with their own credentials" in page and url("source_edit", source_id=source.pk) in page
    # Back to the workspace's app (none yet): the source says it needs one.
    c.post(url("source_credential_remove", source_id=source.pk))
    assert not ListeningCredential.objects.exists()
    assert poll(source) is None
    assert Source.objects.get().error_kind == "needs_credentials"


def test_a_source_without_own_credentials_uses_the_workspace_s(
    workspace: Workspace, alice: Membership, reddit: FakeReddit, topic: Topic
) -> None:
    save_reddit_app(alice)
    c = client_for(alice)
    form = c.get(url("source_create")).content.decode()
    assert f"Left empty, the source uses the workspace's Reddit app (client id <code>{REDDIT_CLIENT_ID}" in form
    data = {"name": "S", "kind": "reddit", "poll_every_minutes": "15", "subreddit": "CampingGear"}
    assert c.post(url("source_create"), data | {"reddit-app_type": "confidential"}).status_code == 302
    assert ListeningCredential.objects.count() == 1
    assert poll(Source.objects.get()) is not None


def test_editing_a_source_changes_its_settings_and_polls_it_again(
    workspace: Workspace, alice: Membership, reddit: FakeReddit
) -> None:
    source = reddit_source(workspace, next_poll_at=timezone.now() + dt.timedelta(days=1), error_kind="not_found")
    c = client_for(alice)
    form = c.get(url("source_edit", source_id=source.pk))
    assert form.status_code == 200 and 'value="CampingGear"' in form.content.decode()
    bad = c.post(url("source_edit", source_id=source.pk), {"name": "x", "poll_every_minutes": "5", "subreddit": "a b"})
    assert bad.status_code == 200 and "subreddit" in bad.context["form"].errors
    done = c.post(
        url("source_edit", source_id=source.pk),
        {"name": "Ultralight", "poll_every_minutes": "5", "subreddit": "Ultralight", "kind": "rss"},
    )
    assert done.status_code == 302
    source.refresh_from_db()
    assert (source.kind, source.name, source.config) == (
        "reddit",
        "Ultralight",
        {"subreddit": "Ultralight", "query": ""},
    )
    assert source.poll_every_seconds == 300 and source.next_poll_at <= timezone.now()


def test_bluesky_search_signs_in_once_with_the_workspace_s_app_password(
    workspace: Workspace, alice: Membership, topic: Topic
) -> None:
    pds = FakePds(FakeAppView([view(1, "2026-11-01T10:00:00.000Z", text="northwind tent")]))
    source = Source.objects.create(workspace=workspace, kind="bluesky", name="Bluesky", config={"query": "northwind"})
    c = client_for(alice)
    with http.use_transport(httpx.MockTransport(pds)):
        assert poll(source) is None
        assert Source.objects.get().error_kind == "needs_credentials" and pds.calls == []
        page = c.get(url("sources")).content.decode()
        assert "Bluesky search needs a signed-in account" in page and url("credential_bluesky") in page
        main = c.post(url("credential_bluesky"), {"identifier": f"@{HANDLE}", "password": "my main password"})
        assert main.status_code == 400 and "does not look like an app password" in main.content.decode()
        saved = c.post(
            url("credential_bluesky"), {"identifier": f"@{HANDLE}", "password": APP_PASSWORD, "service_url": PDS}
        )
        assert saved.status_code == 302
        row = ListeningCredential.objects.get()
        assert (row.identifier, row.service_url, row.status, row.token_subject) == (HANDLE, PDS, "ok", pds.did)
        assert poll(source) is not None
        assert poll(source) is not None
    assert pds.nsids().count("com.atproto.server.createSession") == 1  # the check's session is kept and reused
    assert Post.objects.get().text == "northwind tent #1"
    wrong = {"identifier": HANDLE, "password": "wxyz-wxyz-wxyz-wxyz", "service_url": PDS}
    with http.use_transport(httpx.MockTransport(pds)):
        refused = c.post(url("credential_bluesky"), wrong)
    assert refused.status_code == 400 and "Bluesky refused the handle and app password" in refused.content.decode()
    assert ListeningCredential.objects.get().secret == APP_PASSWORD  # unchanged


def test_a_bluesky_stream_source_needs_no_account(workspace: Workspace) -> None:
    source = Source.objects.create(workspace=workspace, kind="bluesky", name="Stream", config={"mode": "stream"})
    ListeningCredential.objects.create(workspace=workspace, network="bluesky", identifier=HANDLE, secret="x")
    assert credentials.lookup(source, "bluesky") is not None
    assert not Source.objects.filter(credentials.sources_using(ListeningCredential.objects.get())).exists()


def test_only_admins_see_and_change_credentials(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, charlie: Membership
) -> None:
    source = reddit_source(workspace)
    pages = [
        ("get", url("credentials")),
        ("get", url("credential_reddit")),
        ("post", url("credential_bluesky")),
        ("post", url("credential_reddit_check")),
        ("post", url("credential_bluesky_remove")),
        ("get", url("source_edit", source_id=source.pk)),
        ("post", url("source_credential_remove", source_id=source.pk)),
    ]
    for who in (bob, carol, charlie):
        c = client_for(who)
        for method, address in pages:
            assert getattr(c, method)(address).status_code == 404, (who, address)
    assert client_for(alice).get(url("credentials")).status_code == 200
    assert client_for(alice).post(url("credential_bluesky_check")).status_code == 404  # nothing to check yet


def test_the_encryption_key_rotation_covers_the_credentials() -> None:
    names = {(model.__name__, field.name) for model, field in encrypted_columns()}
    assert {("ListeningCredential", "secret"), ("ListeningCredential", "token")} <= names
    assert ("ListeningCredential", "refresh_token") in names


def test_the_health_view_s_query_count_does_not_grow_with_the_sources(workspace: Workspace, alice: Membership) -> None:
    c = client_for(alice)
    for n in range(3):
        reddit_source(workspace, f"s{n}", error_kind="needs_credentials")
    c.get(url("sources"))
    with CaptureQueriesContext(connection) as few:
        assert c.get(url("sources")).status_code == 200
    for n in range(3, 10):
        reddit_source(workspace, f"s{n}", error_kind="rate_limited")
    ListeningCredential.objects.create(
        workspace=workspace, network="reddit", identifier="x" * 12, source=Source.objects.get(name="s4")
    )
    with CaptureQueriesContext(connection) as many:
        assert c.get(url("sources")).status_code == 200
    assert len(many) == len(few)


def test_a_poll_that_started_with_the_old_secret_does_not_overwrite_what_the_admin_saved_since(
    workspace: Workspace, alice: Membership, reddit: FakeReddit
) -> None:
    source = reddit_source(workspace)
    save_reddit_app(alice)
    stale = credentials.lookup(source, "reddit")
    assert stale is not None
    save_reddit_app(alice)  # the admin saves again while a poll holds the row read before
    fresh = ListeningCredential.objects.get()
    old = credentials.for_plugin(stale)
    old.token = "token-of-the-old-secret"
    old.changed()
    credentials.store(stale, old)
    credentials.mark_refused(stale, "Reddit refused the client id and secret (401).", timezone.now())
    now = ListeningCredential.objects.get()
    assert (now.status, now.token) == (CredentialStatus.OK, fresh.token)
