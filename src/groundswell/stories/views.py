"""The stories feed, a story's page, writing, reactions, comments, reports and the moderators' page.

Views parse input, check access (the member through ``get_membership``, stories through
``queries.visible_stories``: a story the member may not read is a 404, like another workspace's) and call one
function of ``stories.actions``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import Storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone

from groundswell.lib.pages import paginate
from groundswell.lib.storage import private_image_response
from groundswell.policy.rendering import render_markdown
from groundswell.stories import actions
from groundswell.stories.forms import (
    CommentForm,
    DeleteForm,
    FeedFilterForm,
    HideForm,
    ReactionForm,
    ReportForm,
    StoryForm,
)
from groundswell.stories.harvest import can_harvest, for_audience_of, open_prompts
from groundswell.stories.models import (
    ModerationEvent,
    Reaction,
    Story,
    StoryComment,
    StoryImage,
    StoryPrompt,
    StoryReport,
    Visibility,
)
from groundswell.stories.prompt_forms import CONSENT_LABEL
from groundswell.stories.queries import (
    FeedFilters,
    cards_for,
    feed_entries,
    feed_stream,
    open_reports,
    reactors,
    visible_comments,
    visible_stories,
    with_card_data,
)
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

PAGE_SIZE = 12


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, **context})


def _story(member: Membership, story_id: int) -> Story:
    """A story ``member`` may read, or 404."""
    story = get_for_workspace(visible_stories(member).select_related("author"), member.workspace, pk=story_id)
    story.workspace = member.workspace
    return story


def _comment(member: Membership, comment_id: int) -> StoryComment:
    """A comment on a story ``member`` may read, that they may see, or 404."""
    comment = get_for_workspace(
        StoryComment.objects.filter(deleted_at__isnull=True).select_related("story", "author"),
        member.workspace,
        pk=comment_id,
    )
    story = _story(member, comment.story_id)
    if not visible_comments(member, story).filter(pk=comment.pk).exists():
        raise Http404("Not found")
    comment.story = story
    return comment


def _slug(story: Story) -> str:
    return str(story.workspace.slug)


def _detail_url(story: Story, anchor: str = "") -> str:
    url = reverse("stories:detail", kwargs={"ws": _slug(story), "story_id": story.pk})
    return f"{url}#{anchor}" if anchor else url


# --- The feed ---------------------------------------------------------------------------------------------


@login_required
@allow_methods("GET")
def feed(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    form = FeedFilterForm(request.GET, member=member)
    form.is_valid()  # an unknown value is dropped, never an error
    clean = getattr(form, "cleaned_data", {})
    department = clean.get("department")
    topic = clean.get("topic")
    filters = FeedFilters(
        department_id=department.pk if department else None,
        topic_id=topic.pk if topic else None,
        kind=clean.get("kind") or "",
        show=clean.get("show") or "",
    )
    page, query = paginate(request, feed_stream(member, filters), PAGE_SIZE)
    entries = feed_entries(member, list(page.object_list))
    return _page(
        request,
        "stories/feed.html",
        member,
        form=form,
        filters=filters,
        page=page,
        query=query,
        entries=entries,
        reactions=Reaction.choices,
    )


# --- Writing ----------------------------------------------------------------------------------------------


def _write(request: HttpRequest, member: Membership, story: Story | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if story is not None:
        initial = {
            "title": story.title,
            "body_markdown": story.body_markdown,
            "kind": story.kind,
            "audience": story.audience,
            "department": story.department_id,
            "team": story.team_id,
            "topics": list(story.topics.all()),
        }
    posted = request.method == "POST"
    if story is None and not posted:
        initial.update(_answering(member, request.GET.get("prompt", "")))
    form = StoryForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        member=member,
        story=story,
        initial=initial,
    )
    preview = None
    if posted and form.is_valid():
        if request.POST.get("action") == "preview":
            preview = {
                "title": form.cleaned_data["title"],
                "body_html": render_markdown(form.cleaned_data["body_markdown"]),
            }
        else:
            try:
                if story is None:
                    saved = actions.create_story(member=member, data=form.story_data())
                else:
                    saved = actions.edit_story(member=member, story=story, data=form.story_data())
            except actions.StoryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Story posted." if story is None else "Story saved.")
                return redirect(_detail_url(saved))
    return _page(request, "stories/form.html", member, form=form, story=story, preview=preview, answering=_call(form))


def _call(form: StoryForm) -> StoryPrompt | None:
    """The call for stories the form answers (shown above it), if any."""
    field = form.fields.get("prompt")
    value = str(form["prompt"].value() or "") if field is not None else ""
    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None or not value.isdigit():
        return None
    found: StoryPrompt | None = field.queryset.filter(pk=int(value)).first()
    return found


def _answering(member: Membership, prompt_id: str) -> dict[str, Any]:
    """The form's start for a story answering a call (``?prompt=<id>``): the call, its kind and audience.
    A call that is closed, not for this member, or not a number is ignored (the form starts blank)."""
    if not prompt_id.isdigit():
        return {}
    call = for_audience_of(member, open_prompts(member.workspace_id, timezone.localdate())).filter(pk=int(prompt_id))
    found = call.first()
    if found is None:
        return {}
    return {
        "prompt": found.pk,
        "kind": found.kind,
        "audience": found.audience,
        "department": found.department_id,
        "team": found.team_id,
    }


@login_required
@allow_methods("GET", "POST")
def create(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    return _write(request, member, None)


@login_required
@allow_methods("GET", "POST")
def edit(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    story = _story(member, story_id)
    if story.author_id != member.pk:
        raise Http404("Not found")
    return _write(request, member, story)


@login_required
@allow_methods("POST")
def delete(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    story = _story(member, story_id)
    if story.author_id != member.pk and not member.is_admin:
        raise Http404("Not found")
    form = DeleteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    actions.delete_story(member=member, story=story, reason=reason)
    messages.success(request, f"Story “{story.title}” deleted.")
    return redirect("stories:feed", ws=ws)


# --- A story's page -----------------------------------------------------------------------------------------


@login_required
@allow_methods("GET")
def detail(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    story = get_for_workspace(with_card_data(visible_stories(member)), member.workspace, pk=story_id)
    card = cards_for(member, [story])[0]
    comments = list(visible_comments(member, story))
    reported = set(StoryReport.objects.filter(reporter=member, story=story).values_list("comment_id", flat=True))
    return _page(
        request,
        "stories/detail.html",
        member,
        story=story,
        card=card,
        body_html=render_markdown(story.body_markdown),
        images=list(story.images.all()),
        reactions=Reaction.choices,
        reactors=reactors(story),
        comments=comments,
        comment_form=CommentForm(),
        player_template=select_template(["videos/_player.html", "stories/_video_fallback.html"]),
        reported_story=None in reported,
        reported_comments=reported - {None},
        story_can_harvest=member.is_admin and can_harvest(story),
        consent_label=CONSENT_LABEL,
    )


@login_required
@allow_methods("GET")
def image(request: HttpRequest, ws: str, story_id: int, image_id: int) -> HttpResponse:
    """A story's image, for the members who may read the story (never from /media/)."""
    member = get_membership(request.user, ws)
    story = _story(member, story_id)
    found = StoryImage.objects.filter(story=story, pk=image_id).first()
    if found is None:
        raise Http404("Not found")
    return _file(found.image.storage, found.image.name)


@login_required
@allow_methods("GET")
def poster(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    """The poster frame of a story's video (its card in the feed), with the story's audience rule."""
    member = get_membership(request.user, ws)
    story = _story(member, story_id)
    video = story.video
    if video is None or not video.poster:
        raise Http404("Not found")
    return _file(video.poster.storage, video.poster.name)


def _file(storage: Storage, name: str | None) -> HttpResponse:
    """A story's image or its video's poster (the caller checked the story's audience)."""
    return private_image_response(storage, name)


@login_required
@allow_methods("POST")
def react(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    story = _story(member, story_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the reactions.")
    else:
        actions.toggle_reaction(member=member, story=story, reaction=form.cleaned_data["reaction"])
    if request.POST.get("back") == "feed":
        return redirect(f"{reverse('stories:feed', kwargs={'ws': ws})}#story-{story.pk}")
    return redirect(_detail_url(story, "reactions"))


@login_required
@allow_methods("POST")
def comment(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    story = _story(member, story_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            added = actions.add_comment(member=member, story=story, body=form.cleaned_data["body"])
        except actions.StoryError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Comment added.")
            return redirect(_detail_url(story, f"comment-{added.pk}"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_detail_url(story, "comments"))


@login_required
@allow_methods("GET", "POST")
def comment_edit(request: HttpRequest, ws: str, comment_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    found = _comment(member, comment_id)
    if found.author_id != member.pk:
        raise Http404("Not found")
    form = CommentForm(request.POST if request.method == "POST" else None, initial={"body": found.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_comment(member=member, comment=found, body=form.cleaned_data["body"])
        except actions.StoryError as exc:
            form.add_error("body", str(exc))
        else:
            messages.success(request, "Comment saved.")
            return redirect(_detail_url(found.story, f"comment-{found.pk}"))
    return _page(request, "stories/comment_edit.html", member, form=form, comment=found, story=found.story)


@login_required
@allow_methods("POST")
def comment_delete(request: HttpRequest, ws: str, comment_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    found = _comment(member, comment_id)
    if found.author_id != member.pk and not member.is_admin:
        raise Http404("Not found")
    actions.delete_comment(member=member, comment=found)
    messages.success(request, "Comment deleted.")
    return redirect(_detail_url(found.story, "comments"))


# --- Reports ----------------------------------------------------------------------------------------------------


def _report(request: HttpRequest, member: Membership, story: Story, found: StoryComment | None) -> HttpResponse:
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.report(
                member=member,
                story=story,
                comment=found,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except actions.StoryError as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, "Thank you. The program admins will look at it.")
        return redirect(_detail_url(story))
    return _page(request, "stories/report.html", member, form=form, story=story, comment=found)


@login_required
@allow_methods("GET", "POST")
def report_story(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    return _report(request, member, _story(member, story_id), None)


@login_required
@allow_methods("GET", "POST")
def report_comment(request: HttpRequest, ws: str, comment_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    found = _comment(member, comment_id)
    return _report(request, member, found.story, found)


# --- Moderation (admins) ----------------------------------------------------------------------------------------


@login_required
@allow_methods("GET")
def moderation(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    hidden_stories = Story.objects.filter(
        workspace=workspace, deleted_at__isnull=True, visibility=Visibility.HIDDEN
    ).select_related("author", "hidden_by")
    hidden_comments = StoryComment.objects.filter(
        workspace=workspace, deleted_at__isnull=True, visibility=Visibility.HIDDEN
    ).select_related("author", "story", "hidden_by")
    log = ModerationEvent.objects.filter(workspace=workspace).select_related("actor", "story", "comment")
    log_page, query = paginate(request, log, 25)
    return _page(
        request,
        "stories/moderation.html",
        member,
        reports=list(open_reports(workspace)[:100]),
        hidden_stories=list(hidden_stories[:100]),
        hidden_comments=list(hidden_comments[:100]),
        page=log_page,
        query=query,
        hide_form=HideForm(),
    )


def _moderate(request: HttpRequest, ws: str, story_id: int | None, comment_id: int | None, what: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    found = _comment(member, comment_id) if comment_id is not None else None
    story = found.story if found is not None else _story(member, story_id or 0)
    try:
        if what == "hide":
            form = HideForm(request.POST)
            if not form.is_valid():
                raise actions.StoryError("Say why it is hidden: the author sees the reason.")
            actions.hide(admin=member, story=story, comment=found, reason=form.cleaned_data["reason"])
            messages.success(request, "Hidden. The author sees the reason; everyone else no longer sees it.")
        else:
            actions.restore(admin=member, story=story, comment=found)
            messages.success(request, "Restored: everyone who may read it sees it again.")
    except actions.StoryError as exc:
        messages.error(request, str(exc))
    if request.POST.get("back") == "moderation":
        return redirect("stories:moderation", ws=ws)
    return redirect(_detail_url(story, f"comment-{found.pk}" if found else ""))


@login_required
@allow_methods("POST")
def hide_story(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    return _moderate(request, ws, story_id, None, "hide")


@login_required
@allow_methods("POST")
def restore_story(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    return _moderate(request, ws, story_id, None, "restore")


@login_required
@allow_methods("POST")
def hide_comment(request: HttpRequest, ws: str, comment_id: int) -> HttpResponse:
    return _moderate(request, ws, None, comment_id, "hide")


@login_required
@allow_methods("POST")
def restore_comment(request: HttpRequest, ws: str, comment_id: int) -> HttpResponse:
    return _moderate(request, ws, None, comment_id, "restore")


@login_required
@allow_methods("POST")
def dismiss_report(request: HttpRequest, ws: str, report_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    found = get_for_workspace(StoryReport.objects.select_related("story", "comment"), member.workspace, pk=report_id)
    actions.dismiss(admin=member, report=found, note=request.POST.get("note", "")[:200])
    messages.success(request, "Report dismissed.")
    return redirect("stories:moderation", ws=ws)
