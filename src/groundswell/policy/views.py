"""The policy page (every member), the acknowledge button, and the admin editor with its preview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from groundswell.policy.actions import (
    PolicyError,
    acknowledge,
    acknowledgement_rate,
    needs_acknowledgement,
    parse_checklist,
    publish_version,
    starter_draft,
)
from groundswell.policy.forms import PolicyForm
from groundswell.policy.models import PolicyVersion
from groundswell.policy.rendering import render_markdown
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": "policy", **context})


def safe_next(request: HttpRequest, target: str | None) -> str | None:
    """``target`` when it is a path on this site (not another host, not ``//evil``), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return None
    return target


@login_required
def policy_page(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    versions = list(PolicyVersion.objects.filter(workspace=member.workspace).select_related("published_by"))
    current = versions[0] if versions else None
    return _page(
        request,
        "policy/page.html",
        member,
        current=current,
        body_html=render_markdown(current.body_markdown) if current else "",
        history=versions,
        pending=needs_acknowledgement(member) if current else None,
        rate=acknowledgement_rate(current) if current and member.is_admin else None,
    )


@login_required
@allow_methods("POST")
def acknowledge_view(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    version = get_for_workspace(PolicyVersion.objects.all(), member.workspace, number=request.POST.get("version"))
    try:
        acknowledge(member=member, version=version)
    except PolicyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Thanks — you have acknowledged version {version.number} of the policy.")
    return redirect(safe_next(request, request.POST.get("next")) or reverse("policy:page", kwargs={"ws": ws}))


@login_required
@allow_methods("GET", "POST")
def edit_policy(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    current = PolicyVersion.objects.filter(workspace=workspace).order_by("-number").first()
    draft = starter_draft() if current is None else None
    source = current or draft
    assert source is not None
    form = PolicyForm(
        request.POST or None,
        initial={
            "title": source.title,
            "body_markdown": source.body_markdown,
            "checklist": "\n".join(source.checklist),
        },
    )
    preview: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checklist = parse_checklist(data["checklist"])
            if request.POST.get("action") == "publish":
                version = publish_version(
                    workspace=workspace,
                    by=member,
                    title=data["title"],
                    body_markdown=data["body_markdown"],
                    checklist=checklist,
                    summary=data["summary_of_changes"],
                )
                messages.success(request, f"Version {version.number} published. Members will be asked to read it.")
                return redirect("policy:page", ws=ws)
        except PolicyError as exc:
            form.add_error(None, str(exc))
        else:
            preview = {
                "title": data["title"],
                "body_html": render_markdown(data["body_markdown"]),
                "checklist": checklist,
            }
    return _page(
        request,
        "policy/edit.html",
        member,
        form=form,
        current=current,
        from_starter=draft is not None,
        next_number=(current.number + 1) if current else 1,
        preview=preview,
    )
