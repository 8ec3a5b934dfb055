from __future__ import annotations

import json

import pytest

from groundswell.learning.actions import complete_lesson, create_lesson
from groundswell.learning.drafts import LessonDraft
from groundswell.learning.models import Lesson, LessonCompletion
from groundswell.privacy.registry import providers
from groundswell.updates.actions import post_update, set_digest_frequency
from groundswell.updates.models import DigestDelivery, DigestPreference, Frequency, Update
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_providers_declare_export_and_erase(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    by_key = {p.key: p for p in providers()}
    updates, learning = by_key["updates"], by_key["learning"]
    assert {"updates.DigestPreference", "updates.DigestDelivery", "updates.Update"} <= set(updates.models)
    assert {"learning.LessonCompletion", "learning.Lesson"} <= set(learning.models)

    update = post_update(workspace=workspace, author=alice, title="News", body_markdown="text")
    lesson = create_lesson(workspace=workspace, author=alice, draft=LessonDraft("Tip", "Read"))
    set_digest_frequency(member=bob, frequency=Frequency.DAILY)
    DigestDelivery.objects.create(workspace=workspace, member=bob, period_key="d2026-01-01", status="sent")
    complete_lesson(member=bob, lesson=lesson, choice=None)

    lines = updates.inventory(bob)
    assert any("daily" in line.what.lower() for line in lines)
    assert next(line for line in lines if line.what.startswith("Digests")).count == 1
    exported = {**updates.export(bob), **learning.export(bob)}
    json.dumps(exported)  # JSON-serialisable
    assert exported["digest_frequency"] == "daily" and exported["digests"][0]["period"] == "d2026-01-01"
    assert exported["completed_lessons"][0]["lesson"] == "Tip"
    assert learning.inventory(bob)[0].count == 1

    assert updates.erase(bob).erased == 2 and learning.erase(bob).erased == 1
    assert not DigestPreference.objects.exists() and not DigestDelivery.objects.exists()
    assert not LessonCompletion.objects.exists()
    # An admin's updates and lessons stay for everyone, without the name.
    result = updates.erase(alice)
    assert result.kept and learning.erase(alice).kept
    assert Update.objects.get(pk=update.pk).author is None and Lesson.objects.get(pk=lesson.pk).created_by is None
