from __future__ import annotations

from typing import Any

from django import forms

from groundswell.learning.actions import MAX_BODY, MAX_CHOICES, MAX_INTERVAL_DAYS
from groundswell.learning.drafts import LessonDraft
from groundswell.learning.models import Lesson


class LessonForm(forms.Form):
    title = forms.CharField(max_length=160)
    body_markdown = forms.CharField(
        label="Lesson text",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=MAX_BODY,
        help_text="About two minutes of reading (300 to 400 words). Markdown: **bold**, - lists, [links](https://…).",
    )
    question = forms.CharField(
        label="Check question (optional)", max_length=300, required=False, help_text="One multiple-choice question."
    )
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
        label="Explanation for a wrong answer",
        required=False,
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    position = forms.IntegerField(
        label="Place in the track", min_value=0, max_value=10_000, required=False, help_text="Lower comes first."
    )

    @staticmethod
    def initial_for(lesson: Lesson) -> dict[str, Any]:
        return {
            "title": lesson.title,
            "body_markdown": lesson.body_markdown,
            "question": lesson.question,
            "choices": "\n".join(lesson.choices),
            "correct": lesson.correct_choice + 1 if lesson.correct_choice is not None else None,
            "explanation": lesson.explanation,
            "position": lesson.position,
        }

    def draft(self) -> LessonDraft:
        data = self.cleaned_data
        return LessonDraft(
            title=data["title"],
            body_markdown=data["body_markdown"],
            question=data["question"],
            choices=tuple(line for line in data["choices"].splitlines() if line.strip()),
            correct_choice=data["correct"] - 1 if data["correct"] else None,
            explanation=data["explanation"],
        )


class ScheduleForm(forms.Form):
    starts_on = forms.DateField(
        label="First lesson on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first lesson is released that day.",
    )
    interval_days = forms.IntegerField(
        label="Then one lesson every … days", min_value=1, max_value=MAX_INTERVAL_DAYS, initial=7
    )


class AnswerForm(forms.Form):
    def __init__(self, *args: Any, lesson: Lesson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"] = forms.TypedChoiceField(
            label=lesson.question,
            choices=[(str(i), text) for i, text in enumerate(lesson.choices)],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": "Pick one of the answers."},
        )
