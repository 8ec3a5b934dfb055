"""Fixtures of the harvesting tests (imported by test_harvest*.py; not a conftest.py, which the stories app's
own tests own): a call for stories open for everyone, and stories of bob's with and without consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from groundswell.stories.harvest import HarvestData, PromptData, answer_prompt, create_prompt
from groundswell.stories.models import Story, StoryPrompt
from groundswell.workspaces.models import Membership

#: The fixtures, for ``from groundswell.stories.tests.conftest_harvest import *`` in the test modules.
__all__ = ["consenting_story", "private_story", "prompt"]


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def prompt(alice: Membership) -> StoryPrompt:
    return create_prompt(
        member=alice,
        data=PromptData(
            title="The customer you helped this month",
            body_markdown="Who, what, **how it ended**.",
            deadline=today() + dt.timedelta(days=10),
            kind="customer",
        ),
    )


@pytest.fixture
def consenting_story(bob: Membership, prompt: StoryPrompt) -> Story:
    return answer_prompt(
        member=bob,
        prompt=prompt,
        title="How we rescued the Lisbon launch",
        body_markdown="The truck broke down.\n\nWe carried the boxes ourselves.",
        share_consent=True,
    )


@pytest.fixture
def private_story(carol: Membership, prompt: StoryPrompt) -> Story:
    return answer_prompt(
        member=carol, prompt=prompt, title="A quiet win", body_markdown="Kept to ourselves.", share_consent=False
    )


def harvest_data(**overrides: object) -> HarvestData:
    values: dict[str, object] = {
        "title": "We carried the boxes ourselves",
        "text": "The truck broke down, so the team carried the boxes.",
        "summary": "A launch saved by hand",
        "captions": ("Proud of this team",),
        "publish": True,
    }
    values.update(overrides)
    return HarvestData(**values)  # type: ignore[arg-type]
