"""Content hub pages. Thin: parse with forms, check access, call ``content.actions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from groundswell.content import actions
from groundswell.content.access import visible_item
from groundswell.content.forms import (
    STATE_TABS,
    CaptionFormSet,
    HubFilterForm,
    ItemForm,
    RejectForm,
    SubmitForm,
    TopicForm,
    captions_from,
)
from groundswell.content.models import Item, ItemState, Topic
from groundswell.content.targeting import items_for_member
from groundswell.lib.pages import paginate
from groundswell.networks.registry import NETWORKS
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

PAGE_SIZE = 30


def _page(request: HttpRequest, template: str, member: Membership, nav: str, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": nav, **context})


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member


def _search(items: QuerySet[Item], f: HubFilterForm) -> tuple[QuerySet[Item], str, str]:
    q = (f.cleaned_data.get("q") or "").strip() if f.is_valid() else ""
    topic = (f.cleaned_data.get("topic") or "") if f.is_valid() else ""
    if q:
        items = items.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(body__icontains=q) | Q(url__icontains=q)
        )
    if topic:
        items = items.filter(topics__slug=topic).distinct()
    return items, q, topic


@login_required
def hub(request: HttpRequest, ws: str) -> HttpResponse:
    """Employees: what is there to share for me. Admins: every item, by state."""
    member = get_membership(request.user, ws)
    f = HubFilterForm(request.GET)
    state = "all"
    counts: dict[str, int] = {}
    if member.is_admin:
        items = Item.objects.filter(workspace=member.workspace)
        counts = dict(items.values_list("state").annotate(n=Count("pk")).order_by())
        state = (f.cleaned_data.get("state") or "all") if f.is_valid() else "all"
        if state != "all":
            items = items.filter(state=state)
        items = items.order_by("-created_at", "-pk")
    else:
        items = items_for_member(member, timezone.now())
    items, q, topic = _search(items, f)
    items = items.prefetch_related("topics")
    tabs = [(key, label, counts.get(key, sum(counts.values()) if key == "all" else 0)) for key, label in STATE_TABS]
    page, query = paginate(request, items, PAGE_SIZE)
    return _page(
        request,
        "content/list.html",
        member,
        "content",
        items=page.object_list,
        page=page,
        query=query,
        topics=Topic.objects.filter(workspace=member.workspace),
        q=q,
        topic=topic,
        state=state,
        tabs=tabs,
        filtered=bool(q or topic),
    )


@login_required
def detail(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    item = visible_item(member, pk)
    return _page(
        request,
        "content/detail.html",
        member,
        "review" if member.is_admin and item.state == ItemState.PENDING else "content",
        item=item,
        captions=[
            (c, NETWORKS[c.network].label if c.network in NETWORKS else "Any network") for c in item.captions.all()
        ],
        topics=item.topics.all(),
        is_live=item.is_live(),
        can={
            "publish": member.is_admin and item.state == ItemState.DRAFT,
            "approve": member.is_admin and item.state == ItemState.PENDING,
            "archive": member.is_admin and actions.can_transition(item, ItemState.ARCHIVED),
            "unpublish": member.is_admin and item.state in (ItemState.PUBLISHED, ItemState.ARCHIVED),
            "edit": member.is_admin,
        },
        reject_form=RejectForm(),
    )


def _item_form_page(request: HttpRequest, member: Membership, item: Item | None) -> HttpResponse:
    ws = member.workspace
    with timezone.override(ws.timezone):
        if request.method == "POST":
            form = ItemForm(request.POST, request.FILES, workspace=ws, item=item)
            formset = CaptionFormSet(request.POST, prefix="captions")
            if form.is_valid() and formset.is_valid():
                data = form.to_data(captions_from(formset))
                try:
                    if item is None:
                        item = actions.create_item(member=member, data=data, publish="publish" in request.POST)
                        messages.success(
                            request, "Item published." if item.state == ItemState.PUBLISHED else "Draft saved."
                        )
                    else:
                        actions.update_item(member=member, item=item, data=data)
                        messages.success(request, "Changes saved.")
                except actions.ContentError as exc:
                    form.add_error(None, str(exc))
                else:
                    return redirect("content:detail", ws=ws.slug, pk=item.pk)
        else:
            form = ItemForm(workspace=ws, item=item)
            initial = [{"network": c.network, "text": c.text} for c in item.captions.all()] if item else []
            formset = CaptionFormSet(prefix="captions", initial=initial)
        return _page(request, "content/form.html", member, "content", form=form, formset=formset, item=item)


@login_required
@allow_methods("GET", "POST")
def create(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    return _item_form_page(request, member, None)


@login_required
@allow_methods("GET", "POST")
def edit(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    member = _admin(request, ws)
    item = get_for_workspace(Item.objects.all(), member.workspace, pk=pk)
    return _item_form_page(request, member, item)


@login_required
@allow_methods("GET", "POST")
def submit(request: HttpRequest, ws: str) -> HttpResponse:
    """Any member suggests an item for the hub."""
    member = get_membership(request.user, ws)
    if request.method == "POST":
        form = SubmitForm(request.POST, workspace=member.workspace)
        if form.is_valid():
            try:
                actions.submit_item(member=member, data=form.to_data())
            except actions.ContentError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Thanks! An admin will review your suggestion.")
                return redirect("content:submissions", ws=ws)
    else:
        form = SubmitForm(workspace=member.workspace)
    return _page(request, "content/submit.html", member, "content", form=form)


@login_required
def submissions(request: HttpRequest, ws: str) -> HttpResponse:
    """The member's own suggestions and what became of them."""
    member = get_membership(request.user, ws)
    items = Item.objects.filter(workspace=member.workspace, submitted_by=member).order_by("-created_at")
    return _page(request, "content/submissions.html", member, "content", items=list(items[:200]))


@login_required
def review(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    items = (
        Item.objects.filter(workspace=member.workspace, state=ItemState.PENDING)
        .select_related("submitted_by")
        .prefetch_related("captions", "topics")
        .order_by("created_at")
    )
    return _page(request, "content/review.html", member, "review", items=list(items), reject_form=RejectForm())


def _state_change(
    request: HttpRequest, ws: str, pk: int, change: Callable[..., Item], done: str, **kwargs: Any
) -> HttpResponse:
    member = _admin(request, ws)
    item = get_for_workspace(Item.objects.all(), member.workspace, pk=pk)
    try:
        change(member=member, item=item, **kwargs)
    except actions.ContentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    target = request.POST.get("next", "")
    if target == "review":
        return redirect("content:review", ws=ws)
    return redirect("content:detail", ws=ws, pk=item.pk)


@login_required
@allow_methods("POST")
def approve(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    return _state_change(request, ws, pk, actions.approve_item, "Approved and published.")


@login_required
@allow_methods("GET", "POST")
def reject(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    member = _admin(request, ws)
    item = get_for_workspace(Item.objects.all(), member.workspace, pk=pk)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reject_item(member=member, item=item, reason=form.cleaned_data["reason"])
        except actions.ContentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Rejected; the submitter sees your reason.")
            if request.POST.get("next") == "review":
                return redirect("content:review", ws=ws)
            return redirect("content:detail", ws=ws, pk=item.pk)
    return _page(request, "content/reject.html", member, "review", item=item, form=form)


@login_required
@allow_methods("POST")
def publish(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    return _state_change(request, ws, pk, actions.publish_item, "Published.")


@login_required
@allow_methods("POST")
def archive(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    return _state_change(request, ws, pk, actions.archive_item, "Archived.")


@login_required
@allow_methods("POST")
def unpublish(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    return _state_change(request, ws, pk, actions.unpublish, "Moved back to drafts.")


@login_required
@allow_methods("GET", "POST")
def topics(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    form = TopicForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = actions.create_topic(member=member, name=form.cleaned_data["name"])
        except actions.ContentError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Topic “{topic.name}” added.")
            return redirect(reverse("content:topics", kwargs={"ws": ws}))
    rows = Topic.objects.filter(workspace=member.workspace).annotate(n_items=Count("items"))
    return _page(request, "content/topics.html", member, "content", topics=list(rows), form=form)
