"""What the bot does with a verified inbound activity (Bot Framework Activity schema, as Teams sends it).

* ``conversationUpdate``, the bot added to a team: a "Connect this team to Groundswell" card in the channel
  (a signed link an admin opens); the bot removed from a team (or the team deleted): its installation stops
  (REVOKED). The bot added in a personal chat: the member's link card.
* ``message`` in the personal chat (any text, e.g. "link"): the signed link-your-account card, or who they are
  linked as (``chat.handlers.link_reply``). Said in a channel, the answer goes to the person's personal chat
  instead: a link is for one person only.
* ``message`` with a ``value`` (an ``Action.Submit`` click): ``chat.handlers.handle_action``; the answer
  replaces the card in a personal chat (its other buttons kept), or goes to the clicker's personal chat when
  the card is in a channel (a channel card is everyone's).
* ``invoke`` ``adaptiveCard/action`` (a Universal Action, ``Action.Execute``): the same, answered with the card.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import Any

from groundswell.chat import handlers
from groundswell.chat.errors import ChatError
from groundswell.chat.models import ChatMessage, MessageStatus, Platform
from groundswell.chat.platforms import ActionButton, OutgoingMessage
from groundswell.chat.teams import actions, cards, client
from groundswell.chat.teams.connect import connect_url

log = logging.getLogger(__name__)

TEAMS = Platform.TEAMS.value
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_REMOVED_EVENTS = frozenset({"teamDeleted", "teamHardDeleted"})


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _ids(value: object) -> list[str]:
    """The ``id`` of each account in a ``membersAdded``/``membersRemoved`` list."""
    return [_str(_dict(m).get("id")) for m in value] if isinstance(value, list) else []


@dataclass(frozen=True)
class Context:
    """The parts of an activity the bot uses, read once (every field may be missing in a malformed activity)."""

    activity: dict[str, Any]
    service_url: str
    tenant_id: str
    conversation_id: str
    conversation_type: str
    user_id: str
    user_name: str
    bot_id: str
    team_id: str
    team_name: str

    @property
    def personal(self) -> bool:
        return self.conversation_type == "personal"

    @classmethod
    def of(cls, activity: dict[str, Any]) -> Context:
        conversation = _dict(activity.get("conversation"))
        channel_data = _dict(activity.get("channelData"))
        team = _dict(channel_data.get("team"))
        sender = _dict(activity.get("from"))
        tenant = _str(conversation.get("tenantId")) or _str(_dict(channel_data.get("tenant")).get("id"))
        return cls(
            activity=activity,
            service_url=_str(activity.get("serviceUrl")),
            tenant_id=tenant,
            conversation_id=_str(conversation.get("id")),
            conversation_type=_str(conversation.get("conversationType")) or "personal",
            user_id=_str(sender.get("id")),
            user_name=_str(sender.get("name")),
            bot_id=_str(_dict(activity.get("recipient")).get("id")),
            team_id=_str(team.get("id")),
            team_name=_str(team.get("name")),
        )


def handle(activity: dict[str, Any]) -> dict[str, Any] | None:
    """Act on a verified activity; the body of the HTTP answer for an invoke, else None (an empty 200)."""
    ctx = Context.of(activity)
    kind = activity.get("type")
    try:
        if kind == "conversationUpdate":
            _conversation_update(ctx)
        elif kind == "installationUpdate":
            _installation_update(ctx)
        elif kind == "message":
            _message(ctx)
        elif kind == "invoke" and activity.get("name") == "adaptiveCard/action":
            return _invoke(ctx)
    except ChatError as exc:
        # Answering failed (Teams down, the conversation gone): log it; a retry of the activity is refused anyway.
        log.warning("teams: could not answer a %s activity: %s", kind, exc.message)
    return None


def _send(ctx: Context, card: dict[str, Any], *, summary: str = "") -> None:
    client.send_activity(ctx.service_url, ctx.conversation_id, client.card_activity(card, summary=summary))


def _send_privately(ctx: Context, card: dict[str, Any], *, summary: str = "") -> None:
    """To the person who spoke: here in a personal chat, else in their personal chat with the bot."""
    if ctx.personal:
        _send(ctx, card, summary=summary)
        return
    conversation_id = client.create_conversation(ctx.service_url, tenant_id=ctx.tenant_id, user_id=ctx.user_id)
    client.send_activity(ctx.service_url, conversation_id, client.card_activity(card, summary=summary))


def _team_reference(ctx: Context) -> actions.TeamReference:
    channel_id = _str(_dict(_dict(ctx.activity.get("channelData")).get("channel")).get("id"))
    return actions.TeamReference(
        tenant_id=ctx.tenant_id,
        team_id=ctx.team_id,
        team_name=ctx.team_name,
        # The conversation of a team event is its General channel (a message's id may follow ";messageid=").
        channel_id=(channel_id or ctx.conversation_id or ctx.team_id).split(";", 1)[0],
        service_url=ctx.service_url,
    )


def _conversation_update(ctx: Context) -> None:
    added = _ids(ctx.activity.get("membersAdded"))
    removed = _ids(ctx.activity.get("membersRemoved"))
    event = _str(_dict(ctx.activity.get("channelData")).get("eventType"))
    bot_added = bool(ctx.bot_id) and ctx.bot_id in added
    if ctx.team_id and ((ctx.bot_id and ctx.bot_id in removed) or event in _REMOVED_EVENTS):
        actions.team_removed(ctx.tenant_id, ctx.team_id)
    elif bot_added and ctx.team_id:
        url = connect_url(_team_reference(ctx))
        _send(ctx, cards.connect_team(url, ctx.team_name), summary="Connect this team to Groundswell")
    elif bot_added and ctx.personal:
        _link_answer(ctx)


def _installation_update(ctx: Context) -> None:
    """Teams also says "installationUpdate" when the app is added or removed; adding is answered once, on the
    ``conversationUpdate``, so only a removal is acted on here (idempotently)."""
    action = _str(ctx.activity.get("action"))
    if action.startswith("remove") and ctx.team_id:
        actions.team_removed(ctx.tenant_id, ctx.team_id)


def _link_answer(ctx: Context) -> None:
    conversation = ctx.conversation_id if ctx.personal else ""
    message = handlers.link_reply(TEAMS, ctx.tenant_id, ctx.user_id, ctx.user_name, conversation)
    _send_privately(ctx, cards.render(message), summary=message.fallback)


def _message(ctx: Context) -> None:
    value = ctx.activity.get("value")
    if isinstance(value, dict) and value.get("action"):
        _submit(ctx, value)
        return
    if ctx.personal:
        identity = handlers.identity_for(TEAMS, ctx.tenant_id, ctx.user_id)
        if identity is not None:
            actions.save_personal_conversation(identity, ctx.conversation_id, ctx.service_url)
    text = _MENTION.sub("", _str(ctx.activity.get("text"))).strip().lower()
    if text == "help":
        _send_privately(
            ctx,
            cards.notice(
                "Groundswell in Teams",
                "New things to share arrive here with buttons that use your own tracked link. Send “link” to "
                "connect your Teams account to Groundswell.",
            ),
        )
        return
    _link_answer(ctx)


def _action_of(value: dict[str, Any]) -> tuple[str, str]:
    return _str(value.get("action")), str(value.get("value", ""))[:200]


def _answer(ctx: Context, value: dict[str, Any]) -> OutgoingMessage:
    action, argument = _action_of(value)
    return handlers.handle_action(
        TEAMS,
        ctx.tenant_id,
        ctx.user_id,
        action,
        argument,
        display_name=ctx.user_name,
        conversation=ctx.conversation_id if ctx.personal else "",
    )


def _submit(ctx: Context, value: dict[str, Any]) -> None:
    answer = _answer(ctx, value)
    reply_to = _str(ctx.activity.get("replyToId"))
    if ctx.personal and reply_to and not answer.buttons:
        card = _card_with_answer(ctx, reply_to, value, answer)
        if card is not None:
            client.update_activity(ctx.service_url, ctx.conversation_id, reply_to, client.card_activity(card))
            return
    _send_privately(ctx, cards.render(answer), summary=answer.fallback)


def _card_with_answer(
    ctx: Context, activity_id: str, value: dict[str, Any], answer: OutgoingMessage
) -> dict[str, Any] | None:
    """The card the member clicked, as we sent it to them, without the button used and with the answer under it;
    None when we do not have it (then the answer is sent as a new message)."""
    identity = handlers.identity_for(TEAMS, ctx.tenant_id, ctx.user_id)
    if identity is None:
        return None
    row = (
        ChatMessage.objects.filter(
            workspace_id=identity.workspace_id,
            installation__platform=TEAMS,
            target=f"member:{identity.member_id}",
            external_id=activity_id,
            status=MessageStatus.SENT,
        )
        .only("payload")
        .first()
    )
    if row is None or not row.payload:
        return None
    action, argument = _action_of(value)
    original = OutgoingMessage.from_dict(row.payload)
    kept = tuple(
        b for b in original.buttons if not (isinstance(b, ActionButton) and b.action == action and b.value == argument)
    )
    card = cards.render(dataclasses.replace(original, buttons=kept))
    card["body"].append({"type": "TextBlock", "text": answer.text or answer.fallback, "wrap": True, "weight": "Bolder"})
    return card


def _invoke(ctx: Context) -> dict[str, Any]:
    """``Action.Execute``: the answer is the invoke's response, a card that replaces the clicked one."""
    action = _dict(_dict(ctx.activity.get("value")).get("action"))
    data = _dict(action.get("data"))
    if not data.get("action"):
        data = {"action": _str(action.get("verb")), "value": data.get("value", "")}
    answer = _answer(ctx, data)
    return {"statusCode": 200, "type": client.ADAPTIVE_CARD, "value": cards.render(answer)}
