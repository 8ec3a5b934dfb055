"""The write layer for SCIM: tokens, and the people and departments an identity provider manages.

Members are created and changed through the same functions as invitations, CSV imports and the People
page (``workspaces.actions``); this module adds what SCIM needs on top (``userName``, ``externalId``) and
records every write in ``ScimEvent`` for the program admins. Each action runs in one transaction and raises
``ScimError`` with a message for the identity provider's admin.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from groundswell.lib.text import control_message, first_control
from groundswell.scim.errors import invalid_value, mutability, uniqueness
from groundswell.scim.filters import as_pk
from groundswell.scim.models import ScimEvent, ScimGroup, ScimToken, ScimUser
from groundswell.scim.payloads import UNSET, GroupChanges, UserChanges
from groundswell.workspaces import actions as people
from groundswell.workspaces.models import Department, Invitation, Membership, Role, Workspace
from groundswell.workspaces.signals import DeactivationReason

TOKEN_SCHEME = "gss_"  # noqa: S105 (a prefix, not a secret)
PREFIX_LENGTH = 11
MAX_NAME_LENGTH = 80
MAX_ACTIVE_TOKENS = 10
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

Op = ScimEvent.Operation


# --- Tokens ---------------------------------------------------------------------------------------


class TokenError(ValueError):
    """A token that cannot be created, with a message for the admin."""


def create_token(workspace: Workspace, *, by: Membership, name: str) -> tuple[ScimToken, str]:
    """A new SCIM token for ``workspace``. Returns it with its secret, which is never stored."""
    name = " ".join(name.split())
    control = first_control(name)
    if control:
        raise TokenError(control_message("The name", control))
    if not name:
        raise TokenError("Give the token a name, so you can recognise it later (for example “Okta”).")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(f"A token name can be at most {MAX_NAME_LENGTH} characters.")
    if by.workspace_id != workspace.pk or not by.is_admin:
        raise TokenError("Only a program admin of this workspace can create SCIM tokens.")
    with transaction.atomic():
        list(Workspace.objects.select_for_update().filter(pk=workspace.pk))  # count and create as one
        if ScimToken.objects.filter(workspace=workspace, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise TokenError(f"A workspace can have at most {MAX_ACTIVE_TOKENS} active SCIM tokens; revoke one first.")
        secret = TOKEN_SCHEME + secrets.token_urlsafe(32)
        token = ScimToken.objects.create(
            workspace=workspace,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            token_hash=ScimToken.hash_token(secret),
            created_by=by,
        )
    return token, secret


def revoke_token(token: ScimToken, *, now: dt.datetime | None = None) -> bool:
    """Revoke ``token``; False when it was revoked already."""
    now = now or timezone.now()
    updated = ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        token.revoked_at = now
    return bool(updated)


def authenticate(secret: str, *, now: dt.datetime | None = None) -> ScimToken | None:
    """The active token for ``secret`` (its workspace loaded), or None. Records its use."""
    secret = secret.strip()
    if not secret.startswith(TOKEN_SCHEME) or len(secret) > 200:
        return None
    token = (
        ScimToken.objects.select_related("workspace")
        .filter(token_hash=ScimToken.hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    threshold = now - LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at <= threshold:
        # Conditional: concurrent requests write once, and most requests write nothing.
        ScimToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def _change(old: Any, new: Any) -> dict[str, Any]:
    return {"from": old, "to": new}


def _log(
    token: ScimToken,
    operation: str,
    resource_type: str,
    resource_id: int,
    label: str,
    changes: dict[str, Any],
    member: Membership | None = None,
) -> ScimEvent:
    return ScimEvent.objects.create(
        workspace_id=token.workspace_id,
        token=token,
        token_name=token.name,
        resource_type=resource_type,
        resource_id=str(resource_id),
        member=member,
        label=label[:254],
        operation=operation,
        changes=changes,
    )


# --- Users ----------------------------------------------------------------------------------------


def _member_by_id(workspace: Workspace, scim_id: str | None, what: str) -> Membership | None:
    if scim_id is None:
        return None
    pk = as_pk(scim_id)
    member = Membership.objects.filter(workspace=workspace, pk=pk).first() if pk is not None else None
    if member is None:
        raise invalid_value(f"{what} {scim_id} is not a user of this workspace.")
    return member


def _department_named(workspace: Workspace, name: str | None) -> Department | None:
    if not name:
        return None
    found = Department.objects.filter(workspace=workspace, name__iexact=name).first()
    if found is not None:
        return found
    try:
        return people.add_department(workspace, name)
    except ValidationError as exc:  # created concurrently, or a name that is not usable
        raise invalid_value(" ".join(exc.messages)) from None


def _check_unique(workspace: Workspace, member: Membership | None, changes: UserChanges) -> None:
    exclude = Q(member=member) if member is not None else Q()
    if changes.user_name is not UNSET:
        clash = ScimUser.objects.filter(workspace=workspace, user_name__iexact=changes.user_name).exclude(exclude)
        email_clash = Membership.objects.filter(
            workspace=workspace, user__email__iexact=changes.user_name, scim__isnull=True
        )
        if member is not None:
            email_clash = email_clash.exclude(pk=member.pk)
        if clash.exists() or email_clash.exists():
            raise uniqueness(f"userName {changes.user_name} is already used in this workspace.")
    if (
        changes.external_id not in (UNSET, "")
        and ScimUser.objects.filter(workspace=workspace, external_id=changes.external_id).exclude(exclude).exists()
    ):
        raise uniqueness(f"externalId {changes.external_id} is already used in this workspace.")
    if changes.employee_id not in (UNSET, ""):
        holders = Membership.objects.filter(workspace=workspace, employee_id=changes.employee_id)
        if member is not None:
            holders = holders.exclude(pk=member.pk)
        if holders.exists():
            raise uniqueness(f"employeeNumber {changes.employee_id} already belongs to another member.")


def _account_for(email: str, display_name: str) -> tuple[Any, bool]:
    """The person's Groundswell account and whether it was created now: an existing one with this email
    (another workspace's, for agencies), else a new one without a password (they sign in with single sign-on
    or reset their password)."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        return user, False
    first, _, last = display_name.partition(" ")
    username = email.lower()[:150]
    if user_model.objects.filter(username=username).exists():
        username = f"{username[:130]}-{secrets.token_hex(4)}"
    user = user_model(username=username, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    return user, True


def create_user(token: ScimToken, changes: UserChanges) -> Membership:
    """Provision a member: account, membership (through an invitation accepted on their behalf), SCIM ids.

    An account that belongs to another workspace is never attached on the person's behalf (ADR 0024): the
    membership is created awaiting their acceptance (inactive, granting nothing, answered with
    ``active: false``) and they are emailed an invitation to accept while signed in.
    """
    workspace = token.workspace
    email = changes.email if changes.email not in (UNSET, "") else changes.user_name
    try:
        validate_email(email)
    except ValidationError:
        raise invalid_value(f"{email!r} is not an email address: send the work email in emails.") from None
    display_name = changes.display_name or email.split("@", 1)[0].replace(".", " ").title()
    with transaction.atomic():
        list(Workspace.objects.select_for_update().filter(pk=workspace.pk))  # one provisioning at a time
        if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
            raise uniqueness(f"{email} is already a member of this workspace.")
        _check_unique(workspace, None, changes)
        department = _department_named(workspace, changes.department or None)
        manager = _member_by_id(workspace, changes.manager_id or None, "manager")
        user, created = _account_for(email, display_name)
        try:
            if not created and people.belongs_elsewhere(user, workspace):
                member = people.add_pending_member(
                    workspace, user, display_name=display_name, role=Role.EMPLOYEE, department=department
                )
            else:
                invitation = people.invite_member(
                    workspace, email=email, invited_by=None, role=Role.EMPLOYEE, department=department, send=False
                ).invitation
                member = people.accept_invitation(invitation, user)
        except (ValidationError, people.InvitationUnusable) as exc:
            message = exc.reason if isinstance(exc, people.InvitationUnusable) else " ".join(exc.messages)
            raise invalid_value(message) from None
        member.display_name = display_name[:120]
        member.title = changes.title or ""
        member.employee_id = changes.employee_id or ""
        member.save(update_fields=["display_name", "title", "employee_id"])
        if manager is not None:
            _update_member(member, manager=manager)
        ScimUser.objects.create(
            workspace=workspace, member=member, user_name=changes.user_name, external_id=changes.external_id or ""
        )
        if changes.active is False:
            _deactivate(member)
        _log(token, Op.CREATE, "User", member.pk, member.display_name, _user_summary(member), member)
    return member


def _user_summary(member: Membership) -> dict[str, Any]:
    summary: dict[str, Any] = {"email": member.user.email, "active": member.is_active}
    if member.awaiting_acceptance:
        summary["awaiting acceptance"] = "the account belongs to another workspace too; invitation emailed"
    if member.department is not None:
        summary["department"] = member.department.name
    if member.employee_id:
        summary["employee number"] = member.employee_id
    if member.manager is not None:
        summary["manager"] = member.manager.display_name
    return summary


def _update_member(member: Membership, **kwargs: Any) -> None:
    try:
        people.update_member(member, **kwargs)
    except ValidationError as exc:
        raise invalid_value(" ".join(exc.messages)) from None


def _deactivate(member: Membership) -> None:
    try:
        people.deactivate_member(member, reason=DeactivationReason.SCIM)
    except ValidationError as exc:
        raise mutability(" ".join(exc.messages)) from None


def update_user(token: ScimToken, member: Membership, changes: UserChanges) -> Membership:
    """Apply a PUT or PATCH. The display name and title are the member's own once they exist (as with the
    CSV import): the identity provider sets them at creation only. The email identifies the account."""
    workspace = token.workspace
    diff: dict[str, Any] = {}
    with transaction.atomic():
        member = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "department", "manager")
            .get(pk=member.pk, workspace=workspace)
        )
        scim = ScimUser.objects.filter(member=member).first()
        current_name = scim.user_name if scim is not None else member.user.email
        if changes.email not in (UNSET, "") and changes.email.lower() != member.user.email.lower():
            raise mutability(
                f"The email {member.user.email} identifies this member's account and cannot change. "
                "Deprovision the user and provision one with the new address."
            )
        _check_unique(workspace, member, changes)
        if scim is None:
            scim = ScimUser(workspace=workspace, member=member, user_name=current_name)
        if changes.user_name is not UNSET and changes.user_name != scim.user_name:
            diff["userName"] = _change(scim.user_name, changes.user_name)
            scim.user_name = changes.user_name
        if changes.external_id is not UNSET and changes.external_id != scim.external_id:
            diff["externalId"] = _change(scim.external_id, changes.external_id)
            scim.external_id = changes.external_id
        if changes.employee_id is not UNSET and changes.employee_id != member.employee_id:
            diff["employee number"] = _change(member.employee_id, changes.employee_id)
            member.employee_id = changes.employee_id
            member.save(update_fields=["employee_id"])
        if changes.department is not UNSET:
            old = member.department.name if member.department else None
            if (old or "").lower() != (changes.department or "").lower():
                diff["department"] = _change(old, changes.department)
                _update_member(member, department=_department_named(workspace, changes.department))
        if changes.manager_id is not UNSET:
            manager = _member_by_id(workspace, changes.manager_id, "manager")
            if manager != member.manager:
                diff["manager"] = _change(
                    member.manager.display_name if member.manager else None,
                    manager.display_name if manager else None,
                )
                _update_member(member, manager=manager)
        operation = Op.UPDATE
        if changes.active is not UNSET and member.awaiting_acceptance:
            # Not the identity provider's to switch on: the person joins by accepting the invitation. Asking
            # for it again re-sends an invitation that was withdrawn or expired; false withdraws it.
            if changes.active:
                if people.reinvite_pending(member):
                    diff["invitation"] = "sent again"
            elif _has_open_invitation(member):
                _deactivate(member)
                diff["invitation"] = "withdrawn"
                operation = Op.DEACTIVATE
        elif changes.active is not UNSET and changes.active != member.is_active:
            diff["active"] = _change(member.is_active, changes.active)
            if changes.active:
                people.reactivate_member(member)
                operation = Op.REACTIVATE
            else:
                _deactivate(member)
                operation = Op.DEACTIVATE
        if diff or scim.pk is None:
            scim.updated_at = timezone.now()
            try:
                with transaction.atomic():
                    scim.save()
            except IntegrityError:
                raise uniqueness("userName or externalId is already used in this workspace.") from None
        if diff:
            _log(token, operation, "User", member.pk, member.display_name, diff, member)
        member.scim = scim
    return member


def _has_open_invitation(member: Membership) -> bool:
    return Invitation.objects.filter(
        workspace_id=member.workspace_id,
        email__iexact=member.user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).exists()


def deactivate_user(token: ScimToken, member: Membership) -> Membership:
    """DELETE /Users/{id}: the member is deactivated, never deleted; shares, clicks and points stay."""
    return update_user(token, member, UserChanges(active=False))


# --- Groups ---------------------------------------------------------------------------------------


def _members_by_ids(workspace: Workspace, ids: list[str]) -> list[Membership]:
    numeric = {pk for pk in map(as_pk, ids) if pk is not None}
    found = list(Membership.objects.filter(workspace=workspace, pk__in=numeric).select_related("department"))
    missing = sorted(set(ids) - {str(m.pk) for m in found})
    if missing:
        raise invalid_value(f"Not users of this workspace: {', '.join(missing[:10])}.")
    return found


def _move(workspace: Workspace, department: Department, add: list[str], remove: list[str]) -> dict[str, list[str]]:
    """Put members into ``department`` (a member is in one department at a time) or take them out."""
    diff: dict[str, list[str]] = {}
    for member in _members_by_ids(workspace, add):
        if member.department_id != department.pk:
            _update_member(member, department=department)
            diff.setdefault("members added", []).append(member.display_name)
    for member in _members_by_ids(workspace, remove):
        if member.department_id == department.pk:
            _update_member(member, department=None)
            diff.setdefault("members removed", []).append(member.display_name)
    return diff


def _rename(department: Department, name: str) -> None:
    try:
        people.rename_segment(department, name)
    except ValidationError as exc:
        raise uniqueness(" ".join(exc.messages)) from None


def _check_group_external_id(workspace: Workspace, department: Department | None, external_id: str) -> None:
    if not external_id:
        return
    clash = ScimGroup.objects.filter(workspace=workspace, external_id=external_id)
    if department is not None:
        clash = clash.exclude(department=department)
    if clash.exists():
        raise uniqueness(f"externalId {external_id} is already used by another group.")


def create_group(token: ScimToken, changes: GroupChanges) -> Department:
    workspace = token.workspace
    with transaction.atomic():
        _check_group_external_id(workspace, None, changes.external_id or "")
        try:
            department = people.add_department(workspace, changes.display_name)
        except ValidationError as exc:
            raise uniqueness(" ".join(exc.messages)) from None
        ScimGroup.objects.create(workspace=workspace, department=department, external_id=changes.external_id or "")
        diff: dict[str, Any] = {"name": department.name}
        diff.update(_move(workspace, department, changes.members or [], []))
        _log(token, Op.CREATE, "Group", department.pk, department.name, diff)
    return department


def update_group(token: ScimToken, department: Department, changes: GroupChanges) -> Department:
    workspace = token.workspace
    with transaction.atomic():
        department = Department.objects.select_for_update().get(pk=department.pk, workspace=workspace)
        scim = ScimGroup.objects.filter(department=department).first() or ScimGroup(
            workspace=workspace, department=department
        )
        diff: dict[str, Any] = {}
        if changes.display_name is not UNSET and changes.display_name != department.name:
            diff["name"] = _change(department.name, changes.display_name)
            _rename(department, changes.display_name)
        if changes.external_id is not UNSET and changes.external_id != scim.external_id:
            _check_group_external_id(workspace, department, changes.external_id)
            diff["externalId"] = _change(scim.external_id, changes.external_id)
            scim.external_id = changes.external_id
        add, remove = list(changes.add), list(changes.remove)
        if changes.members is not None:
            current = {str(pk) for pk in Membership.objects.filter(department=department).values_list("pk", flat=True)}
            add += changes.members
            remove += sorted(current - set(changes.members))
        diff.update(_move(workspace, department, add, remove))
        if diff or scim.pk is None:
            scim.updated_at = timezone.now()
            scim.save()
        if diff:
            _log(token, Op.UPDATE, "Group", department.pk, department.name, diff)
    return department


def delete_group(token: ScimToken, department: Department) -> None:
    """DELETE /Groups/{id}: the department goes; its members stay, without a department, with their history."""
    with transaction.atomic():
        count = Membership.objects.filter(department=department).count()
        _log(token, Op.DELETE, "Group", department.pk, department.name, {"members left without a department": count})
        people.delete_segment(department)
