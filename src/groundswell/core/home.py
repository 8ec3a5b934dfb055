"""Employee home (placeholder until the analytics work lands)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundswell.workspaces.access import get_membership


@login_required
def employee_home(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    return render(request, "core/home.html", {"member": member, "workspace": member.workspace})
