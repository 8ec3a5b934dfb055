"""Forms of the stories feed. They parse and validate; the writes happen in ``stories.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from groundswell.content.forms import validate_image_upload
from groundswell.content.models import Topic
from groundswell.lib.text import no_control_characters
from groundswell.stories.actions import MAX_IMAGES, NewImage, StoryData
from groundswell.stories.harvest import for_audience_of, open_prompts
from groundswell.stories.models import Audience, Reaction, ReportReason, Story, StoryKind, StoryPrompt
from groundswell.stories.prompt_forms import CONSENT_LABEL
from groundswell.stories.queries import teams_for_author
from groundswell.teams.models import Team
from groundswell.workspaces.models import Department, Membership

VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm", "video/3gpp", "video/x-matroska")


class StoryForm(forms.Form):
    title = forms.CharField(max_length=160, validators=[no_control_characters])
    body_markdown = forms.CharField(
        label="Your story",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown works: **bold**, *italic*, lists, links.",
    )
    kind = forms.ChoiceField(choices=StoryKind.choices, initial=StoryKind.STORY)
    audience = forms.ChoiceField(
        label="Who can read it", choices=Audience.choices, initial=Audience.EVERYONE, widget=forms.RadioSelect
    )
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False, empty_label="Choose…")
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Choose…", help_text="Teams you serve on."
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    video = forms.FileField(
        required=False,
        label="A short video (optional)",
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
        help_text="Record with your phone or upload a clip; it is processed for the web after you post.",
    )
    remove_video = forms.BooleanField(required=False, label="Remove the video")
    #: A new story answering a call for stories (``?prompt=<id>``), and the author's consent (ADR 0043).
    prompt = forms.ModelChoiceField(queryset=StoryPrompt.objects.none(), required=False, widget=forms.HiddenInput)
    share_consent = forms.BooleanField(
        required=False,
        label=CONSENT_LABEL,
        help_text="You can withdraw it on the story's page until the story has been shared.",
    )

    def __init__(self, *args: Any, member: Membership, story: Story | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.story = story
        ws = member.workspace
        self.fields["department"].queryset = Department.objects.filter(workspace=ws)  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams_for_author(member)  # type: ignore[attr-defined]
        self.fields["topics"].queryset = Topic.objects.filter(workspace=ws)  # type: ignore[attr-defined]
        if story is None:
            calls = for_audience_of(member, open_prompts(ws.pk, timezone.localdate()))
            self.fields["prompt"].queryset = calls  # type: ignore[attr-defined]
        else:  # consent is changed on the story's page; a story's call does not change
            del self.fields["prompt"], self.fields["share_consent"]
        existing = list(story.images.all()) if story is not None else []
        self.existing_images = existing
        for n, image in enumerate(existing, start=1):
            self.fields[f"alt_existing_{image.pk}"] = forms.CharField(
                required=False, max_length=300, label=f"Description of posted image {n}", initial=image.alt_text
            )
            self.fields[f"remove_image_{image.pk}"] = forms.BooleanField(
                required=False, label=f"Remove posted image {n}"
            )
        for n in range(1, MAX_IMAGES + 1):
            self.fields[f"image_{n}"] = forms.ImageField(
                required=False, label=f"Image {n}", widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
            )
            self.fields[f"alt_{n}"] = forms.CharField(
                required=False,
                max_length=300,
                label=f"Describe image {n}",
                help_text="For colleagues who use a screen reader.",
            )
        if story is None:
            del self.fields["remove_video"]

    @property
    def image_slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"image_{n}"], self[f"alt_{n}"]) for n in range(1, MAX_IMAGES + 1)]

    @property
    def existing_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        """(image, its description, its remove box) for each image already posted."""
        return [(i, self[f"alt_existing_{i.pk}"], self[f"remove_image_{i.pk}"]) for i in self.existing_images]

    def clean_video(self) -> Any:
        video = self.cleaned_data.get("video")
        if not video:
            return None
        limit = int(getattr(settings, "MAX_VIDEO_UPLOAD_BYTES", 100 * 1024 * 1024))
        if video.size is not None and video.size > limit:
            raise forms.ValidationError(
                f"The video is {filesizeformat(video.size)}; the limit is {filesizeformat(limit)}.", code="too_big"
            )
        content_type = getattr(video, "content_type", "") or ""
        if content_type and content_type not in VIDEO_TYPES:
            raise forms.ValidationError("Upload an MP4, MOV, WebM or 3GP video.", code="bad_format")
        return video

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = data.get("audience")
        if audience == Audience.DEPARTMENT and not data.get("department"):
            self.add_error("department", "Choose the department the story is for.")
        if audience == Audience.TEAM and not data.get("team"):
            self.add_error("team", "Choose one of the teams you serve on.")
        for n in range(1, MAX_IMAGES + 1):
            image = data.get(f"image_{n}")
            if not image:
                continue
            try:
                validate_image_upload(image)
            except forms.ValidationError as exc:
                self.add_error(f"image_{n}", exc)
                continue
            if not (data.get(f"alt_{n}") or "").strip():
                self.add_error(f"alt_{n}", "Describe the image in a few words, for colleagues who cannot see it.")
        return data

    def story_data(self) -> StoryData:
        data = self.cleaned_data
        return StoryData(
            title=data["title"],
            body_markdown=data["body_markdown"],
            kind=data["kind"],
            audience=data["audience"],
            department=data.get("department"),
            team=data.get("team"),
            topics=list(data.get("topics") or []),
            new_images=[
                NewImage(upload=data[f"image_{n}"], alt_text=data.get(f"alt_{n}") or "")
                for n in range(1, MAX_IMAGES + 1)
                if data.get(f"image_{n}")
            ],
            remove_image_ids=[i.pk for i in self.existing_images if data.get(f"remove_image_{i.pk}")],
            alt_texts={
                i.pk: (data.get(f"alt_existing_{i.pk}") or "").strip()
                for i in self.existing_images
                if not data.get(f"remove_image_{i.pk}")
            },
            video_upload=data.get("video"),
            remove_video=bool(data.get("remove_video")),
            prompt=data.get("prompt"),
            share_consent=bool(data.get("share_consent")),
        )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_control_characters],
    )


class ReactionForm(forms.Form):
    reaction = forms.ChoiceField(choices=Reaction.choices)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=ReportReason.choices, widget=forms.RadioSelect, label="What is wrong?")
    note = forms.CharField(
        required=False,
        max_length=500,
        label="Anything the moderators should know (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason (the author sees it)", validators=[no_control_characters])


class DeleteForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label="Reason (kept in the moderation log)")


class FeedFilterForm(forms.Form):
    """The feed's filters, read from the URL; anything unknown is ignored, never an error page."""

    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), required=False, empty_label="All departments"
    )
    topic = forms.ModelChoiceField(queryset=Topic.objects.none(), required=False, empty_label="All topics")
    kind = forms.ChoiceField(choices=[("", "All kinds"), *StoryKind.choices], required=False)
    show = forms.ChoiceField(
        choices=[("", "Everything"), ("stories", "Stories only"), ("updates", "Updates only")], required=False
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(workspace_id=member.workspace_id)  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.filter(workspace_id=member.workspace_id)  # type: ignore[attr-defined]
