"""Forms for the points pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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
    decay_after = forms.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        label="Full value for the first",
        help_text="How many a day count at full value. Leave empty for no diminishing returns.",
    )
    decay_factor = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("0.99"),
        max_digits=3,
        decimal_places=2,
        required=False,
        label="Then each further one is worth",
        help_text="A factor of the one before, for example 0.5: the next is worth half, then a quarter.",
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

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("decay_after") is not None and data.get("decay_factor") is None:
            self.add_error("decay_factor", "Give the factor for the awards after the full-value ones.")
        if data.get("decay_after") is None and data.get("decay_factor") is not None:
            self.add_error("decay_after", "Say how many a day count at full value before the factor applies.")
        return data


class AdjustmentForm(forms.Form):
    member = forms.TypedChoiceField(coerce=int, label="Person")
    points = forms.IntegerField(
        min_value=-100_000, max_value=100_000, help_text="Positive to add points, negative to take them away."
    )
    reason = forms.CharField(
        max_length=300, help_text="Shown to the person on their points page, with your name.", strip=True
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Choose a person"), *members]  # type: ignore[attr-defined]

    def clean_points(self) -> int:
        value: int = self.cleaned_data["points"]
        if value == 0:
            raise forms.ValidationError(
                "An adjustment of 0 points changes nothing: enter a positive or negative number."
            )
        return value
