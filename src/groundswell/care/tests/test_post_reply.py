"""Posting the answer from the case page: from the responder's connected account or from the brand account
they steward on shift, through the outbox (a fake Bluesky behind the networks' HTTP choke point)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.care import actions
from groundswell.care.models import Case, CaseStatus, ReplyVia
from groundswell.care.tests.conftest import ASKED, ROOT, make_post, tokens, volunteer
from groundswell.conftest import client_for
from groundswell.listening.models import Source, SourceKind, Topic
from groundswell.networks import accounts, outbox
from groundswell.networks.base import TokenSet
from groundswell.networks.bluesky.tests.fake import MEMBER_DID, FakeBluesky
from groundswell.networks.models import ConnectedAccount, OutboundPost, PostStatus
from groundswell.rewards.models import Action, PointsEntry
from groundswell.stewards.tests.conftest import shift_for
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keys(encryption_key: None) -> None:
    """Every test here encrypts tokens with the test key (conftest)."""


@pytest.fixture
def case(bluesky_case: Case) -> Case:
    return bluesky_case


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"care:{name}", kwargs={"ws": "acme", **kwargs})


def test_post_reply_from_my_account_records_the_answer_and_posts_it(
    case: Case, bob: Membership, bob_account: ConnectedAccount, bsky: FakeBluesky
) -> None:
    client = client_for(bob)
    page = client.get(url("case", case_id=case.pk)).content.decode()
    assert "Post reply from @bob.bsky.test" in page
    assert "the brand account" not in page  # bob is not on a brand shift
    answer = {"text": "Hi Kim, yes: 3000 mm hydrostatic head.", "account": bob_account.pk}
    ok = client.post(url("post_reply", case_id=case.pk), answer)
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    assert case.reply_via == ReplyVia.ACCOUNT
    assert case.first_response_at is not None and case.first_response_minutes is not None
    post = OutboundPost.objects.get()
    assert case.reply_outbound_id == post.pk
    assert (post.account_id, getattr(post, "share", None), post.text) == (bob_account.pk, None, answer["text"])
    assert PointsEntry.objects.filter(member=bob, action=Action.ANSWER).count() == 1
    assert "Sending…" in client.get(url("case", case_id=case.pk)).content.decode()

    assert outbox.deliver_due() == 1
    (created,) = bsky.creates
    assert created["repo"] == MEMBER_DID
    assert created["record"]["reply"] == {
        "root": {"uri": ROOT, "cid": "bafyroot"},
        "parent": {"uri": ASKED, "cid": "bafyasked"},
    }
    page = client.get(url("case", case_id=case.pk)).content.decode()
    assert "Posted" in page
    post.refresh_from_db()
    assert post.status == PostStatus.SENT and post.remote_url in page

    again = client.post(url("post_reply", case_id=case.pk), answer)
    assert again.status_code == 400
    assert "already answered" in again.content.decode()
    assert OutboundPost.objects.count() == 1  # the second attempt scheduled nothing
    assert PointsEntry.objects.filter(member=bob, action=Action.ANSWER).count() == 1


def test_post_reply_from_the_brand_account_while_on_shift(
    case: Case, bob: Membership, alice: Membership, brand_account: ConnectedAccount, bsky: FakeBluesky
) -> None:
    client = client_for(bob)
    page = client.get(url("case", case_id=case.pk)).content.decode()
    assert "Post reply from the brand account" not in page  # not on shift: copy out only
    assert "connect your account" in page
    shift_for(brand_account.brand, bob, alice, start_hours=-1, hours=4)
    page = client.get(url("case", case_id=case.pk)).content.decode()
    assert "Post reply from the brand account" in page
    ok = client.post(url("post_reply", case_id=case.pk), {"text": "Hello Kim!", "account": brand_account.pk})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.reply_via == ReplyVia.BRAND
    assert case.reply_outbound is not None and case.reply_outbound.account_id == brand_account.pk
    assert outbox.deliver_due() == 1
    assert bsky.creates[0]["repo"] == "did:plc:acmebrand"
    assert bsky.creates[0]["record"]["reply"]["parent"] == {"uri": ASKED, "cid": "bafyasked"}


def test_a_brand_account_that_needs_approval_is_not_offered_for_replies(
    case: Case, bob: Membership, alice: Membership, brand_account: ConnectedAccount
) -> None:
    from groundswell.stewards import actions as stewards

    stewards.set_require_approval(brand_account.brand, True)
    shift_for(brand_account.brand, bob, alice, start_hours=-1, hours=4)
    client = client_for(bob)
    assert "Post reply from the brand account" not in client.get(url("case", case_id=case.pk)).content.decode()
    refused = client.post(url("post_reply", case_id=case.pk), {"text": "Hello Kim!", "account": brand_account.pk})
    assert refused.status_code == 400
    case.refresh_from_db()
    assert case.reply_outbound is None


def test_bad_input_gives_clear_messages_and_posts_nothing(
    case: Case, bob: Membership, carol: Membership, brand_account: ConnectedAccount
) -> None:
    client = client_for(bob)
    none = client.post(url("post_reply", case_id=case.pk), {"text": "Hello", "account": brand_account.pk})
    assert none.status_code == 400
    assert "Connect your Bluesky account" in none.content.decode()
    mine = accounts.connect(bob, "bluesky", tokens(MEMBER_DID, "bob.bsky.test"))
    carols = accounts.connect(carol, "bluesky", tokens("did:plc:carol", "carol.bsky.test"))
    for data, message in (
        ({"text": "Hello", "account": carols.pk}, "Pick one of the accounts offered."),
        ({"text": "Hello", "account": "nope"}, "Pick one of the accounts offered."),
        ({"text": "Hello"}, "Pick one of the accounts offered."),
        ({"text": "  ", "account": mine.pk}, "Write the answer first."),
        ({"text": "x" * 301, "account": mine.pk}, "Bluesky allows 300 characters"),
    ):
        bad = client.post(url("post_reply", case_id=case.pk), data)
        assert bad.status_code == 400, data
        assert message in bad.content.decode(), data
    ConnectedAccount.objects.filter(pk=mine.pk).update(status="reconnect")
    stale = client.post(url("post_reply", case_id=case.pk), {"text": "Hello", "account": mine.pk})
    assert stale.status_code == 400
    assert "Connect your Bluesky account" in stale.content.decode()  # a stale account is no option
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED
    assert not OutboundPost.objects.exists()
    assert not PointsEntry.objects.filter(action=Action.ANSWER).exists()


def test_a_failed_reply_shows_why(case: Case, bob: Membership, bob_account: ConnectedAccount) -> None:
    client = client_for(bob)
    client.post(url("post_reply", case_id=case.pk), {"text": "Hello Kim", "account": bob_account.pk})
    OutboundPost.objects.update(status=PostStatus.FAILED, last_error="Bluesky refused the post: too spicy")
    page = client.get(url("case", case_id=case.pk)).content.decode()
    assert "Failed" in page and "too spicy" in page


def test_networks_without_replies_offer_copy_out_only(
    workspace: Workspace, brand: Topic, bob: Membership, bob_account: ConnectedAccount
) -> None:
    volunteer(bob)
    rss = Source.objects.create(workspace=workspace, kind=SourceKind.RSS, name="Blogs")
    _, mentions = make_post(rss, [brand], text="Northwind tents: any good?")
    [opened] = actions.open_cases_for(mentions, now=timezone.now())
    client = client_for(bob)
    page = client.get(url("case", case_id=opened.pk)).content.decode()
    assert "Post reply from" not in page and "connect your account" not in page
    assert "record my answer" in page
    refused = client.post(url("post_reply", case_id=opened.pk), {"text": "Hi", "account": bob_account.pk})
    assert refused.status_code == 400
    assert "cannot post replies on this network" in refused.content.decode()


def test_others_and_outsiders_get_404(
    case: Case, carol: Membership, charlie: Membership, bob_account: ConnectedAccount
) -> None:
    data = {"text": "Hello", "account": bob_account.pk}
    assert client_for(carol).post(url("post_reply", case_id=case.pk), data).status_code == 404
    assert client_for(charlie).post(url("post_reply", case_id=case.pk), data).status_code == 404
    other = reverse("care:post_reply", kwargs={"ws": charlie.workspace.slug, "case_id": case.pk})
    assert client_for(charlie).post(other, data).status_code == 404
    assert client_for(charlie).get(url("post_reply", case_id=case.pk)).status_code == 404
    assert not OutboundPost.objects.exists()


def test_a_reply_from_my_account_is_in_my_export_and_erased_with_me(
    case: Case, bob: Membership, bob_account: ConnectedAccount
) -> None:
    from groundswell.privacy.providers.networks import NetworksProvider

    actions.post_reply(case, bob, "Hello Kim", bob_account.pk)
    provider = NetworksProvider()
    assert [p["text"] for p in provider.export(bob)["posts"]] == ["Hello Kim"]
    provider.erase(bob)
    post = OutboundPost.objects.get()
    assert (post.text, post.status) == ("", PostStatus.CANCELLED)


def test_the_workspace_outbox_lists_a_reply_under_its_author(
    case: Case, alice: Membership, bob: Membership, bob_account: ConnectedAccount
) -> None:
    actions.post_reply(case, bob, "Hello Kim", bob_account.pk)
    page = client_for(alice).get(reverse("posting:overview", kwargs={"ws": "acme"})).content.decode()
    assert "Reply: Hello Kim" in page
    assert "Company account bob.bsky.test" not in page and bob.display_name in page


def test_demo_shows_replies_posted_from_responders_accounts(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership
) -> None:
    import random

    from groundswell.demo.care import build_care
    from groundswell.demo.replies import build_replies

    volunteer(bob, languages=("en", "de"))
    volunteer(carol)
    build_care(workspace, timezone.now(), random.Random(1))
    build_replies(workspace)
    posted = list(Case.objects.filter(reply_via=ReplyVia.ACCOUNT).select_related("reply_outbound__account"))
    assert len(posted) == 2
    for c in posted:
        assert c.reply_outbound is not None and c.reply_outbound.status == PostStatus.SENT
        assert c.reply_outbound.account is not None and c.reply_outbound.account.member_id == c.responder_id
        assert c.reply_outbound.account.status == "reconnect"  # a demo account: the outbox never sends
    page = client_for(alice).get(url("case", case_id=posted[0].pk)).content.decode()
    assert "Posted" in page and posted[0].reply_outbound.remote_url in page
    assert outbox.deliver_due() == 0


def test_post_reply_on_mastodon_resolves_the_post_on_my_instance(
    workspace: Workspace, brand: Topic, bob: Membership
) -> None:
    import json

    import httpx

    from groundswell.networks import http
    from groundswell.networks.mastodon.tests.test_plugin import FakeMastodon

    volunteer(bob)
    mastodon = Source.objects.create(workspace=workspace, kind=SourceKind.MASTODON, name="Mastodon search")
    _, mentions = make_post(mastodon, [brand], external_id="https://social.example/users/kim/statuses/1")
    [opened] = actions.open_cases_for(mentions, now=timezone.now())
    account = accounts.connect(
        bob,
        "mastodon",
        TokenSet(
            access_token="tok", remote_id="77", handle="@bob@mastodon.social", service_url="https://mastodon.social"
        ),
    )
    client = client_for(bob)
    assert "Post reply from @bob@mastodon.social" in client.get(url("case", case_id=opened.pk)).content.decode()
    ok = client.post(url("post_reply", case_id=opened.pk), {"text": "Hi Kim, it is!", "account": account.pk})
    assert ok.status_code == 302
    fake = FakeMastodon()
    fake.on("GET", "/api/v2/search", {"statuses": [{"id": "4242"}]})
    fake.on("POST", "/api/v1/statuses", {"id": "5151", "url": "https://mastodon.social/@bob/5151"})
    with http.use_transport(httpx.MockTransport(fake.handler)):
        assert outbox.deliver_due() == 1
    (search,) = fake.sent("GET", "/api/v2/search")
    assert (search.url.host, search.url.params["q"]) == ("mastodon.social", "https://social.example/@kim/1")
    (posted,) = fake.sent("POST", "/api/v1/statuses")
    assert json.loads(posted.content) == {"status": "Hi Kim, it is!", "in_reply_to_id": "4242"}
    page = client.get(url("case", case_id=opened.pk)).content.decode()
    assert "Posted" in page and "https://mastodon.social/@bob/5151" in page
