"""Points: per-workspace rules and an append-only ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from groundswell.workspaces.models import Membership, Workspace


class Action(models.TextChoices):
    #: A share that happened: a post Groundswell made, or a share link whose first human click came in.
    SHARE = "share", "Share confirmed"
    UNIQUE_CLICK = "unique_click", "Unique human click earned"
    SUBMISSION_APPROVED = "submission_approved", "Submitted item approved"
    #: Points per like, repost or reply on a post Groundswell made (networks/sync.py), capped per day.
    ENGAGEMENT = "engagement", "Engagement earned"
    #: A customer question answered from the care inbox (listening).
    ANSWER = "answer", "Customer question answered"
    #: A short lesson completed.
    LESSON = "lesson", "Lesson completed"
    #: A brand-account stewardship shift done (stewards app).
    BRAND_SHIFT = "brand_shift", "Brand-account shift done"
    ADJUSTMENT = "adjustment", "Manual adjustment"


DEFAULT_RULES: dict[str, tuple[int, int | None]] = {
    Action.SHARE: (10, 50),
    Action.UNIQUE_CLICK: (2, 40),
    Action.SUBMISSION_APPROVED: (25, None),
    Action.ENGAGEMENT: (1, 30),
    Action.LESSON: (15, 30),
    Action.BRAND_SHIFT: (40, None),
    Action.ANSWER: (20, 100),
}

#: Diminishing returns for the default rules: action -> (awards per day at full value, factor for each further
#: one). Kept apart from ``DEFAULT_RULES`` so that dict stays ``action -> (points, daily_cap)``.
DEFAULT_DECAY: dict[str, tuple[int, Decimal]] = {
    Action.SHARE: (3, Decimal("0.5")),
}


class PointsRule(models.Model):
    """How many points an action earns, with an optional daily cap, from a date on.

    Changing a rule adds a new row with a later ``active_from``: history is never rewritten.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="points_rules")
    action = models.CharField(max_length=24, choices=Action.choices)
    points = models.PositiveIntegerField()
    daily_cap = models.PositiveIntegerField(null=True, blank=True, help_text="Most points per person per day")
    decay_after = models.PositiveIntegerField(
        null=True, blank=True, help_text="Awards per person per day at full value; empty: no diminishing returns"
    )
    decay_factor = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Each award after ``decay_after`` is worth points * factor^k (k = 1, 2, …), rounded",
    )
    active_from = models.DateField(default=dt.date(2000, 1, 1))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "-active_from"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "action", "active_from"], name="uniq_rule_from"),
        ]


class AppendOnlyError(Exception):
    pass


class PointsEntry(models.Model):
    """One line of the points ledger. Never updated, never deleted: corrections are new entries.

    ``key`` makes awarding idempotent (``share:12``, ``click:<uuid>``): the same event never pays twice.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="points_entries")
    action = models.CharField(max_length=24, choices=Action.choices)
    points = models.IntegerField()
    day = models.DateField(help_text="The day in the workspace's time zone, for daily caps and rollups")
    created_at = models.DateTimeField(default=timezone.now)
    key = models.CharField(max_length=80)
    reason = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="uniq_points_key")]
        indexes = [models.Index(fields=["workspace", "member", "action", "day"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Points entries are append-only; add an adjustment instead")
        super().save(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Points entries are append-only; add an adjustment instead")


class DailyTally(models.Model):
    """How many awards of one action a member got on one day, and the points they paid.

    The row is locked (``SELECT … FOR UPDATE``) while an award is decided, so two concurrent awards for the
    same member and day are decided one after the other: daily caps and diminishing returns are exact.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=24, choices=Action.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "action", "day"], name="uniq_daily_tally")]


# --- Anti-gaming ----------------------------------------------------------------------------------


class MemberVisitor(models.Model):
    """A visitor hash seen on a member's own signed-in page views (the same HMAC the click path computes).

    A click on a member's link with one of these hashes is the member clicking their own link (self-click),
    or a colleague's (rings). Kept for 35 days (the hash changes every day anyway).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    visitor_hash = models.CharField(max_length=64)
    day = models.DateField(help_text="UTC day of the hash")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "visitor_hash"], name="uniq_member_visitor")]
        indexes = [models.Index(fields=["workspace", "visitor_hash"])]


class FindingKind(models.TextChoices):
    SELF_CLICK = "self_click", "Self-click"
    REPEAT_VISITOR = "repeat_visitor", "Repeated clicks from one visitor"
    BURST = "burst", "Burst from one network range"
    RING = "ring", "Ring of colleagues"


class FindingStatus(models.TextChoices):
    OPEN = "open", "To review"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed (points restored)"


class Finding(models.Model):
    """Activity the anti-gaming rules excluded from points, with the evidence, for an admin to review.

    ``points_withheld`` were never paid (clicks screened at ingest); ``points_reversed`` were paid and then
    taken back by a negative ledger line (rings, found later). Dismissing pays both back by an adjustment.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=FindingKind.choices)
    key = models.CharField(max_length=120, help_text="One finding per member, rule and window")
    status = models.CharField(max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    events = models.PositiveIntegerField(default=0, help_text="Clicks excluded")
    points_withheld = models.IntegerField(default=0)
    points_reversed = models.IntegerField(default=0)
    points_restored = models.IntegerField(default=0, help_text="Paid back by adjustments after a dismissal")
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="uniq_finding_key")]
        indexes = [models.Index(fields=["workspace", "status", "-last_at"])]


# --- Leagues --------------------------------------------------------------------------------------

#: Tier 0 is where everybody starts; names say nothing about a person's worth, only about their activity.
LEAGUE_TIERS = ("Ripple", "Current", "Wave", "Swell", "Groundswell")


class LeagueWeek(models.Model):
    """The weekly league draw of a workspace was made (claimed once, so the draw is idempotent)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="Monday of the week")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "week"], name="uniq_league_week")]


class Movement(models.TextChoices):
    NEW = "new", "New in the leagues"
    UP = "up", "Promoted"
    DOWN = "down", "Relegated"
    STAYED = "stayed", "Stayed"


class LeagueSeat(models.Model):
    """A member's place in one week's league: a tier and a cohort of about 30 people inside it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="league_seats")
    week = models.DateField()
    tier = models.PositiveSmallIntegerField()
    cohort = models.PositiveIntegerField(help_text="Number of the cohort within the tier and week")
    seed_points = models.IntegerField(default=0, help_text="Points of the 4 weeks before, used to group")
    movement = models.CharField(max_length=8, choices=Movement.choices, default=Movement.NEW)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "week"], name="uniq_league_seat")]
        indexes = [models.Index(fields=["workspace", "week", "tier", "cohort"])]

    @property
    def tier_name(self) -> str:
        return LEAGUE_TIERS[min(self.tier, len(LEAGUE_TIERS) - 1)]
