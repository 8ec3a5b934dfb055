"""Forms for the content hub. They parse and validate; the writes happen in ``content.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.template.defaultfilters import filesizeformat

from groundswell.content.actions import MAX_CAPTIONS, CaptionData, ItemData
from groundswell.content.models import Item, ItemKind, ItemState, Topic
from groundswell.lib.text import no_control_characters
from groundswell.networks.registry import NETWORK_CHOICES
from groundswell.videos.forms import VideoUploadField
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Department, Location, Workspace

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _checkboxes(queryset: Any, label: str, help_text: str = "") -> forms.ModelMultipleChoiceField[Any]:
    return forms.ModelMultipleChoiceField(
        queryset=queryset, required=False, widget=forms.CheckboxSelectMultiple, label=label, help_text=help_text
    )


def validate_image_upload(image: UploadedFile[bytes] | None) -> UploadedFile[bytes] | None:
    """Size limit and an allow-list of formats (the ImageField has already opened it with Pillow)."""
    if not image:
        return image
    limit = int(settings.MAX_IMAGE_UPLOAD_BYTES)
    if image.size is not None and image.size > limit:
        raise forms.ValidationError(
            f"The image is {filesizeformat(image.size)}; the limit is {filesizeformat(limit)}.", code="too_big"
        )
    pillow_image = getattr(image, "image", None)
    fmt = getattr(pillow_image, "format", None)
    if pillow_image is not None and fmt not in ALLOWED_IMAGE_FORMATS:
        raise forms.ValidationError("Upload a JPEG, PNG, GIF or WebP image.", code="bad_format")
    return image


class ItemForm(forms.Form):
    """An admin's create/edit form."""

    kind = forms.ChoiceField(choices=ItemKind.choices, widget=forms.RadioSelect, initial=ItemKind.URL)
    url = forms.URLField(
        label="Link",
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text="For links: we fetch the title, description and image for you.",
    )
    title = forms.CharField(
        max_length=300,
        required=False,
        help_text="Leave empty to use the page's own title.",
        validators=[no_control_characters],
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, validators=[no_control_characters]
    )
    body = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="For text posts.",
        validators=[no_control_characters],
    )
    image = forms.ImageField(required=False, help_text="For image posts: JPEG, PNG, GIF or WebP.")
    video = forms.ModelChoiceField(
        queryset=Video.objects.none(),
        required=False,
        label="Video",
        empty_label="Choose one of the workspace's videos",
        help_text="For video posts: a video from the Videos page, or upload one below.",
    )
    video_upload = VideoUploadField(required=False, label="Or upload a video")
    topics = _checkboxes(Topic.objects.none(), "Topics")
    target_departments = _checkboxes(Department.objects.none(), "Only for departments", "None ticked: everyone.")
    target_locations = _checkboxes(Location.objects.none(), "Only for locations", "None ticked: everyone.")
    target_topics = _checkboxes(
        Topic.objects.none(), "Only for people interested in", "None ticked: regardless of interests."
    )
    starts_at = forms.DateTimeField(
        label="Shareable from", required=False, widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )
    expires_at = forms.DateTimeField(
        label="Shareable until", required=False, widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT]
    )

    def __init__(self, *args: Any, workspace: Workspace, item: Item | None = None, **kwargs: Any) -> None:
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": item.kind,
                "url": item.url,
                "title": item.title,
                "description": item.description,
                "body": item.body,
                "video": item.video_id,
                "topics": list(item.topics.all()),
                "target_departments": list(item.target_departments.all()),
                "target_locations": list(item.target_locations.all()),
                "target_topics": list(item.target_topics.all()),
                "starts_at": item.starts_at,
                "expires_at": item.expires_at,
            }
        super().__init__(*args, **kwargs)
        self.item = item
        topics = Topic.objects.filter(workspace=workspace)
        self.fields["topics"].queryset = topics  # type: ignore[attr-defined]
        self.fields["target_topics"].queryset = topics  # type: ignore[attr-defined]
        self.fields["target_departments"].queryset = Department.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["target_locations"].queryset = Location.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["image"].widget.attrs["accept"] = "image/jpeg,image/png,image/gif,image/webp"
        # A video shown in a colleague's story goes outside only through harvesting, with the author's consent
        # (stories/harvest.py): it is not offered here, unless this item already shows it.
        videos = Video.objects.filter(workspace=workspace).exclude(state=VideoState.FAILED)
        current = self.initial.get("video")
        self.fields["video"].queryset = videos.filter(  # type: ignore[attr-defined]
            Q(stories__isnull=True) | Q(pk=current)
        ).distinct()

    def clean_image(self) -> UploadedFile[bytes] | None:
        return validate_image_upload(self.cleaned_data.get("image"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ItemKind.URL and not data.get("url") and "url" not in self.errors:
            self.add_error("url", "A link item needs a link.")
        if kind == ItemKind.TEXT and not (data.get("body") or "").strip():
            self.add_error("body", "A text post needs its text.")
        has_image = bool(self.item and self.item.image)
        if kind == ItemKind.IMAGE and not data.get("image") and not has_image and "image" not in self.errors:
            self.add_error("image", "An image post needs an image.")
        if (
            kind == ItemKind.VIDEO
            and not data.get("video")
            and not data.get("video_upload")
            and not {"video", "video_upload"} & set(self.errors)
        ):
            self.add_error("video", "A video post needs a video: choose one or upload one.")
        starts, expires = data.get("starts_at"), data.get("expires_at")
        if starts and expires and expires <= starts:
            self.add_error("expires_at", "The end must be after the start.")
        return data

    def to_data(self, captions: list[CaptionData]) -> ItemData:
        d = self.cleaned_data
        return ItemData(
            kind=d["kind"],
            url=d.get("url") or "",
            title=d.get("title") or "",
            description=d.get("description") or "",
            body=d.get("body") or "",
            image=d.get("image") or None,
            topics=list(d.get("topics") or ()),
            target_departments=list(d.get("target_departments") or ()),
            target_locations=list(d.get("target_locations") or ()),
            target_topics=list(d.get("target_topics") or ()),
            starts_at=d.get("starts_at"),
            expires_at=d.get("expires_at"),
            captions=captions,
            video=d.get("video") or None,
            video_upload=d.get("video_upload") or None,
        )


class CaptionForm(forms.Form):
    network = forms.ChoiceField(choices=[("", "Any network"), *NETWORK_CHOICES], required=False)
    text = forms.CharField(
        label="Suggested caption",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
        validators=[no_control_characters],
    )


CaptionFormSet = forms.formset_factory(
    CaptionForm, extra=2, can_delete=True, max_num=MAX_CAPTIONS, validate_max=True, absolute_max=MAX_CAPTIONS
)


def captions_from(formset: forms.BaseFormSet[CaptionForm]) -> list[CaptionData]:
    result = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not (data.get("text") or "").strip():
            continue
        result.append(CaptionData(text=data["text"], network=data.get("network") or ""))
    return result


SUBMIT_KINDS = [(ItemKind.URL.value, ItemKind.URL.label), (ItemKind.TEXT.value, ItemKind.TEXT.label)]


class SubmitForm(forms.Form):
    """An employee's suggestion: a link or a text post, with an optional caption."""

    kind = forms.ChoiceField(choices=SUBMIT_KINDS, widget=forms.RadioSelect, initial=ItemKind.URL)
    url = forms.URLField(label="Link", max_length=2000, required=False, assume_scheme="https")
    title = forms.CharField(
        max_length=300, required=False, help_text="Optional for links.", validators=[no_control_characters]
    )
    body = forms.CharField(
        label="Text", widget=forms.Textarea(attrs={"rows": 5}), required=False, validators=[no_control_characters]
    )
    topics = _checkboxes(Topic.objects.none(), "Topics")
    caption = forms.CharField(
        label="Suggested caption",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
        help_text="What would you write when sharing it? Colleagues can start from this.",
        validators=[no_control_characters],
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.filter(workspace=workspace)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ItemKind.URL and not data.get("url") and "url" not in self.errors:
            self.add_error("url", "Paste the link you suggest.")
        if data.get("kind") == ItemKind.TEXT and not (data.get("body") or "").strip():
            self.add_error("body", "Write the text you suggest.")
        return data

    def to_data(self) -> ItemData:
        d = self.cleaned_data
        caption = (d.get("caption") or "").strip()
        return ItemData(
            kind=d["kind"],
            url=d.get("url") or "",
            title=d.get("title") or "",
            body=d.get("body") or "",
            topics=list(d.get("topics") or ()),
            captions=[CaptionData(text=caption)] if caption else [],
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="The person who submitted it sees this.",
        error_messages={"required": "Say why, so the submitter can learn from it."},
    )


class TopicForm(forms.Form):
    name = forms.CharField(label="New topic", max_length=80)


STATE_TABS = [("all", "All"), *ItemState.choices]


class HubFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    topic = forms.SlugField(required=False)
    state = forms.ChoiceField(choices=STATE_TABS, required=False)
