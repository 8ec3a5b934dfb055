"""Microsoft Teams as a chat platform of the core (``chat.platforms.ChatPlatform``): a message is rendered as an
Adaptive Card and posted through the Bot Connector, to the connected team's channel or to a member's 1:1 chat
with the bot (opened proactively the first time, then remembered)."""

from __future__ import annotations

from groundswell.chat.errors import PermanentChatError
from groundswell.chat.models import ChatIdentity, ChatInstallation, Platform
from groundswell.chat.platforms import OutgoingMessage, Target
from groundswell.chat.teams import actions, cards, client


def _service_url(installation: ChatInstallation) -> str:
    url = installation.service_url or str(installation.channel_reference.get("service_url", ""))
    if not url:
        raise PermanentChatError("Teams did not tell us where to reach this team yet: add the app to the team again.")
    return url


def personal_conversation(installation: ChatInstallation, identity: ChatIdentity) -> tuple[str, str]:
    """(service URL, conversation id) of the member's 1:1 chat with the bot, opening it when we have none."""
    reference = identity.conversation_reference or {}
    service_url = str(reference.get("service_url") or _service_url(installation))
    if identity.conversation_id:
        return service_url, identity.conversation_id
    conversation_id = client.create_conversation(
        service_url, tenant_id=identity.external_team_id or installation.external_id, user_id=identity.external_user_id
    )
    actions.save_personal_conversation(identity, conversation_id, service_url)
    return service_url, conversation_id


class TeamsPlatform:
    key = Platform.TEAMS.value
    label = "Microsoft Teams"
    reinstall_hint = (
        "Check TEAMS_APP_ID and TEAMS_APP_PASSWORD on the server (docs/teams.md), then add the Groundswell app "
        "to the team again and connect it."
    )

    def send(self, installation: ChatInstallation, target: Target, message: OutgoingMessage) -> str:
        activity = client.card_activity(cards.render(message), summary=message.fallback)
        if target.identity is not None:
            service_url, conversation_id = personal_conversation(installation, target.identity)
        else:
            service_url, conversation_id = _service_url(installation), target.channel_id
            if not conversation_id:
                raise PermanentChatError("No Teams channel is connected.")
        return client.send_activity(service_url, conversation_id, activity)
