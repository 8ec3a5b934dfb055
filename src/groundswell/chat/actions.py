"""The write layer of chat: installations, linked identities, and what members do from chat.

One transaction per action. Deliveries (``ChatMessage`` rows) are written by ``chat.dispatch``, which owns
their claim-before-send protocol.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.chat.models import (
    ChatIdentity,
    ChatInstallation,
    ChatMessage,
    InstallationState,
    Platform,
)
from groundswell.workspaces.models import Membership, Workspace

_ERROR_MAX = ChatInstallation._meta.get_field("last_error").max_length or 300


class ChatActionError(ValueError):
    """An action that cannot be done, with a message for the person."""


@dataclass(frozen=True)
class LinkRequest:
    """What a signed link asks to link: a chat user, in a chat team, and their direct conversation."""

    platform: str
    team_id: str
    user_id: str
    display_name: str
    conversation: str


def link_identity(member: Membership, request: LinkRequest, *, now: dt.datetime | None = None) -> ChatIdentity:
    """Link the chat user in ``request`` to ``member`` (the member confirmed it, signed in).

    A chat user is linked to one membership per workspace, and a member has one identity per platform: linking
    again replaces the member's previous identity; a chat user already linked to a colleague is refused.
    """
    now = now or timezone.now()
    if request.platform not in Platform.values:
        raise ChatActionError("Unknown chat platform.")
    taken = ChatIdentity.objects.filter(
        workspace_id=member.workspace_id,
        platform=request.platform,
        external_team_id=request.team_id,
        external_user_id=request.user_id,
    ).exclude(member=member)
    if taken.filter(member__is_active=True).exists():
        raise ChatActionError("This chat account is already linked to someone else in this workspace.")
    try:
        with transaction.atomic():
            taken.delete()  # a left colleague's old link
            identity, _ = ChatIdentity.objects.update_or_create(
                member=member,
                platform=request.platform,
                defaults={
                    "workspace_id": member.workspace_id,
                    "external_team_id": request.team_id,
                    "external_user_id": request.user_id,
                    "display_name": request.display_name[:200],
                    "conversation_id": request.conversation[:256],
                    "linked_at": now,
                },
            )
    except IntegrityError:
        raise ChatActionError("This chat account was just linked to someone else. Try again.") from None
    return identity


def unlink_identity(member: Membership, platform: str) -> bool:
    """Forget the member's chat identity on ``platform``. True when there was one."""
    return ChatIdentity.objects.filter(member=member, platform=platform).delete()[0] > 0


def set_direct_messages(member: Membership, platform: str, enabled: bool) -> bool:
    return ChatIdentity.objects.filter(member=member, platform=platform).update(direct_messages=enabled) > 0


def save_conversation(identity: ChatIdentity, conversation_id: str, reference: dict[str, object] | None = None) -> None:
    """Remember where the member's direct conversation is (learnt from an inbound event)."""
    values: dict[str, object] = {"conversation_id": conversation_id[:256]}
    if reference is not None:
        values["conversation_reference"] = reference
    ChatIdentity.objects.filter(pk=identity.pk).update(**values)


@dataclass(frozen=True)
class Installed:
    """What an install (OAuth exchange, or a Teams bot added to a tenant) gave us."""

    platform: str
    external_id: str
    name: str
    bot_token: str = ""
    bot_user_id: str = ""
    service_url: str = ""


def install(member: Membership, installed: Installed, *, now: dt.datetime | None = None) -> ChatInstallation:
    """Connect ``member``'s workspace to a chat team (or reconnect it: a reinstall replaces the token and
    clears the failure). A chat team can be connected to one workspace only."""
    now = now or timezone.now()
    if not member.is_admin:
        raise ChatActionError("Only admins can connect chat.")
    elsewhere = ChatInstallation.objects.filter(platform=installed.platform, external_id=installed.external_id).exclude(
        workspace_id=member.workspace_id
    )
    if elsewhere.exclude(state=InstallationState.REVOKED).exists():
        raise ChatActionError(
            f"This {Platform(installed.platform).label} workspace is already connected to another Groundswell workspace."
        )
    with transaction.atomic():
        current = (
            ChatInstallation.objects.select_for_update()
            .filter(workspace_id=member.workspace_id, platform=installed.platform)
            .first()
        )
        same_team = current is not None and current.external_id == installed.external_id
        values: dict[str, object] = {
            "external_id": installed.external_id,
            "name": installed.name[:200],
            "bot_token": installed.bot_token,
            "bot_user_id": installed.bot_user_id,
            "service_url": installed.service_url,
            "state": InstallationState.ACTIVE,
            "last_error": "",
            "installed_by": member,
            "installed_at": now,
        }
        if not same_team:  # another team: its channels and users are not this one's
            values.update({"channel_id": "", "channel_name": "", "channel_reference": {}})
            ChatIdentity.objects.filter(workspace_id=member.workspace_id, platform=installed.platform).delete()
        installation, _ = ChatInstallation.objects.update_or_create(
            workspace_id=member.workspace_id, platform=installed.platform, defaults=values
        )
    return installation


def update_installation(
    member: Membership,
    installation: ChatInstallation,
    *,
    channel_id: str,
    channel_name: str,
    announce_items: bool,
    send_digest: bool,
    send_tips: bool,
) -> ChatInstallation:
    if not member.is_admin or installation.workspace_id != member.workspace_id:
        raise ChatActionError("Only admins can change the chat settings.")
    values = {
        "channel_id": channel_id[:256],
        "channel_name": channel_name[:200],
        "announce_items": announce_items,
        "send_digest": send_digest,
        "send_tips": send_tips,
    }
    ChatInstallation.objects.filter(pk=installation.pk).update(**values)
    for name, value in values.items():
        setattr(installation, name, value)
    return installation


def remove_installation(member: Membership, installation: ChatInstallation) -> None:
    """Disconnect: the installation and its members' links are deleted (the platform's token was revoked by
    the caller first, when it could be)."""
    if not member.is_admin or installation.workspace_id != member.workspace_id:
        raise ChatActionError("Only admins can disconnect chat.")
    with transaction.atomic():
        ChatIdentity.objects.filter(workspace_id=member.workspace_id, platform=installation.platform).delete()
        installation.delete()


def mark_installation_failing(installation: ChatInstallation, error: str) -> None:
    """The platform refused our credentials: stop sending and tell the admins what to do."""
    error = error if len(error) <= _ERROR_MAX else error[: _ERROR_MAX - 1] + "…"
    ChatInstallation.objects.filter(pk=installation.pk, state=InstallationState.ACTIVE).update(
        state=InstallationState.FAILING, last_error=error
    )
    installation.state, installation.last_error = InstallationState.FAILING, error


def mark_revoked(platform: str, external_id: str, why: str) -> int:
    """The app was removed from the chat team (or its tokens revoked there): keep the row, stop sending."""
    return ChatInstallation.objects.filter(platform=platform, external_id=external_id).update(
        state=InstallationState.REVOKED, last_error=why[:_ERROR_MAX], bot_token=""
    )


def record_case_acknowledged(identity: ChatIdentity, case_id: int, *, now: dt.datetime | None = None) -> bool:
    """The assignee acknowledged the case from chat: mark the message that told them. False when they had
    already acknowledged it."""
    now = now or timezone.now()
    told = ChatMessage.objects.filter(
        workspace_id=identity.workspace_id, key=f"case:{case_id}", target=f"member:{identity.member_id}"
    )
    if told.filter(acted_at__isnull=False).exists():
        return False
    told.update(acted_at=now)  # none when they were not told in chat (linked later): still theirs to take
    return True


def workspace_installations(workspace: Workspace) -> dict[str, ChatInstallation]:
    return {i.platform: i for i in ChatInstallation.objects.filter(workspace=workspace)}
