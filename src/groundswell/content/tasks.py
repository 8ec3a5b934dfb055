"""Background work for the content hub."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from groundswell.content.actions import announce_started_items
from groundswell.content.models import Item, ItemKind, UnfurlState
from groundswell.content.unfurl import Preview, fetch_preview
from groundswell.core.scheduler import register_periodic
from groundswell.lib.safe_fetch import FetchError

log = logging.getLogger(__name__)


@task()
def unfurl_item(item_id: int, url: str) -> str:
    """Fetch the preview of ``url`` for item ``item_id``, filling only fields that are still empty.

    ``url`` is the address the task was enqueued for: when the item's URL has changed since, the result
    is dropped (the newer change enqueued its own task).
    """
    try:
        preview: Preview | None = fetch_preview(url)
        error = ""
    except FetchError as exc:
        preview, error = None, str(exc)
    except Exception as exc:  # never leave the item "fetching" forever
        log.exception("unfurling %s failed", url)
        preview, error = None, f"Unexpected error while fetching the preview ({type(exc).__name__})."
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(pk=item_id, kind=ItemKind.URL, url=url).first()
        if item is None:
            return "skipped"
        fields = ["unfurl_state", "unfurl_error", "updated_at"]
        if preview is None:
            item.unfurl_state, item.unfurl_error = UnfurlState.FAILED, error[:300]
        else:
            item.unfurl_state, item.unfurl_error = UnfurlState.DONE, ""
            for name in ("title", "description", "image_url"):
                value = getattr(preview, name)
                if value and not getattr(item, name):
                    setattr(item, name, value)
                    fields.append(name)
        item.save(update_fields=fields)
        return str(item.unfurl_state)


@task()
def announce_started() -> int:
    """Items scheduled for later reach their audience when they go live (``actions.announce_started_items``)."""
    return announce_started_items()


register_periodic(announce_started, every_seconds=5 * 60)
