"""Delivery: claimed before sending, at most once, retried on transient errors, failing loudly otherwise."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.utils import timezone

from groundswell.chat import dispatch
from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage, InstallationState, MessageStatus
from groundswell.chat.platforms import ActionButton, LinkButton, OutgoingMessage, Target
from groundswell.chat.tests.fake import FakeSlack

MESSAGE = OutgoingMessage(
    title="New to share: We launched",
    text="Our new thing",
    fallback="New to share: We launched https://x.test/1",
    url="https://x.test/1",
    buttons=(LinkButton("Share on LinkedIn", "https://x.test/go/1"), ActionButton("Get mine", "share_buttons", "1")),
)


def _row() -> ChatMessage:
    return ChatMessage.objects.get()


def test_a_message_is_posted_once_and_recorded(slack: FakeSlack, installation: ChatInstallation) -> None:
    row = dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE)
    assert row is not None and row.status == MessageStatus.SENT
    again = dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE)
    assert again is None  # claimed already: nothing sent
    assert slack.methods() == ["chat.postMessage"]
    stored = _row()
    assert (stored.status, stored.target, stored.attempts) == (MessageStatus.SENT, "channel:C0NEWS", 1)
    assert stored.external_id.startswith("17")
    body = slack.calls[0].body
    assert body["channel"] == "C0NEWS" and body["text"] == MESSAGE.fallback
    assert body["unfurl_links"] is False
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["section", "section", "actions"]
    link, action = body["blocks"][2]["elements"]
    assert link["url"] == "https://x.test/go/1"
    assert (action["action_id"], action["value"]) == ("share_buttons:1", "1")


def test_a_direct_message_opens_the_conversation_once(
    slack: FakeSlack, installation: ChatInstallation, bob_slack: ChatIdentity
) -> None:
    ChatIdentity.objects.filter(pk=bob_slack.pk).update(conversation_id="")
    bob_slack.refresh_from_db()
    dispatch.deliver(installation, Target.member(bob_slack), "item:1", MESSAGE)
    assert slack.methods() == ["conversations.open", "chat.postMessage"]
    assert slack.calls[0].body == {"users": "U0BOB"}
    assert slack.calls[1].body["channel"] == "D0U0BOB"
    bob_slack.refresh_from_db()
    assert bob_slack.conversation_id == "D0U0BOB"
    assert _row().target == f"member:{bob_slack.member_id}" and _row().member_id == bob_slack.member_id


def test_nothing_goes_to_a_member_who_turned_direct_messages_off(
    slack: FakeSlack, installation: ChatInstallation, bob_slack: ChatIdentity
) -> None:
    bob_slack.direct_messages = False
    assert dispatch.deliver(installation, Target.member(bob_slack), "item:1", MESSAGE) is None
    assert slack.calls == [] and not ChatMessage.objects.exists()


def test_nothing_goes_through_an_installation_that_is_not_active(
    slack: FakeSlack, installation: ChatInstallation
) -> None:
    installation.state = InstallationState.REVOKED
    assert dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE) is None
    assert slack.calls == []


def test_a_transient_error_is_retried_after_the_backoff(slack: FakeSlack, installation: ChatInstallation) -> None:
    now = timezone.now()
    slack.queue("chat.postMessage", httpx.Response(429, json={"ok": False, "error": "ratelimited"},
                                                   headers={"Retry-After": "90"}))  # fmt: skip
    dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE, now=now)
    row = _row()
    assert row.status == MessageStatus.RETRYING and "slow down" in row.error
    assert row.next_attempt_at == now + dt.timedelta(seconds=90)  # Slack's wait beats the 30 s backoff
    assert dispatch.retry_due_messages(now + dt.timedelta(seconds=89)) == 0
    assert dispatch.retry_due_messages(now + dt.timedelta(seconds=91)) == 1
    row = _row()
    assert (row.status, row.attempts, row.error) == (MessageStatus.SENT, 2, "")
    assert slack.methods() == ["chat.postMessage", "chat.postMessage"]
    assert slack.calls[0].body == slack.calls[1].body  # the same message, from the stored payload
    assert dispatch.retry_due_messages(now + dt.timedelta(hours=1)) == 0


def test_it_gives_up_after_the_last_attempt(slack: FakeSlack, installation: ChatInstallation) -> None:
    now = timezone.now()
    slack.queue("chat.postMessage", *[{"ok": False, "error": "service_unavailable"}] * dispatch.MAX_ATTEMPTS)
    dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE, now=now)
    for _ in range(dispatch.MAX_ATTEMPTS):
        now += dt.timedelta(hours=2)
        dispatch.retry_due_messages(now)
    row = _row()
    assert row.status == MessageStatus.FAILED and "gave up after 5 attempts" in row.error
    assert len(slack.calls) == dispatch.MAX_ATTEMPTS


def test_a_timeout_after_sending_is_not_retried(slack: FakeSlack, installation: ChatInstallation) -> None:
    slack.queue("chat.postMessage", httpx.ReadTimeout("slow"))
    dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE)
    row = _row()
    assert row.status == MessageStatus.FAILED and "may have arrived" in row.error
    assert dispatch.retry_due_messages(timezone.now() + dt.timedelta(days=1)) == 0
    assert len(slack.calls) == 1


def test_a_permanent_refusal_fails_with_the_reason(slack: FakeSlack, installation: ChatInstallation) -> None:
    slack.queue("chat.postMessage", {"ok": False, "error": "not_in_channel"})
    dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE)
    assert "/invite @Groundswell" in _row().error
    installation.refresh_from_db()
    assert installation.state == InstallationState.ACTIVE


def test_an_auth_error_marks_the_installation_failing_with_what_to_do(
    slack: FakeSlack, installation: ChatInstallation, bob_slack: ChatIdentity
) -> None:
    slack.queue("chat.postMessage", {"ok": False, "error": "invalid_auth"})
    dispatch.deliver(installation, Target.channel(installation), "item:1", MESSAGE)
    installation.refresh_from_db()
    assert installation.state == InstallationState.FAILING
    assert "invalid_auth" in installation.last_error and "Reinstall the Slack app" in installation.last_error
    assert dispatch.deliver(installation, Target.member(bob_slack), "item:1", MESSAGE) is None  # stopped
    assert len(slack.calls) == 1


def test_a_claim_left_by_a_dead_worker_is_failed_not_resent(slack: FakeSlack, installation: ChatInstallation) -> None:
    old = timezone.now() - dt.timedelta(hours=1)
    ChatMessage.objects.create(workspace=installation.workspace, installation=installation, key="item:9",
                               target="channel:C0NEWS", created_at=old, payload=MESSAGE.as_dict())  # fmt: skip
    assert dispatch.fail_stale_claims() == 1
    assert _row().status == MessageStatus.FAILED
    assert dispatch.deliver(installation, Target.channel(installation), "item:9", MESSAGE) is None
    assert slack.calls == []


def test_a_retry_for_a_member_who_unlinked_is_dropped(
    slack: FakeSlack, installation: ChatInstallation, bob_slack: ChatIdentity
) -> None:
    now = timezone.now()
    slack.queue("chat.postMessage", {"ok": False, "error": "ratelimited"})
    dispatch.deliver(installation, Target.member(bob_slack), "item:1", MESSAGE, now=now)
    bob_slack.delete()
    dispatch.retry_due_messages(now + dt.timedelta(hours=1))
    row = _row()
    assert row.status == MessageStatus.FAILED and "unlinked" in row.error
    assert len(slack.calls) == 1


@pytest.mark.parametrize("count", [30])
def test_many_buttons_are_split_into_slack_sized_action_blocks(
    slack: FakeSlack, installation: ChatInstallation, count: int
) -> None:
    buttons = tuple(LinkButton(f"B{i}", f"https://x.test/{i}") for i in range(count))
    message = OutgoingMessage(title="T", text="", fallback="T", buttons=buttons)
    dispatch.deliver(installation, Target.channel(installation), "many", message)
    blocks = slack.calls[0].body["blocks"]
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(set(ids)) == count


def test_an_outgoing_message_survives_its_json_form() -> None:
    assert OutgoingMessage.from_dict(MESSAGE.as_dict()) == MESSAGE
