"""Social customer care: questions and complaints heard by listening become cases that volunteers answer.

A :class:`Case` is one post (listening ``Post``, intent question or complaint, matching a brand topic). It is
routed to a responder (``routing.choose``) and escalated when nobody answers in time (``actions``); every
step is a line in the append-only :class:`CaseEvent` log. :class:`ResponderProfile` holds a volunteer's
working hours, languages and skills; :class:`CareSettings` the workspace's targets; :class:`Snippet` the
approved answers responders start from.

A reply Groundswell posts is an outbox job (``reply_outbound``). While its outcome is not known the case is
``awaiting_delivery``; the periodic sweep (``actions.notify_failed_replies``) clears that flag when the job
is settled and, when it failed or was cancelled, tells the responder once. A job that waits too long (its
account needs reconnecting, or the network keeps failing) is "stuck": ``actions.notify_stuck_replies`` tells the
responder once (``reply_stuck_at``). A failed or stuck reply can be posted again (a new job; the old one stays
as history, a stuck one cancelled first) or recorded as posted by hand (``reply_via`` copy, ``reply_url``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from groundswell.care.hours import DEFAULT_WEEK, to_json
from groundswell.listening.models import Intent, Post, Topic
from groundswell.networks.models import OutboundPost, PostStatus
from groundswell.workspaces.models import Department, Membership, Workspace


def default_week() -> dict[str, list[list[int]]]:
    return to_json(DEFAULT_WEEK)


class CareSettings(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="care_settings")
    first_response_minutes = models.PositiveIntegerField(
        default=60, help_text="Target for the first answer, in staffed minutes (someone is on shift)."
    )
    max_open_per_person = models.PositiveSmallIntegerField(
        default=1, help_text="How many unanswered cases one person holds at a time."
    )
    escalation_steps = models.PositiveSmallIntegerField(
        default=1, help_text="How many times an unanswered case moves to the next person before the admins get it."
    )
    step_minutes = models.PositiveIntegerField(
        default=30, help_text="Staffed minutes each further step waits after the first-response target."
    )
    updated_at = models.DateTimeField(default=timezone.now)


class ResponderProfile(models.Model):
    """When, in which languages and on which topics a volunteer answers customers (theirs to edit)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="responder_profile")
    languages = models.JSONField(default=list, blank=True)
    week = models.JSONField(default=default_week, blank=True, help_text="Working hours per weekday (hours.py)")
    time_zone = models.CharField(max_length=64, blank=True, help_text="Empty: the workspace's time zone")
    skills = models.ManyToManyField(Topic, blank=True, related_name="+")
    paused = models.BooleanField(default=False, help_text="Take no new cases for now (holiday, busy week).")
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)


class DepartmentSkill(models.Model):
    """A department's people know a topic (the support team: returns; the product team: tents)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "topic"], name="uniq_care_department_skill")]


class CaseStatus(models.TextChoices):
    NEW = "new", "Waiting for someone on shift"
    ASSIGNED = "assigned", "Assigned"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"
    ESCALATED = "escalated", "Escalated to admins"
    CLOSED = "closed", "Closed"


#: Cases someone still has to answer.
UNANSWERED = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.ESCALATED)
OPEN = (*UNANSWERED, CaseStatus.ANSWERED)
#: Cases whose answer, when it did not go out, can still be posted again or recorded as posted by hand (an
#: answer may fail after the case was marked resolved; a closed case needs no answer).
FIXABLE = (CaseStatus.ANSWERED, CaseStatus.RESOLVED)


class ReplyVia(models.TextChoices):
    ACCOUNT = "account", "Own connected account"
    BRAND = "brand", "Brand account"
    COPY = "copy", "Copied out"


#: Replies Groundswell posts through the outbox (``Case.reply_outbound``).
POSTED_VIA = (ReplyVia.ACCOUNT, ReplyVia.BRAND)
#: Outbox states in which a reply will never go out by itself.
NOT_POSTED = (PostStatus.FAILED, PostStatus.CANCELLED)
#: Outbox states in which a reply may still go out by itself.
NOT_YET = (PostStatus.SCHEDULED, PostStatus.SENDING, PostStatus.RETRYING)
#: A case whose answer Groundswell was to post and that did not go out (and nobody posted it by hand yet).
REPLY_FAILED = Q(reply_via__in=POSTED_VIA, reply_outbound__status__in=NOT_POSTED)
#: A case whose answer's job waited too long and is waiting still (the responder was told: ``reply_stuck_at``).
REPLY_STUCK = Q(reply_via__in=POSTED_VIA, reply_stuck_at__isnull=False, reply_outbound__status__in=NOT_YET)


class Case(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="care_case")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=8, blank=True)
    intent = models.CharField(max_length=10, choices=Intent.choices)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.NEW)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="care_cases"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    assigned_at = models.DateTimeField(null=True, blank=True)
    #: When the assignee said they have it in hand (from chat or the case page); cleared on reassignment.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(default=0, help_text="Reassignments because nobody answered")
    escalate_at = models.DateTimeField(null=True, blank=True, help_text="When the next escalation is due")
    sla_due_at = models.DateTimeField(null=True, blank=True, help_text="First-response target, in staffed time")
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_minutes = models.FloatField(null=True, blank=True, help_text="Staffed minutes to first answer")
    responder = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply_text = models.TextField(blank=True)
    reply_via = models.CharField(max_length=8, choices=ReplyVia.choices, blank=True)
    reply_outbound = models.ForeignKey(OutboundPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply_url = models.URLField(max_length=2000, blank=True, help_text="The reply posted by hand, when given")
    awaiting_delivery = models.BooleanField(
        default=False, help_text="The reply's outbox job is not settled yet (the failure sweep looks at these)"
    )
    reply_stuck_at = models.DateTimeField(
        null=True, blank=True, help_text="When the responder was told that the reply's job is stuck (once per job)"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["status", "escalate_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["reply_outbound"], condition=Q(awaiting_delivery=True), name="care_case_awaiting"),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def reply_failed(self) -> bool:
        """Groundswell was to post the answer and it did not go out (see ``REPLY_FAILED``). Lists load
        ``reply_outbound`` with the case (``queries.with_post``), so this costs no query there."""
        if self.reply_via not in POSTED_VIA or self.reply_outbound_id is None:
            return False
        outbound = self.reply_outbound
        return outbound is not None and outbound.status in NOT_POSTED

    @property
    def reply_stuck(self) -> bool:
        """The answer's job waited too long and still has not gone out (see ``REPLY_STUCK``); it stops being
        stuck when the job is sent after all (or ends failed: then it is ``reply_failed``)."""
        if self.reply_via not in POSTED_VIA or self.reply_outbound_id is None or self.reply_stuck_at is None:
            return False
        outbound = self.reply_outbound
        return outbound is not None and outbound.status in NOT_YET

    @property
    def reply_not_posted(self) -> bool:
        """The customer has not had the answer Groundswell was to post, and the responder should act."""
        return self.reply_failed or self.reply_stuck


class EventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    QUEUED = "queued", "Waiting for someone on shift"
    ASSIGNED = "assigned", "Assigned"
    REASSIGNED = "reassigned", "Reassigned"
    ACKNOWLEDGED = "acked", "Acknowledged: on it"
    ESCALATED = "escalated", "Escalated to admins"
    REPLIED = "replied", "Answered"
    REPLY_FAILED = "failed", "Answer not posted"
    REPLY_STUCK = "stuck", "Answer not posted yet"
    POSTED_LATE = "late", "Answer posted after the wait"
    RETRIED = "retried", "Answer posted again"
    BY_HAND = "by_hand", "Answer posted by hand"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class CaseEvent(models.Model):
    """Append-only log of a case. On erasure the person links are cleared; the line stays."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    actor = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    member = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("The case log is append-only (erasure anonymises lines with an update).")
        super().save(*args, **kwargs)


class Snippet(models.Model):
    """An approved answer (admins write them) that responders start from."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=2000)
    language = models.CharField(max_length=8, blank=True, help_text="Empty: any language")
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class TriageStatus(models.TextChoices):
    OPEN = "open", "Waiting for the care team"
    CASE = "case", "Made a case"
    DISMISSED = "dismissed", "Dismissed"


class DismissReason(models.TextChoices):
    NO_REPLY_NEEDED = "no_reply", "Needs no reply"
    PRAISE = "praise", "Praise: nothing to answer"
    NOT_ABOUT_US = "not_about_us", "Not about us"
    ANSWERED_ELSEWHERE = "answered", "Answered elsewhere already"
    SPAM = "spam", "Spam or abuse"
    OTHER = "other", "Another reason (say which)"
    OWN = "own", "From the company's own account"


#: Reasons a person can give (``OWN`` is only set automatically).
CHOSEN_REASONS = [(v, label) for v, label in DismissReason.choices if v != DismissReason.OWN]


class TriageItem(models.Model):
    """A brand mention from outside the company that may need a reply and did not become a case by itself (the
    classifier did not call it a question or complaint, and did not call it confidently something else; ADR
    0028). The care team works the queue, highest ``priority`` first: answer it (a case they take), make a case
    (routed as usual), or dismiss it with a reason, which stays recorded. A mention from the company's own accounts, or that the
    rules call plain praise, is recorded as dismissed at once (``automatic``), so the "Decided" list shows what
    never reached the queue and why."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="triage_item")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=8, blank=True)
    intent = models.CharField(max_length=10, choices=Intent.choices, help_text="What the classifier said")
    priority = models.FloatField(default=0.0, help_text="How likely a reply is needed, 0 … 1 (the queue's order)")
    status = models.CharField(max_length=10, choices=TriageStatus.choices, default=TriageStatus.OPEN)
    reason = models.CharField(max_length=12, choices=DismissReason.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    automatic = models.BooleanField(
        default=False, help_text="Kept out of the queue by Groundswell (own account, or plainly praise), not a person"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-priority", "created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "status", "-priority"], name="care_triage_queue")]

    def __str__(self) -> str:
        return f"triage {self.pk}"
