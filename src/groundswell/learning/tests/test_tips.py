"""Tips of the week: the ``tip_for_week`` interface (pinned week, weekly rotation), the admin pages, the
starter tips, the lessons page and the digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from groundswell.learning.actions import LessonError, install_starter_tips, save_tip, set_schedule
from groundswell.learning.drafts import TipDraft
from groundswell.learning.models import Tip as TipRow
from groundswell.learning.starter import STARTER_TIPS
from groundswell.learning.tests.helpers import make_lesson, make_track
from groundswell.learning.tips import Tip, tip_for_week
from groundswell.updates.actions import set_digest_frequency
from groundswell.updates.digest import send_due_digests
from groundswell.updates.models import Frequency
from groundswell.updates.tests.test_digest import next_monday
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 12, 7)


def test_rotation_and_pinned_weeks(workspace: Workspace, other_workspace: Workspace) -> None:
    assert tip_for_week(workspace, MONDAY) is None
    for title in ("A", "B", "C"):
        save_tip(workspace=workspace, draft=TipDraft(title, f"Text {title}."), week_of=None)
    weeks = [tip_for_week(workspace, MONDAY + dt.timedelta(weeks=i)) for i in range(6)]
    titles = [t.title for t in weeks if t is not None]
    assert len(titles) == 6 and sorted(titles[:3]) == ["A", "B", "C"] and titles[3:] == titles[:3]
    # Any day of the week gives that week's tip.
    assert tip_for_week(workspace, MONDAY + dt.timedelta(days=6)) == weeks[0]
    assert weeks[0] == Tip(title=titles[0], text=f"Text {titles[0]}.", url=None)
    # A tip written for a week wins that week only.
    save_tip(
        workspace=workspace,
        draft=TipDraft("Launch week", "Share the launch post.", "https://acme.example/launch"),
        week_of=MONDAY + dt.timedelta(days=9),  # a Wednesday of the next week
    )
    pinned = tip_for_week(workspace, MONDAY + dt.timedelta(weeks=1))
    assert pinned == Tip("Launch week", "Share the launch post.", "https://acme.example/launch")
    assert tip_for_week(workspace, MONDAY) == weeks[0]
    assert tip_for_week(other_workspace, MONDAY) is None  # nothing leaks between workspaces
    with pytest.raises(LessonError, match="already set for the week"):
        save_tip(workspace=workspace, draft=TipDraft("Other", "Text."), week_of=MONDAY + dt.timedelta(days=7))


def test_starter_tips_are_encouraging_and_install_once(workspace: Workspace) -> None:
    assert 8 <= len(STARTER_TIPS) <= 12
    titles = [t.title for t in STARTER_TIPS]
    assert "Add one sentence of your own" in titles and "Reply to comments within a day" in titles
    for tip in STARTER_TIPS:
        assert len(tip.text) <= 600 and not any(w in tip.text.lower() for w in ("never post", "forbidden", "must not"))
    assert len(install_starter_tips(workspace=workspace)) == len(STARTER_TIPS)
    assert install_starter_tips(workspace=workspace) == []
    assert tip_for_week(workspace, MONDAY) is not None


def test_admin_pages(alice_client: Client, bob_client: Client, workspace: Workspace) -> None:
    page = alice_client.get("/w/acme/learn/tips/").content.decode()
    assert "Add the starter tips" in page
    assert alice_client.post("/w/acme/learn/tips/new/", {"title": "", "text": "x"}).status_code == 200
    bad = alice_client.post("/w/acme/learn/tips/new/", {"title": "T", "text": "x", "url": "javascript:alert(1)"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert alice_client.post("/w/acme/learn/tips/new/", {"title": "T", "text": "x" * 700}).status_code == 200
    assert not TipRow.objects.exists()
    ok = alice_client.post(
        "/w/acme/learn/tips/new/", {"title": "Thank a colleague", "text": "Name one.", "url": "acme.example/thanks"}
    )
    assert ok.status_code == 302
    tip = TipRow.objects.get()
    assert tip.url == "https://acme.example/thanks"
    edit = alice_client.post(
        f"/w/acme/learn/tips/{tip.pk}/edit/", {"title": "Thank a colleague", "text": "Name one, with their OK."}
    )
    assert edit.status_code == 302
    tip.refresh_from_db()
    assert tip.text == "Name one, with their OK." and tip.url == ""
    assert "Name one, with their OK." in bob_client.get("/w/acme/learn/").content.decode()  # this week's tip
    assert bob_client.post(f"/w/acme/learn/tips/{tip.pk}/delete/").status_code == 404
    assert alice_client.get(f"/w/acme/learn/tips/{tip.pk}/delete/").status_code == 405
    assert alice_client.post(f"/w/acme/learn/tips/{tip.pk}/delete/").status_code == 302
    assert not TipRow.objects.exists()
    assert alice_client.post("/w/acme/learn/tips/starter/").status_code == 302
    assert TipRow.objects.count() == len(STARTER_TIPS)


def test_the_digest_carries_the_tip_but_a_tip_alone_sends_nothing(
    workspace: Workspace, alice: Membership, bob: Membership
) -> None:
    set_digest_frequency(member=alice, frequency=Frequency.NEVER)
    save_tip(workspace=workspace, draft=TipDraft("Ask a question", "End with a question.", ""), week_of=None)
    monday = next_monday(9)
    assert send_due_digests(now=monday).sent == 0  # the tip is context, not news
    # A lesson released during the week before the next digest is news: the tip rides along.
    track = make_track(workspace, "Basics")
    make_lesson(track, "Released this week")
    set_schedule(workspace=workspace, starts_on=monday.date() + dt.timedelta(days=2), interval_days=7, track=track)
    assert send_due_digests(now=monday + dt.timedelta(days=7)).sent == 1
    body = mail.outbox[0].body
    assert "Tip of the week" in body and "Ask a question" in body and "End with a question." in body


def test_lessons_page_without_tips_or_lessons_says_what_to_do(bob_client: Client, workspace: Workspace) -> None:
    html = bob_client.get("/w/acme/learn/").content.decode()
    assert "Tip of the week" not in html and "Your program admin will add short lessons here" in html
    make_lesson(make_track(workspace), "First")
    assert "First" in bob_client.get("/w/acme/learn/").content.decode()
