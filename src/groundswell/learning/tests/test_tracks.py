"""Several tracks: audiences, schedules, order, the admin pages, and query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groundswell.conftest import client_for, make_member
from groundswell.learning.actions import LessonError, complete_lesson, move_lesson, move_track, submit_quiz
from groundswell.learning.models import Lesson, LessonTrack
from groundswell.learning.queries import lessons_with_status, next_lesson, tracks_for
from groundswell.learning.tests.helpers import make_lesson, make_track, question, today
from groundswell.workspaces.models import Department, Membership, Role, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracks(workspace: Workspace, sales: Department) -> dict[str, LessonTrack]:
    everyone = make_track(workspace, "For everyone")
    sales_track = make_track(workspace, "For sales", departments=(sales.pk,))
    managers = make_track(workspace, "For managers", roles=(Role.MANAGER,))
    for track in (everyone, sales_track, managers):
        make_lesson(track, f"{track.title}: first")
    return {"everyone": everyone, "sales": sales_track, "managers": managers}


def test_members_see_the_tracks_meant_for_them(
    tracks: dict[str, LessonTrack], workspace: Workspace, alice: Membership, bob: Membership, carol: Membership
) -> None:
    dave = make_member(workspace, "dave@acme.test")  # an employee without a department
    titles = {m.display_name: [t.title for t in tracks_for(m)] for m in (alice, bob, carol, dave)}
    assert titles == {
        "Alice": ["For everyone", "For sales", "For managers"],  # admins review every track
        "Bob": ["For everyone", "For sales"],
        "Carol": ["For everyone", "For sales", "For managers"],
        "Dave": ["For everyone"],
    }
    dave_client = client_for(dave)
    page = dave_client.get("/w/acme/learn/").content.decode()
    assert "For everyone" in page and "For sales" not in page
    sales_lesson = Lesson.objects.get(track=tracks["sales"])
    assert dave_client.get(f"/w/acme/learn/tracks/{tracks['sales'].pk}/").status_code == 404
    assert dave_client.get(f"/w/acme/learn/{sales_lesson.pk}/").status_code == 404
    assert client_for(bob).get(f"/w/acme/learn/{sales_lesson.pk}/").status_code == 200
    # The next lesson follows the page order, within the member's tracks.
    status = next_lesson(bob, today())
    assert status is not None and status.lesson.title == "For everyone: first"
    complete_lesson(member=bob, lesson=status.lesson)
    status = next_lesson(bob, today())
    assert status is not None and status.lesson.title == "For sales: first"


def test_each_track_has_its_own_schedule(workspace: Workspace, bob: Membership) -> None:
    weekly = make_track(workspace, "Weekly", days_ago=8, interval=7)
    daily = make_track(workspace, "Daily", days_ago=2, interval=1)
    later = make_track(workspace, "Later", days_ago=-3, interval=7)
    for track in (weekly, daily, later):
        for i in range(4):
            make_lesson(track, f"{track.title} {i}")
    released = {s.lesson.title for s in lessons_with_status(bob, today()) if s.released}
    assert released == {"Weekly 0", "Weekly 1", "Daily 0", "Daily 1", "Daily 2"}
    page = client_for(bob).get(f"/w/acme/learn/tracks/{later.pk}/").content.decode()
    assert "The first lesson arrives on" in page


def test_admin_creates_and_edits_a_track(
    alice_client: Client, workspace: Workspace, sales: Department, other_workspace: Workspace
) -> None:
    elsewhere = Department.objects.create(workspace=other_workspace, name="Elsewhere")
    base = {"title": "Sales kit", "starts_on": today().isoformat(), "interval_days": 7}
    assert alice_client.post("/w/acme/learn/tracks/new/", {**base, "interval_days": 0}).status_code == 200
    bad = alice_client.post("/w/acme/learn/tracks/new/", {**base, "departments": [elsewhere.pk]})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert alice_client.post("/w/acme/learn/tracks/new/", {**base, "roles": ["king"]}).status_code == 200
    assert alice_client.post("/w/acme/learn/tracks/new/", {**base, "starts_on": "31/02/2026"}).status_code == 200
    assert not LessonTrack.objects.exists()
    ok = alice_client.post(
        "/w/acme/learn/tracks/new/", {**base, "departments": [sales.pk], "roles": [Role.EMPLOYEE, Role.MANAGER]}
    )
    track = LessonTrack.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/w/acme/learn/tracks/{track.pk}/"
    assert list(track.departments.all()) == [sales] and track.roles == [Role.EMPLOYEE, Role.MANAGER]
    edit = alice_client.post(
        f"/w/acme/learn/tracks/{track.pk}/edit/",
        {"title": "Sales kit 2", "starts_on": "2026-01-05", "interval_days": 3, "description": "For the field."},
    )
    assert edit.status_code == 302
    track.refresh_from_db()
    assert (track.title, track.starts_on, track.interval_days, track.roles) == (
        "Sales kit 2",
        dt.date(2026, 1, 5),
        3,
        [],
    )
    assert not track.departments.exists()  # now for everyone
    assert alice_client.get(f"/w/acme/learn/tracks/{track.pk}/move/").status_code == 405


def test_reordering_lessons_and_tracks(alice_client: Client, workspace: Workspace, bob: Membership) -> None:
    first, second = make_track(workspace, "First", days_ago=0, interval=7), make_track(workspace, "Second")
    a, b, c = (make_lesson(first, name) for name in "ABC")
    assert [s.lesson.title for s in lessons_with_status(bob, today()) if s.released][:1] == ["A"]
    resp = alice_client.post(f"/w/acme/learn/{c.pk}/move/", {"direction": "up"})
    assert resp.status_code == 302
    assert list(Lesson.objects.filter(track=first).values_list("title", flat=True)) == ["A", "C", "B"]
    move_lesson(lesson=a, direction=-1)  # already first: nothing changes
    move_lesson(lesson=Lesson.objects.get(pk=a.pk), direction=1)
    statuses = [s for s in lessons_with_status(bob, today()) if s.lesson.track_id == first.pk]
    assert [s.lesson.title for s in statuses] == ["C", "A", "B"]
    assert statuses[0].released and statuses[1].release_day == today() + dt.timedelta(days=7)
    alice_client.post(f"/w/acme/learn/tracks/{second.pk}/move/", {"direction": "up"})
    assert [t.title for t in tracks_for(bob)] == ["Second", "First"]
    move_track(track=LessonTrack.objects.get(pk=second.pk), direction=1)
    assert [t.title for t in tracks_for(bob)] == ["First", "Second"]
    assert client_for(bob).post(f"/w/acme/learn/{b.pk}/move/", {"direction": "up"}).status_code == 404


def test_a_lesson_cannot_go_into_another_workspaces_track(
    workspace: Workspace, other_workspace: Workspace, alice_client: Client
) -> None:
    theirs = make_track(other_workspace, "Theirs")
    assert alice_client.get(f"/w/acme/learn/tracks/{theirs.pk}/new/").status_code == 404
    from groundswell.learning.actions import create_lesson
    from groundswell.learning.drafts import LessonDraft

    with pytest.raises(LessonError):
        create_lesson(workspace=workspace, author=None, draft=LessonDraft("T", "B"), track=theirs)


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_lessons(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    tracks = [make_track(workspace, f"T{i}") for i in range(2)]
    for track in tracks:
        lesson = make_lesson(track, "L")
        complete_lesson(member=bob, lesson=lesson)
    urls = ["/w/acme/learn/", f"/w/acme/learn/tracks/{tracks[0].pk}/", "/w/acme/learn/progress/"]
    bob_client, alice_client = client_for(bob), client_for(alice)
    before = [_count(c, u) for c in (bob_client, alice_client) for u in urls]
    for track in tracks:
        for i in range(12):
            lesson = make_lesson(track, f"More {i}", (question(f"Q{i}"), question(f"R{i}")))
            submit_quiz(member=bob, lesson=lesson, answers={q.pk: 1 for q in lesson.questions.all()})
    after = [_count(c, u) for c in (bob_client, alice_client) for u in urls]
    assert after == before
