"""What chat keeps about a member: their linked chat account, and the messages the bot sent them.

The employer (program admins) sees on the chat page only how many members linked an account and how many
messages were sent or failed; not who linked, nor what each member was sent or clicked.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage
from groundswell.privacy.registry import ADMINS, ONLY_YOU, ErasureResult, InventoryLine, register
from groundswell.workspaces.models import Membership


class ChatPrivacy:
    key = "chat"
    label = "Slack and Microsoft Teams"
    models: tuple[str, ...] = ("chat.ChatIdentity", "chat.ChatMessage", "chat.ChatInstallation")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                what="Your linked chat account (its user id, display name and your direct-message conversation)",
                count=ChatIdentity.objects.filter(member=member).count(),
                visible_to=ONLY_YOU,
                why="So the bot's buttons open your own tracked links and it can message you. "
                "Admins see only how many members linked an account.",
            ),
            InventoryLine(
                what="Messages the bot sent you (what about, when, delivered or not, and an acknowledged case)",
                count=ChatMessage.objects.filter(member=member).count(),
                visible_to=ONLY_YOU,
                why="So nothing is sent to you twice. Admins see only totals of sent and failed messages.",
            ),
            InventoryLine(
                what="The chat connections you installed as an admin (your name as who installed them)",
                count=ChatInstallation.objects.filter(installed_by=member).count(),
                visible_to=ADMINS,
                why="So admins know who connected Slack or Teams.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "identities": [
                {
                    "platform": i.platform,
                    "team": i.external_team_id,
                    "user": i.external_user_id,
                    "display_name": i.display_name,
                    "direct_messages": i.direct_messages,
                    "linked_at": i.linked_at.isoformat(),
                }
                for i in ChatIdentity.objects.filter(member=member).order_by("pk")
            ],
            "messages": [
                {
                    "key": m.key,
                    "status": m.status,
                    "created_at": m.created_at.isoformat(),
                    "acknowledged_at": m.acted_at.isoformat() if m.acted_at else None,
                }
                for m in ChatMessage.objects.filter(member=member).order_by("pk")
            ],
            "installed": [str(i) for i in ChatInstallation.objects.filter(installed_by=member)],
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        with transaction.atomic():
            result.erased += ChatIdentity.objects.filter(member=member).delete()[0]
            # The delivery rows stay (they stop a second send) but no longer name the member.
            result.erased += ChatMessage.objects.filter(member=member).update(member=None, payload={})
            ChatInstallation.objects.filter(installed_by=member).update(installed_by=None)
        return result


register(ChatPrivacy())
