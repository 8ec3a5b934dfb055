"""Stories employees tell each other (the internal feed), colleagues' reactions and comments, the admins'
calls for stories (prompts), and moderation with an append-only log.

A story is for everyone in the workspace or for one department or team. With the author's consent an admin
turns it into an item to share outside (``Story.item``), the author credited.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.content.models import Item, Topic
from groundswell.lib.storage import private_storage
from groundswell.teams.models import Team
from groundswell.videos.models import Video
from groundswell.workspaces.models import Department, Membership, Workspace


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    DEPARTMENT = "department", "A department"
    TEAM = "team", "A team"


class StoryKind(models.TextChoices):
    STORY = "story", "Story"
    CUSTOMER = "customer", "A customer we helped"
    WIN = "win", "A win"
    BEHIND = "behind", "Behind the scenes"
    PEOPLE = "people", "People and welcome"
    LEARNING = "learning", "Something I learnt"


class Visibility(models.TextChoices):
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden by a moderator"


class StoryPrompt(models.Model):
    """An admin's call for stories ("the customer you helped this month"), open until ``deadline``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="story_prompts")
    title = models.CharField(max_length=160)
    body_markdown = models.TextField(blank=True)
    deadline = models.DateField()
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=StoryKind.choices, default=StoryKind.STORY)
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: When the audience was reminded that the deadline is near (stories/harvest.py: once, claimed by an UPDATE).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Story(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="stories")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(max_length=160)
    #: Markdown; rendered through policy.rendering.render_markdown (sanitised). Images are StoryImage rows.
    body_markdown = models.TextField(blank=True)
    video = models.ForeignKey(Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories")
    kind = models.CharField(max_length=12, choices=StoryKind.choices, default=StoryKind.STORY)
    topics = models.ManyToManyField(Topic, blank=True, related_name="stories")
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    prompt = models.ForeignKey(StoryPrompt, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)
    #: The author agrees that admins may turn the story into an item to share outside (and may withdraw it
    #: until that happens).
    share_consent = models.BooleanField(default=False)
    share_consent_at = models.DateTimeField(null=True, blank=True)
    #: The item made from the story (harvest); the author is credited on it and earns story points once.
    item = models.OneToOneField(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_story")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["workspace", "deleted_at", "visibility", "created_at"])]
        # No check that a department or team story has its target: deleting the department or team sets it to
        # null (SET_NULL runs before the cascade when a whole workspace is deleted), and the story is then
        # seen by its author and the admins only (stories.queries.audience_filter). Writes require the target.

    def __str__(self) -> str:
        return self.title


class StoryImage(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(storage=private_storage, upload_to="stories/%Y/%m/")
    alt_text = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class Reaction(models.TextChoices):
    LIKE = "like", "Like"
    CELEBRATE = "celebrate", "Celebrate"
    INSIGHTFUL = "insightful", "Insightful"
    LOVE = "love", "Love"


class StoryReaction(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="story_reactions")
    reaction = models.CharField(max_length=12, choices=Reaction.choices, default=Reaction.LIKE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "member", "reaction"], name="uniq_story_reaction"),
        ]


class StoryComment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="story_comments")
    body = models.TextField(max_length=2000)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class ReportReason(models.TextChoices):
    DISRESPECTFUL = "disrespectful", "Disrespectful or harassing"
    CONFIDENTIAL = "confidential", "Confidential information"
    WRONG = "wrong", "Wrong or misleading"
    SPAM = "spam", "Spam or off topic"
    OTHER = "other", "Something else"


class StoryReport(models.Model):
    """A member's report of a story or of a comment (``comment`` set). Open until a moderator decides."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(StoryComment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="story_reports")
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "resolved_at"])]


class ModerationAction(models.TextChoices):
    REPORTED = "reported", "Reported"
    HIDDEN = "hidden", "Hidden"
    RESTORED = "restored", "Restored"
    DISMISSED = "dismissed", "Report dismissed"
    REFUSED = "refused", "Refused (blocked words)"
    DELETED = "deleted", "Deleted"
    HARVESTED = "harvested", "Turned into an item to share"


class ModerationEvent(models.Model):
    """The moderation audit log: append-only, one row per decision or automatic refusal."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey(StoryComment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=12, choices=ModerationAction.choices)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("The moderation log is append-only.")
        super().save(*args, **kwargs)
