"""Calls for interest and who volunteered: an opt-in enrolment per member and its append-only history.

"Ask, don't order": a member's answer is theirs. Program admins see the volunteers who joined (they staff
teams and brand accounts with them) and only *counts* of everyone else; managers see only totals of groups
large enough not to single anyone out (see ``enrolment/totals.py`` and ADR 0008).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone as djtz

from groundswell.networks import registry
from groundswell.workspaces.models import Membership, Workspace


class Status(models.TextChoices):
    JOINED = "joined", "Joined"
    DECLINED = "declined", "Not now"
    LEFT = "left", "Left"


class Activity(models.TextChoices):
    SHARE = "share", "Share company content"
    WRITE = "write", "Write stories"
    ANSWER = "answer", "Answer customers"
    BRAND = "brand", "Run a brand account"
    VIDEO = "video", "Make videos"


class Hours(models.TextChoices):
    UNDER_ONE = "lt1", "Less than 1 hour a week"
    ONE_TWO = "1-2", "1 to 2 hours a week"
    THREE_FIVE = "3-5", "3 to 5 hours a week"
    MORE = "5+", "More than 5 hours a week"


class Comfort(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


#: Languages people can answer customers in (ISO 639-1), in the order the form offers them.
LANGUAGE_CHOICES: list[tuple[str, str]] = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pt", "Portuguese"),
    ("pl", "Polish"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
    ("ar", "Arabic"),
    ("zh", "Chinese"),
    ("ja", "Japanese"),
    ("hi", "Hindi"),
]
LANGUAGES = dict(LANGUAGE_CHOICES)

#: The social networks a volunteer can say they use: the share plug-ins that are networks (not email or copy).
NETWORK_CHOICES: list[tuple[str, str]] = [
    (n.key, n.label) for n in registry.NETWORKS.values() if n.key not in {"email", "copy"}
]
NETWORKS = dict(NETWORK_CHOICES)


class ChoiceKind(models.TextChoices):
    ACTIVITY = "activity", "Activity"
    NETWORK = "network", "Network"
    LANGUAGE = "language", "Language"


CHOICE_ORDER: dict[str, list[str]] = {
    ChoiceKind.ACTIVITY: list(Activity.values),
    ChoiceKind.NETWORK: [key for key, _ in NETWORK_CHOICES],
    ChoiceKind.LANGUAGE: [key for key, _ in LANGUAGE_CHOICES],
}


class CallForInterest(models.Model):
    """An admin's invitation to volunteer, with a message and a deadline (a day in the workspace's zone)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="calls_for_interest")
    title = models.CharField(max_length=160)
    message = models.TextField(max_length=4000)
    opened_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=djtz.now)
    deadline = models.DateField(help_text="The last day to answer (in the workspace's time zone).")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["workspace", "closed_at", "deadline"])]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    """A member's current answer (one per member). Networks, activities and languages are in
    :class:`EnrolmentChoice` rows so that "who runs videos on LinkedIn" is an indexed lookup on every database."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="enrolment")
    status = models.CharField(max_length=10, choices=Status.choices)
    answered_call = models.ForeignKey(
        CallForInterest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The call that was open when the member last answered (none: they joined on their own).",
    )  # fmt: skip
    topics = models.ManyToManyField("content.Topic", blank=True, related_name="+")
    hours = models.CharField(max_length=4, choices=Hours.choices, blank=True)
    comfort = models.CharField(max_length=12, choices=Comfort.choices, blank=True)
    show_to_manager = models.BooleanField(
        default=False, help_text="The member allows their own manager to see by name that they joined."
    )
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=djtz.now)
    updated_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.status}"

    def values(self, kind: str) -> list[str]:
        """The chosen values of one kind, in the form's order (uses prefetched ``choices`` when present)."""
        order = {key: i for i, key in enumerate(CHOICE_ORDER[kind])}
        chosen = [c.value for c in self.choices.all() if c.kind == kind]
        return sorted(chosen, key=lambda v: order.get(v, len(order)))

    @property
    def activities(self) -> list[str]:
        return self.values(ChoiceKind.ACTIVITY)

    @property
    def networks(self) -> list[str]:
        return self.values(ChoiceKind.NETWORK)

    @property
    def languages(self) -> list[str]:
        return self.values(ChoiceKind.LANGUAGE)


class EnrolmentChoice(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="choices")
    kind = models.CharField(max_length=10, choices=ChoiceKind.choices)
    value = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind", "value"], name="uniq_enrolment_choice"),
        ]
        indexes = [models.Index(fields=["kind", "value"])]


class EnrolmentEvent(models.Model):
    """Append-only history of answers: the member's own record, and counts over time for admins.

    On erasure the member link and the snapshot are removed; the status change itself stays for the counts.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolment_events"
    )
    call = models.ForeignKey(CallForInterest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    previous_status = models.CharField(max_length=10, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)  # the answers as saved (activities, networks, …)
    at = models.DateTimeField(default=djtz.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "at"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Enrolment history is append-only (erasure anonymises rows with an update).")
        super().save(*args, **kwargs)


class CallEmail(models.Model):
    """One call's email to one member. The unique row is claimed *before* sending: never twice."""

    call = models.ForeignKey(CallForInterest, on_delete=models.CASCADE, related_name="emails")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "member"], name="uniq_call_email")]
