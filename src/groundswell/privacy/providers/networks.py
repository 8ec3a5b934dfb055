"""Connected network accounts (never their tokens), posts Groundswell made, and their engagement."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from groundswell.networks.accounts import PENDING_POST_STATUSES
from groundswell.networks.models import (
    ConnectedAccount,
    EngagementSnapshot,
    OutboundPost,
    OutboundPostLog,
    PostStatus,
)
from groundswell.privacy.providers._util import iso
from groundswell.privacy.registry import ADMINS, ADMINS_AND_MANAGER, ONLY_YOU, ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


def _posts(member: Membership) -> Any:
    """The member's shares posted through the outbox, and the replies to customers (care) posted from their
    own connected accounts (no share)."""
    return OutboundPost.objects.filter(Q(share__member=member) | Q(share__isnull=True, account__member=member))


class NetworksProvider:
    key = "networks"
    label = "Connected accounts and posts"
    models: tuple[str, ...] = (
        "networks.ConnectedAccount",
        "networks.OutboundPost",
        "networks.OutboundPostLog",
        "networks.EngagementSnapshot",
    )

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Social accounts you connected: network, handle and the permissions you granted (the access "
                "keys are encrypted and never shown to anyone)",
                ConnectedAccount.objects.filter(member=member).count(),
                ONLY_YOU,
                "To post what you ask Groundswell to post.",
            ),
            InventoryLine(
                "Posts Groundswell made or scheduled for you: text, time, outcome",
                _posts(member).count(),
                ADMINS,
                "Admins see the posting outbox to help when a post fails.",
            ),
            InventoryLine(
                "Likes, reposts, replies and impressions of those posts",
                EngagementSnapshot.objects.filter(post__share__member=member).count(),
                ADMINS_AND_MANAGER,
                "Engagement earns points and counts towards goals.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        # Tokens are secrets: never exported, not even encrypted.
        accounts = [
            {
                "network": a.network,
                "handle": a.handle,
                "service_url": a.service_url,
                "permissions_granted": list(a.scopes),
                "status": a.status,
                "connected_at": iso(a.connected_at),
                "last_used_at": iso(a.last_used_at),
                "auto_post": a.auto_post,
            }
            for a in ConnectedAccount.objects.filter(member=member)
        ]
        posts = []
        for post in _posts(member).prefetch_related("snapshots").order_by("scheduled_at"):
            posts.append(
                {
                    "share_id": share.pk if (share := getattr(post, "share", None)) is not None else None,
                    "text": post.text,
                    "link_url": post.link_url,
                    "status": post.status,
                    "scheduled_at": iso(post.scheduled_at),
                    "sent_at": iso(post.sent_at),
                    "remote_url": post.remote_url,
                    "engagement": [
                        {
                            "fetched_at": iso(s.fetched_at),
                            "likes": s.likes,
                            "reposts": s.reposts,
                            "replies": s.replies,
                            "impressions": s.impressions,
                        }
                        for s in post.snapshots.all()
                    ],
                }
            )
        return {"connected_accounts": accounts, "posts": posts}

    def erase(self, member: Membership) -> ErasureResult:
        # Leaving disconnected the accounts (revoking at the network) before this runs; any left are deleted.
        post_ids = list(_posts(member).values_list("pk", flat=True))  # before the accounts go (replies)
        accounts, _ = ConnectedAccount.objects.filter(member=member).delete()
        OutboundPost.objects.filter(pk__in=post_ids, status__in=PENDING_POST_STATUSES).update(
            status=PostStatus.CANCELLED
        )
        snapshots, _ = EngagementSnapshot.objects.filter(post_id__in=post_ids).delete()
        logs, _ = OutboundPostLog.objects.filter(post_id__in=post_ids).delete()
        posts = OutboundPost.objects.filter(pk__in=post_ids).update(
            text="",
            link_url="",
            link_title="",
            link_description="",
            link_image_url="",
            remote_id="",
            remote_url="",
            last_error="",
        )
        kept = []
        if post_ids:
            kept.append(
                f"{len(post_ids)} post record(s) without their text or address (status and dates only). Posts "
                "already on a network stay there: delete them on the network if you want them gone."
            )
        return ErasureResult(erased=accounts + snapshots + logs + posts, kept=kept)

    def keeps(self, member: Membership) -> list[str]:
        count = _posts(member).count()
        if not count:
            return []
        return [
            f"{count} post record(s) without their text or address (status and dates only). Posts already on "
            "a network stay there: delete them on the network if you want them gone."
        ]
