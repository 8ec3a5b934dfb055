"""Clicks on tracked links: append-only raw events (dashboards read rollups, not these)."""

from __future__ import annotations

from django.db import models

from groundswell.sharing.models import Share
from groundswell.workspaces.models import Workspace


class Click(models.Model):
    """One request for a short link.

    ``uid`` is chosen by the process that saw the click, so a batch replayed from the disk spool after a
    database outage is written exactly once. Raw IP addresses are never stored: ``visitor_hash`` is an
    HMAC of IP + user agent + day. ``network_hash`` is an HMAC of the /24 (IPv4) or /48 (IPv6) network the
    click came from, for spotting bursts from one range (rewards/antigaming.py); empty for old clicks.
    """

    uid = models.UUIDField(unique=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField()
    visitor_hash = models.CharField(max_length=64)
    network_hash = models.CharField(max_length=64, blank=True, default="")
    user_agent = models.CharField(max_length=300, blank=True)
    referrer_host = models.CharField(max_length=253, blank=True)
    is_bot = models.BooleanField(default=False)
    is_unique = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["share", "clicked_at"]),
            models.Index(fields=["workspace", "clicked_at"]),
            models.Index(fields=["network_hash", "clicked_at"], name="click_network_time"),
        ]


class UniqueVisit(models.Model):
    """First human visit of a visitor (per day, as the hash includes the day) to a share.

    The unique constraint decides, race-free across processes, which click counts as unique.
    """

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="+")
    visitor_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["share", "visitor_hash"], name="uniq_visit")]
        # "Which of a member's links did this visitor open?" (rewards/antigaming.py, repeated visitors).
        indexes = [models.Index(fields=["visitor_hash"], name="unique_visit_visitor")]


class ClickBatch(models.Model):
    """A batch of journaled clicks handed from a web node to the database (docs/adr/0033).

    The web process inserts one row per sealed journal batch (cheap: one INSERT, no rollups, no locks) and
    deletes its journal file only after that commit; any worker drains the table with ``write_clicks``,
    which is idempotent by click uid, so a batch handed off twice (a crash between commit and unlink)
    still counts each click once. This is what lets web nodes run without a worker on the same host.
    """

    events = models.TextField(help_text="The clicks as JSON lines, one ClickEvent each.")
    clicks = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
