"""The updates feed (every member), the admin editor, the digest settings and the public unsubscribe page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from groundswell.lib.periods import local_day
from groundswell.policy.rendering import render_markdown
from groundswell.updates.actions import (
    UpdateError,
    delete_update,
    edit_update,
    post_update,
    set_digest_frequency,
    set_pinned,
)
from groundswell.updates.digest import frequency_of, member_for_token
from groundswell.updates.forms import DigestForm, UpdateForm
from groundswell.updates.models import Frequency
from groundswell.updates.queries import live_updates, with_progress
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

PAGE_SIZE = 15


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": "program", **context})


@login_required
def feed(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    today = local_day(timezone.now(), workspace.timezone)
    paginator = Paginator(live_updates(workspace).order_by("-pinned", "-posted_at", "-pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return _page(
        request,
        "updates/feed.html",
        member,
        page=page,
        entries=[
            (view, render_markdown(view.update.body_markdown)) for view in with_progress(list(page.object_list), today)
        ],
    )


def _save(request: HttpRequest, ws: str, update_id: int | None) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    update = get_for_workspace(live_updates(workspace), workspace, pk=update_id) if update_id is not None else None
    initial = {"title": update.title, "body_markdown": update.body_markdown, "goal": update.goal} if update else {}
    form = UpdateForm(request.POST if request.method == "POST" else None, initial=initial, workspace=workspace)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "preview":
            preview = {"title": data["title"], "body_html": render_markdown(data["body_markdown"])}
        else:
            try:
                if update is None:
                    post_update(
                        workspace=workspace,
                        author=member,
                        title=data["title"],
                        body_markdown=data["body_markdown"],
                        goal=data["goal"],
                    )
                else:
                    edit_update(
                        update=update, title=data["title"], body_markdown=data["body_markdown"], goal=data["goal"]
                    )
            except UpdateError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Update posted." if update is None else "Update saved.")
                return redirect("updates:feed", ws=ws)
    return _page(request, "updates/form.html", member, form=form, update=update, preview=preview)


@login_required
@allow_methods("GET", "POST")
def create(request: HttpRequest, ws: str) -> HttpResponse:
    return _save(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def edit(request: HttpRequest, ws: str, update_id: int) -> HttpResponse:
    return _save(request, ws, update_id)


@login_required
@allow_methods("POST")
def delete(request: HttpRequest, ws: str, update_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    update = get_for_workspace(live_updates(member.workspace), member.workspace, pk=update_id)
    delete_update(update=update)
    messages.success(request, f"Update “{update.title}” deleted.")
    return redirect("updates:feed", ws=ws)


@login_required
@allow_methods("POST")
def pin(request: HttpRequest, ws: str, update_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    update = get_for_workspace(live_updates(member.workspace), member.workspace, pk=update_id)
    pinned = request.POST.get("pinned") != "0"
    try:
        set_pinned(update=update, pinned=pinned)
    except UpdateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Pinned to the top." if pinned else "Unpinned.")
    return redirect("updates:feed", ws=ws)


@login_required
@allow_methods("GET", "POST")
def digest_settings(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    form = DigestForm(request.POST if request.method == "POST" else None, initial={"frequency": frequency_of(member)})
    if request.method == "POST" and form.is_valid():
        set_digest_frequency(member=member, frequency=form.cleaned_data["frequency"])
        messages.success(request, "Digest setting saved.")
        return redirect("updates:digest_settings", ws=ws)
    return _page(request, "updates/digest_settings.html", member, form=form, nav="digest")


# --- Public: the unsubscribe link of the digest (no login; the signed token is the credential) -----------


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a CSRF token; the signed token authorises it
@allow_methods("GET", "POST")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    member = member_for_token(token)
    if member is None or not member.is_active:
        return render(request, "updates/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        set_digest_frequency(member=member, frequency=Frequency.NEVER)
        done = True
    return render(
        request,
        "updates/unsubscribe.html",
        {"target": member, "target_workspace": member.workspace, "done": done, "token": token},
    )
