"""The triage queue (ADR 0028): brand mentions from outside the company that may need a reply and did not
become cases reach the care team, ordered by the classifier, and every decision keeps its reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.care import actions
from groundswell.care.models import Case, CaseStatus, DismissReason, TriageItem, TriageStatus
from groundswell.care.tasks import open_cases_for_posts
from groundswell.care.tests.conftest import NOW, make_post, volunteer
from groundswell.conftest import client_for
from groundswell.listening.models import Intent, Mention, Post, Source, SourceKind, Topic, TopicKind
from groundswell.networks.models import ConnectedAccount
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db

SARCASM = "Great. Waited 2 hours and got disconnected. Thanks Northwind"
LATE = "Northwind promised a technician between 8 and 12. It's 4pm."


def url(name: str, ws: str = "acme", **kwargs: Any) -> str:
    return reverse(f"care:{name}", kwargs={"ws": ws, **kwargs})


def triaged(source: Source, brand: Topic, text: str, *, intent: str = Intent.OTHER, sentiment: str = "neutral",
            author: str = "@kim@social.example") -> list[Mention]:  # fmt: skip
    post, mentions = make_post(source, [brand], text=text, intent=intent)
    Post.objects.filter(pk=post.pk).update(sentiment=sentiment, author=author)
    return mentions


@pytest.fixture
def item(source: Source, brand: Topic) -> TriageItem:
    [found] = actions.open_triage_for(triaged(source, brand, SARCASM), now=NOW)
    return TriageItem.objects.get(pk=found.pk)


def test_what_the_classifier_missed_reaches_the_queue_and_questions_still_become_cases(
    source: Source, brand: Topic, bob: Membership
) -> None:
    volunteer(bob)
    missed = triaged(source, brand, SARCASM)  # what the old rules called "other"
    late = triaged(source, brand, LATE)
    asked = triaged(source, brand, "Is the Northwind shop open on Sunday?", intent=Intent.QUESTION)
    praise = triaged(source, brand, "Thank you Northwind, love the new tent! 😍", intent=Intent.PRAISE,
                     sentiment="positive")  # fmt: skip
    news = triaged(source, brand, "Northwind announces quarterly results on Thursday")
    ids = [m.post_id for m in (*missed, *late, *asked, *praise, *news)]
    open_cases_for_posts.call(ids)
    assert Case.objects.get(post_id=asked[0].post_id).intent == Intent.QUESTION
    queued = {i.post_id: i for i in TriageItem.objects.filter(status=TriageStatus.OPEN)}
    assert set(queued) == {missed[0].post_id, late[0].post_id, news[0].post_id}  # confident praise stays out
    kept_out = TriageItem.objects.get(post_id=praise[0].post_id)  # ... with a trace and a reason
    assert (kept_out.status, kept_out.reason, kept_out.automatic) == (TriageStatus.DISMISSED, "praise", True)
    assert queued[missed[0].post_id].priority > queued[news[0].post_id].priority
    # idempotent, and the safety net finds nothing more
    assert actions.open_triage_for([*missed, *praise], now=NOW) == []
    assert actions.open_missed_triage(now=NOW) == 0


def test_the_safety_net_queues_what_a_crash_left_out(source: Source, brand: Topic) -> None:
    triaged(source, brand, LATE)
    assert actions.open_missed_triage(now=NOW) == 1
    assert TriageItem.objects.get().status == TriageStatus.OPEN


def test_posts_from_the_company_and_duplicates_stay_out(
    source: Source, brand: Topic, alice: Membership, bob: Membership, tents: Topic
) -> None:
    ConnectedAccount.objects.create(
        workspace=bob.workspace, member=bob, network="mastodon", remote_id="1", handle="bob",
        service_url="https://social.example",
    )  # fmt: skip
    ours = triaged(source, brand, "Our Northwind team is at the fair today, come say hi", author="@bob@social.example")
    original = triaged(source, brand, LATE)
    copy_post, copy = make_post(source, [brand], text=LATE, intent=Intent.OTHER)
    Post.objects.filter(pk=copy_post.pk).update(duplicate_of=original[0].post)
    not_brand = make_post(source, [tents], text=SARCASM, intent=Intent.OTHER)[1]
    made = actions.open_triage_for([*ours, *original, *copy, *not_brand], now=NOW)
    assert [i.post_id for i in made] == [original[0].post_id]
    assert TriageItem.objects.get(post_id=ours[0].post_id).reason == DismissReason.OWN
    assert TriageItem.objects.count() == 2  # duplicates and other topics leave no trace: they are not customers
    body = client_for(bob).get(url("triage") + "?show=decided")
    assert body.status_code == 404  # bob does not answer customers
    decided = client_for(alice).get(url("triage") + "?show=decided")
    assert "by Groundswell" in decided.content.decode()
    assert "From the company&#x27;s own account" in decided.content.decode()


def test_the_queue_is_ordered_paginated_and_for_the_care_team_only(
    source: Source, brand: Topic, alice: Membership, bob: Membership, carol: Membership
) -> None:
    volunteer(bob)
    page = client_for(bob).get(url("triage"))
    assert page.status_code == 200
    assert "Nothing waiting" in page.content.decode()  # empty state
    assert "Triage" in client_for(bob).get(url("mine")).content.decode()  # on the care tabs
    for n in range(26):
        actions.open_triage_for(triaged(source, brand, f"Northwind news item {n}"), now=NOW)
    actions.open_triage_for(triaged(source, brand, SARCASM), now=NOW)
    assert "27 brand mentions wait in triage" in client_for(bob).get(url("mine")).content.decode()
    body = client_for(alice).get(url("triage")).content.decode()
    assert body.index("Waited 2 hours") < body.index("Northwind news item")  # most likely first
    assert "Page 1 of 2" in body
    assert "Waiting (27)" in body
    second = client_for(alice).get(url("triage") + "?page=2").content.decode()
    assert second.count('class="card" id="triage-') == 2
    assert client_for(alice).get(url("triage") + "?page=zzz").status_code == 200
    assert client_for(carol).get(url("triage")).status_code == 404  # a manager who does not answer customers
    assert "Triage</a>" not in client_for(carol).get(url("mine")).content.decode()


def test_dismiss_needs_a_reason_and_records_it(item: TriageItem, alice: Membership, bob: Membership) -> None:
    volunteer(bob)
    client = client_for(bob)
    own = client.post(url("triage_dismiss", triage_id=item.pk), {"reason": DismissReason.OWN})
    assert own.status_code == 400  # only Groundswell says that
    bad = client.post(url("triage_dismiss", triage_id=item.pk), {"reason": "bored"})
    assert bad.status_code == 400
    assert "Pick a reason from the list." in bad.content.decode()
    bad = client.post(url("triage_dismiss", triage_id=item.pk), {"reason": DismissReason.OTHER, "note": "  "})
    assert bad.status_code == 400
    assert "Say why, for the record." in bad.content.decode()
    ok = client.post(url("triage_dismiss", triage_id=item.pk), {"reason": DismissReason.OTHER, "note": "A bot"})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.reason, item.note, item.decided_by_id) == (TriageStatus.DISMISSED, "other", "A bot",
                                                                         bob.pk)  # fmt: skip
    decided = client.get(url("triage") + "?show=decided").content.decode()
    assert "Another reason (say which)" in decided and "A bot" in decided and "Bob" in decided
    late = client_for(alice).post(url("triage_case", triage_id=item.pk), {"intent": Intent.COMPLAINT})
    assert late.status_code == 400
    assert "already dealt with" in late.content.decode()
    assert not Case.objects.exists()


def test_make_a_case_routes_it_and_answer_it_myself_gives_it_to_me(
    source: Source, brand: Topic, alice: Membership, bob: Membership
) -> None:
    volunteer(bob)
    [first] = actions.open_triage_for(triaged(source, brand, SARCASM), now=NOW)
    [second] = actions.open_triage_for(triaged(source, brand, LATE), now=NOW)
    client = client_for(alice)
    assert client.post(url("triage_case", triage_id=first.pk), {"intent": "praise"}).status_code == 400
    routed = client.post(url("triage_case", triage_id=first.pk), {"intent": Intent.COMPLAINT})
    assert routed.status_code == 302
    case = Case.objects.get(post_id=first.post_id)
    assert (case.intent, case.status, case.assignee_id) == (Intent.COMPLAINT, CaseStatus.ASSIGNED, bob.pk)
    assert "from triage, by Alice" in case.events.get(kind="opened").note
    taken = client.post(url("triage_case", triage_id=second.pk), {"intent": Intent.COMPLAINT, "answer": "on"})
    mine = Case.objects.get(post_id=second.post_id)
    assert taken.status_code == 302 and taken["Location"] == url("case", case_id=mine.pk)
    assert (mine.assignee_id, mine.status) == (alice.pk, CaseStatus.ASSIGNED)
    assert mine.escalate_at is not None  # it still escalates when nobody answers
    page = client.get(url("case", case_id=mine.pk)).content.decode()
    assert "Groundswell can post replies on Bluesky and Mastodon" in page  # which networks can be answered
    assert TriageItem.objects.get(pk=second.pk).case_id == mine.pk


def test_a_case_page_on_a_network_without_replies_says_so(workspace: Workspace, brand: Topic, bob: Membership) -> None:
    volunteer(bob)
    reddit = Source.objects.create(workspace=workspace, kind=SourceKind.REDDIT, name="Reddit")
    _, mentions = make_post(reddit, [brand], text="Is the Northwind tent any good?")
    [case] = actions.open_cases_for(mentions, now=timezone.now())
    body = client_for(bob).get(url("case", case_id=case.pk)).content.decode()
    assert "Groundswell cannot post replies on Reddit." in body
    assert "Reddit, Hacker News" in body


def test_outsiders_get_404_everywhere(item: TriageItem, charlie: Membership, other_workspace: Workspace) -> None:
    client = client_for(charlie)  # an admin of another workspace
    assert client.get(url("triage")).status_code == 404
    assert client.post(url("triage_case", triage_id=item.pk), {"intent": "complaint"}).status_code == 404
    assert client.post(url("triage_dismiss", triage_id=item.pk), {"reason": "spam"}).status_code == 404
    # and through their own workspace's address, the item's id is not found either
    assert client.post(url("triage_dismiss", ws="globex", triage_id=item.pk), {"reason": "spam"}).status_code == 404
    assert client.post(url("triage_case", ws="globex", triage_id=item.pk), {"intent": "complaint"}).status_code == 404
    assert client.get(url("triage", ws="globex")).status_code == 200
    item.refresh_from_db()
    assert item.status == TriageStatus.OPEN
    assert not Case.objects.exists()


def test_actions_refuse_a_member_of_another_workspace(item: TriageItem, charlie: Membership) -> None:
    with pytest.raises(actions.CareError):
        actions.dismiss_triage(item, charlie, DismissReason.SPAM)
    with pytest.raises(actions.CareError):
        actions.case_from_triage(item, charlie, Intent.COMPLAINT)
    assert TriageItem.objects.get(pk=item.pk).status == TriageStatus.OPEN


def test_brand_topic_of_another_workspace_is_not_mixed_in(
    item: TriageItem, other_workspace: Workspace, charlie: Membership
) -> None:
    theirs = Topic.objects.create(workspace=other_workspace, name="Globex", kind=TopicKind.BRAND, query="globex")
    src = Source.objects.create(workspace=other_workspace, kind=SourceKind.MASTODON, name="m")
    actions.open_triage_for(triaged(src, theirs, "Globex promised a call back. Nothing."), now=NOW)
    body = client_for(charlie).get(url("triage", ws="globex")).content.decode()
    assert "Globex promised" in body and "Waited 2 hours" not in body
