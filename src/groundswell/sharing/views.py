"""Sharing pages: pick a caption and a network, get a tracked link and the network's compose page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.content.access import visible_item
from groundswell.content.models import Caption, Item
from groundswell.networks import outbox
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost
from groundswell.networks.policy import Problem
from groundswell.networks.registry import NETWORKS, Network
from groundswell.policy.actions import needs_acknowledgement
from groundswell.sharing import composer, posting
from groundswell.sharing.actions import ShareError, create_share, intent_url, set_mastodon_instance, short_url
from groundswell.sharing.forms import POST_ACTIONS, POST_NOW, SCHEDULE, SPREAD, ShareForm
from groundswell.sharing.models import Share, ShareMethod
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership
from groundswell.workspaces.models import Membership

MY_SHARES_PAGE_SIZE = 50


@dataclass(frozen=True)
class NetworkOption:
    network: Network
    missing_profile_field: bool

    @property
    def key(self) -> str:
        return self.network.key


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, "nav": "content", **context})


def network_options(member: Membership) -> list[NetworkOption]:
    return [
        NetworkOption(n, bool(n.requires_profile_field and not getattr(member, n.requires_profile_field, "")))
        for n in NETWORKS.values()
    ]


def suggested_caption(captions: list[Caption], network: str, caption_id: str) -> Caption | None:
    """The caption the employee picked (``?caption=``), else the first one written for ``network``, else the
    first one for any network."""
    by_id = {str(c.pk): c for c in captions}
    if caption_id in by_id:
        return by_id[caption_id]
    for c in captions:
        if network and c.network == network:
            return c
    return next((c for c in captions if not c.network), None)


@dataclass
class PostForMe:
    """The "post it for me" part of the share page: the member's connected accounts and the policy's say."""

    accounts: dict[str, ConnectedAccount]
    reconnect: list[ConnectedAccount]
    action: str = ""
    warnings: list[Problem] = field(default_factory=list)
    confirm: str = ""

    @property
    def connected(self) -> list[tuple[str, ConnectedAccount]]:
        return [(_network_label(k), a) for k, a in self.accounts.items()]


def post_for_me(member: Membership) -> PostForMe:
    accounts: dict[str, ConnectedAccount] = {}
    reconnect = []
    for account in ConnectedAccount.objects.filter(workspace=member.workspace, member=member).order_by("pk"):
        if account.status == AccountStatus.ACTIVE and account.network in NETWORKS:
            accounts.setdefault(account.network, account)
        elif account.status == AccountStatus.RECONNECT:
            reconnect.append(account)
    return PostForMe(accounts=accounts, reconnect=reconnect)


def _confirm_token(member: Membership, data: dict[str, Any], action: str) -> str:
    """Ties "post anyway" to exactly the post whose warnings the member saw."""
    raw = f"{member.pk}|{data['network']}|{data['caption']}|{action}|{data.get('scheduled_for') or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _post_it(request: HttpRequest, member: Membership, item: Item, form: ShareForm, pfm: PostForMe) -> Share | None:
    """Schedule the post through the member's connected account; None (with errors or warnings on the form)
    when it cannot or should not go yet."""
    data = form.cleaned_data
    action = pfm.action
    network = data["network"]
    account = pfm.accounts.get(network)
    if account is None:
        form.add_error(
            None,
            f"To have it posted for you, connect your {_network_label(network)} account first — or get a share link.",
        )
        return None
    when = data.get("scheduled_for")
    if action == POST_NOW:
        when = None
    elif action == SCHEDULE and when is None:
        form.add_error("scheduled_for", "Pick the date and time to post it.")
        return None
    problems = posting.preview_problems(member=member, item=item, account=account, caption=data["caption"], when=when)
    blocking = [p for p in problems if p.blocking]
    if blocking:
        for p in blocking:
            form.add_error(None, p.message)
        return None
    token = _confirm_token(member, data, action)
    if problems and data.get("confirm") != token:
        pfm.warnings, pfm.confirm = problems, token
        return None
    try:
        post = posting.schedule_post(member, item, account, data["caption"], when, action == SPREAD)
    except (posting.PostingError, ShareError) as exc:
        form.add_error(None, str(exc))
        return None
    return post.share


def _network_label(key: str) -> str:
    return NETWORKS[key].label if key in NETWORKS else key


def _with_suggestion(request: HttpRequest, captions: list[Caption]) -> Any:
    """The POST data, with the caption replaced by the suggestion picked as a radio choice (the composer works
    without its script: the chips are radio buttons)."""
    data = request.POST.copy()
    picked = composer.suggestion_for(captions, data.get("suggestion", ""))
    if picked is not None:
        data["caption"] = picked.text
    return data


def _mastodon_inline(member: Membership, form: ShareForm, data: Any) -> bool:
    """Save the Mastodon server typed on the composer (the member has none yet); False, with the error on the
    form, when it is missing or not a server name."""
    if form.cleaned_data["network"] != "mastodon" or member.mastodon_instance:
        return True
    try:
        set_mastodon_instance(member, str(data.get("mastodon_instance", "")))
    except ShareError as exc:
        form.add_error("mastodon_instance", str(exc))
        return False
    return True


@login_required
@allow_methods("GET", "POST")
def share_item(request: HttpRequest, ws: str, item_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    item = visible_item(member, item_id)
    captions = list(item.captions.all())
    pfm = post_for_me(member)
    suggestion = ""
    # The social media policy gate: no share (nor post-for-me) until the current version is acknowledged.
    policy_gate = needs_acknowledgement(member)
    if request.method == "POST" and policy_gate is not None:
        form = ShareForm(request.POST)
        form.is_valid()
        form.add_error(None, "Please read and acknowledge the social media policy first (just above), then share.")
        network = request.POST.get("network", "")
    elif request.method == "POST":
        data = _with_suggestion(request, captions)
        suggestion = data.get("suggestion", "")
        form = ShareForm(data)
        action = request.POST.get("action", "")
        pfm.action = action if action in POST_ACTIONS else ""
        with timezone.override(member.workspace.timezone):  # "When" is in the workspace's time zone
            valid = form.is_valid()
        if valid and pfm.action:
            share: Share | None = _post_it(request, member, item, form, pfm)
            if share is not None:
                return redirect("sharing:result", ws=ws, pk=share.pk)
        elif valid and _mastodon_inline(member, form, data):
            try:
                share = create_share(
                    member=member, item=item, network=form.cleaned_data["network"], caption=form.cleaned_data["caption"]
                )
            except ShareError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("sharing:result", ws=ws, pk=share.pk)
        network = request.POST.get("network", "")
    else:
        network = request.GET.get("network", "")
        if network not in NETWORKS:
            network = ""
        picked = suggested_caption(captions, network, request.GET.get("caption", ""))
        form = ShareForm(initial={"network": network or None, "caption": picked.text if picked else ""})
    ordered = sorted(captions, key=lambda c: (c.network != network if network else bool(c.network), c.position))
    caption_value = str(form["caption"].value() or "")
    shown_network = network if network in NETWORKS else ""
    length, limit = composer.count(shown_network, caption_value)
    networks_json = composer.networks_json(member)
    return _page(
        request,
        "sharing/share.html",
        member,
        item=item,
        form=form,
        network=shown_network,
        networks=network_options(member),
        captions=[(c, _network_label(c.network) if c.network else "Any network") for c in ordered],
        suggestion=suggestion,
        is_live=item.is_live(),
        pfm=pfm,
        policy_gate=policy_gate,
        composer_networks=networks_json,
        preview_link=composer.preview_link(),
        preview_text=composer.post_text(shown_network, caption_value, composer.preview_link()),
        link_card=composer.link_card(item),
        length=length,
        limit=limit,
        over=bool(limit and length > limit),
        over_by=length - limit,
        preview_label=_network_label(shown_network) if shown_network else "",
        preview_handle=str(networks_json[shown_network]["handle"]) if shown_network else "",
        needs_mastodon=not member.mastodon_instance,
    )


@login_required
def share_result(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    share = get_for_workspace(Share.objects.select_related("item", "member"), member.workspace, pk=pk, member=member)
    network = NETWORKS.get(share.network)
    link = short_url(share)
    outbound = OutboundPost.objects.filter(share=share).select_related("account").prefetch_related("log").first()
    return _page(
        request,
        "sharing/result.html",
        member,
        share=share,
        item=share.item,
        network=network,
        network_label=_network_label(share.network),
        intent=intent_url(share) if network and not network.is_copy else "",
        opens_new_tab=bool(network and not network.is_copy and share.network != "email"),
        short_link=link,
        caption_ignored=share.network == "facebook",
        full_text=f"{share.caption}\n\n{link}" if share.caption else link,
        outbound=outbound,
        outbound_reconnect=bool(
            outbound
            and outbound.status in outbox.ACTIVE
            and outbound.account
            and outbound.account.status == AccountStatus.RECONNECT
        ),
    )


@login_required
def my_shares(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    shares = Share.objects.filter(workspace=member.workspace, member=member).select_related("item")
    totals = shares.aggregate(
        human=Sum("human_clicks"),
        unique=Sum("unique_clicks"),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
    )
    page = Paginator(shares.order_by("-created_at", "-pk"), MY_SHARES_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(s, _network_label(s.network), share_state(s)) for s in page.object_list]
    return _page(
        request,
        "sharing/mine.html",
        member,
        page=page,
        rows=rows,
        total_shares=page.paginator.count,
        total_human=totals["human"] or 0,
        total_unique=totals["unique"] or 0,
        total_confirmed=totals["confirmed"] or 0,
    )


def share_state(share: Share) -> str:
    """ "confirmed" (it happened: points earned), "waiting" (a share link without a human click yet) or
    "posting" (Groundswell has not posted it yet). ADR 0034."""
    if share.confirmed_at is not None:
        return "confirmed"
    return "waiting" if share.method == ShareMethod.INTENT else "posting"
