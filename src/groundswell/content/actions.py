"""The write layer for the content hub: items, captions, topics and the review state machine.

States::

    draft ──publish──▶ published ──archive──▶ archived
      │                  ▲   │                   │
      └─submit─▶ pending ┘   └─unpublish─▶ draft ◀┘ (unpublish)
                    └──reject──▶ rejected ──submit──▶ pending

Admins may publish their own items straight from draft; employees' submissions go through review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from groundswell.analytics.rollups import RollupBatch
from groundswell.content import signals
from groundswell.content.models import Caption, Item, ItemKind, ItemState, Topic, UnfurlState
from groundswell.content.targeting import audience_ids
from groundswell.lib.periods import local_day
from groundswell.notify import actions as notify
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.videos import actions as videos
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Department, Location, Membership, Role

MAX_CAPTIONS = 10


class ContentError(ValueError):
    """A content change that cannot be made, with a message for the person making it."""


class InvalidTransition(ContentError):
    """The item is not in a state that allows this change."""


TRANSITIONS: dict[str, frozenset[str]] = {
    ItemState.DRAFT: frozenset({ItemState.PENDING, ItemState.PUBLISHED, ItemState.ARCHIVED}),
    ItemState.PENDING: frozenset({ItemState.PUBLISHED, ItemState.REJECTED}),
    ItemState.PUBLISHED: frozenset({ItemState.ARCHIVED, ItemState.DRAFT}),
    ItemState.REJECTED: frozenset({ItemState.PENDING, ItemState.ARCHIVED}),
    ItemState.ARCHIVED: frozenset({ItemState.DRAFT}),
}


def can_transition(item: Item, target: str) -> bool:
    return target in TRANSITIONS.get(item.state, frozenset())


@dataclass(frozen=True)
class CaptionData:
    text: str
    network: str = ""


@dataclass
class ItemData:
    """Everything an item form collects, already validated."""

    kind: str = ItemKind.URL
    url: str = ""
    title: str = ""
    description: str = ""
    body: str = ""
    image: UploadedFile[bytes] | None = None
    topics: Sequence[Topic] = ()
    target_departments: Sequence[Department] = ()
    target_locations: Sequence[Location] = ()
    target_topics: Sequence[Topic] = ()
    starts_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    captions: Sequence[CaptionData] = field(default_factory=tuple)
    #: A video item's video: one of the workspace's videos, or a new upload (stored by the action).
    video: Video | None = None
    video_upload: UploadedFile[bytes] | None = None


def _check_member_of(member: Membership, item: Item) -> None:
    if member.workspace_id != item.workspace_id:
        raise ContentError("This item does not exist.")


def _require_admin(member: Membership) -> None:
    if member.role != Role.ADMIN:
        raise ContentError("Only program admins can do this.")


def _check_data(data: ItemData, *, existing_image: bool = False) -> None:
    if data.kind not in ItemKind.values:
        raise ContentError(f"Unknown kind {data.kind!r}.")
    if data.kind == ItemKind.URL and not data.url:
        raise ContentError("A link item needs a URL.")
    if data.kind == ItemKind.TEXT and not data.body.strip():
        raise ContentError("A text post needs its text.")
    if data.kind == ItemKind.IMAGE and data.image is None and not existing_image:
        raise ContentError("An image item needs an image.")
    if data.kind == ItemKind.VIDEO and data.video is None and data.video_upload is None:
        raise ContentError("A video item needs a video.")
    if data.video is not None and data.video.state == VideoState.FAILED:
        raise ContentError("This video could not be processed: pick another one.")
    if data.starts_at and data.expires_at and data.expires_at <= data.starts_at:
        raise ContentError("The expiry must be after the start.")
    if len(data.captions) > MAX_CAPTIONS:
        raise ContentError(f"At most {MAX_CAPTIONS} suggested captions per item.")


def _same_workspace(workspace_id: int, objects: Iterable[Topic | Department | Location]) -> list[int]:
    ids = []
    for obj in objects:
        if obj.workspace_id != workspace_id:
            raise ContentError("A topic, department or location of another workspace was chosen.")
        ids.append(obj.pk)
    return ids


def _write_relations(item: Item, data: ItemData) -> None:
    ws = item.workspace_id
    item.topics.set(_same_workspace(ws, data.topics))
    item.target_departments.set(_same_workspace(ws, data.target_departments))
    item.target_locations.set(_same_workspace(ws, data.target_locations))
    item.target_topics.set(_same_workspace(ws, data.target_topics))


def replace_captions(item: Item, captions: Sequence[CaptionData]) -> None:
    item.captions.all().delete()
    Caption.objects.bulk_create(
        Caption(item=item, network=c.network, text=c.text.strip(), position=i)
        for i, c in enumerate(c for c in captions if c.text.strip())
    )


def _enqueue_unfurl(item: Item) -> None:
    from groundswell.content.tasks import unfurl_item

    item_id, url = item.pk, item.url
    transaction.on_commit(lambda: unfurl_item.enqueue(item_id, url))


def _store_video(member: Membership, data: ItemData) -> None:
    """A video uploaded with the item form becomes a video of the workspace (before the item's transaction:
    ffprobe runs outside it; a rejected file changes nothing)."""
    if data.kind == ItemKind.VIDEO and data.video_upload is not None:
        try:
            data.video = videos.create_video(member=member, upload=data.video_upload, title=data.title)
        except videos.VideoRejected as exc:
            raise ContentError(str(exc)) from exc
        data.video_upload = None
    if data.video is not None and data.video.workspace_id != member.workspace_id:
        raise ContentError("A video of another workspace was chosen.")


def _apply_fields(item: Item, data: ItemData) -> bool:
    """Copy the plain fields; True when the URL changed (and a new preview is due)."""
    url_changed = data.kind == ItemKind.URL and data.url != item.url
    item.kind = data.kind
    item.url = data.url if data.kind == ItemKind.URL else ""
    item.title = data.title.strip()
    item.description = data.description.strip()
    item.body = data.body.strip()
    if data.image is not None:
        item.image = data.image
    item.video = data.video if data.kind == ItemKind.VIDEO else None
    item.starts_at = data.starts_at
    item.expires_at = data.expires_at
    if data.kind != ItemKind.URL:
        item.unfurl_state, item.unfurl_error = UnfurlState.NOT_NEEDED, ""
    elif url_changed and item.url:
        item.unfurl_state, item.unfurl_error = UnfurlState.PENDING, ""
    return url_changed and bool(item.url)


def create_item(*, member: Membership, data: ItemData, publish: bool = False, now: dt.datetime | None = None) -> Item:
    """An admin's new item, saved as a draft or published at once."""
    _require_admin(member)
    _check_data(data)
    _store_video(member, data)
    now = now or timezone.now()
    with transaction.atomic():
        item = Item(workspace_id=member.workspace_id, created_by=member, created_at=now)
        needs_unfurl = _apply_fields(item, data)
        if publish:
            item.state, item.published_at, item.reviewed_by = ItemState.PUBLISHED, now, member
        item.save()
        _write_relations(item, data)
        replace_captions(item, data.captions)
        if needs_unfurl:
            _enqueue_unfurl(item)
        if publish:
            _announce(item, now)
    return item


def update_item(*, member: Membership, item: Item, data: ItemData) -> Item:
    """Change an item's content; a new URL gets a new preview (fields already typed are kept)."""
    _require_admin(member)
    _check_member_of(member, item)
    _check_data(data, existing_image=bool(item.image))
    _store_video(member, data)
    with transaction.atomic():
        needs_unfurl = _apply_fields(item, data)
        item.save()
        _write_relations(item, data)
        replace_captions(item, data.captions)
        if needs_unfurl:
            _enqueue_unfurl(item)
    return item


def submit_item(*, member: Membership, data: ItemData, now: dt.datetime | None = None) -> Item:
    """An employee suggests an item; it waits for an admin's review."""
    data.target_departments, data.target_locations, data.target_topics = (), (), ()
    _check_data(data)
    now = now or timezone.now()
    with transaction.atomic():
        item = Item(
            workspace_id=member.workspace_id,
            created_by=member,
            submitted_by=member,
            state=ItemState.PENDING,
            created_at=now,
        )
        needs_unfurl = _apply_fields(item, data)
        item.save()
        _write_relations(item, data)
        replace_captions(item, data.captions)
        if needs_unfurl:
            _enqueue_unfurl(item)
    return item


_VERBS = {
    ItemState.PENDING: "send for review",
    ItemState.PUBLISHED: "publish",
    ItemState.REJECTED: "reject",
    ItemState.ARCHIVED: "archive",
    ItemState.DRAFT: "unpublish",
}


def _announce(item: Item, now: dt.datetime) -> None:
    """Tell the item's audience, by the channel each chose for new items (default: nothing), if it is live now.

    An item scheduled for later is told when it goes live (``announce_started_items``); either way once."""
    if item.starts_at is None or item.starts_at <= now:
        url = reverse("content:detail", kwargs={"ws": item.workspace.slug, "pk": item.pk})
        notify.notify_many(audience_ids(item), notify.Kind.NEW_ITEM, "New to share", item.display_title, url)
        Item.objects.filter(pk=item.pk).update(announced_at=now)
        item.announced_at = now
        signals.item_announced.send(sender=Item, item=item, now=now)


def announce_started_items(now: dt.datetime | None = None, *, batch: int = 200) -> int:
    """Announce the published items whose start time has come and that nobody was told about yet (periodic).

    Each item is claimed under a row lock that other workers skip, and marked in the same transaction as the
    notifications are enqueued, so an item is announced once however many workers run this. An item that
    expired before its turn came is marked without telling anyone."""
    now = now or timezone.now()
    due = list(
        Item.objects.filter(state=ItemState.PUBLISHED, announced_at__isnull=True, starts_at__lte=now)
        .order_by("starts_at")
        .values_list("pk", flat=True)[:batch]
    )
    told = 0
    for pk in due:
        with transaction.atomic():
            item = (
                Item.objects.select_for_update(skip_locked=True)
                .select_related("workspace")
                .filter(pk=pk, state=ItemState.PUBLISHED, announced_at__isnull=True)
                .first()
            )
            if item is None:
                continue
            if item.is_live(now):
                _announce(item, now)
                told += 1
            else:
                Item.objects.filter(pk=item.pk).update(announced_at=now)
    return told


def _transition(item: Item, target: str) -> Item:
    """Lock the item, check the move is allowed and return the fresh, locked row."""
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if not can_transition(locked, target):
        raise InvalidTransition(
            f"Can't {_VERBS[ItemState(target)]} an item that is {ItemState(locked.state).label.lower()}."
        )
    return locked


def _sync(item: Item, fresh: Item) -> Item:
    for name in ("state", "published_at", "reviewed_by_id", "rejection_reason", "updated_at"):
        setattr(item, name, getattr(fresh, name))
    return item


def send_for_review(*, member: Membership, item: Item) -> Item:
    """A draft or rejected item goes (back) to the review queue."""
    _check_member_of(member, item)
    with transaction.atomic():
        locked = _transition(item, ItemState.PENDING)
        locked.state, locked.rejection_reason = ItemState.PENDING, ""
        locked.save(update_fields=["state", "rejection_reason", "updated_at"])
    return _sync(item, locked)


def publish_item(*, member: Membership, item: Item, now: dt.datetime | None = None) -> Item:
    """An admin publishes a draft straight away."""
    _require_admin(member)
    _check_member_of(member, item)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _transition(item, ItemState.PUBLISHED)
        if locked.state == ItemState.PENDING:
            raise InvalidTransition("This item is waiting for review: approve it instead.")
        locked.state, locked.published_at, locked.reviewed_by = ItemState.PUBLISHED, now, member
        locked.save(update_fields=["state", "published_at", "reviewed_by", "updated_at"])
        _announce(locked, now)
    return _sync(item, locked)


def approve_item(*, member: Membership, item: Item, now: dt.datetime | None = None) -> Item:
    """Publish a submitted item and award the submitter the ``submission_approved`` points (once)."""
    _require_admin(member)
    _check_member_of(member, item)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        if locked.state != ItemState.PENDING:
            raise InvalidTransition(
                f"Only items waiting for review can be approved; this one is {ItemState(locked.state).label.lower()}."
            )
        locked.state, locked.published_at, locked.reviewed_by = ItemState.PUBLISHED, now, member
        locked.rejection_reason = ""
        locked.save(update_fields=["state", "published_at", "reviewed_by", "rejection_reason", "updated_at"])
        _announce(locked, now)
        submitter = (
            Membership.objects.select_related("workspace").filter(pk=locked.submitted_by_id).first()
            if locked.submitted_by_id
            else None
        )
        if submitter is not None and submitter.workspace_id == locked.workspace_id:
            batch = RollupBatch()
            award_points(
                member=submitter,
                action=Action.SUBMISSION_APPROVED,
                key=f"submission:{locked.pk}",
                day=local_day(now, submitter.workspace.timezone),
                rollup=batch,
                reason=f"Approved: {locked.display_title}"[:300],
            )
            batch.write()
    return _sync(item, locked)


def reject_item(*, member: Membership, item: Item, reason: str) -> Item:
    """Turn a submission down, with a reason the submitter sees."""
    _require_admin(member)
    _check_member_of(member, item)
    reason = reason.strip()
    if not reason:
        raise ContentError("Say why the item is rejected; the person who submitted it will see this.")
    with transaction.atomic():
        locked = _transition(item, ItemState.REJECTED)
        locked.state, locked.rejection_reason, locked.reviewed_by = ItemState.REJECTED, reason, member
        locked.save(update_fields=["state", "rejection_reason", "reviewed_by", "updated_at"])
    return _sync(item, locked)


def archive_item(*, member: Membership, item: Item) -> Item:
    """Take an item out of circulation; existing short links keep working."""
    _require_admin(member)
    _check_member_of(member, item)
    with transaction.atomic():
        locked = _transition(item, ItemState.ARCHIVED)
        locked.state = ItemState.ARCHIVED
        locked.save(update_fields=["state", "updated_at"])
    return _sync(item, locked)


def unpublish(*, member: Membership, item: Item) -> Item:
    """Back to draft (from published or archived), for editing before publishing again."""
    _require_admin(member)
    _check_member_of(member, item)
    with transaction.atomic():
        locked = _transition(item, ItemState.DRAFT)
        locked.state = ItemState.DRAFT
        locked.save(update_fields=["state", "updated_at"])
    return _sync(item, locked)


def create_topic(*, member: Membership, name: str) -> Topic:
    """A new topic; the slug is derived from the name and must be unique in the workspace."""
    _require_admin(member)
    name = " ".join(name.split())
    slug = slugify(name)[:80]
    if not name or not slug:
        raise ContentError("A topic needs a name with at least one letter or digit.")
    if Topic.objects.filter(workspace_id=member.workspace_id, slug=slug).exists():
        raise ContentError(f"There is already a topic called {name!r}.")
    try:
        with transaction.atomic():
            return Topic.objects.create(workspace_id=member.workspace_id, name=name[:80], slug=slug)
    except IntegrityError:
        raise ContentError(f"There is already a topic called {name!r}.") from None
