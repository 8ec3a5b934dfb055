from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from groundswell.content.models import Topic
from groundswell.enrolment.models import LANGUAGE_CHOICES, NETWORK_CHOICES, Activity, Comfort, Hours
from groundswell.lib.periods import local_day
from groundswell.workspaces.models import Workspace


class ChipsWidget(forms.CheckboxSelectMultiple):
    """Checkboxes drawn as tappable chips (enrolment.css)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "chip-input", **(attrs or {})})


class AnswerForm(forms.Form):
    """The one-screen answer: chips and radio buttons only, no free text."""

    activities = forms.MultipleChoiceField(
        label="What would you like to do?",
        choices=Activity.choices,
        widget=ChipsWidget,
        error_messages={"required": "Pick at least one thing you would like to do (or choose “Not now”)."},
    )
    networks = forms.MultipleChoiceField(
        label="Which networks do you use?", choices=NETWORK_CHOICES, widget=ChipsWidget, required=False
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics you care about", queryset=Topic.objects.none(), widget=ChipsWidget, required=False
    )
    hours = forms.ChoiceField(
        label="Time per week", choices=Hours.choices, widget=forms.RadioSelect(attrs={"class": "chip-input"})
    )
    comfort = forms.ChoiceField(
        label="How comfortable do you feel on social media?",
        choices=Comfort.choices,
        widget=forms.RadioSelect(attrs={"class": "chip-input"}),
    )
    languages = forms.MultipleChoiceField(
        label="Languages you could answer customers in",
        choices=LANGUAGE_CHOICES,
        widget=ChipsWidget,
        required=False,
    )
    show_to_manager = forms.BooleanField(
        label="Let my manager see that I joined",
        required=False,
        help_text="Off by default. Otherwise your manager only sees totals for groups large enough not to "
        "single anyone out.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = self.fields["topics"]
        assert isinstance(topics, forms.ModelMultipleChoiceField)
        topics.queryset = Topic.objects.filter(workspace=workspace).order_by("name")
        if not topics.queryset.exists():
            del self.fields["topics"]


class CallForm(forms.Form):
    title = forms.CharField(max_length=160, initial="Would you like to represent us on social media?")
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=4000,
        help_text="Why you are asking and what volunteers will do. Sent by email and shown in the app.",
    )
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="The last day to answer.")

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = local_day(timezone.now(), workspace.timezone)
        self.fields["deadline"].initial = today + dt.timedelta(days=14)


class GroupSizeForm(forms.Form):
    min_group_size = forms.IntegerField(
        label="Minimum group size for totals",
        min_value=2,
        max_value=100,
        help_text="Managers see enrolment totals only for groups with at least this many people (besides "
        "themselves and anyone who chose to be shown by name).",
    )


class VolunteerFilterForm(forms.Form):
    activity = forms.ChoiceField(choices=[("", "Any activity"), *Activity.choices], required=False)
    network = forms.ChoiceField(choices=[("", "Any network"), *NETWORK_CHOICES], required=False)
    language = forms.ChoiceField(choices=[("", "Any language"), *LANGUAGE_CHOICES], required=False)
    topic = forms.ModelChoiceField(queryset=Topic.objects.none(), required=False, empty_label="Any topic")

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        assert isinstance(topic, forms.ModelChoiceField)
        topic.queryset = Topic.objects.filter(workspace=workspace).order_by("name")
