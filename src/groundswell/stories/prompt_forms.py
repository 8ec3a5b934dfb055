"""Forms of the harvesting pages: a call for stories, the minimal story writer, and the harvest form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from groundswell.content.actions import MAX_CAPTIONS
from groundswell.content.models import Topic
from groundswell.stories.harvest import MAX_PROMPT_BODY, PromptData
from groundswell.stories.models import Audience, StoryKind
from groundswell.teams.models import Team
from groundswell.workspaces.models import Department, Workspace

CONSENT_LABEL = "The program team may share this story outside the company, with my name"


class PromptForm(forms.Form):
    title = forms.CharField(max_length=160, help_text="For example “The customer you helped this month”.")
    body_markdown = forms.CharField(
        label="What you are asking for",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_PROMPT_BODY,
        required=False,
        help_text="Markdown: **bold**, - lists, [links](https://…). A few questions help people start.",
    )
    deadline = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="The last day stories are taken (inclusive)."
    )
    kind = forms.ChoiceField(label="Kind of story", choices=StoryKind.choices)
    audience = forms.ChoiceField(label="Who it is for", choices=Audience.choices, widget=forms.RadioSelect)
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), required=False, empty_label="Choose a department"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="Choose a team")

    def __init__(self, *args: Any, workspace: Workspace, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["department"].queryset = Department.objects.filter(workspace=workspace).order_by("name")  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.filter(workspace=workspace).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = data.get("audience")
        if audience == Audience.DEPARTMENT and not data.get("department"):
            self.add_error("department", "Choose the department the call is for.")
        if audience == Audience.TEAM and not data.get("team"):
            self.add_error("team", "Choose the team the call is for.")
        return data

    def prompt_data(self) -> PromptData:
        d = self.cleaned_data
        return PromptData(
            title=d["title"],
            body_markdown=d["body_markdown"],
            deadline=d["deadline"],
            kind=d["kind"],
            audience=d["audience"],
            department=d.get("department"),
            team=d.get("team"),
        )


class HarvestForm(forms.Form):
    title = forms.CharField(max_length=300)
    summary = forms.CharField(
        max_length=400,
        required=False,
        help_text="One line for the item card. “Story by” and the author's name are always put before it.",
    )
    text = forms.CharField(
        label="Text to share", widget=forms.Textarea(attrs={"rows": 12}), help_text="The post colleagues share."
    )
    captions = forms.CharField(
        label="Suggested captions",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=f"One per line, at most {MAX_CAPTIONS}.",
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    publish = forms.TypedChoiceField(
        label="When",
        choices=[("1", "Publish now: colleagues can share it at once"), ("0", "Save as a draft to review first")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = Topic.objects.filter(workspace=workspace).order_by("name")
        if topics.exists():
            self.fields["topics"].queryset = topics  # type: ignore[attr-defined]
        else:
            del self.fields["topics"]  # no topics yet: no empty group of checkboxes

    def clean_captions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("captions", "").splitlines() if line.strip()]
        if len(lines) > MAX_CAPTIONS:
            raise forms.ValidationError(f"At most {MAX_CAPTIONS} captions, one per line.")
        return lines
