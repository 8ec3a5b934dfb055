"""The social media policy: append-only versions, the acknowledgement gate on sharing, the rate, sanitising."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.conftest import make_member
from groundswell.content.models import Item
from groundswell.policy.actions import (
    PolicyError,
    acknowledge,
    acknowledgement_rate,
    needs_acknowledgement,
    publish_version,
    starter_draft,
)
from groundswell.policy.models import PolicyAcknowledgement, PolicyVersion
from groundswell.policy.rendering import render_markdown
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def publish(alice: Membership, body: str = "Be **kind**.", summary: str = "") -> PolicyVersion:
    return publish_version(
        workspace=alice.workspace,
        by=alice,
        title="Our policy",
        body_markdown=body,
        checklist=["Be kind"],
        summary=summary,
    )


def share_url(item: Item) -> str:
    return reverse("sharing:share", kwargs={"ws": item.workspace.slug, "item_id": item.pk})


def try_share(client: Client, item: Item) -> int:
    before = Share.objects.count()
    client.post(share_url(item), {"network": "linkedin", "caption": "Look at this", "action": "intent"})
    return Share.objects.count() - before


# --- versions ---------------------------------------------------------------------------------------


def test_versions_are_append_only(alice: Membership) -> None:
    v1 = publish(alice, "First text")
    v2 = publish(alice, "Second text", summary="Clarified disclosure")
    assert (v1.number, v2.number) == (1, 2)
    v1.refresh_from_db()
    assert v1.body_markdown == "First text"
    assert PolicyVersion.objects.filter(workspace=alice.workspace).count() == 2
    v1.body_markdown = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        v1.save()


def test_a_new_version_needs_a_summary_of_changes(alice: Membership) -> None:
    publish(alice)
    with pytest.raises(PolicyError, match="what changed"):
        publish(alice, "v2")


def test_editor_publishes_a_new_version_and_preview_does_not(alice_client: Client, alice: Membership) -> None:
    url = reverse("policy:edit", kwargs={"ws": "acme"})
    data = {"title": "Policy", "body_markdown": "Hello", "checklist": "- One\n- Two\n", "summary_of_changes": ""}
    r = alice_client.post(url, {**data, "action": "preview"})
    assert r.status_code == 200 and b"Preview" in r.content
    assert not PolicyVersion.objects.exists()
    r = alice_client.post(url, {**data, "action": "publish"})
    assert r.status_code == 302
    v = PolicyVersion.objects.get()
    assert v.checklist == ["One", "Two"] and v.published_by == alice
    r = alice_client.post(url, {**data, "body_markdown": "Hello again", "action": "publish"})
    assert r.status_code == 200 and b"what changed" in r.content  # a clear error, not a 500
    r = alice_client.post(url, {**data, "summary_of_changes": "Typos", "action": "publish"})
    assert r.status_code == 302
    assert list(PolicyVersion.objects.values_list("number", "body_markdown")) == [(2, "Hello"), (1, "Hello")]


def test_starter_template_is_offered_when_there_is_no_policy(alice_client: Client) -> None:
    draft = starter_draft()
    assert 5 <= len(draft.checklist) <= 7
    assert "confidential" in draft.body_markdown.lower() and "work here" in draft.body_markdown.lower()
    page = alice_client.get(reverse("policy:page", kwargs={"ws": "acme"}))
    assert b"Start from the template" in page.content
    r = alice_client.get(reverse("policy:edit", kwargs={"ws": "acme"}))
    assert r.status_code == 200 and draft.title.encode() in r.content


# --- the gate ---------------------------------------------------------------------------------------


def test_no_policy_no_gate(bob: Membership, bob_client: Client, item: Item) -> None:
    assert needs_acknowledgement(bob) is None
    assert try_share(bob_client, item) == 1


def test_acknowledgement_required_before_first_share_and_after_a_new_version(
    alice: Membership, bob: Membership, bob_client: Client, item: Item
) -> None:
    v1 = publish(alice)
    page = bob_client.get(share_url(item))
    assert b"Before your first share" in page.content and b"Be kind" in page.content
    assert f'name="next" value="{share_url(item)}"'.encode() in page.content  # back to the share page
    assert try_share(bob_client, item) == 0

    r = bob_client.post(
        reverse("policy:acknowledge", kwargs={"ws": "acme"}), {"version": v1.number, "next": share_url(item)}
    )
    assert r.status_code == 302 and r["Location"] == share_url(item)
    assert needs_acknowledgement(bob) is None
    assert try_share(bob_client, item) == 1
    assert try_share(bob_client, item) == 1  # not asked again

    v2 = publish(alice, "New rules", summary="New rules on customers")
    assert needs_acknowledgement(bob) == v2
    page = bob_client.get(share_url(item))
    assert b"has changed" in page.content and b"New rules on customers" in page.content
    assert try_share(bob_client, item) == 0
    acknowledge(member=bob, version=v2)
    assert try_share(bob_client, item) == 1


def test_needs_acknowledgement_is_one_query(
    alice: Membership, bob: Membership, django_assert_num_queries: object
) -> None:
    publish(alice)
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert needs_acknowledgement(bob) is not None


def test_acknowledging_twice_is_fine(alice: Membership, bob: Membership) -> None:
    v = publish(alice)
    acknowledge(member=bob, version=v)
    acknowledge(member=bob, version=v)
    assert PolicyAcknowledgement.objects.filter(member=bob).count() == 1


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http://testserver.evil/"],
)
def test_acknowledge_refuses_to_redirect_elsewhere(alice: Membership, bob_client: Client, target: str) -> None:
    v = publish(alice)
    r = bob_client.post(reverse("policy:acknowledge", kwargs={"ws": "acme"}), {"version": v.number, "next": target})
    assert r.status_code == 302 and r["Location"] == reverse("policy:page", kwargs={"ws": "acme"})


# --- the rate ---------------------------------------------------------------------------------------


def test_acknowledgement_rate(alice: Membership, bob: Membership, carol: Membership, alice_client: Client) -> None:
    make_member(alice.workspace, "gone@acme.test", is_active=False)
    v1 = publish(alice)
    acknowledge(member=bob, version=v1)
    rate = acknowledgement_rate(v1)
    assert (rate.acknowledged, rate.active_members, rate.percent) == (1, 3, 33)
    v2 = publish(alice, "v2", summary="changed")
    acknowledge(member=bob, version=v2)
    acknowledge(member=carol, version=v2)
    rate = acknowledgement_rate(v2)
    assert (rate.acknowledged, rate.active_members, rate.percent) == (2, 3, 67)
    page = alice_client.get(reverse("policy:page", kwargs={"ws": "acme"}))
    assert b"67%" in page.content and b"acknowledged version 2" in page.content


def test_employees_see_no_rate(alice: Membership, bob_client: Client) -> None:
    publish(alice)
    page = bob_client.get(reverse("policy:page", kwargs={"ws": "acme"}))
    assert page.status_code == 200 and b"I have read it" in page.content
    assert b"Acknowledgements" not in page.content


# --- sanitising -------------------------------------------------------------------------------------


def test_markdown_is_sanitised(alice: Membership, bob_client: Client) -> None:
    html = render_markdown(
        "Hi <script>alert(1)</script>\n\n[click](javascript:alert(2)) [ok](https://example.com)\n\n"
        '<a href="javascript:alert(3)">raw</a> <img src=x onerror=alert(4)>'
    )
    assert "<script" not in html and "<img" not in html and '<a href="javascript' not in html
    assert re.findall(r'<a href="([^"]*)"', html) == ["https://example.com"]
    publish(alice, "<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    page = bob_client.get(reverse("policy:page", kwargs={"ws": "acme"}))
    assert b"<script>alert" not in page.content and b'href="javascript' not in page.content


def test_sanitiser_strips_what_the_renderer_lets_through() -> None:
    """Defence in depth: even raw HTML reaching nh3 loses scripts, handlers and javascript: links."""
    from groundswell.policy import rendering

    dirty = '<p>ok<script>alert(1)</script><a href="javascript:alert(2)" onclick="x()">l</a><img src=x onerror=y></p>'
    clean = rendering.nh3.clean(
        dirty, tags=rendering.ALLOWED_TAGS, attributes=rendering.ALLOWED_ATTRIBUTES, url_schemes={"http", "https"}
    )
    assert "script" not in clean and "javascript" not in clean and "onclick" not in clean and "<img" not in clean


# --- access -----------------------------------------------------------------------------------------


def test_outsiders_get_404(alice: Membership, charlie_client: Client) -> None:
    v = publish(alice)
    for name in ("policy:page", "policy:edit"):
        assert charlie_client.get(reverse(name, kwargs={"ws": "acme"})).status_code == 404
    r = charlie_client.post(reverse("policy:acknowledge", kwargs={"ws": "acme"}), {"version": v.number})
    assert r.status_code == 404
    r = charlie_client.post(reverse("policy:acknowledge", kwargs={"ws": "globex"}), {"version": v.number})
    assert r.status_code == 404  # Acme's version from Globex
    assert not PolicyAcknowledgement.objects.exists()


def test_employees_cannot_reach_the_editor(bob_client: Client) -> None:
    url = reverse("policy:edit", kwargs={"ws": "acme"})
    assert bob_client.get(url).status_code == 404
    assert (
        bob_client.post(url, {"title": "x", "body_markdown": "y", "checklist": "z", "action": "publish"}).status_code
        == 404
    )
    assert not PolicyVersion.objects.exists()


def test_bad_version_is_404_not_500(bob_client: Client) -> None:
    r = bob_client.post(reverse("policy:acknowledge", kwargs={"ws": "acme"}), {"version": "nope"})
    assert r.status_code == 404


def test_every_way_of_sharing_honours_the_policy(alice: Membership, bob: Membership, item: Item) -> None:
    """The check lives in the domain layer, so the API and the posting outbox cannot bypass it."""
    from groundswell.api.tokens import create_token
    from groundswell.sharing.actions import ShareError, create_share

    publish(alice)
    with pytest.raises(ShareError, match="acknowledge the social media policy"):
        create_share(member=bob, item=item, network="linkedin", caption="")
    _, secret = create_token(bob, "ci")
    api = Client().post(
        "/api/shares",
        {"item_id": item.pk, "network": "linkedin", "caption": "From the API"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert api.status_code == 422 and "policy" in api.json()["detail"]
    pending = needs_acknowledgement(bob)
    assert pending is not None
    acknowledge(member=bob, version=pending)
    assert create_share(member=bob, item=item, network="linkedin", caption="").pk
