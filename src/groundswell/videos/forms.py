"""Forms for videos. ``VideoUploadField`` is for any form that takes a video (stories, lessons): it checks the
size and what the file really is (ffprobe) at the edge, so a bad file gets a message on the form; then
``videos.actions.create_video`` stores it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from groundswell.lib.text import no_control_characters
from groundswell.videos.actions import VideoRejected, duration_text, inspect_upload
from groundswell.videos.captions import MAX_CAPTIONS_BYTES, CaptionsError, validate_webvtt

LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pt", "Portuguese"),
    ("pl", "Polish"),
    ("sv", "Swedish"),
]


class VideoFileInput(forms.FileInput):
    """A file picker that offers the phone's camera (``capture``) and only videos."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"accept": "video/*", "capture": "user", **(attrs or {})})


class VideoUploadField(forms.FileField):
    """A video upload, validated by its content: size, a real video, not longer than the limit.

    Use it in any form; store the cleaned value with ``videos.actions.create_video(member=..., upload=...)``.
    """

    widget = VideoFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Video")
        kwargs.setdefault(
            "help_text",
            f"Record with your phone or pick a file: up to {filesizeformat(settings.VIDEO_MAX_BYTES)} "
            f"and {duration_text(int(settings.VIDEO_MAX_SECONDS))}.",
        )
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            try:
                inspect_upload(upload)
            except VideoRejected as exc:
                raise forms.ValidationError(str(exc), code="bad_video") from exc
            upload.seek(0)
        return upload


class VideoUploadForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, validators=[no_control_characters], help_text="Optional: what is it about?"
    )
    video = VideoUploadField()


class CaptionsForm(forms.Form):
    """Captions as a .vtt file or as text typed in the box (the file wins when both are given)."""

    captions_file = forms.FileField(
        label="Upload a .vtt file", required=False, help_text="WebVTT, the captions format browsers play."
    )
    captions_text = forms.CharField(
        label="Or edit the captions",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
        required=False,
        max_length=MAX_CAPTIONS_BYTES,
        help_text="Start with WEBVTT, then a blank line, then each caption: a timing line "
        "(00:00:01.000 --> 00:00:04.000) and its text. Leave empty to remove the captions.",
    )
    language = forms.ChoiceField(choices=LANGUAGES, initial="en", label="Language of the captions")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["captions_file"].widget.attrs["accept"] = ".vtt,text/vtt"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("captions_file")
        if upload is not None:
            if (upload.size or 0) > MAX_CAPTIONS_BYTES:
                self.add_error("captions_file", f"Captions are limited to {MAX_CAPTIONS_BYTES // 1024} KB.")
                return data
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("captions_file", "The captions file must be UTF-8 text.")
                return data
            field = "captions_file"
        else:
            text, field = data.get("captions_text") or "", "captions_text"
        if text.strip():
            try:
                text = validate_webvtt(text)
            except CaptionsError as exc:
                self.add_error(field, str(exc))
        data["captions"] = text if text.strip() else ""
        return data
