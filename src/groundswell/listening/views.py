"""Listening pages: mentions, topics, sources and their health. Admins change things; managers may read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from groundswell.listening import actions, csv_import, queries
from groundswell.listening.forms import CsvUploadForm, MentionFilterForm, SourceForm, TopicForm
from groundswell.listening.models import Source, SourceKind, Topic
from groundswell.listening.query import QueryError
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
    page = Paginator(queries.mentions(workspace, **filters), MENTIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        member,
        "mentions.html",
        "mentions",
        form=form,
        page=page,
        query=query.urlencode(),
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
    """The health view: per source its status, last success, last error, posts seen and next poll."""
    member = _reader(request, ws)
    items = [(s, queries.health(s)) for s in Source.objects.filter(workspace=member.workspace)]
    return _page(request, member, "sources.html", "sources", sources=items)


@login_required
@allow_methods("GET", "POST")
def source_create(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    workspace = member.workspace
    form = SourceForm(request.POST or None, initial={"kind": request.GET.get("kind", SourceKind.RSS)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        source = actions.create_source(
            workspace=workspace,
            kind=d["kind"],
            name=d["name"],
            config=d["config"],
            poll_every_seconds=d["poll_every_minutes"] * 60,
        )
        messages.success(request, f"Source “{source.name}” added.")
        return redirect("listening:source", ws=workspace.slug, source_id=source.pk)
    return _page(request, member, "source_form.html", "sources", form=form)


@login_required
@allow_methods("GET")
def source_detail(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    member = _reader(request, ws)
    source = get_for_workspace(Source.objects.all(), member.workspace, pk=source_id)
    recent = list(source.posts.order_by("-published_at")[:10])
    return _page(
        request, member, "source_detail.html", "sources", source=source, status=queries.health(source), recent=recent
    )


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
