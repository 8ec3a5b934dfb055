"""How chat hears about things in other domains, without them importing chat.

* ``content.signals.item_announced``: a new item is live for its audience → post it (task, on commit).
* ``care.CaseEvent`` saved with kind assigned/reassigned: a case was routed to a member → DM them (task, on
  commit). Care writes that log line in the same transaction as the routing and its notice, so this is
  exactly "care notified the assignee" (notify kind CASE_ROUTED) without care knowing about chat.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.care.models import CaseEvent, EventKind
from groundswell.content.models import Item

ROUTED = (EventKind.ASSIGNED, EventKind.REASSIGNED)


def on_item_announced(sender: Any, item: Item, **kwargs: Any) -> None:
    from groundswell.chat import tasks

    item_id = item.pk
    transaction.on_commit(lambda: tasks.announce_item.enqueue(item_id))


def on_case_event(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or instance.kind not in ROUTED or instance.member_id is None:
        return
    if instance.actor_id == instance.member_id:
        return  # they took it themselves (from triage): nothing to tell them
    from groundswell.chat import tasks

    case_id, member_id = instance.case_id, instance.member_id
    transaction.on_commit(lambda: tasks.tell_case_routed.enqueue(case_id, member_id))
