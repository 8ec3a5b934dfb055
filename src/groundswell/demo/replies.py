"""Demo data for care replies posted through the outbox: two answered Mastodon cases whose answers went out
from the responder's own (demo) Mastodon account, so the case page shows "Posted" with a link.

The demo accounts hold no token and are marked "needs reconnecting" with a note saying they are demo
accounts (as the brand accounts of ``demo/stewards.py``), so the outbox never delivers anything for them.
"""

from __future__ import annotations

from groundswell.care.models import Case, CaseStatus, ReplyVia
from groundswell.demo.stewards import DEMO_NOTE
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost, OutboundPostLog, PostStatus
from groundswell.networks.outbox import new_idempotency_key
from groundswell.workspaces.models import Workspace

POSTED = 2


def build_replies(ws: Workspace) -> None:
    answered = (
        Case.objects.filter(
            workspace=ws,
            post__source__kind="mastodon",
            status__in=(CaseStatus.ANSWERED, CaseStatus.RESOLVED),
            reply_via=ReplyVia.COPY,
            responder__isnull=False,
        )
        .select_related("post", "responder")
        .order_by("first_response_at", "pk")[:POSTED]
    )
    for case in answered:
        assert case.responder is not None and case.first_response_at is not None
        at = case.first_response_at
        username = case.responder.display_name.split()[0].lower()
        account, _ = ConnectedAccount.objects.get_or_create(
            member=case.responder,
            network="mastodon",
            remote_id=f"demo:mastodon:{username}",
            defaults={
                "workspace": ws,
                "handle": f"@{username}@mastodon.example",
                "service_url": "https://mastodon.example",
                "access_token": "",  # no token: nothing could be posted with it
                "status": AccountStatus.RECONNECT,
                "status_message": DEMO_NOTE,
                "connected_at": at,
            },
        )
        status_id = 110_000 + case.pk
        outbound = OutboundPost.objects.create(
            workspace=ws,
            account=account,
            text=case.reply_text,
            reply_to={"uri": case.post.external_id, "url": case.post.url, "root_uri": case.post.thread_root},
            idempotency_key=new_idempotency_key(),
            status=PostStatus.SENT,
            scheduled_at=at,
            next_attempt_at=at,
            attempts=1,
            remote_id=str(status_id),
            remote_url=f"https://mastodon.example/@{username}/{status_id}",
            sent_at=at,
            created_at=at,
        )
        OutboundPostLog.objects.create(post=outbound, at=at, message="Demo data: this reply was never sent anywhere.")
        Case.objects.filter(pk=case.pk).update(reply_via=ReplyVia.ACCOUNT, reply_outbound=outbound)
