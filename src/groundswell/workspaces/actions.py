"""The write layer for workspaces and people. Each function validates, then writes in one transaction.

Functions raise ``django.core.exceptions.ValidationError`` with a message meant for a person; views show it
next to the form. They never trust that related objects belong to the workspace: they check.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from groundswell.workspaces.models import (
    ApiToken,
    Department,
    Invitation,
    Location,
    Membership,
    Role,
    Workspace,
    validate_timezone,
)
from groundswell.workspaces.signals import DeactivationReason, send_member_deactivated

log = logging.getLogger(__name__)

INVITATION_VALID_FOR = timedelta(days=14)

# --- Workspaces -----------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_workspace(
    *, name: str, user: User, display_name: str = "", time_zone: str = "UTC", slug: str = ""
) -> Membership:
    """A new workspace with ``user`` as its first program admin and the default points rules.

    Returns the admin membership (``membership.workspace`` is the workspace).
    """
    from groundswell.rewards.actions import ensure_default_rules

    name = name.strip()
    if not name:
        raise ValidationError("Give the workspace a name.")
    validate_timezone(time_zone)
    with transaction.atomic():
        if slug:
            slug = slugify(slug)
            if not slug or Workspace.objects.filter(slug=slug).exists():
                raise ValidationError(f"The address {slug!r} is taken; pick another.")
        workspace = Workspace.objects.create(name=name, slug=slug or _unique_slug(name), timezone=time_zone)
        member = Membership.objects.create(
            workspace=workspace,
            user=user,
            role=Role.ADMIN,
            display_name=display_name.strip() or _default_display_name(user),
        )
        ensure_default_rules(workspace)
    return member


def update_workspace(workspace: Workspace, *, name: str, time_zone: str) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError("Give the workspace a name.")
    validate_timezone(time_zone)
    workspace.name = name
    workspace.timezone = time_zone
    workspace.save(update_fields=["name", "timezone"])
    return workspace


def _default_display_name(user: AbstractBaseUser) -> str:
    full = getattr(user, "get_full_name", lambda: "")()
    if full:
        return str(full)[:120]
    email = str(getattr(user, "email", "") or "")
    local = email.split("@", 1)[0] if email else str(user.get_username())
    return local.replace(".", " ").replace("_", " ").title()[:120] or "Member"


# --- Invitations ----------------------------------------------------------------------------------


def _check_segment(workspace: Workspace, department: Department | None, location: Location | None) -> None:
    if department is not None and department.workspace_id != workspace.pk:
        raise ValidationError("That department belongs to another workspace.")
    if location is not None and location.workspace_id != workspace.pk:
        raise ValidationError("That location belongs to another workspace.")


def accept_url(token: str) -> str:
    return settings.SITE_URL + reverse("accept_invitation", kwargs={"token": token})


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by.display_name if invitation.invited_by else "Your program admin"
    context = {
        "invitation": invitation,
        "workspace": invitation.workspace,
        "inviter": inviter,
        "accept_url": accept_url(token),
        "expires_at": invitation.expires_at,
    }
    # Names are admin-typed: fold any line breaks so they cannot break the header.
    subject = " ".join(f"{inviter} invited you to {invitation.workspace.name} on Groundswell".split())
    body = render_to_string("workspaces/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email], fail_silently=False)


@dataclass(frozen=True)
class InviteResult:
    invitation: Invitation
    token: str
    created: bool


def invite_member(
    workspace: Workspace,
    *,
    email: str,
    invited_by: Membership | None,
    role: str = Role.EMPLOYEE,
    department: Department | None = None,
    location: Location | None = None,
    send: bool = True,
) -> InviteResult:
    """Invite ``email`` (or refresh its pending invitation) and email the accept link.

    Only the SHA-256 of the token is stored; a refresh issues a new token, so older links stop working.
    """
    email = email.strip()
    if not email or "@" not in email:
        raise ValidationError(f"{email!r} is not an email address.")
    if role not in Role.values:
        raise ValidationError("Pick a role.")
    if invited_by is not None and invited_by.workspace_id != workspace.pk:
        raise ValidationError("The inviter is not in this workspace.")
    _check_segment(workspace, department, location)
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email, is_active=True).exists():
        raise ValidationError(f"{email} is already a member of {workspace.name}.")
    token = Invitation.new_token()
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(workspace=workspace, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        created = invitation is None
        if invitation is None:
            invitation = Invitation(workspace=workspace, email=email)
        invitation.role = role
        invitation.department = department
        invitation.location = location
        invitation.invited_by = invited_by
        invitation.token_hash = Invitation.hash_token(token)
        invitation.created_at = now
        invitation.expires_at = now + INVITATION_VALID_FOR
        invitation.save()
        if send:
            # Sent inside the transaction: if the mail server refuses, nothing is recorded and the admin
            # sees the error and can retry.
            _send_invitation_email(invitation, token)
    return InviteResult(invitation=invitation, token=token, created=created)


def resend_invitation(invitation: Invitation, *, by: Membership | None) -> InviteResult:
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError("That invitation was already used or revoked.")
    return invite_member(
        invitation.workspace,
        email=invitation.email,
        invited_by=by or invitation.invited_by,
        role=invitation.role,
        department=invitation.department,
        location=invitation.location,
    )


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError("That invitation was already accepted; deactivate the member instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


class InvitationUnusable(Exception):
    """The token is unknown, expired, revoked or already used. ``reason`` is shown to the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_invitation(token: str) -> Invitation:
    """The usable invitation for ``token``; raise ``InvitationUnusable`` with a friendly reason otherwise."""
    invitation = Invitation.objects.select_related("workspace").filter(token_hash=Invitation.hash_token(token)).first()
    return check_usable(invitation)


def check_usable(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise InvitationUnusable("This invitation link is not valid. It may have been replaced by a newer one.")
    if invitation.revoked_at is not None:
        raise InvitationUnusable("This invitation was withdrawn.")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("This invitation was already used.")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("This invitation has expired.")
    return invitation


def belongs_elsewhere(user: AbstractBaseUser, workspace: Workspace) -> bool:
    """Whether the account belongs to a workspace other than ``workspace``: has a membership there, active or
    deactivated, that is not merely awaiting the person's acceptance.

    Such an account is its owner's to attach: ``workspace`` may invite it, never attach, activate or lock it
    without the person accepting while signed in, and its identity provider cannot sign it in (ADR 0024). An
    account that belongs to no other workspace (new, or created by ``workspace`` itself) can be provisioned
    directly. A pending membership elsewhere does not count: an unanswered invitation of one workspace must
    not change what another may do.
    """
    return (
        Membership.objects.filter(user_id=user.pk, awaiting_acceptance=False)
        .exclude(workspace_id=workspace.pk)
        .exists()
    )


def add_pending_member(
    workspace: Workspace,
    user: User,
    *,
    display_name: str,
    role: str = Role.EMPLOYEE,
    department: Department | None = None,
    invited_by: Membership | None = None,
) -> Membership:
    """A membership awaiting the person's acceptance, for an account that belongs to another workspace.

    It is inactive and grants nothing (every access check asks for ``is_active``); the person gets an emailed
    invitation, after the commit, and joins only by accepting it while signed in (``accept_invitation``).
    """
    with transaction.atomic():
        result = invite_member(
            workspace, email=user.email, invited_by=invited_by, role=role, department=department, send=False
        )
        member = Membership.objects.create(
            workspace=workspace,
            user=user,
            role=role,
            department=department,
            # Not the account's own name: until they accept, the workspace knows only what it sent.
            display_name=" ".join(display_name.split())[:120] or user.email.split("@", 1)[0][:120],
            is_active=False,
            awaiting_acceptance=True,
        )
        transaction.on_commit(partial(_send_invitation_quietly, result.invitation.pk, result.token))
    return member


def _send_invitation_quietly(invitation_id: int, token: str) -> None:
    """Email an invitation after the commit; a mail failure is logged (an admin can resend it)."""
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_usable:
        return
    try:
        _send_invitation_email(invitation, token)
    except OSError:
        log.exception("Invitation %s could not be emailed", invitation_id)


def reinvite_pending(member: Membership) -> bool:
    """Send a new invitation to a member awaiting acceptance when none is usable. True when one was sent."""
    if not member.awaiting_acceptance:
        return False
    email = member.user.email
    now = timezone.now()
    usable = Invitation.objects.filter(
        workspace_id=member.workspace_id,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    if usable.exists():
        return False
    with transaction.atomic():
        result = invite_member(
            member.workspace, email=email, invited_by=None, role=member.role, department=member.department, send=False
        )
        transaction.on_commit(partial(_send_invitation_quietly, result.invitation.pk, result.token))
    return True


def _withdraw_invitations(member: Membership) -> int:
    return Invitation.objects.filter(
        workspace_id=member.workspace_id,
        email__iexact=member.user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """``user`` joins the workspace with the role, department and location of the invitation.

    Call it only on the person's own request (see ``invitations.py``). An existing active member just keeps
    their membership; a deactivated one is reactivated; one awaiting acceptance becomes active. A membership
    awaiting acceptance is accepted only by its own account, not by whoever opens the link.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("workspace").get(pk=invitation.pk)
        check_usable(locked)
        held_for_other = (
            Membership.objects.filter(
                workspace=locked.workspace, awaiting_acceptance=True, user__email__iexact=locked.email
            )
            .exclude(user_id=user.pk)
            .exists()
        )
        if held_for_other:
            raise InvitationUnusable(
                f"This invitation is for the Groundswell account {locked.email}: sign in with it to accept."
            )
        member = Membership.objects.select_for_update().filter(workspace=locked.workspace, user=user).first()
        if member is None:
            try:
                with transaction.atomic():
                    member = Membership.objects.create(
                        workspace=locked.workspace,
                        user=user,
                        role=locked.role,
                        department=locked.department,
                        location=locked.location,
                        display_name=_default_display_name(user),
                    )
            except IntegrityError:  # joined concurrently
                member = Membership.objects.get(workspace=locked.workspace, user=user)
        elif not member.is_active:
            member.is_active = True
            member.awaiting_acceptance = False
            member.role = locked.role
            member.department = locked.department
            member.location = locked.location
            member.save(update_fields=["is_active", "awaiting_acceptance", "role", "department", "location"])
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return member


# --- Members --------------------------------------------------------------------------------------

_UNSET: Any = object()


def _other_active_admins(member: Membership) -> bool:
    return (
        Membership.objects.filter(workspace_id=member.workspace_id, role=Role.ADMIN, is_active=True)
        .exclude(pk=member.pk)
        .exists()
    )


def update_member(
    member: Membership,
    *,
    role: str = _UNSET,
    department: Department | None = _UNSET,
    location: Location | None = _UNSET,
    manager: Membership | None = _UNSET,
) -> Membership:
    """Change a member's role, department, location or manager (only the arguments given)."""
    workspace = member.workspace
    fields: list[str] = []
    with transaction.atomic():
        # Lock the workspace's admins so two admins cannot demote each other at once.
        list(Membership.objects.select_for_update().filter(workspace=workspace, role=Role.ADMIN))
        if role is not _UNSET:
            if role not in Role.values:
                raise ValidationError("Pick a role.")
            if member.role == Role.ADMIN and role != Role.ADMIN and not _other_active_admins(member):
                raise ValidationError("A workspace needs at least one program admin; promote someone else first.")
            member.role = role
            fields.append("role")
        if department is not _UNSET:
            _check_segment(workspace, department, None)
            member.department = department
            fields.append("department")
        if location is not _UNSET:
            _check_segment(workspace, None, location)
            member.location = location
            fields.append("location")
        if manager is not _UNSET:
            if manager is not None:
                if manager.workspace_id != workspace.pk:
                    raise ValidationError("The manager must be a member of this workspace.")
                if manager.pk == member.pk:
                    raise ValidationError("Someone cannot be their own manager.")
                seen = {member.pk}
                cursor: Membership | None = manager
                while cursor is not None:
                    if cursor.pk in seen:
                        raise ValidationError(
                            f"{manager.display_name} reports (directly or indirectly) to {member.display_name}; "
                            "that would make a loop."
                        )
                    seen.add(cursor.pk)
                    cursor = cursor.manager
            member.manager = manager
            fields.append("manager")
        if fields:
            member.save(update_fields=fields)
    return member


def deactivate_member(member: Membership, *, reason: str = DeactivationReason.ADMIN) -> Membership:
    """Turn a member off. Their shares, clicks and points stay; their API tokens stop working.

    Admins, SCIM deprovisioning and leaving the program all come here (``reason`` says which). When the member
    actually goes from active to inactive, ``signals.member_deactivated`` is sent after the commit, and the
    domain apps hand on what the member held: team seats, open customer cases, brand-account shifts.
    """
    if reason not in DeactivationReason.values:
        raise ValueError(f"unknown deactivation reason {reason!r}")
    with transaction.atomic():
        list(Membership.objects.select_for_update().filter(workspace_id=member.workspace_id, role=Role.ADMIN))
        if member.role == Role.ADMIN and member.is_active and not _other_active_admins(member):
            raise ValidationError("You cannot deactivate the last program admin.")
        # The claim: only the call that switches the member off tells the other apps (once).
        switched = Membership.objects.filter(pk=member.pk, is_active=True).update(is_active=False)
        member.is_active = False
        if member.awaiting_acceptance:  # never accepted: the invitation is withdrawn too
            _withdraw_invitations(member)
        ApiToken.objects.filter(member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if switched:
            transaction.on_commit(partial(send_member_deactivated, member.pk, reason))
    return member


def reactivate_member(member: Membership) -> Membership:
    """Switch a deactivated member on again. What was handed on when they were deactivated (team seats,
    brand-account shifts, open cases) is not given back: others hold it now."""
    from groundswell.privacy.actions import left_on_their_own

    if member.awaiting_acceptance:
        raise ValidationError(
            f"{member.display_name} has not accepted the invitation yet; they join when they accept it."
        )
    if not member.is_active and left_on_their_own(member):
        raise ValidationError(
            f"{member.display_name} left the program themselves; they can come back through a new invitation."
        )
    if not member.is_active:
        member.is_active = True
        member.save(update_fields=["is_active"])
    return member


# --- Departments and locations --------------------------------------------------------------------

Segment = Department | Location


def _clean_segment_name(model: type[Segment], workspace: Workspace, name: str, exclude: int | None = None) -> str:
    name = " ".join(name.split())
    label = model._meta.verbose_name
    if not name:
        raise ValidationError(f"Give the {label} a name.")
    if len(name) > 120:
        raise ValidationError(f"Keep the {label} name under 120 characters.")
    clash = model.objects.filter(workspace=workspace, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(f"There is already a {label} called {name!r}.")
    return name


def add_segment(model: type[Segment], workspace: Workspace, name: str) -> Segment:
    name = _clean_segment_name(model, workspace, name)
    try:
        with transaction.atomic():
            return model.objects.create(workspace=workspace, name=name)
    except IntegrityError:
        raise ValidationError(f"There is already a {model._meta.verbose_name} called {name!r}.") from None


def rename_segment(segment: Segment, name: str) -> Segment:
    name = _clean_segment_name(type(segment), segment.workspace, name, exclude=segment.pk)
    segment.name = name
    try:
        with transaction.atomic():
            segment.save(update_fields=["name"])
    except IntegrityError:
        raise ValidationError(f"There is already a {segment._meta.verbose_name} called {name!r}.") from None
    return segment


def delete_segment(segment: Segment) -> None:
    """Members and invitations in it are left without one; history (rollups) is untouched."""
    segment.delete()


def add_department(workspace: Workspace, name: str) -> Department:
    result = add_segment(Department, workspace, name)
    assert isinstance(result, Department)
    return result


def add_location(workspace: Workspace, name: str) -> Location:
    result = add_segment(Location, workspace, name)
    assert isinstance(result, Location)
    return result


# --- Profile --------------------------------------------------------------------------------------


def update_profile(
    member: Membership,
    *,
    display_name: str,
    title: str = "",
    mastodon_instance: str = "",
    interests: Iterable[Any] = (),
    audience_size: int = 0,
) -> Membership:
    """Save what the member says about themselves. Privacy switches (leaderboard visibility, sharing with the
    manager) are the privacy centre's: ``groundswell.privacy.actions``."""
    from groundswell.content.models import Topic
    from groundswell.networks.mastodon.intent import normalise_instance

    display_name = display_name.strip()
    if not display_name:
        raise ValidationError("Tell your colleagues what to call you.")
    instance = mastodon_instance.strip()
    if instance:
        try:
            instance = normalise_instance(instance)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    if audience_size < 0:
        raise ValidationError("Audience size cannot be negative.")
    topic_ids = {getattr(t, "pk", t) for t in interests}
    topics = list(Topic.objects.filter(workspace_id=member.workspace_id, pk__in=topic_ids))
    if len(topics) != len(topic_ids):
        raise ValidationError("Pick interests from this workspace's topics.")
    with transaction.atomic():
        member.display_name = display_name[:120]
        member.title = title.strip()[:120]
        member.mastodon_instance = instance
        member.audience_size = audience_size
        member.save(update_fields=["display_name", "title", "mastodon_instance", "audience_size"])
        member.interests.set(topics)
    return member
