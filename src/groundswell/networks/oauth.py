"""Connecting a network account: which networks are offered, OAuth 2 with PKCE, and app passwords.

OAuth 2 (authorisation code + PKCE S256): ``begin`` makes a random ``state`` and a code verifier, keeps
them in the member's session — bound to the member, the network and (Mastodon) the instance, valid for
ten minutes, single use — and returns the network's authorisation URL. The network sends the member back
to our callback (``SITE_URL`` + the callback path; never anywhere else), where ``complete`` checks the
state and exchanges the code for tokens.

Where the connection can post as someone other than the person who signed in (a Facebook Page, a LinkedIn
company page for a brand account: ``NetworkClient.identities``), ``complete`` does not connect yet: it keeps
the tokens and the identities in the session (encrypted, bound to the member, the workspace and the flow,
ten minutes, single use) and returns a ``PendingChoice``; the picker page shows the identities and ``choose``
connects the one picked — only one of that list.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from groundswell.networks import accounts, crypto, registry
from groundswell.networks.base import Identity, NetworkClient, NetworkError, Scope, TokenSet
from groundswell.networks.models import ConnectedAccount
from groundswell.workspaces.models import Membership, Role

logger = logging.getLogger(__name__)

SESSION_KEY = "networks_oauth_states"
#: Connections waiting for the member to pick a Page / organisation (see ``PendingChoice``).
CHOICES_SESSION_KEY = "networks_oauth_choices"
STATE_TTL_SECONDS = 10 * 60
MAX_PENDING_STATES = 5

#: Settings an OAuth network needs before it can be offered (the administrator registers an app there).
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {
    "linkedin": ("LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET"),
    "x": ("X_CLIENT_ID",),
    "facebook": ("FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET"),
}
#: Networks where the member first says which server their account lives on.
INSTANCE_NETWORKS = frozenset({"mastodon"})

PROMISE = (
    "Groundswell never reads your feed, your messages or your contacts. "
    "It only posts what you ask it to, and reads the likes, reposts and replies of those posts."
)


class ConnectError(Exception):
    """Connecting failed; ``message`` says why in words fit for the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NetworkOption:
    key: str
    label: str
    auth_kind: str
    scopes: tuple[Scope, ...]
    #: What an admin connecting the company's account is asked for (LinkedIn adds the organisation scopes).
    brand_scopes: tuple[Scope, ...]
    enabled: bool
    needs_instance: bool
    client: NetworkClient | None


def load_client(key: str) -> NetworkClient | None:
    """The plug-in for ``key``, or None (logged) when it is missing or broken."""
    try:
        return registry.get_client(key)
    except (ImportError, KeyError) as exc:
        logger.warning("The %s network plug-in is not installed: %s", key, exc)
    except Exception:
        logger.exception("The %s network plug-in could not be loaded", key)
    return None


def is_configured(key: str) -> bool:
    return all(getattr(settings, name, "") for name in REQUIRED_SETTINGS.get(key, ()))


def option(key: str) -> NetworkOption | None:
    """What the connect page shows for ``key`` (None for a network that is not in the registry)."""
    if key not in registry.available():
        return None
    client = load_client(key)
    if client is None:
        return NetworkOption(key, key.title(), "oauth2", (), (), False, key in INSTANCE_NETWORKS, None)
    return NetworkOption(
        key=key,
        label=client.label or key.title(),
        auth_kind=client.auth_kind,
        scopes=tuple(client.scopes),
        brand_scopes=tuple(client.for_workspace().scopes),
        enabled=is_configured(key),
        needs_instance=key in INSTANCE_NETWORKS,
        client=client,
    )


def options() -> list[NetworkOption]:
    found = (option(key) for key in registry.available())
    return [o for o in found if o is not None]


def enabled_option(key: str, auth_kind: str) -> NetworkOption:
    """The network ``key`` if it can be connected with ``auth_kind``; ConnectError otherwise."""
    found = option(key)
    if found is None or found.auth_kind != auth_kind:
        raise ConnectError("This network cannot be connected here.")
    if not found.enabled or found.client is None:
        raise ConnectError(f"{found.label} is not enabled by your administrator.")
    return found


# --- OAuth 2 with PKCE ---------------------------------------------------------------------------------


def app_password_tokens(net: NetworkOption, *, identifier: str, password: str, service_url: str) -> TokenSet:
    """Log in with an app password (Bluesky) for a personal or a company account; raises ``NetworkError``."""
    assert net.client is not None
    tokens = net.client.login_with_password(identifier=identifier, password=password, service_url=service_url)
    if not tokens.service_url:
        tokens.service_url = service_url
    return tokens


def pkce_pair() -> tuple[str, str]:
    """A code verifier (RFC 7636: 43 to 128 unreserved characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def redirect_uri() -> str:
    """One callback for every workspace, so a network app (a Mastodon instance's registration, the LinkedIn
    or X app) is registered once; the workspace comes back from the state kept in the session."""
    return settings.SITE_URL + reverse("oauth_callback")


def workspace_for_state(session: SessionBase, state: str) -> str | None:
    """The slug of the workspace a pending connection was started from, or None."""
    entry = _pending(session).get(state) if state else None
    slug = entry.get("workspace") if isinstance(entry, dict) else None
    return slug if isinstance(slug, str) else None


def _pending(session: SessionBase) -> dict[str, dict[str, Any]]:
    """A copy of the session's pending states, without expired ones."""
    raw = session.get(SESSION_KEY)
    states: dict[str, Any] = raw if isinstance(raw, dict) else {}
    now = time.time()
    return {k: dict(v) for k, v in states.items() if isinstance(v, dict) and float(v.get("expires", 0)) > now}


def begin(
    session: SessionBase,
    member: Membership,
    net: NetworkOption,
    *,
    instance: str = "",
    owner: accounts.Owner = accounts.Owner.MEMBER,
) -> str:
    """Remember a new state for ``member`` and return the network's authorisation URL (NetworkError passes).

    The account will be ``owner``'s: the member's, or (an admin connecting a brand account) the workspace's."""
    for_workspace = owner == accounts.Owner.WORKSPACE
    assert net.client is not None
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    client = net.client.for_workspace() if for_workspace else net.client
    url = client.authorization_url(
        redirect_uri=redirect_uri(), state=state, code_challenge=challenge, instance=instance
    )
    # Keep the newest few (a member may start in two tabs); older ones are dropped.
    newest = sorted(_pending(session).items(), key=lambda kv: float(kv[1]["expires"]))[-(MAX_PENDING_STATES - 1) :]
    pending = dict(newest)
    pending[state] = {
        "member": member.pk,
        "workspace": member.workspace.slug,
        "network": net.key,
        "instance": instance,
        "owner": owner.value,
        "verifier": verifier,
        "expires": time.time() + STATE_TTL_SECONDS,
    }
    session[SESSION_KEY] = pending
    return url


def complete(
    session: SessionBase, member: Membership, *, state: str, code: str, error: str = "", error_description: str = ""
) -> ConnectedAccount | PendingChoice:
    """Check the state the network sent back and exchange the code; ConnectError with the reason otherwise.

    A ``PendingChoice`` when the member has to pick the Page or organisation first (``choose``)."""
    pending = _pending(session)
    entry = pending.pop(state, None) if state else None  # single use, whatever happens next
    session[SESSION_KEY] = pending
    if not isinstance(entry, dict) or entry.get("member") != member.pk or float(entry.get("expires", 0)) <= time.time():
        raise ConnectError(
            "This connection attempt has expired or was not started from this browser. "
            "Nothing was connected; please start again."
        )
    if entry.get("owner") == "workspace" and member.role != Role.ADMIN:
        raise ConnectError("Only program admins can connect the company's accounts. Nothing was connected.")
    net = option(str(entry.get("network", "")))
    if net is None or net.client is None or not net.enabled:
        raise ConnectError("This network is no longer available. Nothing was connected.")
    if error:
        if error == "access_denied":
            raise ConnectError(f"You did not allow Groundswell to post to {net.label}. Nothing was connected.")
        detail = f" ({error_description[:200]})" if error_description else ""
        raise ConnectError(f"{net.label} did not connect the account: {error[:60]}{detail}.")
    if not code:
        raise ConnectError(f"{net.label} did not send an authorisation code. Nothing was connected; please try again.")
    instance = str(entry.get("instance", ""))
    for_workspace = entry.get("owner") == "workspace"
    client = net.client.for_workspace() if for_workspace else net.client
    try:
        tokens = client.exchange_code(
            code=code,
            redirect_uri=redirect_uri(),
            code_verifier=str(entry["verifier"]),
            instance=instance,
        )
        identities = client.identities(tokens)
    except NetworkError as exc:
        raise ConnectError(f"{net.label}: {exc.message}") from exc
    if instance and not tokens.service_url:
        tokens.service_url = instance
    if identities is not None:
        return _remember_choice(session, member, net, tokens, identities, for_workspace=for_workspace)
    return _connect(member, net, tokens, for_workspace=for_workspace)


def _connect(member: Membership, net: NetworkOption, tokens: TokenSet, *, for_workspace: bool) -> ConnectedAccount:
    owner = accounts.Owner.WORKSPACE if for_workspace else accounts.Owner.MEMBER
    try:
        return accounts.connect(member, net.key, tokens, owner=owner)
    except ValueError as exc:
        raise ConnectError(f"{net.label} did not say which account was connected. Nothing was connected.") from exc


# --- Picking the Page / organisation to connect ----------------------------------------------------------


@dataclass(frozen=True)
class PendingChoice:
    """A connection waiting for the member to pick one of ``options`` (remote id, name); no tokens here."""

    key: str
    network: str
    label: str
    for_workspace: bool
    options: tuple[tuple[str, str], ...]


class NotYours(ConnectError):
    """The pending connection belongs to another member or workspace: the picker answers 404."""


def _tokens_json(tokens: TokenSet) -> dict[str, Any]:
    return {
        "access_token": tokens.access_token,
        "remote_id": tokens.remote_id,
        "handle": tokens.handle,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else "",
        "scopes": list(tokens.scopes),
        "service_url": tokens.service_url,
    }


def _tokens_from(data: dict[str, Any]) -> TokenSet:
    expires = str(data.get("expires_at") or "")
    return TokenSet(
        access_token=str(data["access_token"]),
        remote_id=str(data["remote_id"]),
        handle=str(data.get("handle") or ""),
        refresh_token=str(data.get("refresh_token") or ""),
        expires_at=dt.datetime.fromisoformat(expires) if expires else None,
        scopes=[str(s) for s in data.get("scopes") or []],
        service_url=str(data.get("service_url") or ""),
    )


def _pending_choices(session: SessionBase) -> dict[str, dict[str, Any]]:
    raw = session.get(CHOICES_SESSION_KEY)
    entries: dict[str, Any] = raw if isinstance(raw, dict) else {}
    now = time.time()
    return {k: dict(v) for k, v in entries.items() if isinstance(v, dict) and float(v.get("expires", 0)) > now}


def _remember_choice(
    session: SessionBase,
    member: Membership,
    net: NetworkOption,
    tokens: TokenSet,
    identities: list[Identity],
    *,
    for_workspace: bool,
) -> PendingChoice:
    key = secrets.token_urlsafe(24)
    secret = {
        "tokens": _tokens_json(tokens),
        "identities": [[i.remote_id, i.name, i.access_token] for i in identities],
    }
    newest = sorted(_pending_choices(session).items(), key=lambda kv: float(kv[1]["expires"]))
    pending = dict(newest[-(MAX_PENDING_STATES - 1) :])
    pending[key] = {
        "member": member.pk,
        "workspace": member.workspace.slug,
        "network": net.key,
        "owner": "workspace" if for_workspace else "member",
        "options": [[i.remote_id, i.name] for i in identities],
        "secret": crypto.encrypt(json.dumps(secret)),  # tokens are never in the session in the clear
        "expires": time.time() + STATE_TTL_SECONDS,
    }
    session[CHOICES_SESSION_KEY] = pending
    return _as_pending(key, pending[key])


def _as_pending(key: str, entry: dict[str, Any]) -> PendingChoice:
    net = option(str(entry.get("network", "")))
    return PendingChoice(
        key=key,
        network=str(entry.get("network", "")),
        label=net.label if net is not None else str(entry.get("network", "")).title(),
        for_workspace=entry.get("owner") == "workspace",
        options=tuple((str(rid), str(name)) for rid, name in entry.get("options") or []),
    )


_EXPIRED = "This connection attempt has expired or was not started from this browser. Nothing was connected; please start again."


def _entry(session: SessionBase, member: Membership, key: str) -> dict[str, Any]:
    entry = _pending_choices(session).get(key) if key else None
    if entry is None:
        raise ConnectError(_EXPIRED)
    if entry.get("member") != member.pk or entry.get("workspace") != member.workspace.slug:
        raise NotYours("No such connection is waiting here.")
    if entry.get("owner") == "workspace" and member.role != Role.ADMIN:
        raise NotYours("Only program admins can connect the company's accounts.")
    return entry


def pending_choice(session: SessionBase, member: Membership, key: str) -> PendingChoice:
    """The connection waiting for ``member`` to pick; ConnectError when expired, NotYours when not theirs."""
    return _as_pending(key, _entry(session, member, key))


def choose(session: SessionBase, member: Membership, key: str, remote_id: str) -> ConnectedAccount:
    """Connect the identity ``remote_id`` of the waiting connection ``key`` (single use once it succeeds).

    ConnectError when ``remote_id`` is not one of the identities offered (the choice stays open)."""
    entry = _entry(session, member, key)
    net = option(str(entry.get("network", "")))
    if net is None or net.client is None or not net.enabled:
        raise ConnectError("This network is no longer available. Nothing was connected.")
    try:
        secret = json.loads(crypto.decrypt(str(entry.get("secret", ""))))
        tokens = _tokens_from(secret["tokens"])
        identities = [Identity(str(r), str(n), str(t)) for r, n, t in secret["identities"]]
    except (ValueError, KeyError, TypeError, ImproperlyConfigured) as exc:  # unreadable: start again
        raise ConnectError(_EXPIRED) from exc
    chosen = next((i for i in identities if i.remote_id == remote_id), None)
    if chosen is None:
        raise ConnectError(
            f"Choose one of the {net.label} accounts listed; that one was not offered. Nothing was connected."
        )
    pending = _pending_choices(session)
    pending.pop(key, None)  # single use: connecting again starts from the network
    session[CHOICES_SESSION_KEY] = pending
    for_workspace = entry.get("owner") == "workspace"
    client = net.client.for_workspace() if for_workspace else net.client
    return _connect(member, net, client.as_identity(tokens, chosen), for_workspace=for_workspace)


# --- Servers chosen by the member (Mastodon instance, Bluesky PDS) -------------------------------------


def check_public_host(host: str, port: int = 443) -> None:
    """ConnectError unless ``host`` resolves to public addresses only (the server will call it)."""
    if settings.UNFURL_ALLOW_PRIVATE_ADDRESSES:
        return  # the test-suite's loopback servers
    from groundswell.lib.safe_fetch import FetchError, resolve

    try:
        resolve(host, port)
    except FetchError as exc:
        raise ConnectError(str(exc)) from exc
    except (OSError, socket.gaierror) as exc:  # pragma: no cover - resolve already maps these
        raise ConnectError(f"Could not find the server {host}.") from exc
