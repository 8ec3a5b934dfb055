"""Every write of the listening pages: topics, sources, credentials, polls on request and CSV imports."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.listening import credentials, pipeline
from groundswell.listening.models import CredentialStatus, ListeningCredential, RedditAppType, Source, SourceKind, Topic
from groundswell.listening.query import parse
from groundswell.listening.sources.base import FetchedPost, Problem, SourceError, plugin_for
from groundswell.workspaces.models import Membership, Workspace

#: Sources failing for one of these may work once a credential changed: they are polled again at once.
CREDENTIAL_PROBLEMS = (Problem.NEEDS_CREDENTIALS, Problem.CREDENTIALS_REFUSED, Problem.FORBIDDEN)


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
    *,
    workspace: Workspace,
    kind: str,
    name: str,
    config: dict[str, Any],
    poll_every_seconds: int,
    credential: CredentialValues | None = None,
    by: Membership | None = None,
) -> Source:
    """A new source; ``ValueError`` (from the plug-in) when its settings are not valid.

    With ``credential`` the source gets its own (checked first: a refusal is a ``ListeningError`` and
    nothing is created); without, it uses the workspace's for its network, if it needs one.
    """
    plugin = plugin_for(kind)
    clean = plugin.validate_config(config)
    network = plugin.credential_network(clean)
    own = None
    if credential is not None and network:
        own, _status, _message = _prepared(workspace=workspace, network=network, values=credential, existing=None)
    with transaction.atomic():
        source = Source.objects.create(
            workspace=workspace,
            kind=kind,
            name=name,
            config=clean,
            poll_every_seconds=poll_every_seconds,
            is_active=kind != SourceKind.CSV,
        )
        if own is not None:
            own.source, own.updated_by = source, by
            own.save()
    return source


def update_source(*, source: Source, name: str, config: dict[str, Any], poll_every_seconds: int) -> Source:
    """New settings for a source (validated by its plug-in); it is polled again at once."""
    clean = plugin_for(source.kind).validate_config(config)
    source.name, source.config, source.poll_every_seconds = name, clean, poll_every_seconds
    fields = ["name", "config", "poll_every_seconds"]
    if source.is_active:
        source.next_poll_at = timezone.now()
        fields.append("next_poll_at")
    with transaction.atomic():
        source.save(update_fields=fields)
    return source


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


# --- Credentials -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialValues:
    """What the admin entered. An empty ``secret`` keeps the stored one."""

    identifier: str
    secret: str = ""
    service_url: str = ""
    app_type: str = ""
    contact: str = ""


@dataclass(frozen=True)
class CheckResult:
    credential: ListeningCredential
    #: ``ok`` (signed in), ``refused`` or ``unchecked`` (the network could not be asked: unreachable, busy).
    status: str
    message: str


def _device_id() -> str:
    """A Reddit installed-app device id: 25 letters and digits (the OAuth2 wiki asks for 20-30 characters)."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(25))


def _check(row: ListeningCredential) -> tuple[bool, str]:
    """Sign in once with ``row`` (its token is kept); ``ListeningError`` when the network refused it."""
    credential = credentials.for_plugin(row)
    try:
        credentials.CHECKS[row.network](credential)
    except SourceError as exc:
        if exc.problem in (Problem.CREDENTIALS_REFUSED, Problem.NEEDS_CREDENTIALS):
            raise ListeningError(str(exc)) from None
        return False, f"Saved, but not checked: {exc}"
    for name in credentials.STATE_FIELDS:
        setattr(row, name, getattr(credential, name))
    return True, "Signed in: these credentials work."


def _prepared(
    *, workspace: Workspace, network: str, values: CredentialValues, existing: ListeningCredential | None
) -> tuple[ListeningCredential, str, str]:
    """The credential with the new values, signed in once (not saved): (row, status, message).

    The network's refusal is a ``ListeningError``; when the network cannot be asked the row is unchecked.
    """
    row = existing or ListeningCredential(workspace=workspace, network=network)
    same_account = existing is not None and existing.identifier == values.identifier
    row.identifier = values.identifier
    # An empty secret keeps the stored one, but only for the same client id or handle: it belongs to it.
    row.secret = values.secret or (existing.secret if existing is not None and same_account else "") or ""
    row.service_url, row.contact = values.service_url, values.contact
    row.app_type = values.app_type if network == "reddit" else ""
    if row.app_type == RedditAppType.INSTALLED:
        row.secret = ""
        row.device_id = row.device_id or _device_id()
    # New values: forget the old token and the old verdict.
    row.token, row.refresh_token, row.token_expires_at, row.token_subject = "", "", None, ""
    row.rate_limited_until = row.rate_remaining = row.rate_reset_at = None
    checked, message = _check(row)
    now = timezone.now()
    row.status = CredentialStatus.OK if checked else CredentialStatus.UNCHECKED
    row.status_message = "" if checked else message[:500]
    row.checked_at = now if checked else None
    row.updated_at = now
    return row, row.status, message


def _wake_sources(row: ListeningCredential) -> None:
    """Sources that failed for want of working credentials are polled again at once."""
    Source.objects.filter(
        credentials.sources_using(row), is_active=True, error_kind__in=[p.value for p in CREDENTIAL_PROBLEMS]
    ).update(next_poll_at=timezone.now())


def save_credential(
    *,
    workspace: Workspace,
    network: str,
    values: CredentialValues,
    by: Membership | None,
    source: Source | None = None,
) -> CheckResult:
    """Create or change the workspace's credential for ``network`` (or ``source``'s own) after one sign-in.

    The network's refusal is a ``ListeningError`` and nothing is saved; when the network cannot be asked the
    credential is saved unchecked. The sources that use it and were failing for want of working credentials
    are polled again at once.
    """
    if source is not None and source.workspace_id != workspace.pk:
        raise ListeningError("This source belongs to another workspace.")
    existing = (
        ListeningCredential.objects.filter(source=source).first()
        if source is not None
        else ListeningCredential.objects.filter(workspace=workspace, network=network, source__isnull=True).first()
    )
    row, status, message = _prepared(workspace=workspace, network=network, values=values, existing=existing)
    row.source, row.updated_by = source, by
    with transaction.atomic():
        row.save()
        _wake_sources(row)
    return CheckResult(row, status, message)


def check_credential(*, credential: ListeningCredential) -> CheckResult:
    """Sign in again with a stored credential (the "check again" button) and record the verdict."""
    now = timezone.now()
    try:
        checked, message = _check(credential)
    except ListeningError as exc:
        credentials.mark_refused(credential, str(exc), now)
        return CheckResult(credential, CredentialStatus.REFUSED, str(exc))
    with transaction.atomic():
        if checked:
            credential.status, credential.status_message, credential.checked_at = CredentialStatus.OK, "", now
            credential.save(update_fields=["status", "status_message", "checked_at", *credentials.STATE_FIELDS])
            _wake_sources(credential)
    return CheckResult(credential, CredentialStatus.OK if checked else CredentialStatus.UNCHECKED, message)


def delete_credential(*, credential: ListeningCredential) -> None:
    """Forget a credential (its sources fall back to the workspace's, or show that they need one)."""
    with transaction.atomic():
        credential.delete()
