"""People pages: members, invitations, departments and locations, workspace settings, and the profile.

Every view looks up the membership first (404 for outsiders) and checks the role before it looks at the
method or the input, so a stranger learns nothing from any response.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from groundswell.content.models import Topic
from groundswell.workspaces import actions, offboarding
from groundswell.workspaces.access import get_for_workspace, get_membership, require_role
from groundswell.workspaces.forms import (
    InviteForm,
    MemberFilterForm,
    MemberForm,
    NewWorkspaceForm,
    ProfileForm,
    SegmentForm,
    WorkspaceSettingsForm,
)
from groundswell.workspaces.models import Department, Invitation, Location, Membership, Role
from groundswell.workspaces.signals import DeactivationReason

log = logging.getLogger(__name__)
PAGE_SIZE = 25


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member


def _post_only(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _ctx(member: Membership, nav: str = "people", **extra: Any) -> dict[str, Any]:
    return {"member": member, "workspace": member.workspace, "nav": nav, **extra}


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --- Members --------------------------------------------------------------------------------------


def _filtered_members(member: Membership, form: MemberFilterForm) -> QuerySet[Membership]:
    qs = Membership.objects.filter(workspace=member.workspace).select_related(
        "user", "department", "location", "manager"
    )
    if not form.is_valid():
        return qs.filter(is_active=True)
    data = form.cleaned_data
    status = data.get("status") or "active"
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(Q(display_name__icontains=q) | Q(user__email__icontains=q) | Q(title__icontains=q))
    if data.get("department"):
        qs = qs.filter(department=data["department"])
    if data.get("location"):
        qs = qs.filter(location=data["location"])
    if data.get("role"):
        qs = qs.filter(role=data["role"])
    return qs.order_by("display_name", "pk")


@login_required
def people(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    return _render_people(request, member, InviteForm(workspace=member.workspace))


def _render_people(
    request: HttpRequest, member: Membership, invite_form: InviteForm, status: int = 200
) -> HttpResponse:
    workspace = member.workspace
    filters = MemberFilterForm(request.GET or None, workspace=workspace)
    members = _filtered_members(member, filters)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    pending = (
        Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("department", "location", "invited_by")
        .order_by("email")
    )
    context = _ctx(
        member,
        filters=filters,
        page=page,
        query=urlencode(kept),
        filtering=bool(kept),
        total_members=Membership.objects.filter(workspace=workspace, is_active=True).count(),
        invite_form=invite_form,
        invitations=pending,
    )
    return render(request, "workspaces/people.html", context, status=status)


@login_required
def invite(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    if (resp := _post_only(request)) is not None:
        return resp
    form = InviteForm(request.POST, workspace=member.workspace)
    if not form.is_valid():
        return _render_people(request, member, form, status=400)
    sent: list[str] = []
    problems: list[str] = []
    for email in form.cleaned_data["emails"]:
        try:
            actions.invite_member(
                member.workspace,
                email=email,
                invited_by=member,
                role=form.cleaned_data["role"],
                department=form.cleaned_data["department"],
                location=form.cleaned_data["location"],
            )
            sent.append(email)
        except ValidationError as exc:
            problems.append(_error_text(exc))
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("invitation email to %s failed: %s", email, exc)
            problems.append(f"Could not send the email to {email} (the mail server said: {exc}). Try again later.")
    if sent:
        messages.success(request, f"Invitation sent to {', '.join(sent)}.")
    for problem in problems:
        messages.error(request, problem)
    return redirect("workspaces:people", ws=ws)


@login_required
def invitation_revoke(request: HttpRequest, ws: str, invitation_id: int) -> HttpResponse:
    member = _admin(request, ws)
    invitation = get_for_workspace(Invitation.objects.all(), member.workspace, pk=invitation_id)
    if (resp := _post_only(request)) is not None:
        return resp
    try:
        actions.revoke_invitation(invitation)
        messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("workspaces:people", ws=ws)


@login_required
def invitation_resend(request: HttpRequest, ws: str, invitation_id: int) -> HttpResponse:
    member = _admin(request, ws)
    invitation = get_for_workspace(Invitation.objects.select_related("workspace"), member.workspace, pk=invitation_id)
    if (resp := _post_only(request)) is not None:
        return resp
    try:
        actions.resend_invitation(invitation, by=member)
        messages.success(request, f"A new invitation link was sent to {invitation.email}.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except (OSError, smtplib.SMTPException) as exc:
        messages.error(request, f"Could not send the email to {invitation.email} ({exc}). Try again later.")
    return redirect("workspaces:people", ws=ws)


@login_required
def member_edit(request: HttpRequest, ws: str, member_id: int) -> HttpResponse:
    me = _admin(request, ws)
    target = get_for_workspace(
        Membership.objects.select_related("workspace", "user", "manager"), me.workspace, pk=member_id
    )
    initial = {
        "role": target.role,
        "department": target.department_id,
        "location": target.location_id,
        "manager": target.manager_id,
    }
    if request.method == "POST":
        form = MemberForm(request.POST, workspace=me.workspace, member=target, initial=initial)
        if form.is_valid():
            try:
                actions.update_member(
                    target,
                    role=form.cleaned_data["role"],
                    department=form.cleaned_data["department"],
                    location=form.cleaned_data["location"],
                    manager=form.cleaned_data["manager"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Saved changes to {target.display_name}.")
                return redirect("workspaces:people", ws=ws)
        status = 400
    else:
        form = MemberForm(workspace=me.workspace, member=target, initial=initial)
        status = 200
    # What deactivating them would hand on (team seats, open cases, shifts): read-only previews of the apps.
    handed_on = offboarding.preview(target) if target.is_active else []
    context = _ctx(me, target=target, form=form, handed_on=handed_on)
    return render(request, "workspaces/member_edit.html", context, status=status)


@login_required
def member_deactivate(request: HttpRequest, ws: str, member_id: int) -> HttpResponse:
    me = _admin(request, ws)
    target = get_for_workspace(Membership.objects.select_related("workspace"), me.workspace, pk=member_id)
    if (resp := _post_only(request)) is not None:
        return resp
    handed_on = offboarding.preview(target) if target.is_active else []
    try:
        actions.deactivate_member(target, reason=DeactivationReason.ADMIN)
        messages.success(
            request,
            " ".join([f"{target.display_name} was deactivated. Their history stays in the reports.", *handed_on]),
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    if target.pk == me.pk and not target.is_active:
        return redirect("index")
    return redirect("workspaces:people", ws=ws)


@login_required
def member_reactivate(request: HttpRequest, ws: str, member_id: int) -> HttpResponse:
    me = _admin(request, ws)
    target = get_for_workspace(Membership.objects.select_related("workspace"), me.workspace, pk=member_id)
    if (resp := _post_only(request)) is not None:
        return resp
    try:
        actions.reactivate_member(target)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("workspaces:member_edit", ws=ws, member_id=target.pk)
    messages.success(
        request,
        f"{target.display_name} is active again. Team seats and brand-account shifts handed on when they were "
        "deactivated are not given back: they can apply to a team again, and an admin can assign new shifts.",
    )
    return redirect("workspaces:people", ws=ws)


# --- Departments and locations --------------------------------------------------------------------


@login_required
def segments(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    return _render_segments(request, member)


def _render_segments(
    request: HttpRequest, member: Membership, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    workspace = member.workspace
    counts: dict[tuple[str, int], int] = {}
    for field in ("department", "location"):
        rows = (
            Membership.objects.filter(workspace=workspace, is_active=True, **{f"{field}__isnull": False})
            .values_list(f"{field}_id")
            .order_by()
        )
        for (pk,) in rows:
            counts[(field, pk)] = counts.get((field, pk), 0) + 1
    departments = [(d, counts.get(("department", d.pk), 0)) for d in Department.objects.filter(workspace=workspace)]
    locations = [(loc, counts.get(("location", loc.pk), 0)) for loc in Location.objects.filter(workspace=workspace)]
    context = _ctx(member, departments=departments, locations=locations, errors=errors or {})
    return render(request, "workspaces/segments.html", context, status=status)


def _segment_write(request: HttpRequest, member: Membership, key: str, write: Any, done: str) -> HttpResponse:
    form = SegmentForm(request.POST)
    if not form.is_valid():
        return _render_segments(request, member, {key: "Give it a name (at most 120 characters)."}, status=400)
    try:
        write(form.cleaned_data["name"])
    except ValidationError as exc:
        return _render_segments(request, member, {key: _error_text(exc)}, status=400)
    messages.success(request, done)
    return redirect("workspaces:segments", ws=member.workspace.slug)


@login_required
def department_add(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    if (resp := _post_only(request)) is not None:
        return resp
    return _segment_write(
        request, member, "department_add", lambda n: actions.add_department(member.workspace, n), "Department added."
    )


@login_required
def location_add(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    if (resp := _post_only(request)) is not None:
        return resp
    return _segment_write(
        request, member, "location_add", lambda n: actions.add_location(member.workspace, n), "Location added."
    )


@login_required
def department_rename(request: HttpRequest, ws: str, department_id: int) -> HttpResponse:
    member = _admin(request, ws)
    dept = get_for_workspace(Department.objects.select_related("workspace"), member.workspace, pk=department_id)
    if (resp := _post_only(request)) is not None:
        return resp
    return _segment_write(
        request, member, "department_rename", lambda n: actions.rename_segment(dept, n), "Department renamed."
    )


@login_required
def location_rename(request: HttpRequest, ws: str, location_id: int) -> HttpResponse:
    member = _admin(request, ws)
    loc = get_for_workspace(Location.objects.select_related("workspace"), member.workspace, pk=location_id)
    if (resp := _post_only(request)) is not None:
        return resp
    return _segment_write(
        request, member, "location_rename", lambda n: actions.rename_segment(loc, n), "Location renamed."
    )


@login_required
def department_delete(request: HttpRequest, ws: str, department_id: int) -> HttpResponse:
    member = _admin(request, ws)
    dept = get_for_workspace(Department.objects.all(), member.workspace, pk=department_id)
    if (resp := _post_only(request)) is not None:
        return resp
    actions.delete_segment(dept)
    messages.success(request, f"Department {dept.name} deleted; its members now have no department.")
    return redirect("workspaces:segments", ws=ws)


@login_required
def location_delete(request: HttpRequest, ws: str, location_id: int) -> HttpResponse:
    member = _admin(request, ws)
    loc = get_for_workspace(Location.objects.all(), member.workspace, pk=location_id)
    if (resp := _post_only(request)) is not None:
        return resp
    actions.delete_segment(loc)
    messages.success(request, f"Location {loc.name} deleted; its members now have no location.")
    return redirect("workspaces:segments", ws=ws)


# --- Workspace settings ---------------------------------------------------------------------------


@login_required
def workspace_settings(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    workspace = member.workspace
    initial = {"name": workspace.name, "timezone": workspace.timezone}
    status = 200
    if request.method == "POST":
        form = WorkspaceSettingsForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                actions.update_workspace(
                    workspace, name=form.cleaned_data["name"], time_zone=form.cleaned_data["timezone"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Workspace settings saved.")
                return redirect("workspaces:settings", ws=ws)
        status = 400
    else:
        form = WorkspaceSettingsForm(initial=initial)
    return render(request, "workspaces/settings.html", _ctx(member, form=form), status=status)


# --- Profile (every member) -----------------------------------------------------------------------


@login_required
def profile(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    topics = Topic.objects.filter(workspace=member.workspace).order_by("name")
    initial = {
        "display_name": member.display_name,
        "title": member.title,
        "mastodon_instance": member.mastodon_instance,
        "interests": list(member.interests.values_list("pk", flat=True)),
        "audience_size": member.audience_size,
    }
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, topics=topics, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_profile(
                    member,
                    display_name=data["display_name"],
                    title=data["title"],
                    mastodon_instance=data["mastodon_instance"],
                    interests=data["interests"],
                    audience_size=data["audience_size"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Profile saved.")
                return redirect("workspaces:profile", ws=ws)
        status = 400
    else:
        form = ProfileForm(topics=topics, initial=initial)
    return render(
        request,
        "workspaces/profile.html",
        _ctx(member, nav="profile", form=form, has_topics=topics.exists()),
        status=status,
    )


# --- Self-service workspace creation --------------------------------------------------------------


def can_start_workspace(request: HttpRequest) -> bool:
    return request.user.is_authenticated and (settings.GROUNDSWELL_OPEN_SIGNUP or request.user.is_superuser)


@login_required
def start_workspace(request: HttpRequest) -> HttpResponse:
    """Create a workspace and become its first program admin (open sign-up installs and superusers)."""
    if not can_start_workspace(request):
        raise Http404("Not found")
    status = 200
    if request.method == "POST":
        form = NewWorkspaceForm(request.POST)
        if form.is_valid():
            try:
                member = actions.create_workspace(
                    name=form.cleaned_data["name"],
                    user=request.user,  # type: ignore[arg-type]
                    display_name=form.cleaned_data["display_name"],
                    time_zone=form.cleaned_data["timezone"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{member.workspace.name} is ready. Start by inviting your colleagues.")
                return redirect("workspaces:people", ws=member.workspace.slug)
        status = 400
    else:
        form = NewWorkspaceForm(initial={"timezone": settings.TIME_ZONE})
    return render(request, "workspaces/start.html", {"form": form}, status=status)
