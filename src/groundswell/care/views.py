"""Customer-care pages under ``/w/<ws>/care/``: my cases (mobile first), one case with its thread and the
reply box, the admins' team queue, settings, snippets, and the member's responder profile.

Thin views: parse the input, check access, call ``care.actions``. A case is visible to its assignee, to
whoever answered it, and to program admins; every other id (and every id of another workspace) is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from groundswell.care import actions, queries
from groundswell.care.forms import (
    CloseForm,
    DepartmentSkillForm,
    PostedByHandForm,
    PostReplyForm,
    ProfileForm,
    ReassignForm,
    ReplyForm,
    SettingsForm,
    SnippetForm,
    TriageCaseForm,
    TriageDismissForm,
)
from groundswell.care.models import (
    FIXABLE,
    OPEN,
    UNANSWERED,
    Case,
    CaseStatus,
    DepartmentSkill,
    ReplyVia,
    Snippet,
    TriageItem,
)
from groundswell.lib.pages import paginate
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

QUEUE_PAGE_SIZE = 30


def _page(
    request: HttpRequest, member: Membership, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    base = {"workspace": member.workspace, "member": member, "nav": "care"}
    if "care_team" not in context:
        base["care_team"] = queries.is_care_team(member)
    with timezone.override(member.workspace.timezone):
        return render(request, f"care/{template}", {**base, **context}, status=status)


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member


def _case(member: Membership, case_id: int) -> Case:
    case = get_for_workspace(queries.with_post(Case.objects.all()), member.workspace, pk=case_id)
    if not (member.is_admin or case.assignee_id == member.pk or case.responder_id == member.pk):
        raise Http404("Not found")
    return case


@login_required
@never_cache
@allow_methods("GET")
def my_cases(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    care_team = queries.is_care_team(member)
    context = {
        "care_team": care_team,
        "triage_waiting": queries.triage_queue(member.workspace).count() if care_team else 0,
        "cases": list(queries.my_cases(member)),
        "recent": queries.my_recent(member),
        "is_responder": queries.is_responder(member),
        "escalated": queries.escalated(member.workspace).count() if member.is_admin else 0,
        "failed": _failed_rows(queries.failed_replies(member.workspace, member)),
        "failed_team": queries.failed_replies(member.workspace).exclude(responder=member).count()
        if member.is_admin
        else 0,
    }
    return _page(request, member, "mine.html", context)


def _failed_rows(cases: Iterable[Case]) -> list[dict[str, Any]]:
    return [{"case": c, "why": queries.reply_failure(c.reply_outbound)} for c in cases]


def _case_context(
    member: Membership,
    case: Case,
    form: ReplyForm | None = None,
    *,
    retry_form: PostReplyForm | None = None,
    by_hand_form: PostedByHandForm | None = None,
) -> dict[str, Any]:
    can_answer = case.status in UNANSWERED and actions.can_answer(case, member)
    failed, stuck = case.reply_failed, case.reply_stuck
    not_posted = failed or stuck
    can_fix = not_posted and case.status in FIXABLE and actions.can_answer(case, member)
    return {
        "case": case,
        "thread": queries.thread(case.post),
        "snippets": queries.suggested_snippets(case),
        "form": form or ReplyForm(),
        "can_answer": can_answer,
        "reply_options": queries.reply_options(case, member) if can_answer or can_fix else [],
        "reply_network": queries.reply_network(case),
        "reply_failed": failed,
        "reply_stuck": stuck,
        "failure": queries.reply_failure(case.reply_outbound) if not_posted else "",
        "reconnect_url": queries.reconnect_path(case, member) if stuck else "",
        "can_fix": can_fix,
        "retry_form": retry_form or PostReplyForm(initial={"text": case.reply_text}),
        "by_hand_form": by_hand_form or PostedByHandForm(),
        "can_resolve": case.status == CaseStatus.ANSWERED and not not_posted and actions.can_answer(case, member),
        "events": list(case.events.select_related("actor", "member")),
        "reassign_form": ReassignForm(workspace=member.workspace) if member.is_admin else None,
        "close_form": CloseForm() if member.is_admin else None,
        "is_open": case.status in OPEN,
        "networks": queries.reply_networks(),
    }


@login_required
@never_cache
@allow_methods("GET")
def case(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    found = _case(member, case_id)
    return _page(request, member, "case.html", _case_context(member, found))


@login_required
@allow_methods("POST")
def reply(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    """The responder copied the answer out and posted it under the customer's post: record it."""
    member = get_membership(request.user, ws)
    found = _case(member, case_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            actions.record_reply(found, member, form.cleaned_data["text"], via=ReplyVia.COPY)
        except actions.CareError as exc:
            found.refresh_from_db()
            if found.status in UNANSWERED:
                form.add_error("text", str(exc))
            else:  # answered meanwhile: the reply box is gone, say it at the top
                messages.error(request, str(exc))
        else:
            messages.success(request, "Thank you: the answer is recorded.")
            return redirect("care:case", ws=ws, case_id=found.pk)
    return _page(request, member, "case.html", _case_context(member, found, form), status=400)


@login_required
@allow_methods("POST")
def post_reply(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    """Post the answer under the customer's post from the account whose button was pressed, and record it."""
    member = get_membership(request.user, ws)
    found = _case(member, case_id)
    form = PostReplyForm(request.POST)
    if form.is_valid():
        try:
            actions.post_reply(found, member, form.cleaned_data["text"], form.cleaned_data["account"])
        except actions.CareError as exc:
            found.refresh_from_db()
            if found.status in UNANSWERED:
                form.add_error("text", str(exc))
            else:
                messages.error(request, str(exc))
        else:
            messages.success(request, "Thank you: your answer is being posted, and it is recorded.")
            return redirect("care:case", ws=ws, case_id=found.pk)
    return _page(request, member, "case.html", _case_context(member, found, form), status=400)


def _fix_failed(
    request: HttpRequest, member: Membership, found: Case, exc: actions.CareError, form: forms.Form, field: str
) -> Case:
    """Show why fixing a failed or stuck reply did not work: on the form while it is still on the page, else at
    the top. Returns the case as it is now."""
    found = _case(member, found.pk)
    if found.reply_not_posted and found.status in FIXABLE and actions.can_answer(found, member):
        form.add_error(field, str(exc))
    else:
        messages.error(request, str(exc))
    return found


@login_required
@allow_methods("POST")
def retry_reply(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    """Post an answer that did not go out again (a new outbox job), from the account whose button was pressed."""
    member = get_membership(request.user, ws)
    found = _case(member, case_id)
    form = PostReplyForm(request.POST)
    if form.is_valid():
        try:
            actions.retry_reply(found, member, form.cleaned_data["text"], form.cleaned_data["account"])
        except actions.CareError as exc:
            found = _fix_failed(request, member, found, exc, form, "text")
        else:
            messages.success(request, "Your answer is being posted again.")
            return redirect("care:case", ws=ws, case_id=found.pk)
    return _page(request, member, "case.html", _case_context(member, found, retry_form=form), status=400)


@login_required
@allow_methods("POST")
def posted_by_hand(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    """The answer that did not go out was posted by hand: record it (optionally with the reply's link)."""
    member = get_membership(request.user, ws)
    found = _case(member, case_id)
    form = PostedByHandForm(request.POST)
    if form.is_valid():
        try:
            actions.mark_reply_posted_by_hand(found, member, form.cleaned_data["url"])
        except actions.CareError as exc:
            found = _fix_failed(request, member, found, exc, form, "url")
        else:
            messages.success(request, "Thank you: the answer is recorded as posted by hand.")
            return redirect("care:case", ws=ws, case_id=found.pk)
    return _page(request, member, "case.html", _case_context(member, found, by_hand_form=form), status=400)


@login_required
@allow_methods("POST")
def resolve(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    found = _case(member, case_id)
    try:
        actions.resolve_case(found, member)
    except actions.CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Marked as resolved.")
    return redirect("care:case", ws=ws, case_id=found.pk)


@login_required
@allow_methods("POST")
def acknowledge(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    """The assignee says they are on it (the same action as the button in Slack or Teams)."""
    member = get_membership(request.user, ws)
    found = _case(member, case_id)
    try:
        first = actions.acknowledge_case(found, member, via="the case page")
    except actions.CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Noted: the team sees you are on it." if first else "You had already said so.")
    return redirect("care:case", ws=ws, case_id=found.pk)


@login_required
@allow_methods("POST")
def reassign(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    member = _admin(request, ws)
    found = _case(member, case_id)
    form = ReassignForm(request.POST, workspace=member.workspace)
    if form.is_valid():
        try:
            actions.reassign_case(found, member, form.cleaned_data["member"])
        except actions.CareError as exc:
            form.add_error("member", str(exc))
        else:
            messages.success(request, f"Given to {form.cleaned_data['member'].display_name}.")
            return redirect("care:queue", ws=ws)
    context = {**_case_context(member, found), "reassign_form": form}
    return _page(request, member, "case.html", context, status=400)


@login_required
@allow_methods("POST")
def close(request: HttpRequest, ws: str, case_id: int) -> HttpResponse:
    member = _admin(request, ws)
    found = _case(member, case_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.close_case(found, member, form.cleaned_data["note"])
        except actions.CareError as exc:
            form.add_error("note", str(exc))
        else:
            messages.success(request, "Case closed.")
            return redirect("care:queue", ws=ws)
    context = {**_case_context(member, found), "close_form": form}
    return _page(request, member, "case.html", context, status=400)


@login_required
@never_cache
@allow_methods("GET")
def queue(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    now = timezone.now()
    found = queries.responders(member.workspace)
    page, query = paginate(request, queries.team_queue(member.workspace), QUEUE_PAGE_SIZE)
    cases = list(page.object_list)
    rows = [
        {
            "case": c,
            "late": c.status in UNANSWERED and c.sla_due_at is not None and c.sla_due_at <= now,
        }
        for c in cases
    ]
    context = {
        "rows": rows,
        "page": page,
        "query": query,
        "responders": len(found),
        "on_shift": queries.staffed_now(found, now),
        "failed": _failed_rows(queries.failed_replies(member.workspace)),
    }
    return _page(request, member, "queue.html", context)


@login_required
@never_cache
@allow_methods("GET", "POST")
def settings_page(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    current = queries.care_settings(member.workspace)
    form = SettingsForm(instance=current)
    skill_form = DepartmentSkillForm(workspace=member.workspace)
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "skill":
            skill_form = DepartmentSkillForm(request.POST, workspace=member.workspace)
            if skill_form.is_valid():
                actions.add_department_skill(
                    member.workspace, skill_form.cleaned_data["department"], skill_form.cleaned_data["topic"]
                )
                messages.success(request, "Department skill added.")
                return redirect("care:settings", ws=ws)
        else:
            form = SettingsForm(request.POST, instance=queries.care_settings(member.workspace))
            if form.is_valid():
                actions.update_settings(member.workspace, **{k: form.cleaned_data[k] for k in SettingsForm.Meta.fields})
                messages.success(request, "Settings saved.")
                return redirect("care:settings", ws=ws)
        status = 400
    skills = DepartmentSkill.objects.filter(workspace=member.workspace).select_related("department", "topic")
    context = {"form": form, "skill_form": skill_form, "skills": list(skills.order_by("department__name", "pk"))}
    return _page(request, member, "settings.html", context, status=status)


@login_required
@allow_methods("POST")
def delete_skill(request: HttpRequest, ws: str, skill_id: int) -> HttpResponse:
    member = _admin(request, ws)
    actions.remove_department_skill(get_for_workspace(DepartmentSkill.objects.all(), member.workspace, pk=skill_id))
    messages.success(request, "Department skill removed.")
    return redirect("care:settings", ws=ws)


@login_required
@never_cache
@allow_methods("GET", "POST")
def snippets(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    form = SnippetForm(workspace=member.workspace)
    status = 200
    if request.method == "POST":
        form = SnippetForm(request.POST, workspace=member.workspace)
        if form.is_valid():
            data = form.cleaned_data
            actions.save_snippet(
                member.workspace, member, title=data["title"], body=data["body"], language=data["language"],
                topics=data["topics"],
            )  # fmt: skip
            messages.success(request, "Snippet saved.")
            return redirect("care:snippets", ws=ws)
        status = 400
    rows = Snippet.objects.filter(workspace=member.workspace).prefetch_related("topics")
    return _page(request, member, "snippets.html", {"form": form, "snippets": list(rows)}, status=status)


@login_required
@never_cache
@allow_methods("GET", "POST")
def snippet(request: HttpRequest, ws: str, snippet_id: int) -> HttpResponse:
    member = _admin(request, ws)
    found = get_for_workspace(Snippet.objects.all(), member.workspace, pk=snippet_id)
    form = SnippetForm(instance=found, workspace=member.workspace)
    status = 200
    if request.method == "POST":
        form = SnippetForm(request.POST, instance=found, workspace=member.workspace)
        if form.is_valid():
            data = form.cleaned_data
            actions.save_snippet(
                member.workspace, member, title=data["title"], body=data["body"], language=data["language"],
                topics=data["topics"], snippet=found,
            )  # fmt: skip
            messages.success(request, "Snippet saved.")
            return redirect("care:snippets", ws=ws)
        status = 400
    return _page(request, member, "snippet.html", {"form": form, "snippet": found}, status=status)


@login_required
@allow_methods("POST")
def delete_snippet_view(request: HttpRequest, ws: str, snippet_id: int) -> HttpResponse:
    member = _admin(request, ws)
    actions.delete_snippet(get_for_workspace(Snippet.objects.all(), member.workspace, pk=snippet_id))
    messages.success(request, "Snippet deleted.")
    return redirect("care:snippets", ws=ws)


@login_required
@never_cache
@allow_methods("GET", "POST")
def profile(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, workspace=member.workspace)
        if form.is_valid():
            data = form.cleaned_data
            actions.update_profile(
                member, languages=data["languages"], week=data["week"], tz=data["timezone"], skills=data["skills"],
                paused=data["paused"],
            )  # fmt: skip
            messages.success(request, "Your responder profile is saved.")
            return redirect("care:profile", ws=ws)
        status = 400
    else:  # reading only: a profile is saved the first time the member saves it (or gets a case)
        form = ProfileForm(initial=ProfileForm.initial_for(member), workspace=member.workspace)
    context = {"form": form, "is_responder": queries.is_responder(member)}
    return _page(request, member, "profile.html", context, status=status)


# --- triage (ADR 0028) -------------------------------------------------------------------------------------


def _care_team(request: HttpRequest, ws: str) -> Membership:
    """Program admins and the members who answer customers; anyone else gets a 404."""
    member = get_membership(request.user, ws)
    if not queries.is_care_team(member):
        raise Http404("Not found")
    return member


def _triage_item(member: Membership, triage_id: int) -> TriageItem:
    return get_for_workspace(TriageItem.objects.select_related("post", "topic"), member.workspace, pk=triage_id)


def _triage_page(
    request: HttpRequest, member: Membership, *, status: int = 200, failed: TriageItem | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:  # fmt: skip
    decided = request.GET.get("show") == "decided"
    qs = queries.triage_decided(member.workspace) if decided else queries.triage_queue(member.workspace)
    page = Paginator(qs, queries.TRIAGE_PAGE).get_page(request.GET.get("page"))
    context = {
        "decided": decided,
        "page": page,
        "open_count": queries.triage_queue(member.workspace).count() if decided else page.paginator.count,
        "failed": failed,
        "errors": errors or [],
        "dismiss_form": TriageDismissForm(),
        "networks": queries.reply_networks(),
    }
    return _page(request, member, "triage.html", context, status=status)


@login_required
@never_cache
@allow_methods("GET")
def triage(request: HttpRequest, ws: str) -> HttpResponse:
    """Brand mentions from outside the company that may need a reply, most likely first (``?show=decided``:
    what the team decided, with the reasons)."""
    return _triage_page(request, _care_team(request, ws))


def _form_errors(form: forms.Form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@login_required
@allow_methods("POST")
def triage_case(request: HttpRequest, ws: str, triage_id: int) -> HttpResponse:
    """Make a case of a triaged post (routed as usual), or take it to answer now (``answer``)."""
    member = _care_team(request, ws)
    item = _triage_item(member, triage_id)
    form = TriageCaseForm(request.POST)
    if not form.is_valid():
        return _triage_page(request, member, status=400, failed=item, errors=_form_errors(form))
    try:
        case = actions.case_from_triage(item, member, form.cleaned_data["intent"], answer=form.cleaned_data["answer"])
    except actions.CareError as exc:
        return _triage_page(request, member, status=400, failed=item, errors=[str(exc)])
    if form.cleaned_data["answer"]:
        messages.success(request, "The case is yours: write your answer.")
        return redirect("care:case", ws=ws, case_id=case.pk)
    messages.success(request, "Case opened: it goes to whoever is on shift and free.")
    return redirect("care:triage", ws=ws)


@login_required
@allow_methods("POST")
def triage_dismiss(request: HttpRequest, ws: str, triage_id: int) -> HttpResponse:
    """Take a post out of the queue without a reply, with the reason (recorded)."""
    member = _care_team(request, ws)
    item = _triage_item(member, triage_id)
    form = TriageDismissForm(request.POST)
    if not form.is_valid():
        return _triage_page(request, member, status=400, failed=item, errors=_form_errors(form))
    try:
        actions.dismiss_triage(item, member, form.cleaned_data["reason"], form.cleaned_data["note"])
    except actions.CareError as exc:
        return _triage_page(request, member, status=400, failed=item, errors=[str(exc)])
    messages.success(request, "Dismissed; the reason is recorded.")
    return redirect("care:triage", ws=ws)
