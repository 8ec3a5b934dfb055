"""Posting pages: the member's scheduled posts, and for admins the outbox overview, the posting policy and
"send to ambassadors" (staggered posts of an item through the accounts members opted in)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.content.models import Item, ItemState
from groundswell.networks import policy as posting_policy
from groundswell.networks.models import AccountStatus, OutboundPost, PostStatus
from groundswell.networks.outbox import ACTIVE, network_label
from groundswell.networks.posting_forms import PostingPolicyForm
from groundswell.sharing import ambassadors
from groundswell.sharing.posting import PostingError, cancel_post
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

PAGE_SIZE = 30


def _page(request: HttpRequest, template: str, member: Membership, nav: str, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": nav, **context})


def _row(post: OutboundPost) -> dict[str, Any]:
    waiting = post.status in ACTIVE
    share = getattr(post, "share", None)  # the reverse side of Share.outbound: none for brand posts, replies
    key = share.network if share is not None else post.account.network if post.account else ""
    return {
        "post": post,
        "network": network_label(key),
        "network_key": key,
        "can_cancel": waiting,
        "needs_reconnect": waiting and post.account is not None and post.account.status == AccountStatus.RECONNECT,
        "account_gone": waiting and post.account is None,
    }


@login_required
@allow_methods("GET")
def my_posts(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    posts = (
        OutboundPost.objects.filter(workspace=member.workspace, share__member=member)
        .select_related("share__item", "account")
        .prefetch_related("log")
        .order_by("-scheduled_at", "-pk")
    )
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(p) for p in page.object_list]
    return _page(
        request,
        "networks/posting/mine.html",
        member,
        "posts",
        page=page,
        rows=rows,
        reconnect=any(r["needs_reconnect"] for r in rows),
    )


@login_required
@allow_methods("POST")
def cancel(request: HttpRequest, ws: str, share_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    post = get_for_workspace(
        OutboundPost.objects.select_related("share"), member.workspace, share__pk=share_id, share__member=member
    )
    try:
        cancelled = cancel_post(member, post)
    except PostingError as exc:
        messages.error(request, str(exc))
    else:
        if cancelled:
            messages.success(request, "Cancelled. Nothing was posted.")
        else:
            messages.warning(request, f"Too late to cancel: this post is {post.get_status_display().lower()}.")
    return redirect("posting:mine", ws=ws)


@login_required
@allow_methods("GET")
def overview(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    posts = OutboundPost.objects.filter(workspace=member.workspace)
    counts = {row["status"]: row["n"] for row in posts.values("status").annotate(n=Count("id")).order_by()}
    by_status = [(value, label, counts.get(value, 0)) for value, label in PostStatus.choices]
    status = request.GET.get("status", "")
    listed = posts.filter(status=status) if status in PostStatus.values else posts
    page = Paginator(
        listed.select_related("share__item", "share__member", "account__member").order_by("-scheduled_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    waiting_reconnect = posts.filter(status__in=ACTIVE, account__status=AccountStatus.RECONNECT).count()
    return _page(
        request,
        "networks/posting/overview.html",
        member,
        "review",
        by_status=by_status,
        total=sum(counts.values()),
        status=status if status in PostStatus.values else "",
        page=page,
        rows=[_row(p) for p in page.object_list],
        waiting_reconnect=waiting_reconnect,
        failures=list(
            posts.filter(status=PostStatus.FAILED)
            .select_related("share__item", "share__member", "account__member")
            .order_by("-scheduled_at", "-pk")[:10]
        ),
    )


@login_required
@allow_methods("GET", "POST")
def policy_settings(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    policy = posting_policy.get_policy(member.workspace)
    if request.method == "POST":
        form = PostingPolicyForm(request.POST, instance=policy)
        if form.is_valid():
            posting_policy.update_policy(member.workspace, form.cleaned_data)
            messages.success(request, "Posting policy saved.")
            return redirect("posting:policy", ws=ws)
    else:
        form = PostingPolicyForm(instance=policy)
    return _page(request, "networks/posting/policy.html", member, "review", form=form)


@login_required
@allow_methods("GET", "POST")
def send_to_ambassadors(request: HttpRequest, ws: str, item_id: int) -> HttpResponse:
    """GET: what would be posted, by how many, when; POST: schedule it and show the summary."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    item = get_for_workspace(Item.objects.prefetch_related("captions"), member.workspace, pk=item_id)
    if item.state != ItemState.PUBLISHED:
        raise Http404("Not found")
    now = timezone.now()
    policy = posting_policy.get_policy(member.workspace)
    live = item.is_live(now)
    if request.method == "POST":
        if not live:
            messages.error(request, "This item is outside its sharing window, so nothing was sent.")
            return redirect("content:detail", ws=ws, pk=item.pk)
        results, already = ambassadors.send_to_item_ambassadors(item, ambassadors.find_ambassadors(item), now)
        scheduled = [r for r in results if r.post is not None]
        return _page(
            request,
            "networks/posting/send.html",
            member,
            "content",
            item=item,
            done=True,
            scheduled=[(r, network_label(r.account.network)) for r in scheduled],
            skipped=[(r, network_label(r.account.network)) for r in results if r.post is None],
            already=[(m, a, network_label(a.network)) for m, a in already],
            first=min((r.at for r in scheduled), default=None),
            last=max((r.at for r in scheduled), default=None),
        )
    found = ambassadors.find_ambassadors(item)
    counts = Counter(a.network for _, a in found.ready)
    networks = [
        {
            "label": network_label(key),
            "count": n,
            "caption": ambassadors.caption_for(item, key),
            "blocked": ambassadors.caption_blocked(item, policy, ambassadors.caption_for(item, key)),
        }
        for key, n in sorted(counts.items())
    ]
    start = now + ambassadors.SEND_DELAY
    return _page(
        request,
        "networks/posting/send.html",
        member,
        "content",
        item=item,
        done=False,
        live=live,
        count=len(found.ready),
        networks=networks,
        already=found.already,
        reconnect=found.reconnect,
        policy=policy,
        start=start,
        end=start + dt.timedelta(minutes=policy.stagger_minutes),
    )
