"""Platform-neutral handlers: what a chat user's command or button click does, whatever the platform.

The Slack endpoints (``chat.slack.views``) and the Teams bot call these same functions with the platform's
ids; they return reply texts or :class:`~groundswell.chat.platforms.OutgoingMessage` values that the
platform renders. Keep the signatures stable (the Teams part builds on them).
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from groundswell.care.models import UNANSWERED, Case
from groundswell.chat import actions, messages
from groundswell.chat.models import ChatIdentity, ChatInstallation, InstallationState
from groundswell.chat.platforms import OutgoingMessage
from groundswell.chat.tokens import TokenError, make_link_token, make_share_token, read_share_token
from groundswell.content.models import Item
from groundswell.content.targeting import items_for_member
from groundswell.networks.models import AccountStatus, ConnectedAccount
from groundswell.networks.registry import NETWORKS, label
from groundswell.sharing.actions import ShareError, create_share, intent_url
from groundswell.sharing.models import Share, ShareMethod
from groundswell.sharing.posting import PostingError, schedule_post
from groundswell.workspaces.models import Membership

log = logging.getLogger(__name__)

#: The ``ActionButton.action`` values the core understands (see :func:`handle_action`).
ACTION_SHARE_BUTTONS = "share_buttons"  # value: item id
ACTION_SCHEDULE = "schedule"  # value: "<item id>:<network>"
ACTION_ACK_CASE = "ack_case"  # value: case id
ACTIONS = (ACTION_SHARE_BUTTONS, ACTION_SCHEDULE, ACTION_ACK_CASE)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def installation_for(platform: str, team_id: str) -> ChatInstallation | None:
    """The active installation of ``platform`` in the chat team (Slack team id, Teams tenant id)."""
    return (
        ChatInstallation.objects.select_related("workspace")
        .filter(platform=platform, external_id=team_id, state=InstallationState.ACTIVE)
        .first()
    )


def identity_for(platform: str, team_id: str, user_id: str) -> ChatIdentity | None:
    """The linked identity of a chat user, if they linked it and are still an active member."""
    return (
        ChatIdentity.objects.select_related("member", "member__workspace", "workspace")
        .filter(
            platform=platform,
            external_team_id=team_id,
            external_user_id=user_id,
            member__is_active=True,
            workspace__chat_installations__platform=platform,
            workspace__chat_installations__external_id=team_id,
            workspace__chat_installations__state=InstallationState.ACTIVE,
        )
        .order_by("-linked_at")
        .first()
    )


def link_url(platform: str, team_id: str, user_id: str, display_name: str, conversation: str) -> str:
    """A signed link (valid 30 minutes) that a chat user opens to link their chat account to their membership.

    It points into the workspace the chat team is connected to; raises ``LookupError`` when none is."""
    installation = installation_for(platform, team_id)
    if installation is None:
        raise LookupError(f"No Groundswell workspace is connected to this {platform} team.")
    token = make_link_token(platform, team_id, user_id, display_name, conversation)
    path = reverse("chat:link", kwargs={"ws": installation.workspace.slug})
    return absolute(f"{path}?{urlencode({'token': token})}")


def personal_share_url(identity: ChatIdentity, item: Item, network: str) -> str:
    """A signed URL that, opened, makes the member's share of ``item`` on ``network`` and sends them to the
    network's compose page with their tracked link: one click, no sign-in (see :func:`open_share`)."""
    token = make_share_token(identity.member_id, item.pk, network)
    return absolute(reverse("chat_public:go", kwargs={"token": token}))


class ShareRefused(Exception):
    """A share link that cannot make a share now, with a message and where to go instead."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.url = url


def _caption(item: Item, network: str) -> str:
    captions = list(item.captions.order_by("position", "pk"))
    chosen = next((c for c in captions if c.network == network), None) or next(
        (c for c in captions if not c.network), None
    )
    return chosen.text if chosen is not None else ""


def open_share(token: str, *, now: dt.datetime | None = None) -> str:
    """Turn a personal share token into the network's compose URL, making the member's share once.

    Opening the same button again (or a link checker fetching it first) reuses the share it made, so the
    member's tracked link is the same and no second share is counted. Raises :class:`ShareRefused`."""
    now = now or timezone.now()
    try:
        data = read_share_token(token)
    except TokenError as exc:
        raise ShareRefused(str(exc)) from None
    member = Membership.objects.select_related("workspace", "user").filter(pk=data.member_id, is_active=True).first()
    if member is None:
        raise ShareRefused("This share button belongs to someone who is no longer a member of the workspace.")
    item_url = absolute(reverse("content:detail", kwargs={"ws": member.workspace.slug, "pk": data.item_id}))
    item = items_for_member(member, now).filter(pk=data.item_id).first()
    if item is None:
        raise ShareRefused("This item is no longer open for sharing (it was withdrawn or it has expired).")
    if data.network not in NETWORKS:
        raise ShareRefused("This network is not available any more.", item_url)
    issued = dt.datetime.fromtimestamp(data.issued_at, tz=dt.UTC)
    share = (
        Share.objects.select_related("item", "member")
        .filter(member=member, item=item, network=data.network, method=ShareMethod.INTENT, created_at__gte=issued)
        .order_by("-created_at")
        .first()
    )
    if share is None:
        try:
            share = create_share(
                member=member, item=item, network=data.network, caption=_caption(item, data.network), now=now
            )
        except ShareError as exc:
            raise ShareRefused(str(exc), item_url) from None
    return intent_url(share)


def share_buttons(identity: ChatIdentity, item: Item) -> OutgoingMessage:
    """The member's personal buttons for ``item``: one share link per network, "Schedule for me" for each
    network they have a connected account on."""
    member = identity.member
    networks = [
        key
        for key, network in NETWORKS.items()
        if key != "copy"
        and not (network.requires_profile_field and not getattr(member, network.requires_profile_field, ""))
    ]
    accounts = set(
        ConnectedAccount.objects.filter(
            member_id=member.pk, status=AccountStatus.ACTIVE, network__in=list(NETWORKS)
        ).values_list("network", flat=True)
    )
    links = [(label(key), personal_share_url(identity, item, key)) for key in networks]
    schedule = [(label(key), f"{item.pk}:{key}") for key in sorted(accounts)]
    return messages.item_for_member(item, links, schedule)


def schedule_for_me(identity: ChatIdentity, item_id: int, network: str) -> str:
    """Schedule the member's post of the item on their connected account for ``network``, spread out from
    colleagues' posts; the reply says when, or what to do."""
    member = identity.member
    now = timezone.now()
    item = items_for_member(member, now).filter(pk=item_id).first()
    if item is None:
        return "This item is no longer open for sharing."
    account = ConnectedAccount.objects.filter(member_id=member.pk, network=network).first()
    if account is None or account.status != AccountStatus.ACTIVE:
        connect = absolute(reverse("networks:accounts", kwargs={"ws": member.workspace.slug}))
        what = "reconnect" if account is not None else "connect"
        return f"To schedule posts for you, {what} your {label(network)} account first: {connect}"
    try:
        post = schedule_post(member, item, account, _caption(item, network), None, True, now=now)
    except (PostingError, ShareError) as exc:
        return f"Not scheduled: {exc}"
    local = timezone.localtime(post.scheduled_at, ZoneInfo(member.workspace.timezone))
    return (
        f"Scheduled: your post goes out on {label(network)} as @{account.handle} on "
        f"{local.strftime('%d %b %Y at %H:%M')} ({member.workspace.timezone}), spread out from colleagues' posts. "
        "You can change or cancel it in Groundswell under Scheduled posts."
    )


def acknowledge_case(identity: ChatIdentity, case_id: int) -> str:
    """The assignee says from chat that they have the case in hand. Only the member the case is routed to may;
    the reply links to the case to answer it."""
    case = Case.objects.select_related("workspace").filter(pk=case_id, workspace_id=identity.workspace_id).first()
    if case is None or case.assignee_id != identity.member_id:
        return "This case is not routed to you (any more)."
    url = absolute(reverse("care:case", kwargs={"ws": case.workspace.slug, "case_id": case.pk}))
    if case.status not in UNANSWERED:
        return f"This case is already {case.get_status_display().lower()}: {url}"
    first = actions.record_case_acknowledged(identity, case.pk)
    if not first:
        return f"You already acknowledged this case. Answer it here: {url}"
    return f"Thanks, it is yours. Answer the customer here: {url}"


def handle_action(
    platform: str,
    team_id: str,
    user_id: str,
    action: str,
    value: str,
    *,
    display_name: str = "",
    conversation: str = "",
) -> OutgoingMessage:
    """A button click from chat, answered privately to the clicker. Unlinked users get their link."""
    identity = identity_for(platform, team_id, user_id)
    if identity is None:
        try:
            url = link_url(platform, team_id, user_id, display_name, conversation)
        except LookupError as exc:
            return messages.text(str(exc))
        return messages.link_first(url)
    if action == ACTION_SHARE_BUTTONS:
        item = _item_for(identity, value)
        if item is None:
            return messages.text("This item is no longer open for sharing to you.")
        return share_buttons(identity, item)
    if action == ACTION_SCHEDULE:
        item_id, _, network = value.partition(":")
        if not item_id.isdigit() or network not in NETWORKS:
            return messages.text("That button is not valid any more.")
        return messages.text(schedule_for_me(identity, int(item_id), network))
    if action == ACTION_ACK_CASE:
        if not value.isdigit():
            return messages.text("That button is not valid any more.")
        return messages.text(acknowledge_case(identity, int(value)))
    return messages.text("That button is not valid any more.")


def _item_for(identity: ChatIdentity, value: str) -> Item | None:
    if not value.isdigit():
        return None
    return items_for_member(identity.member, timezone.now()).filter(pk=int(value)).first()


def link_reply(platform: str, team_id: str, user_id: str, display_name: str, conversation: str) -> OutgoingMessage:
    """The answer to "link" (a slash command, the App Home button): the signed link, or who they are linked as."""
    identity = identity_for(platform, team_id, user_id)
    try:
        url = link_url(platform, team_id, user_id, display_name, conversation)
    except LookupError as exc:
        return messages.text(str(exc))
    if identity is not None:
        return messages.already_linked(identity, url)
    return messages.link_first(url)
