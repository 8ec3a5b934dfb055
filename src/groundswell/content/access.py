"""Access-checked item lookups for views (404, never 403, like ``workspaces.access``)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from groundswell.content.models import Item
from groundswell.content.targeting import items_for_member
from groundswell.workspaces.access import get_for_workspace
from groundswell.workspaces.models import Membership


def visible_item(member: Membership, pk: int) -> Item:
    """An item the member may see: admins any of the workspace's; others live items targeted at them and
    their own suggestions (whatever their state)."""
    if member.is_admin:
        return get_for_workspace(Item.objects.all(), member.workspace, pk=pk)
    item = items_for_member(member, timezone.now()).filter(pk=pk).first()
    if item is None:
        item = Item.objects.filter(workspace_id=member.workspace_id, submitted_by=member, pk=pk).first()
    if item is None:
        raise Http404("Not found")
    return item
