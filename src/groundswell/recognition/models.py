"""Contests with reproducible draws, bonus-pool periods with immutable payouts, and badges."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.networks.crypto import EncryptedTextField
from groundswell.workspaces.models import Department, Location, Membership, Workspace


class ImmutableError(Exception):
    pass


class ContestMethod(models.TextChoices):
    RAFFLE = "raffle", "Threshold + weighted raffle"
    TOP = "top", "Top N"
    IMPROVED = "improved", "Most improved"


class ContestStatus(models.TextChoices):
    OPEN = "open", "Open"
    DRAWN = "drawn", "Drawn"
    CANCELLED = "cancelled", "Cancelled"


class Contest(models.Model):
    """A contest: a goal, a period, who is eligible, the prizes and how winners are chosen.

    The seed is generated when the contest is created and stays secret (encrypted at rest) until the draw;
    its SHA-256 commitment is shown from the start, so nobody can pick a seed after seeing the entries.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contests")
    name = models.CharField(max_length=120)
    goal = models.TextField(help_text="What the contest is for, in a sentence or two.")
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Last day that counts (inclusive).")
    method = models.CharField(max_length=10, choices=ContestMethod.choices, default=ContestMethod.RAFFLE)
    prizes = models.PositiveSmallIntegerField(default=3, help_text="Number of winners.")
    prize_description = models.CharField(max_length=200, help_text='For example "A €50 gift card each".')
    threshold_points = models.PositiveIntegerField(default=30, help_text="Points in the period needed to take part.")
    points_cap = models.PositiveIntegerField(
        default=400, help_text="Points above this do not add tickets or rank (so nobody can buy the draw)."
    )
    cooldown = models.PositiveSmallIntegerField(
        default=5, help_text="Winners of this many previous draws cannot win this one."
    )
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    admins_can_win = models.BooleanField(default=False)
    seed = EncryptedTextField()
    seed_commitment = models.CharField(max_length=64)
    #: Never published: published entry keys are derived from it, so nobody can work out whose entry is whose
    #: from a membership id (ADR 0025). Empty for contests created before it existed (older key scheme).
    entry_salt = EncryptedTextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=ContestStatus.choices, default=ContestStatus.OPEN)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ends_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class Draw(models.Model):
    """The published record of a draw: the revealed seed, every entry with its tickets, and the winners.

    Never changed once written: anyone in the workspace can recompute it (``groundswell verify_draw``).
    """

    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="draw")
    method = models.CharField(max_length=10, choices=ContestMethod.choices)
    seed = models.CharField(max_length=128)
    #: [{"key": "17", "points": 120, "tickets": 120, "baseline": 30.0}, ...] in key order
    entries = models.JSONField(default=list)
    #: keys of the excluded recent winners (cooldown)
    cooled_down = models.JSONField(default=list)
    winners = models.JSONField(default=list)  # keys, in the published order
    drawn_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableError("A draw is never changed once published.")
        super().save(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]


class ContestWinner(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="winners")
    #: Kept (as null) if the membership is ever deleted: the draw stays published.
    member = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="contest_wins")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["contest", "position"]
        constraints = [models.UniqueConstraint(fields=["contest", "member"], name="uniq_contest_winner")]


class BonusStatus(models.TextChoices):
    DRAFT = "draft", "Open (preview)"
    CLOSED = "closed", "Closed"


class BonusPeriod(models.Model):
    """A money pool for a period, allocated by the published formula (recognition/allocation.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="bonus_periods")
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Last day that counts (inclusive).")
    currency = models.CharField(max_length=3, default="EUR")
    pool_cents = models.PositiveBigIntegerField()
    threshold = models.PositiveIntegerField(default=30, help_text="Points needed to qualify.")
    cap = models.PositiveIntegerField(default=400, help_text="Points above this do not count.")
    floor_cents = models.PositiveIntegerField(default=500)
    ceiling_cents = models.PositiveIntegerField(default=10_000)
    status = models.CharField(max_length=8, choices=BonusStatus.choices, default=BonusStatus.DRAFT)
    unallocated_cents = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-ends_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class BonusPayout(models.Model):
    """One person's line of a closed bonus period: immutable, with the explanation as it was computed.

    Name, email and employee id are copied at closing time: this is a payroll record.
    """

    period = models.ForeignKey(BonusPeriod, on_delete=models.CASCADE, related_name="payouts")
    #: Kept (as null, with the copied name and ids) if the membership is ever deleted: a payroll record.
    member = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="bonus_payouts")
    points = models.IntegerField()
    capped = models.IntegerField()
    qualified = models.BooleanField()
    cents = models.PositiveBigIntegerField()
    bound = models.CharField(max_length=16)
    steps = models.JSONField(default=list)
    display_name = models.CharField(max_length=120)
    email = models.CharField(max_length=254)
    employee_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["period", "-cents", "display_name"]
        constraints = [models.UniqueConstraint(fields=["period", "member"], name="uniq_bonus_payout")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableError("Payouts of a closed period are never changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Payouts of a closed period are never deleted.")


class BadgeKind(models.TextChoices):
    FIRST_SHARE = "first_share", "First share"
    FIRST_CLICK = "first_click", "First click on something you shared"
    FIRST_ANSWER = "first_answer", "First customer question answered"
    FIRST_LESSON = "first_lesson", "First lesson completed"
    STREAK_4 = "streak_4", "Four weeks in a row"
    STREAK_12 = "streak_12", "Twelve weeks in a row"
    HUNDRED_CLICKS = "clicks_100", "100 people clicked your links"


class MemberBadge(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="badges")
    badge = models.CharField(max_length=16, choices=BadgeKind.choices)
    earned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["earned_at"]
        constraints = [models.UniqueConstraint(fields=["member", "badge"], name="uniq_member_badge")]


class BadgeCursor(models.Model):
    """How far the badge job has read the points ledger of a workspace (so nothing is read twice)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    last_entry_id = models.BigIntegerField(default=0)
