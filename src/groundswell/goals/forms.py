from __future__ import annotations

from django import forms

from groundswell.goals.models import Metric, PeriodKind


class GoalForm(forms.Form):
    name = forms.CharField(max_length=160, help_text="For example “Reach 10,000 people this quarter”.")
    metric = forms.ChoiceField(choices=Metric.choices)
    target = forms.IntegerField(min_value=1, max_value=2_000_000_000)
    period = forms.ChoiceField(choices=PeriodKind.choices, initial=PeriodKind.QUARTER, label="Period")
    day = forms.DateField(
        required=False,
        label="Period containing",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day in the period the goal is for. Leave empty for the current period.",
    )


class VisionForm(forms.Form):
    vision = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why the program exists and what it is trying to achieve, in plain words.",
    )
