"""The write layer of the Teams bot: activities seen, a team connected to a workspace or removed, and where a
member's personal chat is. Installing and linking themselves go through the chat core (``chat.actions``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.chat import actions as chat_actions
from groundswell.chat.models import ChatIdentity, ChatInstallation, InstallationState, Platform, SeenRequest
from groundswell.workspaces.models import Membership


def activity_digest(activity: dict[str, Any]) -> str:
    """What identifies an activity for replay checks: its id within its conversation (ids are per conversation)."""
    conversation = activity.get("conversation") or {}
    conversation_id = conversation.get("id", "") if isinstance(conversation, dict) else ""
    raw = f"teams:{conversation_id}:{activity.get('id', '')}"
    return hashlib.sha256(raw.encode()).hexdigest()


def remember_activity(activity: dict[str, Any], *, now: dt.datetime | None = None) -> bool:
    """Record the activity as handled; False when it was handled before (a replay, or the channel's retry)."""
    try:
        with transaction.atomic():
            SeenRequest.objects.create(
                platform=Platform.TEAMS, digest=activity_digest(activity), seen_at=now or timezone.now()
            )
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class TeamReference:
    """A team the bot was added to, as its connect link carries it (signed, so it cannot be altered)."""

    tenant_id: str
    team_id: str
    team_name: str
    channel_id: str
    service_url: str

    def as_reference(self) -> dict[str, str]:
        """The conversation reference kept on the installation, to post in the channel proactively."""
        return {
            "tenant_id": self.tenant_id,
            "team_id": self.team_id,
            "team_name": self.team_name,
            "conversation_id": self.channel_id,
            "service_url": self.service_url,
        }


def connect_team(member: Membership, team: TeamReference, *, now: dt.datetime | None = None) -> ChatInstallation:
    """Connect ``member``'s workspace to the Teams team (an admin confirmed the bot's connect link).

    The installation is keyed by the tenant (a Teams identity is a tenant's user); new items, the digest and the
    tip of the week go to the team's channel the bot was added in. Once committed, the channel is told.
    """
    installed = chat_actions.Installed(
        platform=Platform.TEAMS,
        external_id=team.tenant_id,
        name=team.team_name or "Microsoft Teams",
        service_url=team.service_url,
    )
    with transaction.atomic():
        installation = chat_actions.install(member, installed, now=now)
        values = {
            "channel_id": team.channel_id[:256],
            "channel_name": (team.team_name or "General")[:200],
            "channel_reference": team.as_reference(),
        }
        ChatInstallation.objects.filter(pk=installation.pk).update(**values)
        for name, value in values.items():
            setattr(installation, name, value)
        installation_id = installation.pk
        transaction.on_commit(lambda: _tell_team_connected(installation_id))
    return installation


def _tell_team_connected(installation_id: int) -> None:
    from groundswell.chat.teams import tasks

    tasks.tell_team_connected.enqueue(installation_id)


def team_removed(tenant_id: str, team_id: str) -> int:
    """The bot was removed from a team: the installations posting there stop (REVOKED, kept for the record)."""
    return ChatInstallation.objects.filter(
        platform=Platform.TEAMS, external_id=tenant_id, channel_reference__team_id=team_id
    ).update(state=InstallationState.REVOKED, last_error="The Groundswell app was removed from the team in Teams.")


def save_personal_conversation(identity: ChatIdentity, conversation_id: str, service_url: str) -> None:
    """Remember the member's 1:1 conversation with the bot (from a message they sent, or one we opened)."""
    reference: dict[str, object] = {"conversation_id": conversation_id, "service_url": service_url}
    if identity.conversation_id == conversation_id and identity.conversation_reference == reference:
        return
    chat_actions.save_conversation(identity, conversation_id, reference)
    identity.conversation_id, identity.conversation_reference = conversation_id, reference
