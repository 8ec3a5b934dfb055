"""Harvesting stories: the admins' calls for stories (prompts), the authors' consent, and story → item.

The write layer of issue 13's harvesting (ADR 0043). Every function that changes something runs in one
transaction and enqueues its e-mails on commit.

* A **prompt** ("the customer you helped this month") is open from its creation until its ``deadline`` (a day
  in the workspace's time zone, inclusive) or until an admin closes it early. Its audience is everyone, one
  department or one team (the members seated on it now).
* **Consent**: the author alone ticks "the program team may share this story outside the company, with my
  name", and may withdraw it until the story has been harvested.
* **Harvest**: an admin turns a consenting story into a content item (``content.actions.create_item``), the
  author credited (``Item.submitted_by`` and a "Story by …" line in the item's description, which the item
  card, the item page and the public share page show) and awarded the ``submission_approved`` points once
  (ledger key ``story:<pk>``). A HARVESTED moderation event is logged and the author is told by e-mail.
* **Reminder**: two days before the deadline, the members of the audience who have not answered get one
  e-mail (``send_deadline_reminders``, a periodic job); each prompt is claimed by a conditional UPDATE of
  ``reminded_at``, so several workers send it once. Who did not answer is never shown to anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.rollups import RollupBatch
from groundswell.content.actions import CaptionData, ContentError, ItemData, create_item
from groundswell.content.models import Item, ItemKind, Topic
from groundswell.lib.periods import local_day
from groundswell.rewards.actions import award_points
from groundswell.rewards.models import Action
from groundswell.stories.models import (
    Audience,
    ModerationAction,
    ModerationEvent,
    Story,
    StoryKind,
    StoryPrompt,
    Visibility,
)
from groundswell.teams.models import Seat, Team
from groundswell.workspaces.models import Department, Membership, Role

#: Days before the deadline when the audience is reminded (once).
REMIND_DAYS_BEFORE = 2
MAX_PROMPT_BODY = 5000
MAX_STORY_BODY = 20000


class HarvestError(ValueError):
    """A change that cannot be made, with a message for the person making it."""


# --- Prompts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptData:
    """Everything the prompt form collects, already validated by the form."""

    title: str
    body_markdown: str
    deadline: dt.date
    kind: str = StoryKind.STORY
    audience: str = Audience.EVERYONE
    department: Department | None = None
    team: Team | None = None


def _require_admin(member: Membership) -> None:
    if member.role != Role.ADMIN:
        raise HarvestError("Only program admins can do this.")


def _today(member: Membership, now: dt.datetime | None = None) -> dt.date:
    return local_day(now or timezone.now(), member.workspace.timezone)


def _check_prompt(member: Membership, data: PromptData, *, today: dt.date, deadline_may_pass: bool) -> None:
    if not data.title.strip():
        raise HarvestError("Give the call a title.")
    if len(data.body_markdown) > MAX_PROMPT_BODY:
        raise HarvestError(f"The text is too long (at most {MAX_PROMPT_BODY} characters).")
    if data.deadline < today and not deadline_may_pass:
        raise HarvestError("The deadline is in the past: choose today or a later day.")
    if data.kind not in StoryKind.values:
        raise HarvestError("Choose a kind of story.")
    if data.audience == Audience.DEPARTMENT:
        if data.department is None or data.department.workspace_id != member.workspace_id:
            raise HarvestError("Choose the department the call is for.")
    elif data.audience == Audience.TEAM:
        if data.team is None or data.team.workspace_id != member.workspace_id:
            raise HarvestError("Choose the team the call is for.")
    elif data.audience != Audience.EVERYONE:
        raise HarvestError("Choose who the call is for.")


def _apply_prompt(prompt: StoryPrompt, data: PromptData) -> None:
    prompt.title = data.title.strip()
    prompt.body_markdown = data.body_markdown.strip()
    prompt.deadline = data.deadline
    prompt.kind = data.kind
    prompt.audience = data.audience
    prompt.department = data.department if data.audience == Audience.DEPARTMENT else None
    prompt.team = data.team if data.audience == Audience.TEAM else None


def create_prompt(*, member: Membership, data: PromptData, now: dt.datetime | None = None) -> StoryPrompt:
    """An admin's new call for stories, open at once. Its audience hears of it in their digest."""
    _require_admin(member)
    now = now or timezone.now()
    _check_prompt(member, data, today=_today(member, now), deadline_may_pass=False)
    prompt = StoryPrompt(workspace_id=member.workspace_id, created_by=member, created_at=now)
    _apply_prompt(prompt, data)
    prompt.save()
    return prompt


def update_prompt(*, member: Membership, prompt: StoryPrompt, data: PromptData) -> StoryPrompt:
    """Change a call. A later deadline re-arms the reminder (the new deadline gets its own)."""
    _require_admin(member)
    if prompt.workspace_id != member.workspace_id:
        raise HarvestError("This call does not exist.")
    moved = data.deadline != prompt.deadline
    # An unchanged past deadline may stay (fixing a typo in a closed call); a new one must not be in the past.
    _check_prompt(member, data, today=_today(member), deadline_may_pass=not moved)
    _apply_prompt(prompt, data)
    fields = ["title", "body_markdown", "deadline", "kind", "audience", "department", "team"]
    if moved:
        prompt.reminded_at = None
        fields.append("reminded_at")
    prompt.save(update_fields=fields)
    return prompt


def close_prompt(*, member: Membership, prompt: StoryPrompt, now: dt.datetime | None = None) -> StoryPrompt:
    """Close a call before its deadline (stories already written stay; no new answers, no reminder)."""
    _require_admin(member)
    if prompt.workspace_id != member.workspace_id:
        raise HarvestError("This call does not exist.")
    now = now or timezone.now()
    if StoryPrompt.objects.filter(pk=prompt.pk, closed_at__isnull=True).update(closed_at=now) == 1:
        prompt.closed_at = now
    return prompt


def is_open(prompt: StoryPrompt, today: dt.date) -> bool:
    return prompt.closed_at is None and prompt.deadline >= today


def open_prompts(workspace_id: int, today: dt.date) -> QuerySet[StoryPrompt]:
    return StoryPrompt.objects.filter(workspace_id=workspace_id, closed_at__isnull=True, deadline__gte=today)


def for_audience_of(member: Membership, prompts: QuerySet[StoryPrompt]) -> QuerySet[StoryPrompt]:
    """The prompts of ``prompts`` whose audience ``member`` is in (admins: all of them)."""
    if member.role == Role.ADMIN:
        return prompts
    teams = Seat.objects.filter(member=member, served_until=None).values("team_id")
    mine = Q(audience=Audience.EVERYONE) | Q(audience=Audience.TEAM, team_id__in=teams)
    if member.department_id is not None:
        mine |= Q(audience=Audience.DEPARTMENT, department_id=member.department_id)
    return prompts.filter(mine)


def in_audience(member: Membership, prompt: StoryPrompt) -> bool:
    return for_audience_of(member, StoryPrompt.objects.filter(pk=prompt.pk, workspace_id=member.workspace_id)).exists()


def audience_members(prompt: StoryPrompt) -> QuerySet[Membership]:
    """The active members a call is for (its size is shown beside the number who answered)."""
    qs = Membership.objects.filter(workspace_id=prompt.workspace_id, is_active=True)
    if prompt.audience == Audience.DEPARTMENT:
        if prompt.department_id is None:
            return qs.none()
        return qs.filter(department_id=prompt.department_id)
    if prompt.audience == Audience.TEAM:
        if prompt.team_id is None:
            return qs.none()
        return qs.filter(team_seats__team_id=prompt.team_id, team_seats__served_until=None).distinct()
    return qs


def answers(prompt: StoryPrompt) -> QuerySet[Story]:
    """The stories that answer a call (not deleted; hidden ones included, marked, for the admins)."""
    return (
        Story.objects.filter(prompt=prompt, workspace_id=prompt.workspace_id, deleted_at__isnull=True)
        .select_related("author", "item")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Participation:
    answered: int  # members who wrote at least one story for the call
    stories: int
    audience: int


def participation(prompt: StoryPrompt) -> Participation:
    return participation_many([prompt])[prompt.pk]


def participation_many(prompts: Sequence[StoryPrompt]) -> dict[int, Participation]:
    """``participation`` of several prompts of one workspace in four queries, whatever their number."""
    if not prompts:
        return {}
    ws_id = prompts[0].workspace_id
    counted = (
        Story.objects.filter(prompt__in=[p.pk for p in prompts], workspace_id=ws_id, deleted_at__isnull=True)
        .values("prompt_id")
        .annotate(answered=Count("author_id", distinct=True), stories=Count("pk"))
    )
    by_prompt = {row["prompt_id"]: (row["answered"], row["stories"]) for row in counted}
    active = Membership.objects.filter(workspace_id=ws_id, is_active=True)
    everyone = active.count()
    departments = {p.department_id for p in prompts if p.audience == Audience.DEPARTMENT and p.department_id}
    teams = {p.team_id for p in prompts if p.audience == Audience.TEAM and p.team_id}
    by_department: dict[int | None, int] = {}
    by_team: dict[int | None, int] = {}
    if departments:
        rows = active.filter(department_id__in=departments).values("department_id").annotate(n=Count("pk"))
        by_department = {row["department_id"]: row["n"] for row in rows}
    if teams:
        seats = Seat.objects.filter(team_id__in=teams, served_until=None, member__in=active)
        by_team = {
            row["team_id"]: row["n"] for row in seats.values("team_id").annotate(n=Count("member_id", distinct=True))
        }
    out = {}
    for p in prompts:
        if p.audience == Audience.DEPARTMENT:
            size = by_department.get(p.department_id, 0)
        elif p.audience == Audience.TEAM:
            size = by_team.get(p.team_id, 0)
        else:
            size = everyone
        answered, stories = by_prompt.get(p.pk, (0, 0))
        out[p.pk] = Participation(answered=answered, stories=stories, audience=size)
    return out


# --- Stories written for a prompt ------------------------------------------------------------------


def answer_prompt(
    *,
    member: Membership,
    prompt: StoryPrompt,
    title: str,
    body_markdown: str,
    share_consent: bool = False,
    now: dt.datetime | None = None,
) -> Story:
    """A member's story written for an open call (for the call's audience, consent as they ticked it), through
    the stories write path (blocked words, audience checks). The writer's form does the same with
    ``?prompt=<id>``, images and video included."""
    from groundswell.stories.actions import StoryData, StoryError, create_story

    now = now or timezone.now()
    if prompt.workspace_id != member.workspace_id or not in_audience(member, prompt):
        raise HarvestError("This call does not exist.")
    if not is_open(prompt, _today(member, now)):
        raise HarvestError("This call is closed: it no longer takes stories.")
    if not title.strip():
        raise HarvestError("Give your story a title.")
    if not body_markdown.strip():
        raise HarvestError("Tell your story: the text is empty.")
    if len(body_markdown) > MAX_STORY_BODY:
        raise HarvestError(f"The story is too long (at most {MAX_STORY_BODY} characters).")
    data = StoryData(
        title=title.strip()[:160],
        body_markdown=body_markdown.strip(),
        kind=prompt.kind,
        audience=prompt.audience,
        department=prompt.department,
        team=prompt.team,
        prompt=prompt,
        share_consent=share_consent,
    )
    try:
        story = create_story(member=member, data=data)
    except StoryError as exc:
        raise HarvestError(str(exc)) from exc
    Story.objects.filter(pk=story.pk).update(created_at=now, share_consent_at=now if share_consent else None)
    story.refresh_from_db()
    return story


# --- Consent ---------------------------------------------------------------------------------------


def set_share_consent(member: Membership, story: Story, consent: bool, *, now: dt.datetime | None = None) -> Story:
    """The author gives (or withdraws) consent to share the story outside, with their name.

    Only the author may; withdrawing is refused once the story has been turned into an item (it is out there)."""
    if story.workspace_id != member.workspace_id or story.deleted_at is not None:
        raise HarvestError("This story does not exist.")
    if story.author_id != member.pk:
        raise HarvestError("Only the author can decide whether their story is shared outside.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if not consent and locked.item_id is not None:
            raise HarvestError("This story has already been shared outside: consent can no longer be withdrawn.")
        if locked.share_consent != consent:
            locked.share_consent, locked.share_consent_at = consent, now
            locked.save(update_fields=["share_consent", "share_consent_at"])
    story.share_consent, story.share_consent_at = locked.share_consent, locked.share_consent_at
    return story


# --- Harvest ---------------------------------------------------------------------------------------


@dataclass
class HarvestData:
    """The item an admin makes of a story (prefilled by ``harvest_initial``)."""

    title: str
    text: str
    summary: str = ""
    captions: Sequence[str] = ()
    topics: Sequence[Topic] = field(default_factory=tuple)
    publish: bool = False


def credit_line(story: Story) -> str:
    return f"Story by {story.author.display_name}"


def can_harvest(story: Story) -> bool:
    """Whether the "Turn into an item to share" button is offered."""
    return (
        story.share_consent
        and story.item_id is None
        and story.deleted_at is None
        and story.visibility == Visibility.PUBLISHED
    )


def harvest_initial(story: Story) -> HarvestData:
    """The harvest form's prefill: the story's title and text, one caption, its topics."""
    first_line = next((line.strip() for line in story.body_markdown.splitlines() if line.strip()), "")
    caption = f"{story.title} — a story from our team, by {story.author.display_name}."
    return HarvestData(
        title=story.title,
        text=story.body_markdown,
        summary=first_line[:200],
        captions=(caption[:500],),
        topics=tuple(story.topics.all()),
    )


def _item_data(story: Story, data: HarvestData, credit: str) -> ItemData:
    summary = data.summary.strip()
    description = credit if not summary else f"{credit} · {summary}"
    captions = tuple(CaptionData(text=c) for c in data.captions if c.strip())
    if story.video_id is not None:
        item_data = ItemData(
            kind=ItemKind.VIDEO,
            title=data.title,
            description=description,
            body=data.text,
            topics=data.topics,
            captions=captions,
            video=story.video,
        )
        return item_data
    return ItemData(
        kind=ItemKind.TEXT,
        title=data.title,
        description=description,
        body=data.text,
        topics=data.topics,
        captions=captions,
    )


def harvest_story(
    *, member: Membership, story: Story, data: HarvestData, now: dt.datetime | None = None, tell_author: bool = True
) -> Item:
    """Turn a consenting story into an item to share (published or as a draft), the author credited.

    Refused without the author's consent, for a hidden or deleted story, and for one already harvested. The
    story points are awarded through ``award_points`` under the key ``story:<pk>``: a retry or a second
    harvest attempt awards nothing more."""
    _require_admin(member)
    if story.workspace_id != member.workspace_id:
        raise HarvestError("This story does not exist.")
    if not data.title.strip():
        raise HarvestError("Give the item a title.")
    if not data.text.strip():
        raise HarvestError("The item needs the story's text.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Story.objects.select_for_update(of=("self",)).select_related("author__workspace").get(pk=story.pk)
        if locked.deleted_at is not None:
            raise HarvestError("This story has been deleted.")
        if locked.item_id is not None:
            raise HarvestError("This story is already an item to share.")
        if not locked.share_consent:
            raise HarvestError("The author has not agreed to share this story outside: it cannot become an item.")
        if locked.visibility != Visibility.PUBLISHED:
            raise HarvestError("This story is hidden by a moderator: restore it first.")
        author = locked.author
        credit = credit_line(locked)
        try:
            item = create_item(member=member, data=_item_data(locked, data, credit), publish=data.publish, now=now)
        except ContentError as exc:
            raise HarvestError(str(exc)) from None
        Item.objects.filter(pk=item.pk).update(submitted_by=author, video_id=locked.video_id)
        item.submitted_by, item.video_id = author, locked.video_id
        locked.item = item
        locked.save(update_fields=["item"])
        batch = RollupBatch()
        award_points(
            member=author,
            action=Action.SUBMISSION_APPROVED,
            key=f"story:{locked.pk}",
            day=local_day(now, author.workspace.timezone),
            rollup=batch,
            reason=f"Story shared outside: {locked.title}"[:300],
            at=now,
        )
        batch.write()
        ModerationEvent.objects.create(
            workspace_id=locked.workspace_id,
            actor=member,
            story=locked,
            action=ModerationAction.HARVESTED,
            reason=f"Item {item.pk}: {item.display_title}"[:300],
            created_at=now,
        )
        if tell_author:  # the demo builds history quietly
            _email_on_commit(
                [author.pk],
                title="Your story is now shared outside",
                body=f"“{locked.title}” is now an item colleagues can share outside the company, with your name on it.",
                url=reverse("content:detail", kwargs={"ws": author.workspace.slug, "pk": item.pk}),
            )
    story.item, story.item_id = item, item.pk
    return item


# --- Reminders -------------------------------------------------------------------------------------


def _email_on_commit(member_ids: list[int], *, title: str, body: str, url: str) -> None:
    """E-mail members after the commit through notify's sender (notify has no kind for stories yet)."""
    from groundswell.notify import tasks as notify_tasks

    if not member_ids:
        return
    # Our own wording: notify's template says "because of your notification settings", which have no kind for
    # stories yet (the author of a harvested story, the audience of a call are told once each).
    email_body = f"Hello,\n\n{body}\n\n{settings.SITE_URL}{url}\n\n-- \nGroundswell, calls for stories\n"
    message = {"kind": "story", "title": title[:200], "body": body[:500], "url": url, "email_body": email_body}
    transaction.on_commit(lambda: notify_tasks.enqueue_all([], member_ids, message))


def remind_due(now: dt.datetime) -> QuerySet[StoryPrompt]:
    """Open prompts not reminded yet whose deadline may be within ``REMIND_DAYS_BEFORE`` days somewhere.

    A day of slack on each side for time zones; ``send_deadline_reminders`` checks each in its own zone."""
    utc_today = now.astimezone(dt.UTC).date()
    return StoryPrompt.objects.filter(
        closed_at__isnull=True,
        reminded_at__isnull=True,
        deadline__gte=utc_today - dt.timedelta(days=1),
        deadline__lte=utc_today + dt.timedelta(days=REMIND_DAYS_BEFORE + 1),
    ).select_related("workspace")


def send_deadline_reminders(now: dt.datetime | None = None) -> int:
    """Remind, once per prompt, the audience members who have not answered; returns the prompts reminded."""
    now = now or timezone.now()
    reminded = 0
    for prompt in remind_due(now):
        today = local_day(now, prompt.workspace.timezone)
        if not (today <= prompt.deadline <= today + dt.timedelta(days=REMIND_DAYS_BEFORE)):
            continue
        with transaction.atomic():
            claimed = StoryPrompt.objects.filter(pk=prompt.pk, reminded_at__isnull=True, closed_at__isnull=True)
            if claimed.update(reminded_at=now) != 1:
                continue  # Another worker reminded it (or an admin closed it) in the meantime.
            answered = Story.objects.filter(prompt=prompt, deleted_at__isnull=True).values("author_id")
            ids = list(audience_members(prompt).exclude(pk__in=answered).values_list("pk", flat=True))
            days = (prompt.deadline - today).days
            when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
            _email_on_commit(
                ids,
                title=f"Last days to tell your story: {prompt.title}",
                body=f"The call “{prompt.title}” closes {when} ({prompt.deadline:%d %b}). We'd love your story.",
                url=reverse("story_prompts:detail", kwargs={"ws": prompt.workspace.slug, "prompt_id": prompt.pk}),
            )
            reminded += 1
    return reminded
