"""Stories fixtures: dave in Marketing (another department than bob and carol's Sales), stories and a PNG."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from groundswell.conftest import make_member
from groundswell.stories.models import Audience, Story
from groundswell.workspaces.models import Department, Membership, Role, Workspace


@pytest.fixture
def marketing(workspace: Workspace) -> Department:
    return Department.objects.create(workspace=workspace, name="Marketing")


@pytest.fixture
def dave(workspace: Workspace, marketing: Department) -> Membership:
    return make_member(workspace, "dave@acme.test", Role.EMPLOYEE, department=marketing)


def png(name: str = "photo.png", size: tuple[int, int] = (40, 30), fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def make_story() -> Callable[..., Story]:
    def make(author: Membership, title: str = "A customer we helped", **extra: Any) -> Story:
        extra.setdefault("audience", Audience.EVERYONE)
        return Story.objects.create(
            workspace=author.workspace, author=author, title=title, body_markdown="Some **text**", **extra
        )

    return make
