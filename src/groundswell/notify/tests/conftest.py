from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from groundswell.notify.push import new_key_pair
from groundswell.notify.tests.fake_push import FakePushService

PAIR = new_key_pair()


@pytest.fixture
def vapid(settings: Any) -> Any:
    settings.VAPID_PUBLIC_KEY = PAIR.public
    settings.VAPID_PRIVATE_KEY = PAIR.private
    settings.VAPID_SUBJECT = "mailto:push@acme.test"
    return settings


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    service = FakePushService()
    yield service
    service.close()
