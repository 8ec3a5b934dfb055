"""The demo tells the same story whenever it is built, publishes a policy, and its summary is clean."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from groundswell.care.models import Case, CaseStatus
from groundswell.content.models import Item
from groundswell.demo import data
from groundswell.demo.care import shift_end
from groundswell.demo.generator import build_demo, demo_email
from groundswell.policy.actions import current_version, needs_acknowledgement, starter_draft
from groundswell.workspaces.models import Membership, Workspace


def _care_story(now: dt.datetime) -> dict[str, Any]:
    ws = build_demo(seed=3, employees=40, days=30, now=now).workspace
    cases = Case.objects.filter(workspace=ws).select_related("post")
    return {
        "statuses": Counter(c.status for c in cases),
        "answered": sum(1 for c in cases if c.first_response_at is not None),
        "escalations": sum(c.escalations for c in cases),
        "by_post": {c.post.text: c.status for c in cases},
    }


@pytest.mark.django_db
def test_the_care_cases_are_the_same_mix_at_any_hour() -> None:
    """Cases are routed by the responders' shifts: built at 03:00 or 15:00 (or just after the shift), the
    demo shows the same cases in the same states."""
    day = dt.date(2026, 5, 20)  # a Wednesday
    stories = [_care_story(dt.datetime.combine(day, dt.time(hour, 30), tzinfo=dt.UTC)) for hour in (3, 15, 23)]
    assert stories[0] == stories[1] == stories[2]
    mix = stories[0]["statuses"]
    assert mix[CaseStatus.ASSIGNED] >= 1  # open, within the shift
    assert mix[CaseStatus.ESCALATED] >= 1  # overdue
    assert stories[0]["answered"] >= 3 and mix[CaseStatus.RESOLVED] >= 1


def test_the_care_story_ends_at_a_weekday_afternoon() -> None:
    ws = Workspace(timezone=data.TIMEZONE)
    for now in (
        dt.datetime(2026, 5, 20, 3, 0, tzinfo=dt.UTC),  # Tuesday 20:00 in Portland
        dt.datetime(2026, 5, 20, 15, 0, tzinfo=dt.UTC),  # Wednesday 08:00
        dt.datetime(2026, 5, 24, 18, 0, tzinfo=dt.UTC),  # Sunday 11:00
    ):
        end = shift_end(ws, now).astimezone(dt.timezone(dt.timedelta(hours=-7)))
        assert end <= now and end.weekday() < 5 and (end.hour, end.minute) == (16, 0)
        assert now - end < dt.timedelta(days=3, hours=1)


@pytest.mark.django_db
def test_the_demo_publishes_the_starter_policy_and_sharers_have_read_it() -> None:
    now = dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC)
    ws = build_demo(seed=3, employees=40, days=30, now=now).workspace
    version = current_version(ws)
    assert version is not None and version.number == 1
    assert version.title == starter_draft().title and version.checklist == starter_draft().checklist
    assert version.published_at < now - dt.timedelta(days=30)
    assert version.published_by is not None and version.published_by.is_admin
    employee = Membership.objects.get(workspace=ws, user__email=demo_email(data.EMPLOYEE[1]))
    assert needs_acknowledgement(employee) is None  # the printed employee login can share right away
    acked = version.acknowledgements.count()
    assert 0 < acked <= Membership.objects.filter(workspace=ws, is_active=True).count()
    assert all(a.acknowledged_at >= version.published_at for a in version.acknowledgements.all())


@pytest.mark.django_db
def test_covers_are_served_by_this_server_whatever_its_address(settings: Any) -> None:
    settings.SITE_URL = "http://demo.invalid:9999"
    ws = build_demo(seed=3, employees=40, days=30, now=dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC)).workspace
    covers = Item.objects.filter(workspace=ws).exclude(image="")
    assert covers.count() >= 5
    for item in covers:
        assert item.image.url.startswith("/media/demo/covers/") and item.image_url == ""
    assert not Item.objects.filter(workspace=ws, image_url__contains="demo.invalid").exists()
    # A rebuild overwrites the files instead of piling up copies.
    build_demo(seed=3, employees=40, days=30, now=dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC))
    names = set(Item.objects.filter(workspace__slug=data.SLUG).exclude(image="").values_list("image", flat=True))
    assert names <= {f"demo/covers/{n}.svg" for n in range(1, 7)}


@pytest.mark.django_db
def test_no_serve_says_how_to_serve_and_keeps_log_lines_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import groundswell.demo.generator as generator

    real = generator.build_demo

    def noisy(**kwargs: Any) -> Any:
        logging.getLogger("groundswell.care").info("Case 12 routed to Dora")
        logging.getLogger("groundswell.demo").warning("Something odd")
        return real(**kwargs)

    monkeypatch.setattr(generator, "build_demo", noisy)
    call_command(
        "demo", "--no-serve", "--employees", "20", "--days", "14", "--port", "8123", "--i-know-this-is-not-production"
    )
    captured = capsys.readouterr()
    assert "http://127.0.0.1:8123/" in captured.out
    assert "groundswell serve --port 8123" in captured.out and "GROUNDSWELL_DATA_DIR=" in captured.out
    assert "routed to Dora" not in captured.out + captured.err
    assert "Something odd" in captured.out  # warnings are listed after the summary, not in the middle of it
    assert "Something odd" not in captured.err
