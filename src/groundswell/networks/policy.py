"""The workspace's posting policy: the rules for posts Groundswell makes on a member's behalf.

:func:`check` answers, before anything is written, what is wrong with a post (a *blocking* problem: the
post cannot be made) or worth a second look (a warning: the member may go ahead). The outbox runs it again
inside the transaction that schedules the post, with the member's row locked, so caps hold under races.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from groundswell.networks.models import PostingPolicy, PostStatus
from groundswell.workspaces.models import Membership, Workspace

#: Posts that no longer count against the caps (``sharing.posting.counted_posts``).
NOT_COUNTED = (PostStatus.CANCELLED, PostStatus.FAILED)
#: Always accepted as a disclosure, whatever the policy's wording.
STANDARD_DISCLOSURES = ("#employee",)
POLICY_FIELDS = (
    "disclosure",
    "unchanged_caption",
    "max_per_day_per_network",
    "max_per_week_per_network",
    "blocked_words",
    "stagger_minutes",
)


@dataclass(frozen=True)
class Problem:
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return self.message


def get_policy(workspace: Workspace) -> PostingPolicy:
    """The workspace's policy, created with the defaults on first use."""
    policy, _ = PostingPolicy.objects.get_or_create(workspace=workspace)
    return policy


def normalise(text: str) -> str:
    """Whitespace collapsed and case folded: how captions are compared."""
    return " ".join(text.split()).casefold()


def has_disclosure(text: str, policy: PostingPolicy, workspace: Workspace) -> bool:
    """The post already says the author works for the company (the policy's wording, #employee, or
    "I work at <workspace>")."""
    haystack = normalise(text)
    candidates = [*STANDARD_DISCLOSURES, f"i work at {workspace.name}"]
    if policy.disclosure.strip():
        candidates.append(policy.disclosure)
    return any(normalise(c) in haystack for c in candidates if c.strip())


def with_disclosure(text: str, policy: PostingPolicy, workspace: Workspace) -> str:
    """``text`` with the policy's disclosure appended when it is set and not already there."""
    disclosure = policy.disclosure.strip()
    text = text.strip()
    if not disclosure or has_disclosure(text, policy, workspace):
        return text
    return f"{text} {disclosure}" if text else disclosure


def blocked_phrases(policy: PostingPolicy) -> list[str]:
    return [line.strip() for line in policy.blocked_words.splitlines() if line.strip()]


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def find_blocked(text: str, policy: PostingPolicy) -> str | None:
    """The first blocked word or phrase ``text`` contains (whole words, any case), else None."""
    for phrase in blocked_phrases(policy):
        if _phrase_pattern(phrase).search(text):
            return phrase
    return None


def day_bounds(when: dt.datetime, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
    """The workspace-local day containing ``when``, as aware datetimes."""
    tz = ZoneInfo(tz_name)
    day = when.astimezone(tz).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def week_bounds(when: dt.datetime, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
    """The workspace-local ISO week (Monday to Sunday) containing ``when``."""
    tz = ZoneInfo(tz_name)
    day = when.astimezone(tz).date()
    monday = day - dt.timedelta(days=day.weekday())
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=tz)


def check(
    member: Membership,
    network: str,
    text: str,
    suggestion_texts: list[str],
    when: dt.datetime,
    *,
    counted: Callable[[dt.datetime, dt.datetime], int],
    policy: PostingPolicy | None = None,
) -> list[Problem]:
    """Everything the policy has to say about ``member`` posting ``text`` (the caption, before the
    disclosure and link are added) on ``network`` at ``when``. Blocking problems first.

    ``counted(start, end)`` is how many of the member's posts on ``network`` count against the caps between
    ``start`` and ``end``: the caller (sharing) knows whose posts they are, the policy does not."""
    workspace = member.workspace
    policy = policy or get_policy(workspace)
    problems: list[Problem] = []

    word = find_blocked(text, policy)
    if word is not None:
        problems.append(Problem(f"Your post contains “{word}”, which your program does not allow. Please remove it."))

    if policy.unchanged_caption != PostingPolicy.UnchangedCaption.ALLOW and text.strip():
        mine = normalise(text)
        if any(mine == normalise(s) for s in suggestion_texts if s.strip()):
            if policy.unchanged_caption == PostingPolicy.UnchangedCaption.BLOCK:
                problems.append(
                    Problem("Your program asks you to put the suggested caption in your own words before posting.")
                )
            else:
                problems.append(
                    Problem(
                        "This is the suggested caption word for word. Posts in your own words do better — "
                        "consider making it yours.",
                        blocking=False,
                    )
                )

    if policy.max_per_day_per_network:
        start, end = day_bounds(when, workspace.timezone)
        if counted(start, end) >= policy.max_per_day_per_network:
            problems.append(
                Problem(
                    f"You already have {policy.max_per_day_per_network} post(s) on this network that day, the most "
                    "your program allows. Pick another day."
                )
            )
    if policy.max_per_week_per_network:
        start, end = week_bounds(when, workspace.timezone)
        if counted(start, end) >= policy.max_per_week_per_network:
            problems.append(
                Problem(
                    f"You already have {policy.max_per_week_per_network} post(s) on this network that week, the "
                    "most your program allows. Pick a later week."
                )
            )

    if policy.disclosure.strip() and not has_disclosure(text, policy, workspace):
        problems.append(
            Problem(f"“{policy.disclosure.strip()}” will be added to your post, as your program asks.", blocking=False)
        )
    problems.sort(key=lambda p: not p.blocking)
    return problems


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocking]


def update_policy(workspace: Workspace, values: dict[str, object]) -> PostingPolicy:
    """Save the admin's settings (one transaction; only the policy's own fields)."""
    fields = [f for f in values if f in POLICY_FIELDS]
    with transaction.atomic():
        policy = get_policy(workspace)
        policy = PostingPolicy.objects.select_for_update().get(pk=policy.pk)
        for name in fields:
            setattr(policy, name, values[name])
        policy.full_clean()
        policy.save(update_fields=fields)
    return policy
