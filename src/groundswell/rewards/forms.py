"""Forms for the points pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from groundswell.rewards.actions import RULE_ACTIONS


class RuleForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.label) for a in RULE_ACTIONS])
    points = forms.IntegerField(min_value=0, max_value=10_000, help_text="Points for each time it happens.")
    daily_cap = forms.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        help_text="Most points one person can earn this way per day. Leave empty for no cap.",
    )
    active_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today or later. Points already earned keep the rule that was in force.",
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["active_from"].initial = today
        self.fields["active_from"].widget.attrs["min"] = today.isoformat()

    def clean_active_from(self) -> dt.date:
        value: dt.date = self.cleaned_data["active_from"]
        if value < self.today:
            raise forms.ValidationError("Choose today or a later day: past points are never recalculated.")
        return value
