"""``{% team_invitations_notice %}``: the in-app notice of open team invitations (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from groundswell.teams.queries import pending_invitations
from groundswell.workspaces.models import Membership

register = template.Library()


@register.inclusion_tag("teams/_invitations_notice.html", takes_context=True)
def team_invitations_notice(context: dict[str, Any]) -> dict[str, Any]:
    member = context.get("member")
    if not isinstance(member, Membership):
        return {"invitations": []}
    return {"invitations": pending_invitations(member), "workspace": member.workspace}
