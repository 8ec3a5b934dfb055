from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from groundswell.chat.teams import auth, client
from groundswell.chat.teams.tests import fake_bot


@pytest.fixture
def bot(settings: Any) -> Iterator[fake_bot.FakeBotFramework]:
    """Teams configured with the fake Bot Framework behind the choke point."""
    settings.TEAMS_APP_ID = fake_bot.APP_ID
    settings.TEAMS_APP_PASSWORD = fake_bot.APP_PASSWORD
    settings.TEAMS_TENANT_ID = ""
    settings.TEAMS_OPENID_METADATA_URL = fake_bot.METADATA_URL
    settings.TEAMS_TOKEN_URL = fake_bot.TOKEN_URL
    fake = fake_bot.FakeBotFramework()
    auth.forget_keys()
    with client.use_transport(fake.transport()):
        yield fake
    auth.forget_keys()
