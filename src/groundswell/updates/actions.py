"""The write layer for program updates and digest preferences."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress
from groundswell.lib.periods import local_day
from groundswell.updates.models import DigestPreference, Frequency, Update
from groundswell.workspaces.models import Membership, Workspace

MAX_BODY = 20_000


class UpdateError(ValueError):
    """An update that cannot be saved, with a message for the admin."""


def _check(workspace: Workspace, title: str, body_markdown: str, goal: Goal | None) -> tuple[str, str]:
    title, body_markdown = title.strip(), body_markdown.strip()
    if not title:
        raise UpdateError("An update needs a title.")
    if not body_markdown:
        raise UpdateError("Write a few lines: what happened, and what comes next.")
    if len(body_markdown) > MAX_BODY:
        raise UpdateError(f"Keep it short: at most {MAX_BODY:,} characters.")
    if goal is not None and goal.workspace_id != workspace.pk:
        raise UpdateError("That goal belongs to another workspace.")
    return title, body_markdown


def _snapshot(update: Update, goal: Goal | None) -> None:
    """Copy the goal's progress right now into the update ("then", next to the live "now")."""
    update.goal = goal
    if goal is None:
        update.goal_value_at_post = update.goal_percent_at_post = None
        return
    today = local_day(timezone.now(), update.workspace.timezone)
    (progress,) = goal_progress([goal], today=today)
    update.goal_value_at_post = progress.value
    update.goal_percent_at_post = progress.percent


@transaction.atomic
def post_update(
    *, workspace: Workspace, author: Membership, title: str, body_markdown: str, goal: Goal | None = None
) -> Update:
    title, body_markdown = _check(workspace, title, body_markdown, goal)
    update = Update(workspace=workspace, author=author, title=title, body_markdown=body_markdown)
    _snapshot(update, goal)
    update.save()
    return update


@transaction.atomic
def edit_update(*, update: Update, title: str, body_markdown: str, goal: Goal | None) -> Update:
    """Change the text (and the goal). The progress snapshot is kept unless the goal changes."""
    title, body_markdown = _check(update.workspace, title, body_markdown, goal)
    update.title, update.body_markdown = title, body_markdown
    if (goal.pk if goal else None) != update.goal_id:
        _snapshot(update, goal)
    update.edited_at = timezone.now()
    update.save(
        update_fields=["title", "body_markdown", "goal", "goal_value_at_post", "goal_percent_at_post", "edited_at"]
    )
    return update


@transaction.atomic
def delete_update(*, update: Update) -> None:
    """Soft delete: the update disappears from every page and digest; the row stays."""
    Update.objects.filter(pk=update.pk).update(deleted_at=timezone.now(), pinned=False)


def set_pinned(*, update: Update, pinned: bool) -> None:
    """Pin ``update`` (unpinning any other: one pinned update per workspace) or unpin it."""
    if update.deleted_at is not None:
        raise UpdateError("A deleted update cannot be pinned.")
    try:
        with transaction.atomic():
            if pinned:
                Update.objects.filter(workspace_id=update.workspace_id, pinned=True).exclude(pk=update.pk).update(
                    pinned=False
                )
            Update.objects.filter(pk=update.pk).update(pinned=pinned)
    except IntegrityError:  # another admin pinned a different update at the same moment
        raise UpdateError("Someone pinned another update at the same time. Reload and try again.") from None
    update.pinned = pinned


@transaction.atomic
def set_digest_frequency(*, member: Membership, frequency: str) -> DigestPreference:
    if frequency not in Frequency.values:
        raise ValueError(f"Unknown digest frequency {frequency!r}")
    pref, _ = DigestPreference.objects.update_or_create(
        member=member,
        defaults={"frequency": frequency, "workspace_id": member.workspace_id, "updated_at": timezone.now()},
    )
    return pref
