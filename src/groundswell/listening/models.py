"""Listening: what the company listens to (topics and sources) and what it heard (posts, mentions, rollups)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from groundswell.listening.sources.base import Problem
from groundswell.networks.crypto import EncryptedTextField
from groundswell.workspaces.models import Membership, Workspace


class TopicKind(models.TextChoices):
    BRAND = "brand", "Our brand"
    COMPETITOR = "competitor", "Competitor"
    CATEGORY = "category", "Category"


class Topic(models.Model):
    """A brand, competitor or category, defined by a boolean query (listening/query.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="listening_topics")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=TopicKind.choices)
    query = models.TextField(help_text='For example: northwind AND (tent OR "sleeping bag") NOT recall')
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_listening_topic_name")]

    def __str__(self) -> str:
        return self.name


class SourceKind(models.TextChoices):
    RSS = "rss", "RSS or Atom feed"
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    REDDIT = "reddit", "Reddit"
    HACKERNEWS = "hackernews", "Hacker News"
    CSV = "csv", "CSV import"


class Source(models.Model):
    """Somewhere posts come from, polled on a schedule from a cursor so nothing is read twice or skipped.

    ``config`` is validated by the source plug-in (listening/sources/); ``cursor`` is the plug-in's own
    opaque position (a feed's newest entry id, a timeline's ``since_id``, a stream's sequence number).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="listening_sources")
    kind = models.CharField(max_length=12, choices=SourceKind.choices)
    name = models.CharField(max_length=120)
    config = models.JSONField(default=dict)
    cursor = models.JSONField(default=dict, blank=True)
    poll_every_seconds = models.PositiveIntegerField(default=900)
    is_active = models.BooleanField(default=True)
    next_poll_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    posts_seen = models.PositiveBigIntegerField(default=0)
    #: Set while a worker polls the source (a lease: a crashed worker's claim runs out).
    polling_until = models.DateTimeField(null=True, blank=True)
    #: Failed polls in a row: the next poll is put off exponentially (reset by a successful poll).
    failures = models.PositiveIntegerField(default=0)
    #: What the last failure was (a ``Problem``), for the health view's state and advice; empty once it works.
    error_kind = models.CharField(max_length=20, blank=True, choices=[(p.value, p.value) for p in Problem])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "next_poll_at"])]

    def __str__(self) -> str:
        return self.name


class CredentialNetwork(models.TextChoices):
    REDDIT = "reddit", "Reddit"
    BLUESKY = "bluesky", "Bluesky"


class RedditAppType(models.TextChoices):
    CONFIDENTIAL = "confidential", "Web app or script (it has a secret)"
    INSTALLED = "installed", "Installed app (no secret)"


class CredentialStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "Working"
    REFUSED = "refused", "Refused"


class ListeningCredential(models.Model):
    """How listening signs in to a network's API: Reddit's OAuth application, a Bluesky app password.

    One per network for the workspace (``source`` empty: every source of that network uses it), or a
    source's own (entered on the source's form). Secrets and tokens are encrypted at rest and never shown
    back. The token is cached here (renewed by the plug-in when it runs out) and so is the network's rate
    limit, so every source sharing the credential waits when the network says so.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="listening_credentials")
    network = models.CharField(max_length=10, choices=CredentialNetwork.choices)
    source = models.OneToOneField(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="own_credential"
    )
    identifier = models.CharField(max_length=255, help_text="Reddit: the app's client id. Bluesky: the handle.")
    secret = EncryptedTextField(blank=True, help_text="Reddit: the app's secret. Bluesky: an app password.")
    service_url = models.CharField(max_length=300, blank=True, help_text="Bluesky: the account's server (PDS).")
    app_type = models.CharField(max_length=12, blank=True, choices=RedditAppType.choices)
    device_id = models.CharField(max_length=32, blank=True, help_text="Reddit installed apps: this server's id.")
    contact = models.CharField(max_length=40, blank=True, help_text="Reddit: the app developer's user name.")
    token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_subject = models.CharField(max_length=255, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    rate_remaining = models.IntegerField(null=True, blank=True)
    rate_reset_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=CredentialStatus.choices, default=CredentialStatus.UNCHECKED)
    status_message = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["network", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network"],
                condition=models.Q(source__isnull=True),
                name="uniq_listening_credential_workspace",
            )
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.identifier}"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class Intent(models.TextChoices):
    QUESTION = "question", "Question"
    COMPLAINT = "complaint", "Complaint"
    PRAISE = "praise", "Praise"
    OTHER = "other", "Other"


class Post(models.Model):
    """One public post heard by a source (stored only when it matched at least one topic)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="posts")
    external_id = models.CharField(max_length=300, help_text="The network's id (URI, status id, entry id)")
    url = models.URLField(max_length=2000, blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_url = models.URLField(max_length=2000, blank=True)
    text = models.TextField()
    site = models.CharField(max_length=253, blank=True, help_text="Host of the post or of its link")
    lang = models.CharField(max_length=8, blank=True)
    published_at = models.DateTimeField()
    fetched_at = models.DateTimeField(default=timezone.now)
    #: The post this one answers (same source), for threads in the care inbox.
    in_reply_to = models.CharField(max_length=300, blank=True)
    thread_root = models.CharField(max_length=300, blank=True)
    metrics = models.JSONField(default=dict, blank=True)  # likes, reposts, replies where the source gives them
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the normalised text: exact duplicates")
    simhash = models.BigIntegerField(default=0, help_text="64-bit SimHash of the text: near duplicates")
    #: The four 16-bit bands of ``simhash``: a near-duplicate (≤ 3 bits apart) shares at least one of them.
    band0 = models.IntegerField(default=0)
    band1 = models.IntegerField(default=0)
    band2 = models.IntegerField(default=0)
    band3 = models.IntegerField(default=0)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    sentiment_score = models.FloatField(default=0.0, help_text="-1 (very negative) … +1 (very positive)")
    intent = models.CharField(max_length=10, choices=Intent.choices, default=Intent.OTHER)

    class Meta:
        ordering = ["-published_at"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="uniq_listening_post")]
        indexes = [
            models.Index(fields=["workspace", "-published_at"]),
            models.Index(fields=["workspace", "content_hash"]),
            models.Index(fields=["workspace", "band0"], name="listening_post_band0"),
            models.Index(fields=["workspace", "band1"], name="listening_post_band1"),
            models.Index(fields=["workspace", "band2"], name="listening_post_band2"),
            models.Index(fields=["workspace", "band3"], name="listening_post_band3"),
        ]


class Mention(models.Model):
    """A post matched a topic. Denormalised day, sentiment and intent so reports group without joins."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="mentions")
    day = models.DateField(help_text="Publication day in the workspace's time zone")
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    intent = models.CharField(max_length=10, choices=Intent.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "topic"], name="uniq_listening_mention")]
        indexes = [models.Index(fields=["workspace", "topic", "day"])]


class TopicDay(models.Model):
    """Per topic and day: counts for the chatter audit, written in the same transaction as the mentions.

    Near-duplicates (reposts of the same text) are counted in ``duplicates`` and not in ``posts``.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    posts = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)
    neutral = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    questions = models.IntegerField(default=0)
    complaints = models.IntegerField(default=0)
    praise = models.IntegerField(default=0)
    engagement = models.BigIntegerField(default=0, help_text="Likes + reposts + replies where known")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "topic", "day"], name="uniq_topic_day")]
