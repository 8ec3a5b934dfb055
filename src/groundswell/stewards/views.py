"""Brand-account pages under ``/w/<ws>/brand/``: the accounts (admins), one account, my shifts, the review queue.

Thin views: parse the input, check access, call ``stewards.actions``. Connecting a company account is the
members' connect flow (``networks.views`` with ``pages=WORKSPACE``, routed in ``urls.py``). Every lookup goes through
``get_for_workspace`` after ``get_membership``: another workspace's ids are a 404, and so is an account page
for a member who has never had a shift on it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from groundswell.networks import accounts as network_accounts
from groundswell.networks.models import AccountStatus
from groundswell.networks.registry import label as network_label
from groundswell.networks.views import reconnect_url
from groundswell.stewards import actions, queries
from groundswell.stewards.forms import ApprovalForm, BrandPostForm, HandoverForm, ReleaseForm, ReviewForm, ShiftForm
from groundswell.stewards.models import BrandAccount, BrandPost, Shift, ShiftStatus
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role


def _page(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    base = {"workspace": member.workspace, "member": member, "nav": "brand"}
    with timezone.override(member.workspace.timezone):
        return render(request, f"stewards/{template}", {**base, **context}, status=status)


def _brand(member: Membership, brand_id: int) -> BrandAccount:
    brand = get_for_workspace(queries.brand_accounts(member.workspace), member.workspace, pk=brand_id)
    if not queries.can_see_brand(member, brand):
        raise Http404("Not found")
    return brand


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member


# --- brand accounts (admins) ---------------------------------------------------------------------------


@login_required
@never_cache
@allow_methods("GET")
def account_list(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    now = timezone.now()
    brands = list(queries.brand_accounts(member.workspace))
    current = queries.current_shifts(brands, now)
    rows = [
        {
            "brand": b,
            "label": network_label(b.account.network),
            "current": current.get(b.pk),
            "needs_reconnect": b.account.status == AccountStatus.RECONNECT,
            "reconnect_url": reconnect_url(ws, b.account),
        }
        for b in brands
    ]
    return _page(
        request,
        member,
        "accounts.html",
        {"rows": rows, "pending": queries.review_queue(member.workspace).count()},
    )


# --- one account -----------------------------------------------------------------------------------------


def _account_context(member: Membership, brand: BrandAccount, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    page = queries.account_page(brand, now)
    stewards = queries.steward_choices(member.workspace) if member.is_admin else []
    return {
        "brand": brand,
        "label": network_label(brand.account.network),
        "page": page,
        "now": now,
        "my_shift": actions.current_shift(brand, member, now),
        "shift_form": ShiftForm(stewards=stewards) if member.is_admin else None,
        "approval_form": ApprovalForm(initial={"require_approval": brand.require_approval}),
        "needs_reconnect": brand.account.status == AccountStatus.RECONNECT,
        "reconnect_url": reconnect_url(member.workspace.slug, brand.account),
        **extra,
    }


@login_required
@never_cache
@allow_methods("GET")
def account(request: HttpRequest, ws: str, brand_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    brand = _brand(member, brand_id)
    return _page(request, member, "account.html", _account_context(member, brand))


@login_required
@allow_methods("POST")
def approval(request: HttpRequest, ws: str, brand_id: int) -> HttpResponse:
    member = _admin(request, ws)
    brand = _brand(member, brand_id)
    form = ApprovalForm(request.POST)
    form.is_valid()  # a checkbox: absent means off
    required = bool(form.cleaned_data.get("require_approval"))
    actions.set_require_approval(brand, required)
    messages.success(
        request,
        "Stewards' posts now wait for approval in the review queue."
        if required
        else "Stewards now post directly, without approval.",
    )
    return redirect("stewards:account", ws=ws, brand_id=brand.pk)


@login_required
@never_cache
@allow_methods("GET", "POST")
def assign(request: HttpRequest, ws: str, brand_id: int) -> HttpResponse:
    member = _admin(request, ws)
    brand = _brand(member, brand_id)
    stewards = queries.steward_choices(member.workspace)
    with timezone.override(member.workspace.timezone):
        form = ShiftForm(request.POST or None, stewards=stewards)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            shift = actions.assign_shift(
                brand=brand, steward=data["steward"], starts_at=data["starts_at"], ends_at=data["ends_at"], by=member
            )
        except actions.StewardError as exc:
            form.add_error("starts_at" if "overlap" in str(exc) else None, str(exc))
        else:
            messages.success(request, f"{shift.steward.display_name} runs {brand.account.handle} for this shift.")
            return redirect("stewards:account", ws=ws, brand_id=brand.pk)
    status = 400 if request.method == "POST" else 200
    return _page(request, member, "assign.html", {"brand": brand, "form": form}, status=status)


@login_required
@never_cache
@allow_methods("GET", "POST")
def write(request: HttpRequest, ws: str, brand_id: int) -> HttpResponse:
    """The steward writes a post for the account during their shift."""
    member = get_membership(request.user, ws)
    brand = _brand(member, brand_id)
    if actions.current_shift(brand, member, timezone.now()) is None:
        raise Http404("Not found")
    with timezone.override(member.workspace.timezone):
        form = BrandPostForm(request.POST or None)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            post = actions.write_post(
                brand=brand, steward=member, text=data["text"], link_url=data["link_url"] or "", when=data["when"]
            )
        except actions.StewardError as exc:
            form.add_error("when" if "time" in str(exc) else "text", str(exc))
        else:
            if post.outbound_id is None:
                messages.success(request, "Sent for approval. You will see the decision on the account page.")
            else:
                messages.success(request, "In the outbox: it will be posted on the account.")
            return redirect("stewards:account", ws=ws, brand_id=brand.pk)
    status = 400 if request.method == "POST" else 200
    context = {"brand": brand, "form": form, "label": network_label(brand.account.network)}
    return _page(request, member, "write.html", context, status=status)


@login_required
@allow_methods("POST")
def withdraw(request: HttpRequest, ws: str, brand_post_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    post = get_for_workspace(
        BrandPost.objects.select_related("outbound", "brand"), member.workspace, pk=brand_post_id, author=member
    )
    brand_id = post.brand_id
    try:
        messages.success(request, actions.withdraw_post(post, member))
    except actions.StewardError as exc:
        messages.error(request, str(exc))
    return redirect("stewards:account", ws=ws, brand_id=brand_id)


@login_required
@never_cache
@allow_methods("GET", "POST")
def disconnect(request: HttpRequest, ws: str, brand_id: int) -> HttpResponse:
    """GET: what disconnecting removes; POST: revoke at the network, delete the tokens and the account's
    shifts, notes and posts, cancel its waiting posts."""
    member = _admin(request, ws)
    brand = _brand(member, brand_id)
    if request.method != "POST":
        context = {
            "brand": brand,
            "label": network_label(brand.account.network),
            "shifts": brand.shifts.count(),
            "posts": brand.posts.count(),
        }
        return _page(request, member, "disconnect.html", context)
    result = network_accounts.disconnect(brand.account)
    text = f"Disconnected the company account {result.handle}. Its tokens are deleted from Groundswell."
    if result.cancelled_posts:
        text += f" {result.cancelled_posts} waiting post(s) were cancelled."
    messages.success(request, text)
    if result.revoke_error:
        messages.warning(
            request, f"The network could not be told to revoke Groundswell's access ({result.revoke_error})."
        )
    return redirect("stewards:accounts", ws=ws)


# --- shifts (stewards) ------------------------------------------------------------------------------------


@login_required
@never_cache
@allow_methods("GET")
def my_shifts(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    now = timezone.now()
    shifts = list(queries.my_shifts(member)[:50])
    active = [s for s in shifts if s.is_current(now) or s.is_upcoming(now)]
    active.sort(key=lambda s: s.starts_at)
    recent = queries.recent_posts(sorted({s.brand_id for s in active if s.is_current(now)}))
    rows = [
        {
            "shift": s,
            "current": s.is_current(now),
            "handover": queries.handover_for(s),
            "posts": recent.get(s.brand_id, []),
        }
        for s in active
    ]
    past = [s for s in shifts if s not in active]
    return _page(request, member, "my_shifts.html", {"rows": rows, "past": past, "now": now})


def _my_shift(member: Membership, shift_id: int) -> Shift:
    return get_for_workspace(
        Shift.objects.select_related("brand__account"), member.workspace, pk=shift_id, steward=member
    )


@login_required
@never_cache
@allow_methods("GET", "POST")
def handover(request: HttpRequest, ws: str, shift_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    shift = _my_shift(member, shift_id)
    form = HandoverForm(request.POST or None, initial={"note": shift.handover_note})
    if request.method == "POST" and form.is_valid():
        try:
            actions.write_handover(shift, member, form.cleaned_data["note"])
        except actions.StewardError as exc:
            form.add_error("note", str(exc))
        else:
            messages.success(request, "Hand-over note saved. The next steward sees it when their shift starts.")
            return redirect("stewards:my_shifts", ws=ws)
    status = 400 if request.method == "POST" else 200
    return _page(request, member, "handover.html", {"shift": shift, "form": form}, status=status)


@login_required
@allow_methods("POST")
def release(request: HttpRequest, ws: str, shift_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    shift = _my_shift(member, shift_id)
    form = ReleaseForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        shift = actions.release_shift(shift, member, reason)
    except actions.StewardError as exc:
        messages.error(request, str(exc))
    else:
        what = "declined" if shift.status == ShiftStatus.DECLINED else "handed back"
        messages.success(request, f"Shift {what}. Your program admin will find someone else; thank you for saying.")
    return redirect("stewards:my_shifts", ws=ws)


# --- the review queue (admins) ----------------------------------------------------------------------------


@login_required
@never_cache
@allow_methods("GET")
def review(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    posts = list(queries.review_queue(member.workspace)[:100])
    rows = [{"post": p, "label": network_label(p.brand.account.network), "form": ReviewForm()} for p in posts]
    return _page(request, member, "review.html", {"rows": rows})


@login_required
@allow_methods("POST")
def review_post(request: HttpRequest, ws: str, brand_post_id: int) -> HttpResponse:
    member = _admin(request, ws)
    post = get_for_workspace(BrandPost.objects.select_related("brand__account"), member.workspace, pk=brand_post_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        rows = [
            {
                "post": p,
                "label": network_label(p.brand.account.network),
                "form": form if p.pk == post.pk else ReviewForm(),
            }
            for p in queries.review_queue(member.workspace)[:100]
        ]
        return _page(request, member, "review.html", {"rows": rows}, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.review_post(post, member, approve=approve, reason=form.cleaned_data["reason"])
    except actions.StewardError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Approved: it is in the outbox." if approve else "Rejected; the steward sees why.")
    return redirect("stewards:review", ws=ws)
