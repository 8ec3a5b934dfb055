from __future__ import annotations

from typing import Any

from django import forms

from groundswell.goals.models import Goal
from groundswell.updates.actions import MAX_BODY
from groundswell.updates.models import Frequency
from groundswell.workspaces.models import Workspace


class UpdateForm(forms.Form):
    title = forms.CharField(max_length=160, help_text="For example “Halfway to our Q3 goal — thank you!”.")
    body_markdown = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_BODY,
        help_text="Markdown: **bold**, - lists, [links](https://…). HTML is not allowed.",
    )
    goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        empty_label="No goal",
        help_text="Optional: the update then shows this goal's progress when you posted it, and now.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(workspace=workspace).order_by("-period_start", "name")  # type: ignore[attr-defined]


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Send me the digest",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        help_text="Program news, goal progress, new things to share and your next lesson. Nothing new, no email.",
    )
