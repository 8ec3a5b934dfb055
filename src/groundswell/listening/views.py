"""Listening pages: mentions, topics, sources and their health. Admins change things; managers may read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from groundswell.lib.pages import paginate
from groundswell.listening import actions, credentials, csv_import, health, queries
from groundswell.listening.forms import (
    BlueskyCredentialForm,
    CsvUploadForm,
    MentionFilterForm,
    RedditCredentialForm,
    SourceEditForm,
    SourceForm,
    TopicForm,
    has_input,
)
from groundswell.listening.models import CredentialNetwork, ListeningCredential, Source, SourceKind, Topic
from groundswell.listening.query import QueryError
from groundswell.listening.sources.base import plugins
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

MENTIONS_PER_PAGE = 50


def _reader(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.MANAGER)
    return member


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member


def _page(request: HttpRequest, member: Membership, template: str, tab: str, **context: Any) -> HttpResponse:
    return render(
        request,
        f"listening/{template}",
        {"workspace": member.workspace, "member": member, "nav": "listening", "tab": tab, **context},
    )


@login_required
@allow_methods("GET")
def mentions(request: HttpRequest, ws: str) -> HttpResponse:
    member = _reader(request, ws)
    workspace = member.workspace
    topics = list(Topic.objects.filter(workspace=workspace).values_list("pk", "name"))
    sources = list(Source.objects.filter(workspace=workspace).values_list("pk", "name"))
    form = MentionFilterForm(request.GET or None, topics=topics, sources=sources)
    filters: dict[str, Any] = {"topic_id": None, "sentiment": "", "intent": "", "source_id": None}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = {"topic_id": d["topic"], "sentiment": d["sentiment"], "intent": d["intent"], "source_id": d["source"]}
    posts, matching = queries.mentioned_posts(workspace, **filters)
    page, query = paginate(request, posts, MENTIONS_PER_PAGE)
    return _page(
        request,
        member,
        "mentions.html",
        "mentions",
        form=form,
        page=page,
        query=query,
        mention_count=matching.count(),
        has_topics=bool(topics),
        has_sources=bool(sources),
    )


@login_required
@allow_methods("GET")
def topics(request: HttpRequest, ws: str) -> HttpResponse:
    member = _reader(request, ws)
    items = list(Topic.objects.filter(workspace=member.workspace))
    return _page(request, member, "topics.html", "topics", topics=items)


def _save_topic(request: HttpRequest, ws: str, topic_id: int | None) -> HttpResponse:
    member = _admin(request, ws)
    workspace = member.workspace
    topic = get_for_workspace(Topic.objects.all(), workspace, pk=topic_id) if topic_id is not None else None
    initial = (
        {"name": topic.name, "kind": topic.kind, "query": topic.query, "is_active": topic.is_active} if topic else {}
    )
    form = TopicForm(request.POST or None, initial=initial)
    tested: queries.QueryTest | None = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if "test" in request.POST:
            tested = queries.test_query(workspace, d["query"])
        else:
            try:
                if topic is None:
                    actions.create_topic(
                        workspace=workspace, by=member, name=d["name"], kind=d["kind"], query=d["query"]
                    )
                else:
                    actions.update_topic(
                        topic=topic, name=d["name"], kind=d["kind"], query=d["query"], is_active=d["is_active"]
                    )
            except (actions.ListeningError, QueryError) as exc:
                form.add_error("name" if isinstance(exc, actions.ListeningError) else "query", str(exc))
            else:
                messages.success(request, f"Topic “{d['name']}” saved.")
                return redirect("listening:topics", ws=workspace.slug)
    return _page(request, member, "topic_form.html", "topics", form=form, topic=topic, tested=tested)


@login_required
@allow_methods("GET", "POST")
def topic_create(request: HttpRequest, ws: str) -> HttpResponse:
    return _save_topic(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def topic_edit(request: HttpRequest, ws: str, listening_topic_id: int) -> HttpResponse:
    return _save_topic(request, ws, listening_topic_id)


@login_required
@allow_methods("GET")
def sources(request: HttpRequest, ws: str) -> HttpResponse:
    """The health view: per source its state (with what to do), last success, last error, posts seen, next poll."""
    member = _reader(request, ws)
    rows = Source.objects.filter(workspace=member.workspace).select_related("workspace", "own_credential")
    items = [(s, health.state(s, status=queries.health(s))) for s in rows]
    return _page(request, member, "sources.html", "sources", sources=items)


# --- Credential sub-forms of the source pages ----------------------------------------------------------------

CREDENTIAL_FIELDS = {
    CredentialNetwork.REDDIT: ("client_id", "secret"),
    CredentialNetwork.BLUESKY: ("identifier", "password"),
}


def _credential_forms(request: HttpRequest, own: ListeningCredential | None = None) -> dict[str, forms.Form]:
    """The Reddit and Bluesky credential forms of a source page (prefixed; bound on POST)."""
    data = request.POST if request.method == "POST" else None
    stored = {own.network: own.identifier} if own is not None and own.secret else {}
    initial: dict[str, dict[str, str]] = {"reddit": {}, "bluesky": {}}
    if own is not None:
        initial[own.network] = {
            "client_id": own.identifier,
            "identifier": own.identifier,
            "app_type": own.app_type,
            "contact": own.contact,
            "service_url": own.service_url,
        }
    return {
        "reddit": RedditCredentialForm(
            data, prefix="reddit", stored=stored.get("reddit", ""), initial=initial["reddit"]
        ),
        "bluesky": BlueskyCredentialForm(
            data, prefix="bluesky", stored=stored.get("bluesky", ""), initial=initial["bluesky"]
        ),
    }


def _own_credential(
    kind: str, config: dict[str, Any], subforms: dict[str, forms.Form], own: ListeningCredential | None
) -> tuple[bool, actions.CredentialValues | None]:
    """(valid, values) of the credential typed on a source page; values is None when none was typed."""
    network = plugins()[kind].credential_network(config)
    if not network:
        return True, None
    form = subforms[network]
    if own is not None and own.network == network:
        if not form.has_changed():  # the stored credential, shown as it is: nothing to save or check
            return True, None
    elif not has_input(form, CREDENTIAL_FIELDS[CredentialNetwork(network)]):
        return True, None
    if not form.is_valid():
        return False, None
    d = form.cleaned_data
    if network == CredentialNetwork.REDDIT:
        return True, actions.CredentialValues(
            identifier=d["client_id"], secret=d["secret"], app_type=d["app_type"], contact=d["contact"]
        )
    return True, actions.CredentialValues(
        identifier=d["identifier"], secret=d["password"], service_url=d["service_url"]
    )


def _workspace_credentials(member: Membership) -> dict[str, ListeningCredential]:
    rows = ListeningCredential.objects.filter(workspace=member.workspace, source__isnull=True)
    return {row.network: row for row in rows}


@login_required
@allow_methods("GET", "POST")
def source_create(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    workspace = member.workspace
    form = SourceForm(request.POST or None, initial={"kind": request.GET.get("kind", SourceKind.RSS)})
    subforms = _credential_forms(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        valid, values = _own_credential(d["kind"], d["config"], subforms, None)
        if valid:
            try:
                source = actions.create_source(
                    workspace=workspace,
                    kind=d["kind"],
                    name=d["name"],
                    config=d["config"],
                    poll_every_seconds=d["poll_every_minutes"] * 60,
                    credential=values,
                    by=member,
                )
            except actions.ListeningError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Source “{source.name}” added.")
                return redirect("listening:source", ws=workspace.slug, source_id=source.pk)
    return _page(
        request,
        member,
        "source_form.html",
        "sources",
        form=form,
        subforms=subforms,
        workspace_credentials=_workspace_credentials(member),
        source=None,
    )


@login_required
@allow_methods("GET", "POST")
def source_edit(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    """A source's settings and, for sources that sign in, its own credentials (else the workspace's are used)."""
    member = _admin(request, ws)
    workspace = member.workspace
    source = get_for_workspace(Source.objects.all(), workspace, pk=source_id)
    own = ListeningCredential.objects.filter(source=source).first()
    form = SourceEditForm(request.POST or None, source=source)
    subforms = _credential_forms(request, own)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        valid, values = _own_credential(source.kind, d["config"], subforms, own)
        if valid:
            try:
                if values is not None:
                    network = plugins()[source.kind].credential_network(d["config"]) or ""
                    actions.save_credential(
                        workspace=workspace, network=network, values=values, by=member, source=source
                    )
                actions.update_source(
                    source=source, name=d["name"], config=d["config"], poll_every_seconds=d["poll_every_minutes"] * 60
                )
            except actions.ListeningError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"“{source.name}” saved; it is polled again now.")
                return redirect("listening:source", ws=workspace.slug, source_id=source.pk)
    return _page(
        request,
        member,
        "source_form.html",
        "sources",
        form=form,
        subforms=subforms,
        workspace_credentials=_workspace_credentials(member),
        source=source,
        own=own,
    )


@login_required
@allow_methods("POST")
def source_credential_remove(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    """Drop a source's own credentials: it signs in with the workspace's from now on."""
    member = _admin(request, ws)
    source = get_for_workspace(Source.objects.all(), member.workspace, pk=source_id)
    own = ListeningCredential.objects.filter(source=source).first()
    if own is not None:
        actions.delete_credential(credential=own)
        messages.success(request, f"“{source.name}” now signs in with the workspace's credentials.")
    return redirect("listening:source_edit", ws=member.workspace.slug, source_id=source.pk)


@login_required
@allow_methods("GET")
def source_detail(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    member = _reader(request, ws)
    source = get_for_workspace(
        Source.objects.select_related("workspace", "own_credential"), member.workspace, pk=source_id
    )
    recent = list(source.posts.order_by("-published_at")[:10])
    status = queries.health(source)
    network = plugins()[source.kind].credential_network(source.config) if source.kind in plugins() else None
    signs_in = credentials.lookup(source, network) if network else None
    return _page(
        request,
        member,
        "source_detail.html",
        "sources",
        source=source,
        status=status,
        state=health.state(source, status=status),
        network=network,
        signs_in=signs_in,
        recent=recent,
    )


# --- Credentials ---------------------------------------------------------------------------------------------


@login_required
@allow_methods("GET")
def credentials_page(request: HttpRequest, ws: str) -> HttpResponse:
    """The workspace's credentials per network (and the sources with their own), with their state."""
    member = _admin(request, ws)
    workspace = member.workspace
    rows = list(ListeningCredential.objects.filter(workspace=workspace).select_related("source", "updated_by"))
    counts = dict(
        Source.objects.filter(workspace=workspace, own_credential__isnull=True)
        .exclude(kind=SourceKind.BLUESKY, config__mode="stream")
        .filter(kind__in=[CredentialNetwork.REDDIT, CredentialNetwork.BLUESKY])
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    waiting = dict(
        Source.objects.filter(workspace=workspace, own_credential__isnull=True, is_active=True)
        .filter(Q(error_kind="needs_credentials") | Q(error_kind="credentials_refused"))
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    networks = [
        {
            "network": network,
            "label": label,
            "row": next((r for r in rows if r.network == network and r.source_id is None), None),
            "sources": counts.get(network, 0),
            "waiting": waiting.get(network, 0),
        }
        for network, label in CredentialNetwork.choices
    ]
    own = [r for r in rows if r.source_id is not None]
    return _page(request, member, "credentials.html", "credentials", networks=networks, own=own)


def _network(network: str) -> CredentialNetwork:
    try:
        return CredentialNetwork(network)
    except ValueError:
        raise Http404 from None


@login_required
@allow_methods("GET", "POST")
def credential_edit(request: HttpRequest, ws: str, network: str) -> HttpResponse:
    """Enter or change the workspace's Reddit app or Bluesky account; saving signs in once to check it."""
    member = _admin(request, ws)
    workspace = member.workspace
    net = _network(network)
    row = ListeningCredential.objects.filter(workspace=workspace, network=net, source__isnull=True).first()
    stored = row.identifier if row is not None and (row.secret or row.app_type == "installed") else ""
    data = request.POST if request.method == "POST" else None
    form: RedditCredentialForm | BlueskyCredentialForm
    if net == CredentialNetwork.REDDIT:
        initial = {"client_id": row.identifier, "app_type": row.app_type, "contact": row.contact} if row else {}
        form = RedditCredentialForm(data, stored=stored, initial=initial)
    else:
        initial = {"identifier": row.identifier, "service_url": row.service_url} if row else {}
        form = BlueskyCredentialForm(data, stored=stored, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            values = (
                actions.CredentialValues(
                    identifier=d["client_id"], secret=d["secret"], app_type=d["app_type"], contact=d["contact"]
                )
                if net == CredentialNetwork.REDDIT
                else actions.CredentialValues(
                    identifier=d["identifier"], secret=d["password"], service_url=d["service_url"]
                )
            )
            try:
                result = actions.save_credential(workspace=workspace, network=net, values=values, by=member)
            except actions.ListeningError as exc:
                form.add_error(None, str(exc))
            else:
                if result.status == "ok":
                    messages.success(request, f"{net.label}: {result.message}")
                else:
                    messages.warning(request, f"{net.label}: {result.message}")
                return redirect("listening:credentials", ws=workspace.slug)
    return render(
        request,
        "listening/credential_form.html",
        {"workspace": workspace, "member": member, "nav": "listening", "tab": "credentials", "form": form,
         "network": net, "row": row},
        status=status,
    )  # fmt: skip


@login_required
@allow_methods("POST")
def credential_check(request: HttpRequest, ws: str, network: str) -> HttpResponse:
    """Sign in again with the stored credential (after the network had a hiccup, or to see that it works)."""
    member = _admin(request, ws)
    net = _network(network)
    row = ListeningCredential.objects.filter(workspace=member.workspace, network=net, source__isnull=True).first()
    if row is None:
        raise Http404
    result = actions.check_credential(credential=row)
    level = {"ok": messages.SUCCESS, "refused": messages.ERROR}.get(result.status, messages.WARNING)
    messages.add_message(request, level, f"{net.label}: {result.message}")
    return redirect("listening:credentials", ws=member.workspace.slug)


@login_required
@allow_methods("POST")
def credential_remove(request: HttpRequest, ws: str, network: str) -> HttpResponse:
    member = _admin(request, ws)
    net = _network(network)
    row = ListeningCredential.objects.filter(workspace=member.workspace, network=net, source__isnull=True).first()
    if row is not None:
        actions.delete_credential(credential=row)
        messages.success(request, f"The workspace's {net.label} credentials were removed.")
    return redirect("listening:credentials", ws=member.workspace.slug)


@login_required
@allow_methods("POST")
def source_pause(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    member = _admin(request, ws)
    source = get_for_workspace(Source.objects.all(), member.workspace, pk=source_id)
    actions.set_source_active(source=source, active=not source.is_active)
    messages.success(request, f"“{source.name}” {'resumed' if source.is_active else 'paused'}.")
    return redirect("listening:source", ws=member.workspace.slug, source_id=source.pk)


@login_required
@allow_methods("POST")
def source_poll(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    member = _admin(request, ws)
    source = get_for_workspace(Source.objects.all(), member.workspace, pk=source_id)
    try:
        started = actions.poll_now(source=source)
    except actions.ListeningError as exc:
        messages.error(request, str(exc))
    else:
        if started:
            messages.success(request, f"“{source.name}” is being polled now.")
        else:
            messages.info(request, f"“{source.name}” is being polled already.")
    return redirect("listening:source", ws=member.workspace.slug, source_id=source.pk)


@login_required
@allow_methods("GET", "POST")
def source_upload(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    """Upload a CSV: first a preview with per-row errors, then (with the checked text) the import."""
    member = _admin(request, ws)
    workspace = member.workspace
    source = get_for_workspace(Source.objects.all(), workspace, pk=source_id, kind=SourceKind.CSV)
    form = CsvUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    parsed: csv_import.Parsed | None = None
    text = ""
    if request.method == "POST":
        try:
            if "csv_text" in request.POST:
                text = request.POST["csv_text"]
                parsed = csv_import.parse(text)
            elif form.is_valid():
                text = csv_import.decode(form.cleaned_data["file"].read())
                parsed = csv_import.parse(text)
        except ValidationError as exc:
            form.add_error("file" if "csv_text" not in request.POST else None, exc)
            parsed = None
        if parsed is not None and "csv_text" in request.POST:
            result = actions.import_posts(source=source, posts=parsed.posts)
            messages.success(
                request,
                f"{result.stored} post{'s' if result.stored != 1 else ''} stored "
                f"({result.unmatched} matched no topic, {result.known} were imported before"
                f"{f', {len(parsed.errors)} rows with errors skipped' if parsed.errors else ''}).",
            )
            return redirect("listening:source", ws=workspace.slug, source_id=source.pk)
    return _page(request, member, "csv_upload.html", "sources", source=source, form=form, parsed=parsed, text=text)
