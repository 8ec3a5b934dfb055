"""What sharing does when the outbox (networks) announces something: networks never imports sharing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from groundswell.networks.models import OutboundPost
from groundswell.sharing.actions import record_share
from groundswell.sharing.models import Share


def on_post_sent(sender: Any, post: OutboundPost, at: dt.datetime, **kwargs: Any) -> None:
    """The post of a share is on the network: the share counts from now (rollups, points), in the outbox's
    transaction. Posts without a share (brand posts, replies) count nothing here."""
    share = Share.objects.select_related("member__workspace").filter(outbound_id=post.pk).first()
    if share is not None:
        record_share(share, at)


def on_share_deleted(sender: Any, instance: Share, **kwargs: Any) -> None:
    """A deleted share (its item deleted, its member erased) takes its outbox job with it, as it did when the
    job pointed at the share: a post of something gone is never sent."""
    if instance.outbound_id is not None:
        OutboundPost.objects.filter(pk=instance.outbound_id).delete()
