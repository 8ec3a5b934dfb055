"""The digest really goes over SMTP (to the sink server on loopback), with both parts and the unsubscribe header."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from groundswell.updates.actions import post_update, set_digest_frequency
from groundswell.updates.digest import send_due_digests
from groundswell.updates.models import DigestPreference, Frequency, Update
from groundswell.updates.tests.test_digest import next_monday
from groundswell.workspaces.models import Membership, Workspace
from tests.test_smtp import Sink, _wait_for, smtp_sink  # noqa: F401 — the fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_digest_over_smtp_then_one_click_unsubscribe(
    smtp_sink: Sink,  # noqa: F811
    workspace: Workspace,
    alice: Membership,
    bob: Membership,
) -> None:
    monday = next_monday(9, tz=ZoneInfo(workspace.timezone))
    update = post_update(workspace=workspace, author=alice, title="Q4 kick-off", body_markdown="Let's go & share!")
    Update.objects.filter(pk=update.pk).update(posted_at=monday - dt.timedelta(days=2))
    set_digest_frequency(member=alice, frequency=Frequency.NEVER)

    assert send_due_digests(now=monday).sent == 1
    _wait_for(smtp_sink, 1)
    message = smtp_sink.messages[0]
    assert smtp_sink.envelopes[0][1] == ["bob@acme.test"]
    assert message["Subject"] == "Acme advocacy digest"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "Q4 kick-off" in plain.get_content() and "Q4 kick-off" in html.get_content()
    header = str(message["List-Unsubscribe"]).strip()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"<http://testserver(/unsubscribe/[^>]+/)>", header)
    assert match, header

    # The mail client's one-click POST (RFC 8058): no login, no CSRF token.
    assert Client().post(match.group(1), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert DigestPreference.objects.get(member=bob).frequency == Frequency.NEVER
    assert send_due_digests(now=monday + dt.timedelta(days=7)).handled == 0
