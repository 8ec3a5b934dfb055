"""Every write of the listening pages: topics, sources, polls on request and CSV imports."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.listening import pipeline
from groundswell.listening.models import Source, SourceKind, Topic
from groundswell.listening.query import parse
from groundswell.listening.sources.base import FetchedPost, plugin_for
from groundswell.workspaces.models import Membership, Workspace


class ListeningError(ValueError):
    """A change that cannot be made, with a message for the admin."""


def create_topic(*, workspace: Workspace, by: Membership, name: str, kind: str, query: str) -> Topic:
    """A new topic; its query must parse (``QueryError`` says where it does not)."""
    parse(query)
    try:
        with transaction.atomic():
            return Topic.objects.create(workspace=workspace, name=name, kind=kind, query=query, created_by=by)
    except IntegrityError:
        raise ListeningError(f"There is already a topic called “{name}”.") from None


def update_topic(*, topic: Topic, name: str, kind: str, query: str, is_active: bool) -> Topic:
    parse(query)
    topic.name, topic.kind, topic.query, topic.is_active = name, kind, query, is_active
    try:
        with transaction.atomic():
            topic.save(update_fields=["name", "kind", "query", "is_active"])
    except IntegrityError:
        raise ListeningError(f"There is already a topic called “{name}”.") from None
    return topic


def create_source(
    *, workspace: Workspace, kind: str, name: str, config: dict[str, Any], poll_every_seconds: int
) -> Source:
    """A new source; ``ValueError`` (from the plug-in) when its settings are not valid."""
    clean = plugin_for(kind).validate_config(config)
    with transaction.atomic():
        return Source.objects.create(
            workspace=workspace,
            kind=kind,
            name=name,
            config=clean,
            poll_every_seconds=poll_every_seconds,
            is_active=kind != SourceKind.CSV,
        )


def set_source_active(*, source: Source, active: bool) -> Source:
    """Pause or resume polling. A resumed source is polled at the next round."""
    fields = ["is_active"]
    source.is_active = active and source.kind != SourceKind.CSV
    if source.is_active:
        source.next_poll_at = timezone.now()
        fields.append("next_poll_at")
    with transaction.atomic():
        source.save(update_fields=fields)
    return source


def poll_now(*, source: Source) -> bool:
    """Claim the source and poll it in the background now. False when a poll is already running."""
    if source.kind == SourceKind.CSV or not source.is_active:
        raise ListeningError("Only an active source that polls can be polled now.")
    from groundswell.listening.tasks import poll_source

    with transaction.atomic():
        if not pipeline.claim(source.pk, due_only=False):
            return False
        transaction.on_commit(lambda: poll_source.enqueue(source.pk))
    return True


def import_posts(*, source: Source, posts: list[FetchedPost]) -> pipeline.IngestResult:
    """Ingest uploaded posts through the pipeline (stored when they match a topic; re-imports are skipped)."""
    if source.kind != SourceKind.CSV:
        raise ListeningError("Posts can only be uploaded to a CSV import source.")
    result = pipeline.IngestResult()
    for offset in range(0, len(posts), 500):
        part = pipeline.ingest(source, posts[offset : offset + 500], source.cursor)
        for name in ("fetched", "known", "unmatched", "stored", "duplicates", "mentions"):
            setattr(result, name, getattr(result, name) + getattr(part, name))
    return result
