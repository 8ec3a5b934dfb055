"""/api/shares: sharing an item and the member's own shares."""

from __future__ import annotations

from typing import Annotated

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.params.functions import Path, Query

from groundswell.api.auth import member_of
from groundswell.api.endpoints.common import (
    DEFAULT_PAGE,
    ERRORS_404,
    MAX_OFFSET,
    MAX_PAGE,
    forbidden,
)
from groundswell.api.schemas import MAX_ID, ErrorOut, ShareIn, ShareOut, SharePage
from groundswell.content.access import visible_item
from groundswell.privacy import visibility
from groundswell.sharing.actions import ShareError, create_share, intent_url, short_url
from groundswell.sharing.models import Share
from groundswell.workspaces.access import get_for_workspace
from groundswell.workspaces.models import Membership

router = Router(tags=["Shares"])


def share_out(share: Share) -> ShareOut:
    return ShareOut(
        id=share.pk,
        item_id=share.item_id,
        item_title=share.item.display_title,
        member_id=share.member_id,
        member_name=share.member.display_name,
        network=share.network,
        caption=share.caption,
        code=share.code,
        short_url=short_url(share),
        intent_url=_intent_url(share),
        method=share.method,
        reach_estimate=share.reach_estimate,
        human_clicks=share.human_clicks,
        unique_clicks=share.unique_clicks,
        created_at=share.created_at,
    )


def _intent_url(share: Share) -> str:
    try:
        return intent_url(share)
    except (KeyError, NotImplementedError):  # a network that has since been removed
        return short_url(share)


def _shares(member: Membership) -> QuerySet[Share]:
    return Share.objects.filter(workspace_id=member.workspace_id).select_related("item", "member")


@router.get(
    "/shares",
    response={200: SharePage, 403: ErrorOut, **ERRORS_404},
    summary="List shares",
    operation_id="list_shares",
)
def list_shares(
    request: HttpRequest,
    member: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Program admins: the shares of this member (their id) instead of yours."),
    ] = None,
    item_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only shares of this item.")] = None,
    network: Annotated[str | None, Query(max_length=20, description="Only shares on this network.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1-100).")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0,
) -> SharePage:
    """Your shares, newest first, with their tracked links and click counts. Program admins may pass
    `member` to list someone else's."""
    me = member_of(request)
    target = me
    if member is not None and member != me.pk:
        if not me.is_admin:
            raise forbidden("Only program admins can list other members' shares.")
        target = get_for_workspace(Membership.objects.all(), me.workspace, pk=member)
        if not visibility.can_see_member_shares(me, target):
            raise forbidden("Only program admins can list other members' shares.")
    qs = _shares(me).filter(member_id=target.pk)
    if item_id is not None:
        qs = qs.filter(item_id=item_id)
    if network:
        qs = qs.filter(network=network)
    qs = qs.order_by("-created_at", "-id")
    total = qs.count()
    return SharePage(
        total=total, limit=limit, offset=offset, results=[share_out(s) for s in qs[offset : offset + limit]]
    )


@router.post(
    "/shares",
    response={201: ShareOut, **ERRORS_404},
    summary="Share an item",
    operation_id="create_share",
)
def create(request: HttpRequest, payload: ShareIn) -> Status[ShareOut]:
    """Record a share of a live item on a network. The response has your own tracked `short_url` and an
    `intent_url` that opens the network's compose window with your caption and the link filled in.
    Its share points come when the short link gets its first human click (a bot or your own click does not
    count). A share that cannot be made (item not live, unknown network, caption too
    long for the network, no Mastodon server in your profile…) is a 422 with the reason in `detail`."""
    me = member_of(request)
    item = visible_item(me, payload.item_id)
    try:
        share = create_share(member=me, item=item, network=payload.network, caption=payload.caption)
    except ShareError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, share_out(_shares(me).get(pk=share.pk)))


@router.get(
    "/shares/{share_id}",
    response={200: ShareOut, **ERRORS_404},
    summary="Get a share",
    operation_id="get_share",
)
def get_share(
    request: HttpRequest,
    share_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The share's id.")],
) -> ShareOut:
    """One of your shares (program admins: any share of the workspace)."""
    me = member_of(request)
    share = _shares(me).filter(pk=share_id).first()
    if share is None or not visibility.can_see_member_shares(me, share.member):
        raise Http404("No such share")
    return share_out(share)
