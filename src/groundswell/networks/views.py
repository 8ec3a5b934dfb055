"""Connected-account pages: my accounts, connect a network, the OAuth callback, disconnect.

The connect views serve both owners of an account (``ConnectPages``): a member connecting their own, and
an admin connecting the company's brand account from the stewards pages (``stewards/urls.py`` routes
there with ``pages=WORKSPACE``).

Networks and accounts travel in the query string or the form (``?network=…``, ``account=…``) so that the
member's own lookup (``_my_account``) is the only way to reach an account: another member's account is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from groundswell.networks import accounts, oauth
from groundswell.networks.base import NetworkError
from groundswell.networks.forms import AppPasswordForm, IdentityForm, InstanceForm
from groundswell.networks.models import AccountStatus, ConnectedAccount
from groundswell.workspaces.access import allow_methods, get_membership, require_role
from groundswell.workspaces.models import Membership, Role


@dataclass(frozen=True)
class ConnectPages:
    """One owner's connect pages. The member's accounts (``/w/<ws>/accounts/``) and the workspace's brand
    accounts (``/w/<ws>/brand/``, admins only) go through the same views and the same domain functions
    (``oauth.begin``/``complete``, ``accounts.connect``), parametrised by this: who may connect, where the
    pages live, and which templates word them. A template the owner does not word itself is the member's."""

    owner: accounts.Owner
    namespace: str  # the URL namespace of the owner's pages
    start: str  # URL name of the view that sends the member off to the network's consent page
    nav: str
    admins_only: bool = False

    def url(self, name: str, ws: str, **query: str) -> str:
        return reverse(f"{self.namespace}:{name}", kwargs={"ws": ws}) + (f"?{urlencode(query)}" if query else "")

    def member(self, request: HttpRequest, ws: str) -> Membership:
        member = get_membership(request.user, ws)
        if self.admins_only:
            require_role(member, Role.ADMIN)
        return member


MEMBER = ConnectPages(accounts.Owner.MEMBER, namespace="networks", start="start", nav="accounts")
WORKSPACE = ConnectPages(
    accounts.Owner.WORKSPACE, namespace="stewards", start="connect_start", nav="brand", admins_only=True
)
PAGES = {pages.owner: pages for pages in (MEMBER, WORKSPACE)}


def _render(
    request: HttpRequest,
    member: Membership,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    pages: ConnectPages = MEMBER,
) -> HttpResponse:
    ws = member.workspace.slug
    base = {
        "workspace": member.workspace,
        "member": member,
        "nav": pages.nav,
        "promise": oauth.PROMISE,
        "connect_url": pages.url("connect", ws),
        "instance_url": pages.url("connect_instance", ws),
        "for_company": pages.owner == accounts.Owner.WORKSPACE,
    }
    names = [f"{pages.namespace}/{template}", f"networks/{template}"]
    return render(request, names, {**base, **context}, status=status)


def _error(
    request: HttpRequest, member: Membership, message: str, *, status: int = 400, pages: ConnectPages = MEMBER
) -> HttpResponse:
    return _render(request, member, "connect_error.html", {"message": message}, status=status, pages=pages)


def _my_account(member: Membership, raw_id: object) -> ConnectedAccount:
    try:
        pk = int(str(raw_id))
    except ValueError:
        raise Http404("No such account") from None
    account = ConnectedAccount.objects.filter(member=member, pk=pk).first()
    if account is None:
        raise Http404("No such account")
    return account


def reconnect_url(ws: str, account: ConnectedAccount) -> str:
    """Where the owner of ``account`` (the member, or an admin for a brand account) connects it again; "" when
    this server cannot connect that network at all (its OAuth app is not configured), so no page offers a
    Reconnect link that leads to a refusal."""
    pages = PAGES[accounts.Owner.WORKSPACE if account.is_workspace_owned else accounts.Owner.MEMBER]
    net = oauth.option(account.network)
    if net is None or not net.enabled:
        return ""
    if net is not None and net.auth_kind == "app_password":
        return pages.url(
            "connect_password", ws, network=account.network, identifier=account.handle, service_url=account.service_url
        )
    if net.needs_instance:
        # The server's page, filled in: the member sees which server they reconnect to and can correct it
        # (a server that has moved or closed gets its error on that form, not a refusal page).
        return pages.url("connect_instance", ws, network=account.network, instance=account.service_url)
    return pages.url(pages.start, ws, network=account.network)


@login_required
@never_cache
@allow_methods("GET")
def account_list(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    mine = list(ConnectedAccount.objects.filter(member=member))
    labels = {o.key: o.label for o in oauth.options()}
    rows = [
        {
            "account": a,
            "label": labels.get(a.network, a.network.title()),
            "needs_reconnect": a.status == AccountStatus.RECONNECT,
            "reconnect_url": reconnect_url(ws, a),
        }
        for a in mine
    ]
    return _render(
        request,
        member,
        "accounts.html",
        {"rows": rows, "needs_reconnect": [r for r in rows if r["needs_reconnect"]]},
    )


@login_required
@never_cache
@allow_methods("GET")
def connect(request: HttpRequest, ws: str, pages: ConnectPages = MEMBER) -> HttpResponse:
    member = pages.member(request, ws)
    context = {"options": oauth.options(), "instance_form": InstanceForm()}
    return _render(request, member, "connect.html", context, pages=pages)


@login_required
@never_cache
@allow_methods("GET")
def start(request: HttpRequest, ws: str, pages: ConnectPages = MEMBER) -> HttpResponse:
    """Start OAuth for ``?network=`` (and ``&instance=`` for Mastodon): off to the network's consent page.

    A link, not a form: a form submission could not be redirected to the network under our CSP. The
    network sends the member back to the shared callback, which files the account as ``pages.owner``'s.
    """
    member = pages.member(request, ws)
    try:
        net = oauth.enabled_option(request.GET.get("network", ""), "oauth2")
    except oauth.ConnectError as exc:
        return _error(request, member, exc.message, pages=pages)
    instance = ""
    if net.needs_instance:
        if not request.GET.get("instance"):
            return redirect(pages.url("connect_instance", ws, network=net.key))
        form = InstanceForm({"instance": request.GET.get("instance", "")})
        if not form.is_valid():
            context = {"net": net, "form": form}
            return _render(request, member, "connect_instance.html", context, status=400, pages=pages)
        instance = form.cleaned_data["instance"]
    try:
        url = oauth.begin(request.session, member, net, instance=instance, owner=pages.owner)
    except NetworkError as exc:
        return _error(request, member, f"{net.label}: {exc.message}", status=502, pages=pages)
    return HttpResponseRedirect(url)


@login_required
@never_cache
@allow_methods("GET", "POST")
def connect_instance(request: HttpRequest, ws: str, pages: ConnectPages = MEMBER) -> HttpResponse:
    """Mastodon: ask for the server, then link on to its consent page."""
    member = pages.member(request, ws)
    network = request.POST.get("network") or request.GET.get("network", "mastodon")
    try:
        net = oauth.enabled_option(network, "oauth2")
    except oauth.ConnectError as exc:
        return _error(request, member, exc.message, pages=pages)
    if not net.needs_instance:
        return _error(request, member, f"{net.label} does not ask for a server.", pages=pages)
    if request.method != "POST":
        initial = request.GET.get("instance", "") or (member.mastodon_instance if pages is MEMBER else "")
        form = InstanceForm(initial={"instance": initial})
        return _render(request, member, "connect_instance.html", {"net": net, "form": form}, pages=pages)
    form = InstanceForm(request.POST)
    if not form.is_valid():
        return _render(request, member, "connect_instance.html", {"net": net, "form": form}, status=400, pages=pages)
    instance = form.cleaned_data["instance"]
    try:
        url = oauth.begin(request.session, member, net, instance=instance, owner=pages.owner)
    except NetworkError as exc:
        form.add_error("instance", f"{instance}: {exc.message}")
        return _render(request, member, "connect_instance.html", {"net": net, "form": form}, status=400, pages=pages)
    context = {"net": net, "instance": instance, "url": url}
    return _render(request, member, "connect_continue.html", context, pages=pages)


@login_required
@never_cache
@allow_methods("GET")
def callback(request: HttpRequest, ws: str) -> HttpResponse:
    """Where the network sends the member back. Only ever redirects to our own accounts page."""
    member = get_membership(request.user, ws)
    try:
        account = oauth.complete(
            request.session,
            member,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
            error_description=request.GET.get("error_description", ""),
        )
    except oauth.ConnectError as exc:
        return _error(request, member, exc.message)
    if isinstance(account, oauth.PendingChoice):  # a Page / organisation to pick first
        return redirect(reverse("networks:choose", kwargs={"ws": ws}) + "?" + urlencode({"pick": account.key}))
    return _connected(request, ws, account)


def _connected(request: HttpRequest, ws: str, account: ConnectedAccount) -> HttpResponse:
    """Back to the owner's accounts page (a brand account: the company accounts page)."""
    label = _label(account.network)
    if account.is_workspace_owned:
        messages.success(request, f"Connected the company account {account.handle} on {label}.")
        return redirect(WORKSPACE.url("accounts", ws))
    messages.success(request, f"Connected {account.handle} on {label}.")
    return redirect(MEMBER.url("accounts", ws))


def _choice_label(pending: oauth.PendingChoice) -> str:
    if pending.network == "linkedin":
        return "The LinkedIn Page to post as"
    if pending.network == "facebook":
        return "The Facebook Page to post to"
    return f"The {pending.label} account to post as"


@login_required
@never_cache
@allow_methods("GET", "POST")
def choose(request: HttpRequest, ws: str) -> HttpResponse:
    """After the network's consent: pick the Page or organisation to connect (``?pick=`` / ``pick=``), even
    when there is only one. Another member's or workspace's pending connection is a 404."""
    member = get_membership(request.user, ws)
    key = request.POST.get("pick", "") if request.method == "POST" else request.GET.get("pick", "")
    try:
        pending = oauth.pending_choice(request.session, member, key)
    except oauth.NotYours:
        raise Http404("No such connection") from None
    except oauth.ConnectError as exc:
        return _error(request, member, exc.message)
    context: dict[str, Any] = {"pending": pending}
    form = IdentityForm(
        request.POST if request.method == "POST" else None, options=pending.options, label=_choice_label(pending)
    )
    if request.method == "POST" and form.is_valid():
        try:
            account = oauth.choose(request.session, member, pending.key, form.cleaned_data["choice"])
        except oauth.NotYours:
            raise Http404("No such connection") from None
        except oauth.ConnectError as exc:
            form.add_error("choice", exc.message)
        else:
            return _connected(request, ws, account)
    status = 400 if request.method == "POST" else 200
    return _render(request, member, "choose.html", {**context, "form": form}, status=status)


def _label(network: str) -> str:
    net = oauth.option(network)
    return net.label if net is not None else network.title()


@login_required
@never_cache
@allow_methods("GET", "POST")
def connect_password(request: HttpRequest, ws: str, pages: ConnectPages = MEMBER) -> HttpResponse:
    """Bluesky: a handle and an app password (never the main password), and optionally the PDS."""
    member = pages.member(request, ws)
    network = request.POST.get("network") or request.GET.get("network", "bluesky")
    try:
        net = oauth.enabled_option(network, "app_password")
    except oauth.ConnectError as exc:
        return _error(request, member, exc.message, pages=pages)
    if request.method != "POST":
        initial = {"identifier": request.GET.get("identifier", ""), "service_url": request.GET.get("service_url", "")}
        context = {"net": net, "form": AppPasswordForm(initial=initial)}
        return _render(request, member, "connect_password.html", context, pages=pages)
    form = AppPasswordForm(request.POST)
    if not form.is_valid():
        return _render(request, member, "connect_password.html", {"net": net, "form": form}, status=400, pages=pages)
    account = form.connect(net, lambda tokens: accounts.connect(member, net.key, tokens, owner=pages.owner))
    if account is None:
        return _render(request, member, "connect_password.html", {"net": net, "form": form}, status=400, pages=pages)
    return _connected(request, ws, account)


@login_required
@never_cache
@allow_methods("GET", "POST")
def disconnect(request: HttpRequest, ws: str) -> HttpResponse:
    """GET ``?account=<id>``: confirm; POST ``account=<id>``: revoke, delete, cancel waiting posts."""
    member = get_membership(request.user, ws)
    if request.method != "POST":
        account = _my_account(member, request.GET.get("account", ""))
        net = oauth.option(account.network)
        return _render(
            request,
            member,
            "disconnect.html",
            {
                "account": account,
                "label": net.label if net else account.network.title(),
                "can_revoke": bool(net and net.client and net.client.can_revoke),
                "pending_posts": account.posts.filter(status__in=accounts.PENDING_POST_STATUSES).count(),
            },
        )
    account = _my_account(member, request.POST.get("account", ""))
    label = _label(account.network)
    result = accounts.disconnect(account)
    text = f"Disconnected {result.handle} on {label}. Its tokens are deleted from Groundswell."
    if result.cancelled_posts:
        text += f" {result.cancelled_posts} scheduled post(s) were cancelled."
    messages.success(request, text)
    if result.revoke_error:
        messages.warning(
            request,
            f"{label} could not be told to revoke Groundswell's access ({result.revoke_error}). "
            f"You can remove Groundswell from the connected apps in your {label} settings.",
        )
    return redirect("networks:accounts", ws=ws)


@login_required
@allow_methods("POST")
def auto_post(request: HttpRequest, ws: str) -> HttpResponse:
    """POST ``account=<id>`` and ``auto_post=1|0``: the member opts one of their accounts in or out of
    posts their program admin sends to ambassadors. Opting out leaves posts already scheduled (cancel those
    in "My scheduled posts")."""
    member = get_membership(request.user, ws)
    account = _my_account(member, request.POST.get("account", ""))
    on = request.POST.get("auto_post") == "1"
    ConnectedAccount.objects.filter(pk=account.pk, member=member).update(auto_post=on)
    label = _label(account.network)
    if on:
        messages.success(
            request,
            f"{account.handle} on {label} will post items your program admin sends to ambassadors. "
            "You can cancel any of them in My scheduled posts before it goes out.",
        )
    else:
        messages.success(
            request,
            f"{account.handle} on {label} will no longer post items sent to ambassadors. "
            "Posts already scheduled stay until you cancel them in My scheduled posts.",
        )
    return redirect("networks:accounts", ws=ws)


@login_required
@never_cache
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """The one address networks send members back to; the state names the workspace it started from."""
    ws = oauth.workspace_for_state(request.session, request.GET.get("state", ""))
    if ws is None:
        return render(
            request,
            "networks/connect_error.html",
            {
                "message": "This connection attempt has expired or was not started from this browser. "
                "Nothing was connected; please start again from your accounts page."
            },
            status=400,
        )
    response: HttpResponse = callback(request, ws=ws)
    return response
