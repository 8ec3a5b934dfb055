"""The member's own progress page, and the admins' aggregate completion per track (counts only, small groups
shown as "fewer than N")."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.conftest import client_for, make_member
from groundswell.learning.actions import complete_lesson, submit_quiz
from groundswell.learning.queries import track_reports
from groundswell.learning.tests.helpers import make_lesson, make_track, question
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_member_sees_own_tracks_scores_and_points(workspace: Workspace, bob: Membership, carol: Membership) -> None:
    track = make_track(workspace, "Basics")
    quiz = make_lesson(track, "Quiz lesson", (question("A", 0), question("B", 0), question("C", 0)))
    plain = make_lesson(track, "Plain lesson")
    make_lesson(track, "Untouched quiz", (question("D"),))
    qs = list(quiz.questions.all())
    submit_quiz(member=bob, lesson=quiz, answers={qs[0].pk: 0, qs[1].pk: 0, qs[2].pk: 1})
    submit_quiz(member=bob, lesson=quiz, answers={q.pk: 0 for q in qs})
    complete_lesson(member=carol, lesson=plain)
    html = client_for(bob).get("/w/acme/learn/progress/").content.decode()
    assert "Only you see this page" in html and "streak" in html.lower()  # "there are no streaks"
    assert "<strong>1</strong> of 3 released lessons completed" in html
    assert "3 of 3 (2 tries)" in html and "Not taken yet" in html and "No quiz" in html
    assert '<span class="value">15</span>' in html
    assert "Completion per track" not in html  # admins only
    assert "Carol" not in html


def test_admin_sees_counts_never_names(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership
) -> None:
    track = make_track(workspace, "Basics")
    first, second = make_lesson(track, "First"), make_lesson(track, "Second")
    complete_lesson(member=bob, lesson=first)
    complete_lesson(member=bob, lesson=second)
    complete_lesson(member=carol, lesson=first)
    report = track_reports(workspace)[0]
    assert report.audience == 3 and str(report.started) == "fewer than 5" and str(report.finished) == "fewer than 5"
    assert [(lesson.title, str(n)) for lesson, n in report.lessons] == [
        ("First", "fewer than 5"),
        ("Second", "fewer than 5"),
    ]
    alice_client = client_for(alice)
    html = alice_client.get("/w/acme/learn/progress/").content.decode()
    assert "Completion per track" in html and "fewer than 5" in html
    assert "Bob" not in html and "Carol" not in html
    workspace.min_group_size = 1
    workspace.save(update_fields=["min_group_size"])
    for i in range(3):
        complete_lesson(member=make_member(workspace, f"m{i}@acme.test"), lesson=first)
    report = track_reports(workspace)[0]
    assert (report.audience, str(report.started), str(report.finished)) == (6, "5", "1")
    assert [str(n) for _, n in report.lessons] == ["5", "1"]
    html = alice_client.get("/w/acme/learn/progress/").content.decode()
    assert "started by 5 · finished by 1" in html


def test_progress_page_empty_state(bob_client: Client) -> None:
    html = bob_client.get("/w/acme/learn/progress/").content.decode()
    assert "No lessons for you yet" in html
