"""/api/items: the content hub."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.params.functions import Path, Query

from groundswell.api.auth import member_of
from groundswell.api.endpoints.common import DEFAULT_PAGE, ERRORS, ERRORS_404, MAX_OFFSET, MAX_PAGE, require_admin
from groundswell.api.schemas import MAX_ID, CaptionOut, ErrorOut, ItemIn, ItemOut, ItemPage
from groundswell.content.access import visible_item
from groundswell.content.actions import CaptionData, ContentError, ItemData
from groundswell.content.actions import create_item as domain_create_item
from groundswell.content.models import Caption, Item, Topic
from groundswell.content.targeting import items_for_member
from groundswell.workspaces.models import Department, Location, Membership

router = Router(tags=["Items"])

StateFilter = Literal["draft", "pending", "published", "rejected", "archived", "all"]


def _with_relations(qs: QuerySet[Item]) -> QuerySet[Item]:
    return qs.prefetch_related(
        Prefetch("captions", queryset=Caption.objects.order_by("position", "id")),
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
    )


def _resolve(model: type[Any], member: Membership, field: str, values: list[Any], label: str) -> list[Any]:
    """Objects of ``member``'s workspace by ``field``; a 422 naming any that do not exist there."""
    if not values:
        return []
    found = {
        getattr(obj, field): obj
        for obj in model.objects.filter(workspace_id=member.workspace_id, **{f"{field}__in": values})
    }
    missing = [str(v) for v in dict.fromkeys(values) if v not in found]
    if missing:
        raise HttpError(422, f"Unknown {label}: {', '.join(missing)}.")
    return [found[v] for v in dict.fromkeys(values)]


def image_url(item: Item) -> str:
    if item.image:
        url = item.image.url
        return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"
    return item.image_url


def item_out(item: Item) -> ItemOut:
    return ItemOut(
        id=item.pk,
        kind=item.kind,  # type: ignore[arg-type]
        state=item.state,  # type: ignore[arg-type]
        title=item.title,
        url=item.url,
        description=item.description,
        body=item.body,
        image_url=image_url(item),
        topics=[t.name for t in item.topics.all()],
        captions=[CaptionOut(network=c.network, text=c.text) for c in item.captions.all()],
        starts_at=item.starts_at,
        expires_at=item.expires_at,
        published_at=item.published_at,
        created_at=item.created_at,
        is_live=item.is_live(),
    )


@router.get(
    "/items",
    response={200: ItemPage, 403: ErrorOut, **ERRORS},
    summary="List items",
    operation_id="list_items",
)
def list_items(
    request: HttpRequest,
    state: Annotated[
        StateFilter | None,
        Query(
            description="Admins only: list items in this state (or `all`) instead of the live items targeted to you."
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1-100).")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")] = 0,
) -> ItemPage:
    """The live items targeted to you (published, inside their window, matching your department, location
    and interests), newest first. Program admins may pass `state` to list every item of the workspace in
    that state."""
    member = member_of(request)
    if state is None:
        qs = items_for_member(member, timezone.now())
    else:
        require_admin(member, "filter items by state")
        qs = Item.objects.filter(workspace_id=member.workspace_id)
        if state != "all":
            qs = qs.filter(state=state)
    qs = qs.order_by("-published_at", "-created_at", "-id")
    total = qs.count()
    page = _with_relations(qs)[offset : offset + limit]
    return ItemPage(total=total, limit=limit, offset=offset, results=[item_out(i) for i in page])


@router.get(
    "/items/{item_id}",
    response={200: ItemOut, **ERRORS_404},
    summary="Get an item",
    operation_id="get_item",
)
def get_item(
    request: HttpRequest,
    item_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The item's id.")],
) -> ItemOut:
    """One item. Program admins see any item of the workspace; others the live items targeted to them and
    their own suggestions. Anything else is 404."""
    member = member_of(request)
    item = visible_item(member, item_id)
    return item_out(_with_relations(Item.objects.filter(pk=item.pk)).get())


@router.post(
    "/items",
    response={201: ItemOut, 403: ErrorOut, **ERRORS},
    summary="Create an item",
    operation_id="create_item",
)
def create_item(request: HttpRequest, payload: ItemIn) -> Status[ItemOut]:
    """Program admins: add a link (`kind=url`) or a text post (`kind=text`) with suggested captions,
    topics and targeting. Link previews (title, description, image) are fetched in the background and
    fill only the fields left empty."""
    member = member_of(request)
    require_admin(member, "create items")
    data = ItemData(
        kind=payload.kind,
        url=payload.url,
        title=payload.title,
        description=payload.description,
        body=payload.body,
        topics=_resolve(Topic, member, "slug", payload.topics, "topic"),
        target_departments=_resolve(Department, member, "pk", payload.target_department_ids, "department"),
        target_locations=_resolve(Location, member, "pk", payload.target_location_ids, "location"),
        target_topics=_resolve(Topic, member, "slug", payload.target_topics, "topic"),
        starts_at=payload.starts_at,
        expires_at=payload.expires_at,
        captions=[CaptionData(text=c.text, network=c.network) for c in payload.captions],
    )
    try:
        item = domain_create_item(member=member, data=data, publish=payload.state == "published")
    except ContentError as exc:
        raise HttpError(422, str(exc)) from None
    fresh = _with_relations(Item.objects.filter(pk=item.pk)).get()
    return Status(201, item_out(fresh))
