"""The Teams bot's endpoints: the messaging endpoint the Bot Connector calls, the page an admin opens from the
"Connect this team" card, and the Teams admin page with the app package to upload."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from groundswell.chat.actions import ChatActionError, remove_installation
from groundswell.chat.errors import ChatError
from groundswell.chat.models import ChatInstallation, Platform
from groundswell.chat.teams import actions, activities, auth, client, manifest
from groundswell.chat.teams.connect import ConnectLinkError, read_token
from groundswell.workspaces.access import allow_methods, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

log = logging.getLogger(__name__)


def _refuse(status: int, reason: str) -> HttpResponse:
    log.info("teams: refused an inbound request (%s): %s", status, reason)
    return HttpResponse(status=status)


@csrf_exempt
@allow_methods("POST")
def messages(request: HttpRequest) -> HttpResponse:
    """The bot's messaging endpoint (``{SITE_URL}/chat/teams/messages`` in the Azure Bot's configuration).

    Nothing is done before the bearer token is verified (``auth.verify``); an activity seen before is refused.
    """
    if not client.configured():
        return _refuse(404, "Teams is not configured")
    try:
        activity = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        activity = None
    if not isinstance(activity, dict):
        return _refuse(400, "not a JSON activity")
    try:
        auth.verify(request.headers.get("Authorization"), activity)
        auth.check_timestamp(activity)
    except auth.Unauthenticated as exc:
        return _refuse(401, str(exc))
    except auth.Forbidden as exc:
        return _refuse(403, str(exc))
    ctx = activities.Context.of(activity)
    if settings.TEAMS_TENANT_ID and ctx.tenant_id != settings.TEAMS_TENANT_ID:
        return _refuse(403, f"tenant {ctx.tenant_id!r} is not this single-tenant bot's")
    try:
        client.check_service_url(ctx.service_url)
    except ChatError as exc:
        return _refuse(403, exc.message)
    if not activity.get("id") or not ctx.conversation_id:
        return _refuse(400, "an activity without an id or a conversation")
    if not actions.remember_activity(activity):
        return _refuse(403, "activity already handled (replay)")
    body = activities.handle(activity)
    if body is not None:
        return JsonResponse(body)
    return HttpResponse(status=200)


def _admin_memberships(request: HttpRequest) -> list[Membership]:
    return list(
        Membership.objects.select_related("workspace")
        .filter(user_id=request.user.pk or 0, is_active=True, role=Role.ADMIN)
        .order_by("workspace__name")
    )


@login_required
@allow_methods("GET", "POST")
def connect(request: HttpRequest, token: str) -> HttpResponse:
    """An admin connects the team the bot was added to: pick the workspace, confirm."""
    try:
        team = read_token(token)
    except ConnectLinkError as exc:
        return render(request, "chat/teams/connect.html", {"error": str(exc)}, status=400)
    choices = _admin_memberships(request)
    context: dict[str, Any] = {"team": team, "choices": choices}
    if request.method == "POST":
        slug = request.POST.get("workspace", "")
        member = None
        if any(m.workspace.slug == slug for m in choices):
            member = get_membership(request.user, slug)  # the workspace's own entry rules (SSO) apply
        if member is None or not member.is_admin:
            context["error"] = "Choose one of your workspaces."
            return render(request, "chat/teams/connect.html", context, status=400)
        try:
            actions.connect_team(member, team)
        except ChatActionError as exc:
            context["error"] = str(exc)
            return render(request, "chat/teams/connect.html", context, status=400)
        return redirect(reverse("chat:teams_admin", kwargs={"ws": member.workspace.slug}) + "?connected=1")
    return render(request, "chat/teams/connect.html", context)


def section(member: Membership) -> dict[str, Any]:
    """What the Teams part of the chat admin page shows (``chat/teams/_admin_section.html`` reads ``teams``)."""
    installation = ChatInstallation.objects.filter(workspace_id=member.workspace_id, platform=Platform.TEAMS).first()
    return {
        "configured": client.configured(),
        "installation": installation,
        "endpoint": settings.SITE_URL + reverse("chat_public:teams_messages"),
        "app_id": settings.TEAMS_APP_ID,
        "https": settings.SITE_URL.startswith("https://"),
        "page_url": reverse("chat:teams_admin", kwargs={"ws": member.workspace.slug}),
        "package_url": reverse("chat:teams_package", kwargs={"ws": member.workspace.slug}),
    }


@login_required
@allow_methods("GET")
def admin(request: HttpRequest, ws: str) -> HttpResponse:
    """Microsoft Teams for admins: the state of the connection, and how to set the bot up."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    context = {
        "workspace": member.workspace,
        "member": member,
        "teams": section(member),
        "connected_now": request.GET.get("connected") == "1",
    }
    return render(request, "chat/teams/admin.html", context)


@login_required
@allow_methods("GET")
def package(request: HttpRequest, ws: str) -> HttpResponse:
    """The Teams app package (manifest and icons) to upload in Teams."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    if not client.configured():
        return redirect("chat:teams_admin", ws=member.workspace.slug)  # the page says what to set first
    response = HttpResponse(manifest.package(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="groundswell-teams-app.zip"'
    return response


@login_required
@allow_methods("POST")
def disconnect(request: HttpRequest, ws: str) -> HttpResponse:
    """Disconnect Teams from the workspace: nothing more is posted, members' Teams links are forgotten. The app
    stays in the team until someone removes it there (adding it again posts a new connect card)."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    installation = ChatInstallation.objects.filter(workspace_id=member.workspace_id, platform=Platform.TEAMS).first()
    if installation is not None:
        remove_installation(member, installation)
        flash.success(
            request, "Microsoft Teams is disconnected. Remove the Groundswell app from the team in Teams too."
        )
    return redirect("chat:teams_admin", ws=member.workspace.slug)
