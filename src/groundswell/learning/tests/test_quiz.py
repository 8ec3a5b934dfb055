"""Quizzes of several questions: answered on one page, explanations for wrong answers, retries, the pass
mark, and the lesson points once."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.conftest import client_for
from groundswell.learning.actions import LessonError, submit_quiz
from groundswell.learning.models import Lesson, LessonCompletion, QuizAttempt
from groundswell.learning.tests.helpers import make_lesson, make_track, question
from groundswell.rewards.models import Action, PointsEntry
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(workspace: Workspace) -> Lesson:
    return make_lesson(
        make_track(workspace), "Hashtags", (question("One", 0), question("Two", 1), question("Three", 2))
    )


def _answers(lesson: Lesson, wrong: int = 0) -> dict[str, int]:
    """Form data: the first ``wrong`` questions answered wrongly, the others right."""
    out = {}
    for i, q in enumerate(lesson.questions.all()):
        out[f"q{q.pk}"] = (q.correct_choice + 1) % len(q.choices) if i < wrong else q.correct_choice
    return out


def test_wrong_answers_get_explanations_then_a_retry_completes(quiz: Lesson, bob: Membership) -> None:
    client = client_for(bob)
    page = client.get(f"/w/acme/learn/{quiz.pk}/").content.decode()
    assert page.count("<fieldset") == 3 and "Check my answers" in page
    resp = client.post(f"/w/acme/learn/{quiz.pk}/", _answers(quiz, wrong=2))
    html = resp.content.decode()
    assert resp.status_code == 200 and "Nearly! 1 of 3 right." in html
    assert "Because of One." in html and "Because of Two." in html and "Because of Three." not in html
    assert "checked" in html  # the answers stay selected for the retry
    assert not LessonCompletion.objects.exists() and not PointsEntry.objects.filter(action=Action.LESSON).exists()
    attempt = QuizAttempt.objects.get()
    assert (attempt.correct, attempt.total, attempt.passed) == (1, 3, False)

    resp = client.post(f"/w/acme/learn/{quiz.pk}/", _answers(quiz), follow=True)
    assert "Lesson completed — 15 points. Well done!" in resp.content.decode()
    assert LessonCompletion.objects.filter(member=bob, lesson=quiz).count() == 1
    # Taking it again is welcome, and earns nothing more.
    again = client.post(f"/w/acme/learn/{quiz.pk}/", _answers(quiz), follow=True)
    assert "Lesson completed. Well done!" in again.content.decode()
    assert PointsEntry.objects.filter(action=Action.LESSON).count() == 1
    assert QuizAttempt.objects.filter(member=bob).count() == 3


def test_every_question_must_be_answered(quiz: Lesson, bob_client: Client) -> None:
    data = _answers(quiz)
    data.pop(next(iter(data)))
    resp = bob_client.post(f"/w/acme/learn/{quiz.pk}/", data)
    assert resp.status_code == 200 and "Pick one of the answers." in resp.content.decode()
    assert not QuizAttempt.objects.exists()


def test_pass_mark(workspace: Workspace, bob: Membership, carol: Membership) -> None:
    lesson = make_lesson(
        make_track(workspace), "Mostly", (question("A"), question("B"), question("C")), pass_percent=60
    )
    questions = list(lesson.questions.all())
    two_right = {questions[0].pk: 1, questions[1].pk: 0, questions[2].pk: 0}
    result = submit_quiz(member=bob, lesson=lesson, answers=two_right)
    assert (result.correct, result.passed, result.completed, result.points) == (2, True, True, 15)
    assert result.wrong == (questions[0].pk,)
    one_right = {questions[0].pk: 1, questions[1].pk: 1, questions[2].pk: 0}
    assert not submit_quiz(member=carol, lesson=lesson, answers=one_right).passed  # 33% < 60%


def test_answers_must_fit_the_questions(quiz: Lesson, bob: Membership, charlie: Membership) -> None:
    questions = list(quiz.questions.all())
    with pytest.raises(LessonError):
        submit_quiz(member=bob, lesson=quiz, answers={q.pk: 7 for q in questions})
    with pytest.raises(LessonError):
        submit_quiz(member=bob, lesson=quiz, answers={questions[0].pk: 0})
    with pytest.raises(LessonError):
        submit_quiz(member=charlie, lesson=quiz, answers={q.pk: q.correct_choice for q in questions})
    assert not QuizAttempt.objects.exists()


def test_a_lesson_without_quiz_is_completed_by_reading(workspace: Workspace, bob_client: Client) -> None:
    lesson = make_lesson(make_track(workspace), "Just read")
    page = bob_client.get(f"/w/acme/learn/{lesson.pk}/").content.decode()
    assert "Mark as completed" in page
    assert bob_client.post(f"/w/acme/learn/{lesson.pk}/").status_code == 302
    assert LessonCompletion.objects.filter(lesson=lesson).count() == 1 and not QuizAttempt.objects.exists()
