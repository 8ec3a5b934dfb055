"""Personal API tokens: ``gs_<secret>``. Only a SHA-256 of the secret is stored; the prefix helps people
recognise a token in the list without revealing it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db.models import Q, QuerySet
from django.utils import timezone

from groundswell.lib.text import control_message, first_control
from groundswell.workspaces.models import ApiToken, Membership

TOKEN_SCHEME = "gs_"  # noqa: S105 (a prefix, not a secret)
PREFIX_LENGTH = 10  # "gs_" and 7 characters of the secret: enough to tell tokens apart, useless to guess
MAX_NAME_LENGTH = 80
MAX_ACTIVE_TOKENS = 20
#: ``last_used_at`` is written at most this often per token (a conditional UPDATE, never on every request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be created, with a message for the member."""


def create_token(member: Membership, name: str) -> tuple[ApiToken, str]:
    """Create a token acting as ``member``. Returns the token and its secret, which is never stored."""
    name = " ".join(name.split())
    control = first_control(name)
    if control:
        raise TokenError(control_message("The name", control))
    if not name:
        raise TokenError("Give the token a name, so you can recognise it later (for example “CRM sync”).")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(f"A token name can be at most {MAX_NAME_LENGTH} characters.")
    if not member.is_active:
        raise TokenError("Inactive members cannot create API tokens.")
    if active_tokens(member).count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"You can have at most {MAX_ACTIVE_TOKENS} active tokens; revoke one you no longer use.")
    secret = TOKEN_SCHEME + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        workspace_id=member.workspace_id,
        member=member,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=ApiToken.hash_token(secret),
    )
    return token, secret


def revoke_token(token: ApiToken, *, now: dt.datetime | None = None) -> bool:
    """Revoke ``token``. Returns False when it was already revoked (revoking is idempotent)."""
    now = now or timezone.now()
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        token.revoked_at = now
    return bool(updated)


def active_tokens(member: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(member=member, revoked_at__isnull=True)


def authenticate_token(secret: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The usable token for ``secret`` with its member loaded, or None.

    Rejects unknown and revoked tokens, inactive memberships and deactivated user accounts.
    """
    secret = secret.strip()
    if not secret.startswith(TOKEN_SCHEME) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("member__workspace", "member__user", "member__department", "member__location")
        .filter(token_hash=ApiToken.hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    member = token.member
    if not member.is_active or not member.user.is_active or member.workspace_id != token.workspace_id:
        return None
    touch(token, now=now or timezone.now())
    return token


def touch(token: ApiToken, *, now: dt.datetime) -> None:
    """Record use, at most once per ``LAST_USED_RESOLUTION``: a conditional UPDATE, so concurrent requests
    write at most once and most requests write nothing at all."""
    threshold = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > threshold:
        return
    ApiToken.objects.filter(pk=token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold)).update(
        last_used_at=now
    )
    token.last_used_at = now
