"""The member's profile and membership, invitations, CSV import rows and API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from groundswell.privacy.providers._util import iso
from groundswell.privacy.registry import ADMINS, COLLEAGUES, ONLY_YOU, ErasureResult, InventoryLine
from groundswell.workspaces.models import ApiToken, ImportJob, Invitation, Membership

ERASED_NAME = "Former member"


def erased_name(member: Membership) -> str:
    return f"{ERASED_NAME} #{member.pk}"


def _invitations(member: Membership) -> Any:
    return Invitation.objects.filter(workspace_id=member.workspace_id, email__iexact=member.user.email)


def _import_jobs(member: Membership) -> Any:
    email = member.user.email
    if not email:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(workspace_id=member.workspace_id, content__icontains=email)


def _scrub(text: str, email: str) -> tuple[str, int]:
    """``text`` without the lines that mention ``email``, and how many were removed."""
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if email.lower() not in line.lower()]
    return "".join(kept), len(lines) - len(kept)


class WorkspacesProvider:
    key = "workspaces"
    label = "Your profile and membership"
    models: tuple[str, ...] = ("workspaces.Membership", "workspaces.Invitation", "workspaces.ImportJob")

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Your profile: name, email address, job title, role, department, location, manager, "
                "employee id, when you joined",
                None,
                ADMINS,
                "To run the program: invitations, reports by department and location.",
            ),
            InventoryLine(
                "Your interests, Mastodon server and audience size",
                None,
                ONLY_YOU,
                "To suggest content and estimate reach.",
            ),
            InventoryLine(
                "Invitations sent to your email address", _invitations(member).count(), ADMINS, "How you joined."
            ),
            InventoryLine(
                "Rows about you in employee lists imported from a spreadsheet",
                _import_jobs(member).count(),
                ADMINS,
                "Admins import employee lists to invite people.",
            ),
            InventoryLine(
                f"Your leaderboard setting: {member.get_leaderboard_visibility_display().lower()}",
                None,
                COLLEAGUES,
                "You choose whether colleagues see you on the leaderboard.",
            ),
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "membership": {
                "id": member.pk,
                "workspace": member.workspace.name,
                "display_name": member.display_name,
                "email": member.user.email,
                "title": member.title,
                "role": member.role,
                "department": member.department.name if member.department else None,
                "location": member.location.name if member.location else None,
                "manager": member.manager.display_name if member.manager else None,
                "employee_id": member.employee_id,
                "mastodon_instance": member.mastodon_instance,
                "audience_size": member.audience_size,
                "interests": sorted(member.interests.values_list("name", flat=True)),
                "leaderboard_visibility": member.leaderboard_visibility,
                "is_active": member.is_active,
                "joined_at": iso(member.joined_at),
            },
            "invitations": [
                {"role": i.role, "created_at": iso(i.created_at), "accepted_at": iso(i.accepted_at)}
                for i in _invitations(member).order_by("created_at")
            ],
            "employee_list_imports": [
                {"file_name": j.file_name, "imported_at": iso(j.created_at)} for j in _import_jobs(member)
            ],
        }

    def erase(self, member: Membership) -> ErasureResult:
        result = ErasureResult()
        email = member.user.email
        if email:
            for job in _import_jobs(member):
                content, removed = _scrub(job.content, email)
                job.content = content
                job.preview = [row for row in job.preview if email.lower() not in str(row).lower()]
                job.errors = [row for row in job.errors if email.lower() not in str(row).lower()]
                job.save(update_fields=["content", "preview", "errors"])
                result.erased += removed
        invitations = _invitations(member)
        for invitation in invitations:
            invitation.email = f"erased-{invitation.pk}@invalid.invalid"
            invitation.save(update_fields=["email"])
            result.erased += 1
        Invitation.objects.filter(invited_by=member).update(invited_by=None)
        ImportJob.objects.filter(created_by=member).update(created_by=None)
        Membership.objects.filter(manager=member).update(manager=None)
        member.interests.clear()
        member.display_name = erased_name(member)
        member.title = ""
        member.employee_id = ""
        member.mastodon_instance = ""
        member.audience_size = 0
        member.manager = None
        member.save(
            update_fields=["display_name", "title", "employee_id", "mastodon_instance", "audience_size", "manager"]
        )
        result.erased += 1
        result.kept.append(
            f"Your membership itself, renamed “{member.display_name}”, without any profile details: the "
            "program's history (shares, points) points to it. It can only become active again through a new "
            "invitation."
        )
        return result

    def keeps(self, member: Membership) -> list[str]:
        return [
            f"Your membership, renamed “{erased_name(member)}” without any profile details, so the program's "
            "totals stay correct."
        ]


class ApiProvider:
    key = "api"
    label = "API tokens"
    models: tuple[str, ...] = ("workspaces.ApiToken",)

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [
            InventoryLine(
                "Your personal API tokens: name, start of the token, when created and last used (the secret "
                "itself is never stored)",
                ApiToken.objects.filter(member=member).count(),
                ONLY_YOU,
                "So your own tools can use Groundswell for you.",
            )
        ]

    def export(self, member: Membership) -> dict[str, Any]:
        return {
            "api_tokens": [
                {
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": iso(t.created_at),
                    "last_used_at": iso(t.last_used_at),
                    "revoked_at": iso(t.revoked_at),
                }
                for t in ApiToken.objects.filter(member=member).order_by("created_at")
            ]
        }

    def erase(self, member: Membership) -> ErasureResult:
        deleted, _ = ApiToken.objects.filter(Q(member=member)).delete()
        return ErasureResult(erased=deleted)
