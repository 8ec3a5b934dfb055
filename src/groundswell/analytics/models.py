"""Pre-aggregated rollups. Written in the same transaction as the events they count, with upserts.

Period keys: ``d`` day, ``w`` ISO week (Monday), ``m`` month, ``q`` quarter, ``y`` year, ``a`` all time
(start 2000-01-01). Days are in the workspace's time zone.
"""

from __future__ import annotations

from django.db import models

from groundswell.content.models import Item
from groundswell.workspaces.models import Membership, Workspace


class Counters(models.Model):
    shares = models.IntegerField(default=0)
    clicks = models.IntegerField(default=0, help_text="Human clicks")
    unique_clicks = models.IntegerField(default=0)
    bot_clicks = models.IntegerField(default=0)
    reach = models.BigIntegerField(default=0)
    points = models.IntegerField(default=0)
    #: Likes + reposts + replies on posts Groundswell made, counted when the engagement sync sees them
    #: (on the day it sees them). A decrease (an unlike) is never subtracted: see networks/sync.py.
    engagements = models.BigIntegerField(default=0)
    #: Impressions reported by networks whose API gives them, counted on the day the sync sees them.
    impressions = models.BigIntegerField(default=0)
    #: The share-time audience estimate (``reach``) of posts whose impressions are now measured, counted on
    #: the share's day: ``reach - measured_reach + impressions`` is the goal's reach (goals/progress.py).
    measured_reach = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class MemberPeriod(Counters):
    """One member's totals for one period: leaderboards and "my stats" read this."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=1)
    start = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "member", "period", "start"], name="uniq_member_period")
        ]
        # Covers leaderboard ranking: "how many rows score more than X" is answered from the index alone.
        indexes = [
            models.Index(fields=["workspace", "period", "start", "-points", "member"], name="member_period_rank")
        ]


class Dimension(models.TextChoices):
    ALL = "all", "Whole workspace"
    DEPARTMENT = "dept", "Department"
    LOCATION = "loc", "Location"
    NETWORK = "net", "Network"


class SegmentPeriod(Counters):
    """Totals for the workspace, or one department, location or network, in one period.

    ``active_members`` counts members with at least one share in the period (not tracked per network).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=1)
    start = models.DateField()
    dimension = models.CharField(max_length=4, choices=Dimension.choices)
    key = models.CharField(max_length=40, help_text="Department/location id, network key, or '' for all")
    active_members = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "period", "start", "dimension", "key"], name="uniq_segment_period"
            )
        ]


class ItemDay(Counters):
    """Per item, network and day: top content and the network breakdown of an item."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    network = models.CharField(max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "item", "day", "network"], name="uniq_item_day")]
        indexes = [models.Index(fields=["workspace", "day"])]
