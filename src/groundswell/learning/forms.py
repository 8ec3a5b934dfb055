"""Forms for lessons, tracks, quizzes and tips. They parse and validate; the writes happen in ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms

from groundswell.content.forms import validate_image_upload
from groundswell.learning.actions import MAX_BODY, MAX_CHOICES, MAX_INTERVAL_DAYS, MAX_QUESTIONS, MAX_TIP_TEXT
from groundswell.learning.drafts import LessonDraft, QuestionDraft, TipDraft, TrackDraft
from groundswell.learning.models import Lesson, LessonQuestion, LessonTrack, Tip
from groundswell.lib.text import no_control_characters
from groundswell.videos.models import Video, VideoState
from groundswell.workspaces.models import Department, Role, Workspace


class TrackForm(forms.Form):
    title = forms.CharField(max_length=120, validators=[no_control_characters])
    description = forms.CharField(
        required=False, max_length=1_000, widget=forms.Textarea(attrs={"rows": 3}), help_text="One or two sentences."
    )
    departments: forms.ModelMultipleChoiceField[Department] = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only for departments",
        help_text="None ticked: every department.",
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only for roles",
        help_text="None ticked: every role.",
    )
    starts_on = forms.DateField(
        label="First lesson on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first lesson is released that day.",
    )
    interval_days = forms.IntegerField(
        label="Then one lesson every … days", min_value=1, max_value=MAX_INTERVAL_DAYS, initial=7
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(workspace=workspace)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(track: LessonTrack) -> dict[str, Any]:
        return {
            "title": track.title,
            "description": track.description,
            "departments": list(track.departments.all()),
            "roles": list(track.roles),
            "starts_on": track.starts_on,
            "interval_days": track.interval_days,
        }

    def draft(self) -> TrackDraft:
        data = self.cleaned_data
        return TrackDraft(
            title=data["title"],
            description=data["description"],
            department_ids=tuple(d.pk for d in data["departments"]),
            roles=tuple(data["roles"]),
        )


class LessonForm(forms.Form):
    title = forms.CharField(max_length=160, validators=[no_control_characters])
    body_markdown = forms.CharField(
        label="Lesson text",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=MAX_BODY,
        help_text="About two minutes of reading (300 to 400 words). Markdown: **bold**, - lists, [links](https://…).",
    )
    image = forms.ImageField(required=False, help_text="Optional: JPEG, PNG, GIF or WebP. Only members see it.")
    image_alt = forms.CharField(
        label="Image description (alt text)",
        max_length=300,
        required=False,
        help_text="One sentence on what the image shows, for people who cannot see it.",
    )
    remove_image = forms.BooleanField(label="Remove the image", required=False)
    video: forms.ModelChoiceField[Video] = forms.ModelChoiceField(
        queryset=Video.objects.none(),
        required=False,
        label="Video",
        empty_label="No video",
        help_text="A ready video of this workspace.",
    )
    video_upload = forms.FileField(
        label="…or upload a new video",
        required=False,
        help_text="A short clip (MP4, MOV or WebM). It plays once it is processed, in a minute or two.",
    )
    pass_percent = forms.IntegerField(
        label="Pass mark (% of questions right)",
        min_value=1,
        max_value=100,
        initial=100,
        help_text="100: every answer right (members may retry as often as they like).",
    )
    position = forms.IntegerField(
        label="Place in the track", min_value=0, max_value=10_000, required=False, help_text="Lower comes first."
    )

    def __init__(self, *args: Any, workspace: Workspace, current_video: Video | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        videos = Video.objects.filter(workspace=workspace, state=VideoState.READY)
        if current_video is not None:  # still processing when it was uploaded: keep it selectable
            videos = videos | Video.objects.filter(pk=current_video.pk)
        self.fields["video"].queryset = videos.order_by("-created_at")  # type: ignore[attr-defined]

    def clean_image(self) -> Any:
        return validate_image_upload(self.cleaned_data.get("image"))

    @staticmethod
    def initial_for(lesson: Lesson) -> dict[str, Any]:
        return {
            "title": lesson.title,
            "body_markdown": lesson.body_markdown,
            "image_alt": lesson.image_alt,
            "video": lesson.video_id,
            "pass_percent": lesson.pass_percent,
            "position": lesson.position,
        }


class QuestionForm(forms.Form):
    """One quiz question. A form left empty is skipped; tick "Remove" to drop a question."""

    text = forms.CharField(label="Question", max_length=300, required=False)
    choices = forms.CharField(
        label="Answers",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One answer per line, 2 to {MAX_CHOICES}.",
    )
    correct = forms.IntegerField(
        label="Number of the right answer",
        required=False,
        min_value=1,
        max_value=MAX_CHOICES,
        help_text="1 = first line.",
    )
    explanation = forms.CharField(
        label="Explanation",
        required=False,
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown when someone picks a wrong answer: say kindly why the right one is right.",
    )

    @staticmethod
    def initial_for(question: LessonQuestion) -> dict[str, Any]:
        return {
            "text": question.text,
            "choices": "\n".join(question.choices),
            "correct": question.correct_choice + 1,
            "explanation": question.explanation,
        }

    def question(self) -> QuestionDraft | None:
        data = self.cleaned_data
        if not data or data.get("DELETE"):
            return None
        lines = tuple(line for line in (data.get("choices") or "").splitlines() if line.strip())
        text = data.get("text") or ""
        if not text.strip() and not lines and not (data.get("explanation") or "").strip():
            return None
        correct = data.get("correct")
        return QuestionDraft(text, lines, correct - 1 if correct else None, data.get("explanation") or "")


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True, max_num=MAX_QUESTIONS)


def lesson_draft(form: LessonForm, questions: Any) -> LessonDraft:
    drafts = tuple(q for q in (f.question() for f in questions.forms) if q is not None)
    data = form.cleaned_data
    return LessonDraft(data["title"], data["body_markdown"], drafts, data["pass_percent"])


class QuizForm(forms.Form):
    """One radio group per question of the lesson (field ``q<question id>``)."""

    def __init__(self, *args: Any, questions: list[LessonQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, q in enumerate(questions, start=1):
            self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {q.text}",
                choices=[(str(i), text) for i, text in enumerate(q.choices)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Pick one of the answers.", "invalid_choice": "Pick one of the answers."},
            )
        self.questions = questions

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class TipForm(forms.Form):
    title = forms.CharField(max_length=120, validators=[no_control_characters])
    text = forms.CharField(
        max_length=MAX_TIP_TEXT, widget=forms.Textarea(attrs={"rows": 3}), help_text="One or two practical sentences."
    )
    url = forms.URLField(label="Link (optional)", max_length=500, required=False, assume_scheme="https")
    week_of = forms.DateField(
        label="Week (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the week this tip is for. Empty: it joins the weekly rotation.",
    )

    @staticmethod
    def initial_for(tip: Tip) -> dict[str, Any]:
        return {"title": tip.title, "text": tip.text, "url": tip.url, "week_of": tip.week_of}

    def draft(self) -> TipDraft:
        data = self.cleaned_data
        return TipDraft(data["title"], data["text"], data["url"])
