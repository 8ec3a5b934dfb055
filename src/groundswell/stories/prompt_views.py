"""Calls for stories (prompts) and harvesting: thin views over ``stories/harvest.py``.

Members see the open calls of their audience and write for them; admins create, edit and close calls, see who
answered (never who did not) and turn consenting stories into items to share. A member of another workspace
gets 404 everywhere; an employee gets 404 on the admins' pages (``require_role``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from groundswell.lib.export import csv_response
from groundswell.lib.periods import local_day
from groundswell.policy.rendering import render_markdown
from groundswell.stories import harvest
from groundswell.stories.harvest import HarvestData, HarvestError
from groundswell.stories.models import Story, StoryPrompt
from groundswell.stories.prompt_forms import HarvestForm, PromptForm
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role


def _page(request: HttpRequest, template: str, member: Membership, **context: Any) -> HttpResponse:
    with timezone.override(member.workspace.timezone):
        return render(request, template, {"workspace": member.workspace, "member": member, **context})


def _today(member: Membership) -> dt.date:
    return local_day(timezone.now(), member.workspace.timezone)


def write_url(ws: str, prompt_id: int) -> str:
    """Where "Write your story" goes: the stories writer with the call set (its kind and audience prefilled,
    the consent box offered)."""
    return reverse("stories:create", kwargs={"ws": ws}) + f"?prompt={prompt_id}"


def _prompt_for(member: Membership, prompt_id: int) -> StoryPrompt:
    """A call of the member's workspace whose audience they are in (admins: any), or 404."""
    prompts = harvest.for_audience_of(member, StoryPrompt.objects.select_related("department", "team"))
    return get_for_workspace(prompts, member.workspace, pk=prompt_id)


def _admin_prompt(request: HttpRequest, ws: str, prompt_id: int) -> tuple[Membership, StoryPrompt]:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member, _prompt_for(member, prompt_id)


@login_required
@allow_methods("GET")
def prompt_list(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    today = _today(member)
    if member.is_admin:
        prompts = list(StoryPrompt.objects.filter(workspace=member.workspace).select_related("department", "team"))
        counts = harvest.participation_many(prompts)
        rows = [(p, harvest.is_open(p, today), counts[p.pk]) for p in prompts]
        return _page(request, "stories/prompts/admin_list.html", member, rows=rows)
    open_ones = harvest.for_audience_of(member, harvest.open_prompts(member.workspace_id, today)).order_by("deadline")
    mine = set(
        Story.objects.filter(author=member, prompt__in=open_ones, deleted_at__isnull=True).values_list(
            "prompt_id", flat=True
        )
    )
    rows_m = [(p, p.pk in mine, write_url(ws, p.pk)) for p in open_ones]
    return _page(request, "stories/prompts/list.html", member, rows=rows_m)


def _save(request: HttpRequest, ws: str, prompt_id: int | None) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    prompt = _prompt_for(member, prompt_id) if prompt_id is not None else None
    initial: dict[str, Any] = {"audience": "everyone", "kind": "story"}
    if prompt is not None:
        initial = {
            "title": prompt.title,
            "body_markdown": prompt.body_markdown,
            "deadline": prompt.deadline,
            "kind": prompt.kind,
            "audience": prompt.audience,
            "department": prompt.department,
            "team": prompt.team,
        }
    form = PromptForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        workspace=member.workspace,
        today=_today(member),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if prompt is None:
                prompt = harvest.create_prompt(member=member, data=form.prompt_data())
                messages.success(request, "Call for stories opened. Its audience sees it now and in their digest.")
            else:
                harvest.update_prompt(member=member, prompt=prompt, data=form.prompt_data())
                messages.success(request, "Call saved.")
        except HarvestError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("story_prompts:detail", ws=ws, prompt_id=prompt.pk)
    return _page(request, "stories/prompts/form.html", member, form=form, prompt=prompt)


@login_required
@allow_methods("GET", "POST")
def create(request: HttpRequest, ws: str) -> HttpResponse:
    return _save(request, ws, None)


@login_required
@allow_methods("GET", "POST")
def edit(request: HttpRequest, ws: str, prompt_id: int) -> HttpResponse:
    return _save(request, ws, prompt_id)


@login_required
@allow_methods("POST")
def close(request: HttpRequest, ws: str, prompt_id: int) -> HttpResponse:
    member, prompt = _admin_prompt(request, ws, prompt_id)
    harvest.close_prompt(member=member, prompt=prompt)
    messages.success(request, f"“{prompt.title}” is closed: it takes no more stories.")
    return redirect("story_prompts:detail", ws=ws, prompt_id=prompt.pk)


@login_required
@allow_methods("GET")
def detail(request: HttpRequest, ws: str, prompt_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    prompt = _prompt_for(member, prompt_id)
    mine = list(Story.objects.filter(prompt=prompt, author=member, deleted_at__isnull=True).select_related("item"))
    return _page(
        request,
        "stories/prompts/detail.html",
        member,
        prompt=prompt,
        body_html=render_markdown(prompt.body_markdown),
        is_open=harvest.is_open(prompt, _today(member)),
        mine=mine,
        write_url=write_url(ws, prompt.pk),
        counts=harvest.participation(prompt) if member.is_admin else None,
    )


@login_required
@allow_methods("GET")
def answers(request: HttpRequest, ws: str, prompt_id: int) -> HttpResponse:
    member, prompt = _admin_prompt(request, ws, prompt_id)
    return _page(
        request,
        "stories/prompts/answers.html",
        member,
        prompt=prompt,
        stories=list(harvest.answers(prompt)),
        counts=harvest.participation(prompt),
    )


@login_required
@allow_methods("GET")
def answers_csv(request: HttpRequest, ws: str, prompt_id: int) -> HttpResponse:
    member, prompt = _admin_prompt(request, ws, prompt_id)
    tz = member.workspace.timezone
    response, writer = csv_response(f"groundswell-{ws}-call-{prompt.pk}-stories.csv")
    writer.writerow(["story_id", "title", "author", "written_on", "consent_to_share", "consent_on", "item_id"])
    for story in harvest.answers(prompt):
        writer.writerow(
            [
                story.pk,
                story.title,
                story.author.display_name,
                local_day(story.created_at, tz).isoformat(),
                "yes" if story.share_consent else "no",
                local_day(story.share_consent_at, tz).isoformat() if story.share_consent_at else "",
                story.item_id or "",
            ]
        )
    return response


def _story(member: Membership, story_id: int) -> Story:
    return get_for_workspace(
        Story.objects.filter(deleted_at__isnull=True).select_related("author", "prompt", "video"),
        member.workspace,
        pk=story_id,
    )


def _back(request: HttpRequest, ws: str, story: Story) -> HttpResponse:
    if request.POST.get("back") == "story":  # the button on the story's own page
        return redirect("stories:detail", ws=ws, story_id=story.pk)
    if story.prompt_id is not None:
        return redirect("story_prompts:detail", ws=ws, prompt_id=story.prompt_id)
    return redirect("story_prompts:list", ws=ws)


@login_required
@allow_methods("POST")
def consent(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    story = _story(member, story_id)
    if story.author_id != member.pk:
        raise Http404("Not found")
    give = request.POST.get("consent") == "1"
    try:
        harvest.set_share_consent(member, story, give)
    except HarvestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Thank you: the program team may share this story outside, with your name."
            if give
            else "Consent withdrawn: the story stays inside the company.",
        )
    return _back(request, ws, story)


@login_required
@allow_methods("GET", "POST")
def harvest_view(request: HttpRequest, ws: str, story_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    story = _story(member, story_id)
    if not harvest.can_harvest(story):
        if story.item_id is not None:
            messages.info(request, "This story is already an item to share.")
            return redirect("content:detail", ws=ws, pk=story.item_id)
        if not story.share_consent:
            messages.error(request, "This story cannot become an item: its author has not agreed to share it outside.")
        else:
            messages.error(request, "This story is hidden by a moderator: restore it before sharing it outside.")
        return _back(request, ws, story)
    initial = harvest.harvest_initial(story)
    form = HarvestForm(
        request.POST if request.method == "POST" else None,
        workspace=member.workspace,
        initial={
            "title": initial.title,
            "summary": initial.summary,
            "text": initial.text,
            "captions": "\n".join(initial.captions),
            "topics": list(initial.topics),
            "publish": "1",
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = HarvestData(
            title=d["title"],
            text=d["text"],
            summary=d["summary"],
            captions=d["captions"],
            topics=list(d.get("topics", [])),
            publish=d["publish"],
        )
        try:
            item = harvest.harvest_story(member=member, story=story, data=data)
        except HarvestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"“{item.display_title}” is an item to share, credited to its author.")
            return redirect("content:detail", ws=ws, pk=item.pk)
    return _page(
        request,
        "stories/prompts/harvest.html",
        member,
        story=story,
        form=form,
        credit=harvest.credit_line(story),
        body_html=render_markdown(story.body_markdown),
    )
