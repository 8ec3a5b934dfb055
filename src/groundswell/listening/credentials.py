"""Listening credentials between the database and the plug-ins: which one a source signs in with, the plug-in's
view of it (``sources.base.Credential``), and what the plug-in renewed (token, rate limit) written back.

A source uses its own credential when it has one, else the workspace's for the network. A credential the
network refused stops every source using it without asking the network again, until the admin saves it
anew (``actions.save_credential``); a used-up rate limit holds them all until the reset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import F, Q, QuerySet

from groundswell.listening.models import CredentialStatus, ListeningCredential, Source
from groundswell.listening.sources import bluesky, reddit
from groundswell.listening.sources.base import Credential, Problem, SourceError

#: How each network's credential is checked: one sign-in (``SourceError`` says why it failed).
CHECKS: dict[str, Callable[[Credential], object]] = {
    reddit.NETWORK: reddit.sign_in,
    bluesky.NETWORK: bluesky.check_credential,
}
#: The fields a plug-in may change; written back after every poll that changed them.
STATE_FIELDS = (
    "token",
    "refresh_token",
    "token_expires_at",
    "token_subject",
    "rate_limited_until",
    "rate_remaining",
    "rate_reset_at",
)


def lookup(source: Source, network: str) -> ListeningCredential | None:
    """The source's own credential for ``network``, else the workspace's (one query)."""
    return (
        ListeningCredential.objects.filter(
            Q(source=source) | Q(workspace_id=source.workspace_id, source__isnull=True), network=network
        )
        .order_by(F("source").asc(nulls_last=True))
        .first()
    )


def for_plugin(row: ListeningCredential) -> Credential:
    return Credential(
        network=row.network,
        identifier=row.identifier,
        secret=row.secret or "",
        service_url=row.service_url,
        app_type=row.app_type,
        device_id=row.device_id,
        contact=row.contact,
        token=row.token or "",
        refresh_token=row.refresh_token or "",
        token_expires_at=row.token_expires_at,
        token_subject=row.token_subject,
        rate_limited_until=row.rate_limited_until,
        rate_remaining=row.rate_remaining,
        rate_reset_at=row.rate_reset_at,
    )


def usable(row: ListeningCredential) -> Credential:
    """The plug-in's credential; ``SourceError`` without asking the network when it was refused."""
    if row.status == CredentialStatus.REFUSED:
        raise SourceError(
            row.status_message or "The network refused these credentials; change them to try again.",
            problem=Problem.CREDENTIALS_REFUSED,
        )
    return for_plugin(row)


def _unchanged(row: ListeningCredential) -> QuerySet[ListeningCredential]:
    """The row, unless the admin saved new values since it was read: a poll that started with the old secret
    must not overwrite the new one's token or verdict."""
    return ListeningCredential.objects.filter(pk=row.pk, updated_at=row.updated_at)


def store(row: ListeningCredential, credential: Credential) -> None:
    """Write back what the plug-in renewed (nothing when it changed nothing)."""
    if not credential.dirty:
        return
    values = {name: getattr(credential, name) for name in STATE_FIELDS}
    _unchanged(row).update(**values)
    for name, value in values.items():
        setattr(row, name, value)
    credential.dirty = False


def mark_refused(row: ListeningCredential, message: str, now: dt.datetime) -> None:
    """The network refused the credential: every source using it stops until the admin changes it."""
    _unchanged(row).update(
        status=CredentialStatus.REFUSED, status_message=message[:500], checked_at=now, token="", refresh_token=""
    )
    row.status, row.status_message, row.checked_at = CredentialStatus.REFUSED, message[:500], now


def mark_working(row: ListeningCredential, now: dt.datetime) -> None:
    if row.status == CredentialStatus.OK:
        return  # the common case: no write per poll
    _unchanged(row).update(status=CredentialStatus.OK, status_message="", checked_at=now)
    row.status, row.status_message, row.checked_at = CredentialStatus.OK, "", now


def sources_using(row: ListeningCredential) -> Q:
    """The sources that sign in with ``row``: its own source, or the workspace's sources of the network without
    their own credential."""
    if row.source_id is not None:
        return Q(pk=row.source_id)
    same = Q(workspace_id=row.workspace_id, kind=row.network, own_credential__isnull=True)
    return same & ~Q(config__mode="stream") if row.network == bluesky.NETWORK else same
