"""The chat page of a workspace (/w/<ws>/chat/): each member's linked chat accounts, and for admins the
Slack connection (install, channel, what is posted, status, disconnect, the app manifest); and the page a
chat user opens to link their chat account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from groundswell.chat import actions
from groundswell.chat.errors import ChatError
from groundswell.chat.forms import ChannelForm
from groundswell.chat.handlers import installation_for
from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage, MessageStatus, Platform
from groundswell.chat.slack import install as slack_install
from groundswell.chat.tokens import TokenError, read_link_token
from groundswell.chat.verify import first_sight
from groundswell.workspaces.access import allow_methods, get_membership, require_role
from groundswell.workspaces.models import Membership


def _page(
    request: HttpRequest, template: str, member: Membership, *, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"workspace": member.workspace, "member": member, **context}
    return render(request, template, context, status=status)


def _slack(member: Membership) -> ChatInstallation | None:
    return ChatInstallation.objects.filter(workspace_id=member.workspace_id, platform=Platform.SLACK).first()


def _admin_context(member: Membership, installation: ChatInstallation | None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "slack": installation,
        "slack_configured": slack_install.configured(),
        "manifest": slack_install.manifest_json(),
    }
    if installation is not None:
        counts = ChatMessage.objects.filter(installation=installation).aggregate(
            sent=Count("pk", filter=Q(status=MessageStatus.SENT)),
            failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
            waiting=Count("pk", filter=Q(status=MessageStatus.RETRYING)),
        )
        context["counts"] = counts
        context["linked_count"] = ChatIdentity.objects.filter(
            workspace_id=member.workspace_id, platform=installation.platform
        ).count()
        # Channel messages only: what each member was sent is theirs (privacy.py).
        context["failures"] = list(
            ChatMessage.objects.filter(
                installation=installation, status=MessageStatus.FAILED, member__isnull=True
            ).order_by("-created_at")[:5]
        )
    return context


@login_required
@allow_methods("GET")
def settings_page(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    installations = actions.workspace_installations(member.workspace)
    identities = list(ChatIdentity.objects.filter(member=member).order_by("platform"))
    context: dict[str, Any] = {"identities": identities, "installations": installations}
    if member.is_admin:
        context.update(_admin_context(member, installations.get(Platform.SLACK)))
    return _page(request, "chat/settings.html", member, **context)


@login_required
@allow_methods("GET", "POST")
def link(request: HttpRequest, ws: str) -> HttpResponse:
    """ "Link Slack user <name> (<team>) to your membership in <workspace>?" and, on POST, the link."""
    member = get_membership(request.user, ws)
    token = request.GET.get("token", "")
    try:
        data = read_link_token(token)
    except TokenError as exc:
        return _page(request, "chat/link.html", member, error=str(exc), status=400)
    installation = installation_for(data["p"], data["t"])
    if installation is None or installation.workspace_id != member.workspace_id:
        raise Http404("Not found")
    request_ = actions.LinkRequest(
        platform=data["p"], team_id=data["t"], user_id=data["u"], display_name=data["n"], conversation=data["c"]
    )
    if request.method == "POST":
        # Single use: a link someone else forwarded, once confirmed, cannot link that chat user to a second
        # colleague who is tricked into confirming it too.
        if not first_sight("link", token):
            return _page(request, "chat/link.html", member, error="This link was already used. Ask the bot for a "
                         "new one: type /groundswell link in Slack, or send link to the bot in Teams.",
                         installation=installation, link=request_, status=400)  # fmt: skip
        try:
            actions.link_identity(member, request_)
        except actions.ChatActionError as exc:
            return _page(request, "chat/link.html", member, error=str(exc), installation=installation,
                         link=request_, status=400)  # fmt: skip
        messages.success(
            request, f"Linked: {installation.get_platform_display()} user {request_.display_name or request_.user_id}."
        )
        return redirect("chat:settings", ws=ws)
    return _page(request, "chat/link.html", member, installation=installation, link=request_)


@login_required
@allow_methods("POST")
def unlink(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    platform = request.POST.get("platform", "")
    if platform not in Platform.values:
        raise Http404("Not found")
    if actions.unlink_identity(member, platform):
        messages.success(request, f"Your {Platform(platform).label} account is no longer linked.")
    return redirect("chat:settings", ws=ws)


@login_required
@allow_methods("POST")
def direct_messages(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    platform = request.POST.get("platform", "")
    if platform not in Platform.values:
        raise Http404("Not found")
    enabled = request.POST.get("direct_messages") == "on"
    if actions.set_direct_messages(member, platform, enabled):
        messages.success(request, "Direct messages turned on." if enabled else "Direct messages turned off.")
    return redirect("chat:settings", ws=ws)


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member)  # admins only
    return member


@login_required
@allow_methods("POST")
def slack_install_start(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    if not slack_install.configured():
        messages.error(request, "Slack is not set up on this server yet: see the steps on this page.")
        return redirect("chat:settings", ws=ws)
    return redirect(slack_install.start(request.session, member.workspace.slug, member.pk))


@login_required
@allow_methods("GET", "POST")
def slack_channel(request: HttpRequest, ws: str) -> HttpResponse:
    """Pick the channel (from ``conversations.list``) and what is posted."""
    member = _admin(request, ws)
    installation = _slack(member)
    if installation is None:
        raise Http404("Not found")
    try:
        channels = slack_install.list_channels(installation)
        load_error = ""
    except ChatError as exc:
        channels, load_error = [], exc.message
    choices = [("", "No channel: direct messages only")] + [
        (c.id, f"{'🔒 ' if c.is_private else '#'}{c.name}") for c in channels
    ]
    if installation.channel_id and installation.channel_id not in {c.id for c in channels}:
        choices.append((installation.channel_id, f"#{installation.channel_name or installation.channel_id}"))
    form = ChannelForm(request.POST or None, channel_choices=choices, initial={
        "channel": installation.channel_id, "announce_items": installation.announce_items,
        "send_digest": installation.send_digest, "send_tips": installation.send_tips})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        channel_id = form.cleaned_data["channel"]
        names = {c.id: c.name for c in channels}
        actions.update_installation(
            member,
            installation,
            channel_id=channel_id,
            channel_name=names.get(
                channel_id, installation.channel_name if channel_id == installation.channel_id else ""
            ),
            announce_items=form.cleaned_data["announce_items"],
            send_digest=form.cleaned_data["send_digest"],
            send_tips=form.cleaned_data["send_tips"],
        )
        messages.success(request, "Slack settings saved.")
        return redirect("chat:settings", ws=ws)
    status = 400 if request.method == "POST" else 200
    return _page(request, "chat/slack_channel.html", member, slack=installation, form=form, load_error=load_error,
                 status=status)  # fmt: skip


@login_required
@allow_methods("POST")
def slack_disconnect(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    installation = _slack(member)
    if installation is None:
        raise Http404("Not found")
    note = ""
    try:
        slack_install.revoke(installation)
    except ChatError as exc:
        note = f" Slack said: {exc.message} (the token may already have been revoked; it is deleted here anyway)."
    actions.remove_installation(member, installation)
    messages.success(request, f"Slack disconnected.{note}")
    return redirect("chat:settings", ws=ws)


@login_required
@allow_methods("GET")
def slack_manifest(request: HttpRequest, ws: str) -> HttpResponse:
    _admin(request, ws)
    response = HttpResponse(slack_install.manifest_json(), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="groundswell-slack-manifest.json"'
    return response
