"""``{% site_navigation as site_nav %}``: the navigation of the page being drawn (see core/navigation.py)."""

from __future__ import annotations

from typing import Any

from django import template

from groundswell.core import navigation
from groundswell.workspaces.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def site_navigation(context: template.Context) -> navigation.Navigation | None:
    """None outside a workspace (sign-in pages, errors without a member): base.html then shows no sections."""
    member: Any = context.get("member")
    request = context.get("request")
    workspace = context.get("workspace")
    if not isinstance(member, Membership) or request is None or workspace is None:
        return None
    if member.workspace_id != workspace.pk:
        return None
    return navigation.for_request(request, member)
