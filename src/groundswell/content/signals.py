"""Signals content sends so that upper layers (chat) can act without content importing them."""

from __future__ import annotations

import django.dispatch

#: An item was announced to its audience (it is live): ``sender=Item``, ``item``, ``now``. Sent inside the
#: announcing transaction: receivers enqueue their work on commit.
item_announced = django.dispatch.Signal()
