"""Employee home: what to share next, how I am doing, and how the program is doing.

Core owns the page and the registry, not the panels: each domain registers its panel in its ``AppConfig.ready``
(:func:`register_panel`), so core never imports the domains above it (docs/architecture.md, "Layers"). A panel
is a template and a function that returns its context, or ``None`` to leave the panel out; panels are drawn in
``order``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from groundswell.lib.periods import local_day
from groundswell.workspaces.access import get_membership
from groundswell.workspaces.models import Membership, Workspace


@dataclass(frozen=True)
class Home:
    """What every panel is given: whose home it is, and the moment it is drawn."""

    member: Membership
    workspace: Workspace
    now: dt.datetime
    today: dt.date


@dataclass(frozen=True)
class HomePanel:
    name: str
    order: int
    template: str
    context: Callable[[Home], Mapping[str, object] | None]
    #: Static paths of stylesheets the panel needs, linked once in the page head when the panel is drawn.
    stylesheets: tuple[str, ...] = ()


_PANELS: dict[str, HomePanel] = {}


def register_panel(panel: HomePanel) -> None:
    """Add (or replace, by name) a panel of the home page. Called from an app's ``ready``."""
    _PANELS[panel.name] = panel


def panels() -> list[HomePanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.name))


def share_url(ws: str, item_id: int) -> str:
    """The share page for an item, or the content hub until the share page exists."""
    try:
        return reverse("sharing:share", kwargs={"ws": ws, "item_id": item_id})
    except NoReverseMatch:
        return reverse("content:list", kwargs={"ws": ws})


@login_required
def employee_home(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    workspace = member.workspace
    now = timezone.now()
    home = Home(member=member, workspace=workspace, now=now, today=local_day(now, workspace.timezone))
    drawn: list[str] = []
    stylesheets: list[str] = []
    for panel in panels():
        context = panel.context(home)
        if context is None:
            continue
        stylesheets += [s for s in panel.stylesheets if s not in stylesheets]
        drawn.append(
            render_to_string(panel.template, {"member": member, "workspace": workspace, **context}, request=request)
        )
    return render(
        request,
        "core/home.html",
        {"member": member, "workspace": workspace, "nav": "home", "panels": drawn, "stylesheets": stylesheets},
    )
