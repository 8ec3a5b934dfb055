"""Connected accounts: the writes (one transaction each) behind the accounts pages, the outbox and the sync.

* ``connect`` stores what a network handed us for its ``Owner``: the member (upsert by member + network +
  remote id) or the workspace (a brand account: no member, upsert by workspace + network + remote id);
  connecting an account again puts it back to "connected";
* ``mark_reconnect`` flags an account whose tokens the network refused (the outbox and the sync call it on
  ``AuthError``) so the member sees a one-click Reconnect button;
* ``ensure_fresh`` refreshes the access token through the plug-in shortly before it expires;
* ``disconnect`` revokes the token at the network when the plug-in can, deletes the tokens whatever the
  network said, and cancels the account's posts still waiting in the outbox.

HTTP calls to the networks are never made inside a database transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from groundswell.networks import registry
from groundswell.networks.base import AuthError, NetworkError, TokenSet
from groundswell.networks.models import (
    AccountStatus,
    ConnectedAccount,
    OutboundPost,
    OutboundPostLog,
    PostStatus,
)
from groundswell.networks.signals import workspace_account_connected
from groundswell.workspaces.models import Membership

logger = logging.getLogger(__name__)

#: Refresh an access token when it expires within this margin.
REFRESH_MARGIN = dt.timedelta(minutes=5)
#: Outbox states of a post that has not been (and is not being) sent: cancelled on disconnect.
PENDING_POST_STATUSES = (PostStatus.SCHEDULED, PostStatus.RETRYING)
_MESSAGE_MAX = ConnectedAccount._meta.get_field("status_message").max_length or 300


class Owner(StrEnum):
    """Who a connected account belongs to: the member who connected it, or the workspace (a brand account an
    admin connects; it has no member and outlives the admin)."""

    MEMBER = "member"
    WORKSPACE = "workspace"


def connect(member: Membership, network: str, tokens: TokenSet, *, owner: Owner = Owner.MEMBER) -> ConnectedAccount:
    """Store the account ``tokens`` describe for its ``owner``; the same account connected again is updated.

    ``member`` connects it: as theirs (upsert by member + network + remote id), or as the workspace's
    (upsert by workspace + network + remote id, no member). Listeners of ``workspace_account_connected``
    (the stewards domain) record a workspace's account in the same transaction.
    """
    if not tokens.remote_id or not tokens.access_token:
        raise ValueError("A connected account needs the network's account id and an access token")
    defaults = {
        "handle": tokens.handle[:255] or tokens.remote_id[:255],
        "service_url": tokens.service_url[:300],
        "scopes": list(tokens.scopes),
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "token_expires_at": tokens.expires_at,
        "status": AccountStatus.ACTIVE,
        "status_message": "",
    }
    with transaction.atomic():
        rows = ConnectedAccount.objects.select_for_update()
        if owner == Owner.WORKSPACE:
            account, created = rows.update_or_create(
                workspace=member.workspace, member=None, network=network, remote_id=tokens.remote_id, defaults=defaults
            )
            workspace_account_connected.send(sender=ConnectedAccount, account=account, by=member)
        else:
            account, created = rows.update_or_create(
                member=member,
                network=network,
                remote_id=tokens.remote_id,
                defaults={**defaults, "workspace": member.workspace},
            )
    logger.info(
        "%s %s %s account %s by member %s",
        "Connected" if created else "Reconnected",
        owner.value,
        network,
        account.pk,
        member.pk,
    )
    return account


def connect_for_workspace(admin: Membership, network: str, tokens: TokenSet) -> ConnectedAccount:
    """``connect`` for the workspace (kept for callers that only ever connect brand accounts)."""
    return connect(admin, network, tokens, owner=Owner.WORKSPACE)


def mark_reconnect(account: ConnectedAccount, message: str) -> None:
    """The network refused the account's tokens: the member has to reconnect it (shown on the accounts page)."""
    message = (message or "The network no longer accepts Groundswell's access; please reconnect.")[:_MESSAGE_MAX]
    ConnectedAccount.objects.filter(pk=account.pk).update(status=AccountStatus.RECONNECT, status_message=message)
    account.status = AccountStatus.RECONNECT
    account.status_message = message
    logger.info("%s account %s needs reconnecting: %s", account.network, account.pk, message)


def _needs_refresh(account: ConnectedAccount, now: dt.datetime) -> bool:
    return account.token_expires_at is not None and account.token_expires_at <= now + REFRESH_MARGIN


def ensure_fresh(account: ConnectedAccount) -> ConnectedAccount:
    """The account with an access token that is good for a while (refreshed through the plug-in if needed).

    Raises ``AuthError`` when the account needs reconnecting (it is then marked so), and lets
    ``TransientError`` through (the caller retries later; nothing is marked).
    """
    current = ConnectedAccount.objects.filter(pk=account.pk).first()
    if current is None:
        raise AuthError("This account was disconnected.")
    if current.status == AccountStatus.RECONNECT:
        raise AuthError(current.status_message or "This account needs reconnecting.")
    if not _needs_refresh(current, timezone.now()):
        return current
    used_refresh_token = current.refresh_token
    try:
        fresh = registry.get_client(current.network).refresh(current.tokens())
    except AuthError as exc:
        # Another worker may have refreshed at the same time (networks that rotate refresh tokens then
        # refuse the old one): only a refusal of the newest tokens means the member must reconnect.
        latest = ConnectedAccount.objects.filter(pk=current.pk).first()
        if (
            latest is not None
            and latest.refresh_token != used_refresh_token
            and latest.status == AccountStatus.ACTIVE
            and not _needs_refresh(latest, timezone.now())
        ):
            return latest
        mark_reconnect(current, exc.message)
        raise
    with transaction.atomic():
        locked = ConnectedAccount.objects.select_for_update().filter(pk=current.pk).first()
        if locked is None:
            raise AuthError("This account was disconnected.")
        locked.access_token = fresh.access_token
        # Some networks keep the refresh token unchanged and do not send it again.
        locked.refresh_token = fresh.refresh_token or used_refresh_token
        locked.token_expires_at = fresh.expires_at
        if fresh.scopes:
            locked.scopes = list(fresh.scopes)
        locked.save(update_fields=["access_token", "refresh_token", "token_expires_at", "scopes"])
    logger.info("Refreshed the token of %s account %s", locked.network, locked.pk)
    return locked


@dataclass(frozen=True)
class Disconnected:
    """What disconnecting did, for the member: ``revoke_error`` is set when the network could not be told."""

    network: str
    handle: str
    revoked: bool
    revoke_error: str
    cancelled_posts: int


def _revoke(account: ConnectedAccount) -> tuple[bool, str]:
    """Ask the network to revoke the token. Never raises: the local tokens are deleted in any case."""
    try:
        client = registry.get_client(account.network)
    except Exception:
        logger.exception("No plug-in for %s: account %s not revoked at the network", account.network, account.pk)
        return False, "Groundswell could not reach this network to revoke its access."
    if not client.can_revoke:
        return False, ""
    try:
        client.revoke(account.tokens())
    except AuthError:
        return True, ""  # the token was not valid any more: nothing left to revoke
    except NetworkError as exc:
        logger.warning("Revoking %s account %s failed: %s", account.network, account.pk, exc.message)
        return False, exc.message
    except Exception:
        logger.exception("Revoking %s account %s failed", account.network, account.pk)
        return False, f"{client.label or account.network} did not answer as expected."
    return True, ""


def disconnect(account: ConnectedAccount) -> Disconnected:
    """Revoke (when the network can), delete the account and its tokens, cancel its waiting posts."""
    revoked, revoke_error = _revoke(account)
    label = f"@{account.handle}" if not account.handle.startswith("@") else account.handle
    with transaction.atomic():
        pending = list(
            OutboundPost.objects.select_for_update()
            .filter(account_id=account.pk, status__in=PENDING_POST_STATUSES)
            .values_list("pk", flat=True)
        )
        if pending:
            OutboundPost.objects.filter(pk__in=pending).update(
                status=PostStatus.CANCELLED, last_error=f"The account {label} was disconnected."
            )
            OutboundPostLog.objects.bulk_create(
                [
                    OutboundPostLog(
                        post_id=pk, level="info", message=f"Cancelled: the account {label} was disconnected."
                    )
                    for pk in pending
                ]
            )
        ConnectedAccount.objects.filter(pk=account.pk).delete()
    logger.info(
        "Disconnected %s account %s (revoked: %s, %d posts cancelled)",
        account.network,
        account.pk,
        revoked,
        len(pending),
    )
    return Disconnected(
        network=account.network,
        handle=account.handle,
        revoked=revoked,
        revoke_error=revoke_error,
        cancelled_posts=len(pending),
    )
