"""The care pages: the responder's case page and answer, the admins' pages, bad input, and outsiders."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.care import actions
from groundswell.care.models import Case, CaseStatus, ResponderProfile, Snippet
from groundswell.care.tests.conftest import make_post, volunteer
from groundswell.care.views import QUEUE_PAGE_SIZE
from groundswell.conftest import client_for
from groundswell.listening.models import Source, Topic
from groundswell.rewards.models import Action, PointsEntry
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(source: Source, brand: Topic, bob: Membership) -> Case:
    volunteer(bob)
    make_post(source, [brand], text="Anyone tried Northwind tents?", external_id="root-1")
    _, mentions = make_post(source, [brand], text="Is the Northwind tent waterproof?", in_reply_to="root-1")
    [opened] = actions.open_cases_for(mentions, now=timezone.now())
    return opened


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"care:{name}", kwargs={"ws": "acme", **kwargs})


def test_my_cases_and_case_page_show_post_thread_and_snippets(case: Case, alice: Membership, bob: Membership) -> None:
    Snippet.objects.create(workspace=case.workspace, title="Waterproof", body="Yes: 3000 mm hydrostatic head.")
    client = client_for(bob)
    page = client.get(url("mine"))
    assert page.status_code == 200
    assert "Is the Northwind tent waterproof?" in page.content.decode()
    page = client.get(url("case", case_id=case.pk))
    body = page.content.decode()
    assert "Anyone tried Northwind tents?" in body  # the parent post listening stored
    assert "3000 mm hydrostatic head" in body
    assert "record my answer" in body
    assert "Question about Northwind" in body


def test_answer_from_the_page_records_it_and_awards_points(case: Case, bob: Membership) -> None:
    client = client_for(bob)
    bad = client.post(url("reply", case_id=case.pk), {"text": "  "})
    assert bad.status_code == 400
    assert "Write the answer first." in bad.content.decode()
    ok = client.post(url("reply", case_id=case.pk), {"text": "Yes it is, Kim!"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    assert case.first_response_at is not None
    again = client.post(url("reply", case_id=case.pk), {"text": "Twice"})
    assert again.status_code == 400
    assert "already answered" in again.content.decode()
    assert PointsEntry.objects.filter(member=bob, action=Action.ANSWER).count() == 1
    assert client.post(url("resolve", case_id=case.pk)).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_the_assignee_says_they_are_on_it_once_and_a_reassignment_clears_it(
    case: Case, alice: Membership, bob: Membership, carol: Membership
) -> None:
    client = client_for(bob)
    assert "I'm on it" in client.get(url("case", case_id=case.pk)).content.decode()
    assert client.get(url("acknowledge", case_id=case.pk)).status_code == 405
    assert client.post(url("acknowledge", case_id=case.pk)).status_code == 302
    case.refresh_from_db()
    assert case.acknowledged_at is not None
    page = client.get(url("case", case_id=case.pk)).content.decode()
    assert "You said you are on it" in page and "I'm on it</button>" not in page
    assert "Acknowledged: on it" in page  # the case's history
    assert ">on it</span>" in client_for(alice).get(url("queue")).content.decode()  # the team queue
    with pytest.raises(actions.CareError):
        actions.acknowledge_case(case, carol)  # not theirs
    assert actions.acknowledge_case(case, bob) is False  # once per assignment
    assert case.events.filter(kind="acked").count() == 1
    volunteer(carol)
    actions.reassign_case(case, alice, carol)
    case.refresh_from_db()
    assert case.assignee_id == carol.pk and case.acknowledged_at is None
    assert actions.acknowledge_case(case, carol) is True
    assert client_for(carol).post(url("acknowledge", case_id=case.pk)).status_code == 302


def test_someone_elses_case_and_admin_pages_are_404_for_employees(case: Case, carol: Membership) -> None:
    client = client_for(carol)
    assert client.get(url("case", case_id=case.pk)).status_code == 404
    assert client.post(url("reply", case_id=case.pk), {"text": "x"}).status_code == 404
    for name in ("queue", "settings", "snippets"):
        assert client.get(url(name)).status_code == 404


def test_outsider_gets_404_everywhere(case: Case, charlie: Membership) -> None:
    snippet = Snippet.objects.create(workspace=case.workspace, title="t", body="b")
    client = client_for(charlie)
    paths = [
        url("mine"),
        url("profile"),
        url("queue"),
        url("settings"),
        url("snippets"),
        url("case", case_id=case.pk),
        url("reply", case_id=case.pk),
        url("resolve", case_id=case.pk),
        url("reassign", case_id=case.pk),
        url("close", case_id=case.pk),
        url("snippet", snippet_id=snippet.pk),
        url("delete_snippet", snippet_id=snippet.pk),
    ]
    for path in paths:
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"text": "x"}).status_code == 404, path
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED


def test_admin_queue_reassign_and_close(case: Case, alice: Membership, carol: Membership) -> None:
    client = client_for(alice)
    page = client.get(url("queue"))
    assert page.status_code == 200
    assert "Is the Northwind tent waterproof?" in page.content.decode()
    bad = client.post(url("reassign", case_id=case.pk), {"member": "nope"})
    assert bad.status_code == 400
    assert "Pick an active member." in bad.content.decode()
    assert client.post(url("reassign", case_id=case.pk), {"member": carol.pk}).status_code == 302
    case.refresh_from_db()
    assert case.assignee == carol
    assert client.post(url("close", case_id=case.pk), {"note": ""}).status_code == 400
    assert client.post(url("close", case_id=case.pk), {"note": "Answered by phone"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_settings_and_snippets_validate(alice: Membership, brand: Topic) -> None:
    client = client_for(alice)
    assert client.get(url("settings")).status_code == 200
    bad = client.post(
        url("settings"),
        {"first_response_minutes": "0", "max_open_per_person": "1", "escalation_steps": "1", "step_minutes": "30"},
    )
    assert bad.status_code == 400
    assert "Between 5 minutes and 24 hours." in bad.content.decode()
    ok = client.post(
        url("settings"),
        {"first_response_minutes": "30", "max_open_per_person": "2", "escalation_steps": "2", "step_minutes": "15"},
    )
    assert ok.status_code == 302
    assert alice.workspace.care_settings.max_open_per_person == 2
    assert client.post(url("snippets"), {"title": "", "body": ""}).status_code == 400
    made = client.post(url("snippets"), {"title": "Returns", "body": "30 days, free.", "topics": [brand.pk]})
    assert made.status_code == 302
    snippet = Snippet.objects.get(title="Returns")
    assert list(snippet.topics.all()) == [brand]
    assert client.post(url("delete_snippet", snippet_id=snippet.pk)).status_code == 302
    assert not Snippet.objects.exists()


def test_profile_is_seeded_and_editable_with_clear_errors(bob: Membership, brand: Topic) -> None:
    from groundswell.enrolment.actions import Answers, join

    join(bob, Answers(activities=["answer"], languages=["de", "en"]))
    client = client_for(bob)
    page = client.get(url("profile"))
    assert page.status_code == 200
    assert page.context["form"].initial["languages"] == ["en", "de"]  # seeded from enrolment, in form order
    assert not ResponderProfile.objects.filter(member=bob).exists()  # a GET writes nothing
    form = {"languages": ["en"], "timezone": "Europe/Berlin", "day0": "9 to 5"}
    bad = client.post(url("profile"), form)
    assert bad.status_code == 400
    assert "write it like 09:00-17:00" in bad.content.decode()
    bad_tz = client.post(url("profile"), {**form, "day0": "09:00-17:00", "timezone": "Mars/Olympus"})
    assert "Pick a time zone" in bad_tz.content.decode()
    ok = client.post(url("profile"), {**form, "day0": "09:00-12:00, 13:00-17:00", "skills": [brand.pk]})
    assert ok.status_code == 302
    profile = ResponderProfile.objects.get(member=bob)
    assert profile.week == {"0": [[540, 720], [780, 1020]]}
    assert profile.time_zone == "Europe/Berlin"
    assert list(profile.skills.all()) == [brand]


def test_my_cases_query_count_does_not_grow(
    source: Source, brand: Topic, bob: Membership, django_assert_max_num_queries: Any
) -> None:
    from groundswell.care.models import CareSettings

    volunteer(bob)
    CareSettings.objects.create(workspace=bob.workspace, max_open_per_person=20)
    for _ in range(2):
        actions.open_cases_for(make_post(source, [brand])[1])
    client: Client = client_for(bob)
    client.get(url("mine"))
    with CaptureQueriesContext(connection) as first:
        client.get(url("mine"))
    queries = len(first.captured_queries)  # now: each request resets the connection's query log
    assert queries <= 12
    for _ in range(8):
        actions.open_cases_for(make_post(source, [brand])[1])
    assert Case.objects.filter(assignee=bob).count() == 10
    with django_assert_max_num_queries(queries):
        client.get(url("mine"))


def test_unknown_case_is_404(alice: Membership) -> None:
    assert client_for(alice).get(url("case", case_id=999999)).status_code == 404


def test_team_queue_query_count_does_not_grow(
    source: Source, brand: Topic, alice: Membership, bob: Membership, django_assert_max_num_queries: Any
) -> None:
    volunteer(bob)
    for _ in range(2):
        actions.open_cases_for(make_post(source, [brand])[1])
    client = client_for(alice)
    assert client.get(url("queue")).status_code == 200
    with CaptureQueriesContext(connection) as first:
        client.get(url("queue"))
    queries = len(first.captured_queries)  # now: each request resets the connection's query log
    assert queries <= 20
    for _ in range(10):
        actions.open_cases_for(make_post(source, [brand])[1])
    page = client.get(url("queue"))
    assert page.content.decode().count("Northwind tent survive") == 12
    with django_assert_max_num_queries(queries):
        client.get(url("queue"))


def test_team_queue_is_paginated(source: Source, brand: Topic, alice: Membership, bob: Membership) -> None:
    volunteer(bob)
    for _ in range(QUEUE_PAGE_SIZE + 3):
        actions.open_cases_for(make_post(source, [brand])[1])
    client = client_for(alice)
    first = client.get(url("queue")).content.decode()
    assert first.count("Northwind tent survive") == QUEUE_PAGE_SIZE
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = client.get(url("queue"), {"page": "2"}).content.decode()
    assert second.count("Northwind tent survive") == 3
