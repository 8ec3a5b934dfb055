"""A care answer lands on the local Bluesky network as a real reply: a customer asks under her own thread,
the responder posts the answer from the case page with their connected account, the outbox delivers it once,
and the reply record points at the right root and parent (CIDs resolved through the AppView)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.care import actions
from groundswell.care.hours import to_json
from groundswell.care.models import Case, CaseStatus, ReplyVia, ResponderProfile
from groundswell.conftest import client_for, make_member
from groundswell.enrolment.actions import Answers, join
from groundswell.listening.models import Intent, Mention, Post, Source, SourceKind, Topic, TopicKind
from groundswell.networks import accounts
from groundswell.networks.bluesky.client import POST_COLLECTION, BlueskyClient, ReplyRef, StrongRef, new_tid
from groundswell.networks.bluesky.plugin import Client as BlueskyPlugin
from groundswell.networks.models import PostStatus
from groundswell.networks.outbox import deliver_due
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import Role, Workspace

from .network import BlueskyNetwork

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bluesky"), pytest.mark.django_db]


def test_care_reply_lands_under_the_customers_post(bluesky_network: BlueskyNetwork, settings: Any) -> None:
    pds = bluesky_network.pds_url
    settings.BLUESKY_SERVICE_URL = pds
    tag = secrets.token_hex(3)
    _kim_did, kim_handle = bluesky_network.create_account(f"kim{tag}", "kim-password")
    bob_did, bob_handle = bluesky_network.create_account(f"bob{tag}", "bob-password")

    with httpx.Client(timeout=30) as http:
        client = BlueskyClient(pds, http, appview_url=bluesky_network.appview_url)
        kim = client.create_session(kim_handle, "kim-password")
        root = client.create_post(kim, "Going camping with a Northwind tent next week!", rkey=new_tid())
        asked = client.create_post(
            kim,
            "Is the Northwind tent waterproof?",
            rkey=new_tid(),
            reply=ReplyRef(root=StrongRef(*root), parent=StrongRef(*root)),
        )
        bluesky_network.wait_until(lambda: client.get_metrics([asked[0]]) or None, what="AppView indexing the post")

    workspace = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(workspace)
    bob = make_member(workspace, "bob@acme.test", Role.EMPLOYEE)
    join(bob, Answers(activities=["answer"], languages=["en"]))
    ResponderProfile.objects.create(workspace=workspace, member=bob, languages=["en"],
                                    week=to_json({d: [(0, 1440)] for d in range(7)}))  # fmt: skip
    tokens = BlueskyPlugin().login_with_password(identifier=bob_handle, password="bob-password", service_url=pds)
    account = accounts.connect(bob, "bluesky", tokens)
    topic = Topic.objects.create(workspace=workspace, name="Northwind", kind=TopicKind.BRAND, query="northwind")
    source = Source.objects.create(workspace=workspace, kind=SourceKind.BLUESKY, name="Bluesky")
    now = timezone.now()
    post = Post.objects.create(
        workspace=workspace, source=source, external_id=asked[0], url="https://bsky.app/profile/kim/post/x",
        author=kim_handle, text="Is the Northwind tent waterproof?", lang="en", published_at=now,
        content_hash=hashlib.sha256(tag.encode()).hexdigest(), intent=Intent.QUESTION, in_reply_to=root[0],
        thread_root=root[0],
    )  # fmt: skip
    mention = Mention.objects.create(workspace=workspace, post=post, topic=topic, day=now.date(),
                                     sentiment="neutral", intent=Intent.QUESTION)  # fmt: skip
    [case] = actions.open_cases_for([mention], now=now)
    assert case.assignee_id == bob.pk

    answer = f"Hi! Yes, 3000 mm hydrostatic head. (Bob, Northwind) {tag}"
    resp = client_for(bob).post(
        reverse("care:post_reply", kwargs={"ws": "acme", "case_id": case.pk}), {"text": answer, "account": account.pk}
    )
    assert resp.status_code == 302, resp.content.decode()[:800]
    case = Case.objects.select_related("reply_outbound").get(pk=case.pk)
    assert (case.status, case.reply_via) == (CaseStatus.ANSWERED, ReplyVia.ACCOUNT)
    outbound = case.reply_outbound
    assert outbound is not None

    deliver_due()
    outbound.refresh_from_db()
    assert outbound.status == PostStatus.SENT, list(outbound.log.values_list("message", flat=True))
    assert outbound.remote_id == f"at://{bob_did}/{POST_COLLECTION}/{outbound.idempotency_key}"
    assert deliver_due(timezone.now() + dt.timedelta(hours=1)) == 0

    with httpx.Client(timeout=30) as http:
        record = BlueskyClient(pds, http).get_post(outbound.remote_id)
        assert record is not None
        assert record.value["text"] == answer
        assert record.value["reply"] == {
            "root": {"uri": root[0], "cid": root[1]},
            "parent": {"uri": asked[0], "cid": asked[1]},
        }
        mine = BlueskyClient(pds, http).list_records(bob_did, POST_COLLECTION)
        assert [r.uri for r in mine if r.value.get("text") == answer] == [outbound.remote_id]
