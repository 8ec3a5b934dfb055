"""Clicks across web nodes: the web process hands sealed journal batches to the database; any worker
drains them (docs/adr/0033).

``hand_off_clicks`` is the ingest writer of a web process in ``CLICK_INGEST=database`` mode: the journal
(ADR 0030) stays the durable buffer until the hand-off commits, so a database outage leaves the segments on
disk and a restarted web node hands off the segments of its killed predecessor (``flock`` reclaim).
``drain_click_batches`` runs in every worker's ingest thread: batches are claimed with ``SKIP LOCKED`` on
PostgreSQL, written with ``write_clicks`` and deleted in the same transaction.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction

from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.models import ClickBatch

log = logging.getLogger(__name__)

DRAIN_BATCHES = 20


def hand_off_clicks(events: list[ClickEvent]) -> int:
    """Store ``events`` as one raw batch row (one INSERT). Returns how many clicks were handed off."""
    if not events:
        return 0
    ClickBatch.objects.create(events="".join(event.to_json() + "\n" for event in events), clicks=len(events))
    return len(events)


def drain_click_batches(limit: int = DRAIN_BATCHES) -> int:
    """Write up to ``limit`` handed-off batches to the database; return how many clicks were new.

    Each batch is written and deleted in one transaction, so a worker killed midway leaves the batch in the
    table for another worker; several workers drain side by side (rows locked by one are skipped).
    """
    written = 0
    for _ in range(limit):
        with transaction.atomic():
            rows = ClickBatch.objects.order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            batch = rows.first()
            if batch is None:
                break
            written += write_clicks(_events(batch))
            batch.delete()
    return written


def _events(batch: ClickBatch) -> list[ClickEvent]:
    """The batch's clicks; an unreadable line is logged and skipped, so it cannot block the table's head."""
    events = []
    for number, line in enumerate(batch.events.splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(ClickEvent.from_json(line))
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("click batch %d:%d: unreadable line skipped", batch.pk, number)
    return events


def pending_click_batches() -> int:
    return ClickBatch.objects.count()
