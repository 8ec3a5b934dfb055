"""Members' video pages and the access-checked file views (range requests, ``Cache-Control: private``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from groundswell.core.middleware import POLICY
from groundswell.videos import actions
from groundswell.videos.access import can_edit, can_watch, video_for_member
from groundswell.videos.forms import CaptionsForm, VideoUploadForm
from groundswell.videos.models import Video, VideoState
from groundswell.videos.ranges import ranged_response
from groundswell.workspaces.access import allow_methods, get_membership
from groundswell.workspaces.models import Membership

LIST_LIMIT = 60
PRIVATE_CACHE = "private, max-age=3600"
#: The upload page records with the camera and microphone (MediaRecorder); every other page keeps both off.
RECORDING_PERMISSIONS = "camera=(self), microphone=(self), geolocation=()"
#: ...and plays the recording back before it is uploaded, from a blob: URL.
RECORDING_POLICY = f"{POLICY}; media-src 'self' blob:"


def _limits() -> str:
    return (
        f"{actions.duration_text(int(settings.VIDEO_MAX_SECONDS))} and {filesizeformat(int(settings.VIDEO_MAX_BYTES))}"
    )


def _page(
    request: HttpRequest, template: str, member: Membership, *, status: int = 200, **context: Any
) -> HttpResponse:
    context = {
        "workspace": member.workspace,
        "member": member,
        "limits": _limits(),
        "max_seconds": int(settings.VIDEO_MAX_SECONDS),
        **context,
    }
    return render(request, template, context, status=status)


@login_required
@allow_methods("GET", "HEAD")
def video_list(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    recent = Video.objects.filter(workspace=member.workspace).select_related("uploaded_by", "workspace")
    videos = [v for v in recent[:LIST_LIMIT] if can_watch(member, v)]
    mine = [v for v in videos if v.uploaded_by_id == member.pk]
    others = [v for v in videos if v.uploaded_by_id != member.pk and v.is_ready]
    return _page(request, "videos/list.html", member, mine=mine, others=others)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@allow_methods("GET", "POST")
def upload(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    form = VideoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                video = actions.create_video(
                    member=member, upload=form.cleaned_data["video"], title=form.cleaned_data.get("title") or ""
                )
            except actions.VideoRejected as exc:
                form.add_error("video", str(exc))
            else:
                url = reverse("videos:detail", kwargs={"ws": ws, "video_id": video.pk})
                if _wants_json(request):
                    return JsonResponse({"redirect": url, "id": video.pk}, status=201)
                messages.success(request, "Uploaded. We are preparing your video; it takes a moment.")
                return redirect(url)
        if _wants_json(request):
            errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
            return JsonResponse({"errors": errors}, status=400)
        response = _page(request, "videos/upload.html", member, form=form, status=400)
    else:
        response = _page(request, "videos/upload.html", member, form=form)
    response.headers["Permissions-Policy"] = RECORDING_PERMISSIONS
    response.headers["Content-Security-Policy"] = RECORDING_POLICY
    return response


def _detail(
    request: HttpRequest, member: Membership, video: Video, *, form: CaptionsForm | None = None, status: int = 200
) -> HttpResponse:
    editable = can_edit(member, video)
    if form is None and editable:
        form = CaptionsForm(initial={"captions_text": video.captions_vtt, "language": video.captions_language})
    return _page(
        request,
        "videos/detail.html",
        member,
        video=video,
        can_edit=editable,
        captions_form=form,
        used_by_items=video.items.exists(),
        status=status,
    )


@login_required
@allow_methods("GET", "HEAD")
def detail(request: HttpRequest, ws: str, video_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    return _detail(request, member, video_for_member(member, video_id))


@login_required
@allow_methods("GET", "HEAD")
def status(request: HttpRequest, ws: str, video_id: int) -> JsonResponse:
    """What the detail page polls while the worker processes the video."""
    member = get_membership(request.user, ws)
    video = video_for_member(member, video_id)
    response = JsonResponse({"state": video.state, "label": video.get_state_display(), "error": video.error})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@allow_methods("POST")
def edit_captions(request: HttpRequest, ws: str, video_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    video = video_for_member(member, video_id)
    if not can_edit(member, video):
        raise Http404("Not found")
    form = CaptionsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.set_captions(
                member=member, video=video, text=form.cleaned_data["captions"], language=form.cleaned_data["language"]
            )
        except actions.VideoError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Captions saved." if video.captions_vtt else "Captions removed.")
            return redirect("videos:detail", ws=ws, video_id=video.pk)
    return _detail(request, member, video, form=form, status=400)


@login_required
@allow_methods("POST")
def retry(request: HttpRequest, ws: str, video_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    video = video_for_member(member, video_id)
    try:
        actions.retry(member=member, video=video)
    except actions.VideoError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Trying again: we are preparing your video.")
    return redirect("videos:detail", ws=ws, video_id=video.pk)


@login_required
@allow_methods("POST")
def delete(request: HttpRequest, ws: str, video_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    video = video_for_member(member, video_id)
    try:
        actions.delete_video(member=member, video=video)
    except actions.VideoError as exc:
        messages.error(request, str(exc))
        return redirect("videos:detail", ws=ws, video_id=video.pk)
    messages.success(request, "Video deleted.")
    return redirect("videos:list", ws=ws)


# --- Files ----------------------------------------------------------------------------------------


def serve_file(request: HttpRequest, field: Any, content_type: str) -> HttpResponseBase:
    """Stream a stored file with range support; 404 when there is none (not processed yet, or deleted)."""
    if not field or not field.name:
        raise Http404("Not found")
    storage = field.storage
    try:
        size = storage.size(field.name)
        handle = storage.open(field.name, "rb")
    except (OSError, FileNotFoundError):
        raise Http404("Not found") from None
    return ranged_response(
        handle,
        size=size,
        content_type=content_type,
        range_header=request.headers.get("Range"),
        cache_control=PRIVATE_CACHE,
    )


def captions_response(video: Video) -> HttpResponse:
    if not video.captions_vtt:
        raise Http404("Not found")
    response = HttpResponse(video.captions_vtt, content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ready_video(request: HttpRequest, ws: str, video_id: int) -> Video:
    member = get_membership(request.user, ws)
    video = video_for_member(member, video_id)
    if video.state != VideoState.READY:
        raise Http404("Not found")
    return video


# allow_methods is typed for HttpResponse; these stream (StreamingHttpResponse shares only HttpResponseBase).
@login_required  # type: ignore[type-var]
@allow_methods("GET", "HEAD")
def web_file(request: HttpRequest, ws: str, video_id: int) -> HttpResponseBase:
    return serve_file(request, _ready_video(request, ws, video_id).web, "video/mp4")


@login_required  # type: ignore[type-var]
@allow_methods("GET", "HEAD")
def poster(request: HttpRequest, ws: str, video_id: int) -> HttpResponseBase:
    return serve_file(request, _ready_video(request, ws, video_id).poster, "image/jpeg")


@login_required
@allow_methods("GET", "HEAD")
def captions(request: HttpRequest, ws: str, video_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    return captions_response(video_for_member(member, video_id))
