"""CSV import pages (program admins): upload → preview → confirm → progress → summary.

The job is named by ``?job=<id>`` (GET) or a ``job`` form field (POST), always looked up within the
admin's workspace, so another workspace's job is a 404 like everything else.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from groundswell.workspaces import importing
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import ImportJob, ImportStatus, Membership, Role


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: Name, Email, Department, Location, Manager email, Employee ID (only Email is required). "
            f"UTF-8, comma or semicolon separated, at most {importing.MAX_BYTES // (1024 * 1024)} MB "
            f"and {importing.MAX_ROWS:,} rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    send_invitations = forms.BooleanField(
        required=False,
        initial=False,
        label="Email the invitations now",
        help_text="Off: invitations are created and you send them later from the People page (Resend).",
    )


def _admin(request: HttpRequest, ws: str) -> Membership:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return member


def _job(member: Membership, job_id: Any) -> ImportJob:
    return get_for_workspace(ImportJob.objects.all(), member.workspace, pk=job_id)


def _ctx(member: Membership, **extra: Any) -> dict[str, Any]:
    return {"member": member, "workspace": member.workspace, "nav": "people", **extra}


def _job_url(name: str, job: ImportJob) -> str:
    return reverse(f"workspaces:{name}", kwargs={"ws": job.workspace.slug}) + f"?job={job.pk}"


@login_required
@allow_methods("GET", "POST")
def import_upload(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job, _analysis = importing.create_job(
                    member.workspace,
                    by=member,
                    file_name=upload.name or "",
                    raw=upload.read(importing.MAX_BYTES + 1),
                    send_invitations=form.cleaned_data["send_invitations"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                return redirect(_job_url("import_preview", job))
        status = 400
    else:
        form = ImportUploadForm()
    recent = ImportJob.objects.filter(workspace=member.workspace).select_related("created_by").defer("content")[:10]
    return render(request, "workspaces/import_upload.html", _ctx(member, form=form, recent=recent), status=status)


@login_required
@allow_methods("GET")
def import_preview(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    job = _job(member, request.GET.get("job"))
    if job.status != ImportStatus.PREVIEWED:
        return redirect(_job_url("import_progress", job))
    return render(request, "workspaces/import_preview.html", _ctx(member, job=job))


@login_required
@allow_methods("POST")
def import_confirm(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    job = _job(member, request.POST.get("job"))
    try:
        job = importing.start_job(job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_job_url("import_progress", job))


@login_required
@allow_methods("GET")
def import_progress(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    job = _job(member, request.GET.get("job"))
    if job.status == ImportStatus.PREVIEWED:
        return redirect(_job_url("import_preview", job))
    return render(
        request,
        "workspaces/import_progress.html",
        _ctx(member, job=job, status_url=_job_url("import_status", job), finished=_finished(job)),
    )


def _finished(job: ImportJob) -> bool:
    return job.status in (ImportStatus.DONE, ImportStatus.FAILED)


@login_required
@allow_methods("GET")
def import_status(request: HttpRequest, ws: str) -> HttpResponse:
    member = _admin(request, ws)
    job = _job(member, request.GET.get("job"))
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": _finished(job),
            "total_rows": job.total_rows,
            "processed_rows": job.processed_rows,
            "percent": job.percent,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "errors": job.error_count,
        },
        headers={"Cache-Control": "no-store"},
    )
