"""Sharing pages: pick a caption and a network, get a tracked link and the network's compose page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groundswell.content.access import visible_item
from groundswell.content.models import Caption
from groundswell.sharing.actions import ShareError, create_share, intent_url, short_url
from groundswell.sharing.forms import ShareForm
from groundswell.sharing.models import Share
from groundswell.sharing.networks import REGISTRY, Network
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
        for n in REGISTRY.values()
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


def _network_label(key: str) -> str:
    return REGISTRY[key].label if key in REGISTRY else key


@login_required
@allow_methods("GET", "POST")
def share_item(request: HttpRequest, ws: str, item_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    item = visible_item(member, item_id)
    captions = list(item.captions.all())
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
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
        if network not in REGISTRY:
            network = ""
        picked = suggested_caption(captions, network, request.GET.get("caption", ""))
        form = ShareForm(initial={"network": network or None, "caption": picked.text if picked else ""})
    ordered = sorted(captions, key=lambda c: (c.network != network if network else bool(c.network), c.position))
    return _page(
        request,
        "sharing/share.html",
        member,
        item=item,
        form=form,
        network=network,
        networks=network_options(member),
        captions=[(c, _network_label(c.network) if c.network else "Any network") for c in ordered],
        is_live=item.is_live(),
    )


@login_required
def share_result(request: HttpRequest, ws: str, pk: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    share = get_for_workspace(Share.objects.select_related("item", "member"), member.workspace, pk=pk, member=member)
    network = REGISTRY.get(share.network)
    link = short_url(share)
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
    )


@login_required
def my_shares(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    shares = Share.objects.filter(workspace=member.workspace, member=member).select_related("item")
    totals = shares.aggregate(human=Sum("human_clicks"), unique=Sum("unique_clicks"))
    page = Paginator(shares.order_by("-created_at", "-pk"), MY_SHARES_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(s, _network_label(s.network)) for s in page.object_list]
    return _page(
        request,
        "sharing/mine.html",
        member,
        page=page,
        rows=rows,
        total_shares=page.paginator.count,
        total_human=totals["human"] or 0,
        total_unique=totals["unique"] or 0,
    )
