"""Background work of chat: one task per job; the periodic ones register themselves with the scheduler."""

from __future__ import annotations

from django_tasks import task

from groundswell.core.scheduler import register_periodic


@task()
def announce_item(item_id: int) -> int:
    from groundswell.chat import notices

    return notices.announce_item(item_id)


@task()
def tell_case_routed(case_id: int, member_id: int) -> bool:
    from groundswell.chat import notices

    return notices.tell_case_routed(case_id, member_id)


@task()
def retry_messages() -> int:
    """Messages whose transient failure's backoff has passed; and claims a dead worker left behind."""
    from groundswell.chat import dispatch

    dispatch.fail_stale_claims()
    return dispatch.retry_due_messages()


@task()
def send_digests() -> int:
    from groundswell.chat import notices

    return notices.send_digests()


@task()
def send_tips() -> int:
    from groundswell.chat import notices

    return notices.send_tips()


@task()
def prune_seen_requests() -> int:
    from groundswell.chat.verify import prune_seen

    return prune_seen()


register_periodic(retry_messages, 30)
register_periodic(send_digests, 900)
register_periodic(send_tips, 3600)
register_periodic(prune_seen_requests, 3600)
