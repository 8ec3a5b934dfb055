"""The write layer (and the share gate) for the workspace's social media policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef

from groundswell.policy.models import PolicyAcknowledgement, PolicyVersion
from groundswell.workspaces.models import Membership, Workspace

STARTER_PATH = Path(settings.BASE_DIR) / "templates" / "policy" / "starter.md"
CHECKLIST_HEADING = "## Checklist"
MAX_CHECKLIST_ITEMS = 12
MAX_CHECKLIST_ITEM_LENGTH = 200


class PolicyError(ValueError):
    """A policy version that cannot be published, with a message for the admin."""


@dataclass(frozen=True)
class Draft:
    title: str
    body_markdown: str
    checklist: list[str]


def starter_draft() -> Draft:
    """The starter policy that ships with Groundswell: the ``# title``, the body and, after
    ``## Checklist``, one guideline per ``- `` line."""
    text = STARTER_PATH.read_text(encoding="utf-8")
    head, _, checklist_part = text.partition(CHECKLIST_HEADING)
    lines = head.strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("# ") else "Social media policy"
    body = "\n".join(lines[1:] if lines and lines[0].startswith("# ") else lines).strip()
    checklist = [ln[2:].strip() for ln in checklist_part.splitlines() if ln.startswith("- ")]
    return Draft(title=title, body_markdown=body, checklist=checklist)


def parse_checklist(text: str) -> list[str]:
    """One guideline per non-empty line (a leading "- " or "* " is dropped)."""
    items = []
    for line in text.splitlines():
        item = line.strip().removeprefix("- ").removeprefix("* ").strip()
        if item:
            items.append(item)
    if len(items) > MAX_CHECKLIST_ITEMS:
        raise PolicyError(f"Keep the checklist short: at most {MAX_CHECKLIST_ITEMS} guidelines.")
    if any(len(i) > MAX_CHECKLIST_ITEM_LENGTH for i in items):
        raise PolicyError(f"Each guideline must fit in {MAX_CHECKLIST_ITEM_LENGTH} characters.")
    return items


def current_version(workspace: Workspace) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(workspace=workspace).order_by("-number").first()


def publish_version(
    *, workspace: Workspace, by: Membership, title: str, body_markdown: str, checklist: list[str], summary: str
) -> PolicyVersion:
    """Publish a new version (the next number). Old versions are never touched."""
    title, body_markdown, summary = title.strip(), body_markdown.strip(), summary.strip()
    if not title:
        raise PolicyError("The policy needs a title.")
    if not body_markdown:
        raise PolicyError("The policy needs some text.")
    if not checklist:
        raise PolicyError("Add a short checklist: the few things members should remember.")
    with transaction.atomic():
        last = PolicyVersion.objects.filter(workspace=workspace).aggregate(n=Max("number"))["n"] or 0
        if last and not summary:
            raise PolicyError("Say briefly what changed, so members know what to re-read.")
        try:
            with transaction.atomic():
                return PolicyVersion.objects.create(
                    workspace=workspace,
                    number=last + 1,
                    title=title,
                    body_markdown=body_markdown,
                    checklist=checklist,
                    summary_of_changes=summary,
                    published_by=by,
                )
        except IntegrityError:
            raise PolicyError("Someone published a version at the same time. Reload and try again.") from None


def needs_acknowledgement(member: Membership) -> PolicyVersion | None:
    """The current version when ``member`` has not acknowledged it yet, else None (one query)."""
    acked = PolicyAcknowledgement.objects.filter(version=OuterRef("pk"), member=member)
    version = (
        PolicyVersion.objects.filter(workspace_id=member.workspace_id)
        .annotate(acked=Exists(acked))
        .order_by("-number")
        .first()
    )
    if version is None or version.acked:
        return None
    return version


def acknowledge(*, member: Membership, version: PolicyVersion) -> PolicyAcknowledgement:
    """Record that ``member`` has read ``version`` (idempotent)."""
    if version.workspace_id != member.workspace_id:
        raise PolicyError("That policy belongs to another workspace.")
    with transaction.atomic():
        ack, _ = PolicyAcknowledgement.objects.get_or_create(
            member=member, version=version, defaults={"workspace_id": member.workspace_id}
        )
    return ack


@dataclass(frozen=True)
class AckRate:
    version: PolicyVersion
    acknowledged: int
    active_members: int

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.active_members) if self.active_members else 0


def acknowledgement_rate(version: PolicyVersion) -> AckRate:
    """How many active members acknowledged ``version`` (aggregate only: no names)."""
    active = Membership.objects.filter(workspace_id=version.workspace_id, is_active=True)
    return AckRate(
        version=version,
        acknowledged=active.filter(policy_acknowledgements__version=version).count(),
        active_members=active.count(),
    )
