"""A question about the brand heard by a listening source becomes a routed case, through the real pipeline."""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.care.actions import open_missed_cases
from groundswell.care.models import Case
from groundswell.care.tests.conftest import NOW, make_post, volunteer
from groundswell.listening import pipeline
from groundswell.listening.models import Intent, Source, Topic
from groundswell.listening.sources.base import FetchedPost
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def test_ingest_opens_a_case_for_a_brand_question_only(
    source: Source, brand: Topic, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    volunteer(bob)
    posts = [
        FetchedPost("q1", "Does the Northwind tent survive a storm? Anyone know?", NOW, lang="en"),
        FetchedPost("p1", "Northwind tents are great, love mine", NOW, lang="en"),
        FetchedPost("x1", "Does anyone know a good camp stove?", NOW, lang="en"),  # not about the brand
    ]
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.ingest(source, posts, {"n": 3}, now=NOW)
    cases = list(Case.objects.select_related("post"))
    assert [c.post.external_id for c in cases] == ["q1"]
    assert cases[0].assignee_id == bob.pk  # routed to the volunteer who answers customers
    # Ingesting the same posts again (a replay from an old cursor) opens nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.ingest(source, posts, {"n": 3}, now=NOW)
    assert Case.objects.count() == 1


def test_the_periodic_job_opens_cases_ingest_missed(source: Source, brand: Topic) -> None:
    make_post(source, [brand], intent=Intent.COMPLAINT, text="My Northwind order never arrived")
    assert Case.objects.count() == 0  # rows written directly: no ingest hook ran
    assert open_missed_cases(now=NOW) == 1
    assert open_missed_cases(now=NOW) == 0


def test_ingest_puts_what_may_need_a_reply_in_the_triage_queue(
    source: Source, brand: Topic, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    """ADR 0028: a complaint the rules do not recognise reaches the care team; plain praise does not."""
    from groundswell.care.models import TriageItem

    volunteer(bob)
    posts = [
        FetchedPost("c1", "Third pair of Northwind Trail boots in two years. Hmm.", NOW, lang="en"),
        FetchedPost("p1", "Northwind tents are great, love mine", NOW, lang="en"),
        FetchedPost("q1", "Does the Northwind tent survive a storm? Anyone know?", NOW, lang="en"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.ingest(source, posts, {"n": 3}, now=NOW)
    assert [c.post.external_id for c in Case.objects.select_related("post")] == ["q1"]
    assert [i.post.external_id for i in TriageItem.objects.filter(status="open").select_related("post")] == ["c1"]
