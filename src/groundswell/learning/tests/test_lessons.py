from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.learning.actions import (
    LessonError,
    complete_lesson,
    create_lesson,
    install_starter_lessons,
    set_schedule,
)
from groundswell.learning.drafts import LessonDraft
from groundswell.learning.models import Lesson, LessonCompletion, LessonTrack
from groundswell.learning.queries import lessons_with_status, next_lesson
from groundswell.learning.starter import STARTER_LESSONS, STARTER_TRACKS
from groundswell.rewards.models import Action, PointsEntry, PointsRule
from groundswell.updates.actions import set_digest_frequency
from groundswell.updates.digest import send_due_digests
from groundswell.updates.models import Frequency
from groundswell.updates.tests.test_digest import next_monday
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.now().date()


def management(total: int, initial: int = 0) -> dict[str, int]:
    return {"q-TOTAL_FORMS": total, "q-INITIAL_FORMS": initial, "q-MIN_NUM_FORMS": 0, "q-MAX_NUM_FORMS": 10}


@pytest.fixture
def starter(workspace: Workspace, alice: Membership) -> list[Lesson]:
    lessons = install_starter_lessons(workspace=workspace, author=alice)
    set_schedule(workspace=workspace, starts_on=today() - dt.timedelta(days=7), interval_days=7)
    return lessons


def test_starter_track_is_useful_and_installs_once(workspace: Workspace, alice: Membership) -> None:
    assert 6 <= len(STARTER_LESSONS) <= 8
    for draft in STARTER_LESSONS:
        words = len(draft.body_markdown.split())
        assert 120 <= words <= 450, (draft.title, words)  # about two minutes of reading
        assert draft.questions and all(q.correct_choice is not None and q.explanation for q in draft.questions)
    titles = " ".join(d.title for d in STARTER_LESSONS).lower()
    for topic in ("own voice", "not to share", "links are tracked", "customer", "linkedin", "mastodon", "alt text"):
        assert topic in titles
    assert len(install_starter_lessons(workspace=workspace, author=alice)) == len(STARTER_LESSONS)
    assert install_starter_lessons(workspace=workspace, author=alice) == []  # idempotent
    assert Lesson.objects.filter(workspace=workspace).count() == len(STARTER_LESSONS)
    assert LessonTrack.objects.get().title == "Getting started"


def test_drip_release_one_per_interval(starter: list[Lesson], bob: Membership) -> None:
    statuses = lessons_with_status(bob, today())
    assert [s.released for s in statuses[:3]] == [True, True, False]  # started a week ago: two are out
    assert statuses[2].release_day == today() + dt.timedelta(days=7)
    assert [s.released for s in lessons_with_status(bob, today() - dt.timedelta(days=8))] == [False] * len(starter)
    track = LessonTrack.objects.get()
    assert track.released_count(today() + dt.timedelta(days=70)) >= len(starter)


def test_member_reads_answers_and_completes_with_points_once(
    starter: list[Lesson], bob: Membership, bob_client: Client
) -> None:
    lesson = starter[0]
    page = bob_client.get(f"/w/acme/learn/{lesson.pk}/")
    assert page.status_code == 200 and lesson.title in page.content.decode() and "<strong>" in page.content.decode()
    question = lesson.questions.get()
    field = f"q{question.pk}"
    wrong = (question.correct_choice + 1) % len(question.choices)
    resp = bob_client.post(f"/w/acme/learn/{lesson.pk}/", {field: wrong})
    html = resp.content.decode()
    assert resp.status_code == 200 and "Nearly! 0 of 1 right." in html and "Have another go" in html
    assert not LessonCompletion.objects.exists() and not PointsEntry.objects.filter(action=Action.LESSON).exists()

    resp = bob_client.post(f"/w/acme/learn/{lesson.pk}/", {field: question.correct_choice}, follow=True)
    assert "Lesson completed — 15 points." in resp.content.decode()
    entry = PointsEntry.objects.get(action=Action.LESSON)
    assert entry.member == bob and entry.points == 15 and entry.key == f"lesson:{lesson.pk}:{bob.pk}"
    # Again: still one completion, no more points.
    bob_client.post(f"/w/acme/learn/{lesson.pk}/", {field: question.correct_choice})
    assert complete_lesson(member=bob, lesson=lesson, choice=question.correct_choice).points == 0
    assert LessonCompletion.objects.count() == 1 and PointsEntry.objects.filter(action=Action.LESSON).count() == 1
    track = bob_client.get(f"/w/acme/learn/tracks/{lesson.track_id}/").content.decode()
    assert "<strong>1</strong> of 2 released lessons completed" in track
    status = next_lesson(bob, today())
    assert status is not None and status.lesson == starter[1]


def test_daily_cap_on_lesson_points(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    lessons = [
        create_lesson(workspace=workspace, author=alice, draft=LessonDraft(f"L{i}", "Read me")) for i in range(3)
    ]
    set_schedule(workspace=workspace, starts_on=today() - dt.timedelta(days=30), interval_days=1)
    points = [complete_lesson(member=bob, lesson=lesson, choice=None).points for lesson in lessons]
    assert points == [15, 15, 0]  # the default rule: 15 points, at most 30 a day


def test_bad_answers_and_locked_lessons(starter: list[Lesson], bob_client: Client, alice_client: Client) -> None:
    lesson = starter[0]
    field = f"q{lesson.questions.get().pk}"
    for bad in ({}, {field: "x"}, {field: 99}):
        resp = bob_client.post(f"/w/acme/learn/{lesson.pk}/", bad)
        assert resp.status_code == 200 and "errorlist" in resp.content.decode()
    locked = starter[3]
    answer = {f"q{q.pk}": q.correct_choice for q in locked.questions.all()}
    assert bob_client.get(f"/w/acme/learn/{locked.pk}/").status_code == 404
    assert bob_client.post(f"/w/acme/learn/{locked.pk}/", answer).status_code == 404
    assert alice_client.get(f"/w/acme/learn/{locked.pk}/").status_code == 200  # admin preview
    alice_client.post(f"/w/acme/learn/{locked.pk}/", answer)
    assert not LessonCompletion.objects.exists()
    # Members see only released lessons in the track.
    assert locked.title not in bob_client.get(f"/w/acme/learn/tracks/{locked.track_id}/").content.decode()


def test_admin_writes_lessons_with_a_quiz(alice_client: Client, workspace: Workspace, bob: Membership) -> None:
    assert "Add \u201cGetting started\u201d" in alice_client.get("/w/acme/learn/").content.decode()
    base = {"title": "Q", "body_markdown": "Text", "pass_percent": 100, "action": "save", **management(2)}
    bad = alice_client.post("/w/acme/learn/new/", {**base, "q-0-text": "Which?", "q-0-choices": "only one"})
    assert bad.status_code == 200 and "Question 1 needs 2 to 5 answers" in bad.content.decode()
    bad = alice_client.post(
        "/w/acme/learn/new/", {**base, "q-0-text": "Which?", "q-0-choices": "a\nb", "q-0-correct": 3}
    )
    assert bad.status_code == 200 and "say which answer is right" in bad.content.decode()  # 3 is not one of 2
    bad = alice_client.post(
        "/w/acme/learn/new/", {**base, "q-0-text": "Which?", "q-0-choices": "a\nb", "q-0-correct": 2}
    )
    assert "add a short explanation" in bad.content.decode()
    assert not Lesson.objects.exists()
    ok = alice_client.post(
        "/w/acme/learn/new/",
        {
            **base,
            "title": "Hashtags",
            "body_markdown": "Use **two**.",
            "q-0-text": "How many?",
            "q-0-choices": "Two\nTwenty",
            "q-0-correct": 1,
            "q-0-explanation": "Two is plenty.",
            "q-1-text": "Where?",
            "q-1-choices": "At the end\nIn the middle",
            "q-1-correct": 1,
            "q-1-explanation": "At the end reads best.",
        },
    )
    assert ok.status_code == 302
    lesson = Lesson.objects.get()
    assert [(q.text, q.choices, q.correct_choice) for q in lesson.questions.all()] == [
        ("How many?", ["Two", "Twenty"], 0),
        ("Where?", ["At the end", "In the middle"], 0),
    ]
    form = alice_client.get(f"/w/acme/learn/{lesson.pk}/edit/").content.decode()
    assert "How many?" in form and "Where?" in form
    edit = alice_client.post(
        f"/w/acme/learn/{lesson.pk}/edit/",
        {
            **base,
            **management(4, initial=2),
            "title": "Hashtags, briefly",
            "body_markdown": "Use two.",
            "position": 5,
            "q-0-text": "How many?",
            "q-0-choices": "Two\nTwenty",
            "q-0-correct": 1,
            "q-0-explanation": "Two is plenty.",
            "q-1-DELETE": "on",
            "q-1-text": "Where?",
        },
    )
    assert edit.status_code == 302
    lesson.refresh_from_db()
    assert lesson.title == "Hashtags, briefly" and lesson.questions.count() == 1 and lesson.position == 5


def test_access(starter: list[Lesson], bob_client: Client, charlie: Membership) -> None:
    charlie_client = client_for(charlie)
    lesson = starter[0]
    admin_only = (
        "/w/acme/learn/new/",
        f"/w/acme/learn/{lesson.pk}/edit/",
        "/w/acme/learn/tracks/new/",
        f"/w/acme/learn/tracks/{lesson.track_id}/edit/",
        f"/w/acme/learn/tracks/{lesson.track_id}/new/",
        "/w/acme/learn/tips/",
        "/w/acme/learn/tips/new/",
    )
    for url in admin_only:
        assert bob_client.get(url).status_code == 404
    assert bob_client.post("/w/acme/learn/starter/").status_code == 404
    for url in (
        *admin_only,
        "/w/acme/learn/",
        "/w/acme/learn/progress/",
        f"/w/acme/learn/{lesson.pk}/",
        f"/w/acme/learn/{lesson.pk}/image/",
        f"/w/acme/learn/{lesson.pk}/move/",
        f"/w/acme/learn/tracks/{lesson.track_id}/",
        f"/w/acme/learn/tracks/{lesson.track_id}/move/",
        "/w/acme/learn/starter/",
        "/w/acme/learn/tips/starter/",
    ):
        assert charlie_client.get(url).status_code == 404
        assert charlie_client.post(url, {"direction": "up"}).status_code == 404
    with pytest.raises(LessonError):
        complete_lesson(member=charlie, lesson=lesson, choice=0)
    assert not LessonCompletion.objects.exists()


def test_lesson_rule_exists_for_every_workspace(workspace: Workspace) -> None:
    rule = PointsRule.objects.get(workspace=workspace, action=Action.LESSON)
    assert (rule.points, rule.daily_cap) == (15, 30)


def test_next_lesson_in_the_digest(
    starter: list[Lesson], workspace: Workspace, alice: Membership, bob: Membership
) -> None:
    set_digest_frequency(member=alice, frequency=Frequency.NEVER)
    monday = next_monday(9)
    # The track started long ago (nothing released this week is news): no digest.
    set_schedule(workspace=workspace, starts_on=today() - dt.timedelta(days=400), interval_days=30)
    assert send_due_digests(now=monday).sent == 0
    # A lesson released during the week before the digest is news.
    set_schedule(workspace=workspace, starts_on=monday.date() + dt.timedelta(days=2), interval_days=7)
    assert send_due_digests(now=monday + dt.timedelta(days=7)).sent == 1
    body = mail.outbox[0].body
    assert "Your next lesson" in body and starter[0].title in body
    assert f"http://testserver/w/acme/learn/{starter[0].pk}/" in body


def test_second_starter_track_tells_stories_with_multi_question_quizzes(
    alice_client: Client, bob_client: Client, workspace: Workspace
) -> None:
    stories = STARTER_TRACKS["stories"]
    assert stories.title == "Telling our stories" and len(stories.lessons) >= 3
    titles = " ".join(d.title for d in stories.lessons).lower()
    assert "story" in titles and "30-second video" in titles
    for draft in stories.lessons:
        assert 120 <= len(draft.body_markdown.split()) <= 450, draft.title
        assert len(draft.questions) >= 2 and all(0 <= (q.correct_choice or 0) < len(q.choices) for q in draft.questions)
    assert alice_client.post("/w/acme/learn/starter/", {"track": "nonsense"}).status_code == 302
    assert not LessonTrack.objects.exists()
    assert alice_client.post("/w/acme/learn/starter/", {"track": "stories"}).status_code == 302
    track = LessonTrack.objects.get()
    assert track.title == "Telling our stories"
    assert Lesson.objects.filter(track=track).count() == len(stories.lessons)
    first = Lesson.objects.filter(track=track).first()
    assert first is not None
    page = bob_client.get(f"/w/acme/learn/{first.pk}/").content.decode()  # released today
    assert page.count("<fieldset") == len(stories.lessons[0].questions)
    again = alice_client.post("/w/acme/learn/starter/", {"track": "stories"}, follow=True)
    assert "already in your track" in again.content.decode()


def test_starter_lessons_already_installed_under_the_old_title_are_not_added_again(
    workspace: Workspace, alice: Membership
) -> None:
    old = create_lesson(workspace=workspace, author=alice, draft=LessonDraft("What not to share", "Old text."))
    added = install_starter_lessons(workspace=workspace, author=alice)
    assert len(added) == len(STARTER_LESSONS) - 1
    assert "Share with confidence: what not to share" not in {lesson.title for lesson in added}
    assert Lesson.objects.get(pk=old.pk).track.title == "Lessons"
    assert install_starter_lessons(workspace=workspace, author=alice) == []
