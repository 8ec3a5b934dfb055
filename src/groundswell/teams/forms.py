from __future__ import annotations

from typing import Any

from django import forms

from groundswell.teams.actions import MAX_DAYS, MAX_SEATS, MAX_TERM_MONTHS, TeamSettings
from groundswell.workspaces.models import Membership


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="For example “LinkedIn crew 2027”.")
    purpose = forms.CharField(
        max_length=200, required=False, help_text="What the team does and where, for example “LinkedIn and Bluesky”."
    )
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), help_text="What serving involves."
    )
    seats = forms.IntegerField(min_value=1, max_value=MAX_SEATS, initial=10, help_text="How many serve at once.")
    term_months = forms.IntegerField(
        min_value=1, max_value=MAX_TERM_MONTHS, initial=12, label="Term (months)", help_text="How long a term lasts."
    )
    term_start = forms.DateField(
        label="Current term starts",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The term ends after the term length.",
    )
    applications_open = forms.BooleanField(required=False, initial=True, label="Members may apply")
    auto_rotate = forms.BooleanField(required=False, initial=True, label="Rotate automatically at the end of the term")
    invitation_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        initial=7,
        label="Invitations stay open (days)",
        help_text="Then the seat goes to the next person on the waitlist.",
    )
    notice_days = forms.IntegerField(
        min_value=0,
        max_value=MAX_DAYS,
        initial=14,
        label="Advance notice (days)",
        help_text="Members are emailed this many days before they rotate out (0: no notice).",
    )

    def to_settings(self) -> TeamSettings:
        d: dict[str, Any] = self.cleaned_data
        return TeamSettings(
            name=d["name"],
            description=d["description"],
            purpose=d["purpose"],
            seats=d["seats"],
            term_months=d["term_months"],
            term_start=d["term_start"],
            applications_open=d["applications_open"],
            auto_rotate=d["auto_rotate"],
            invitation_days=d["invitation_days"],
            notice_days=d["notice_days"],
        )


class ApplyForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=280,
        label="A short note (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why you would like to join, in a sentence or two. Program admins see it.",
    )


class InviteForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label="Invite",
        empty_label="Choose a person",
        widget=forms.Select(attrs={"aria-describedby": "invite-help"}),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class RotateForm(forms.Form):
    term_end = forms.DateField(widget=forms.HiddenInput)
