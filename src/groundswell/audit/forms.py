from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from groundswell.audit.models import Frequency
from groundswell.audit.periods import AuditPeriod, PeriodError, calendar_period, custom_period, last_complete
from groundswell.workspaces.models import Membership

PERIOD_CHOICES = [("week", "Week"), ("month", "Month"), ("quarter", "Quarter"), ("custom", "Custom dates")]
DEFAULT_KIND = "month"


class ReportForm(forms.Form):
    """Which period to report on (read from the query string: the page, its charts and the PDF share it)."""

    period = forms.ChoiceField(choices=PERIOD_CHOICES, initial=DEFAULT_KIND, label="Period")
    day = forms.DateField(
        required=False,
        label="Containing the day",
        help_text="Empty: the last one that has ended.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.audit_period: AuditPeriod | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("period")
        if kind is None or self.errors:
            return data
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None:
                self.add_error("start", "Choose the first day of the report.")
            if end is None:
                self.add_error("end", "Choose the last day of the report.")
            if start is None or end is None:
                return data
            try:
                self.audit_period = custom_period(start, end)
            except PeriodError as exc:
                self.add_error("end", str(exc))
        else:
            day = data.get("day")
            self.audit_period = calendar_period(kind, day) if day else last_complete(kind, self.today)
        return data


class MemberChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.display_name} ({obj.user.email})"


class SubscriptionForm(forms.Form):
    member = MemberChoiceField(queryset=Membership.objects.none(), label="Recipient", empty_label="Choose a member…")
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.MONTHLY, label="How often")

    def __init__(self, *args: Any, members: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, MemberChoiceField)
        field.queryset = members
