"""Forms of the privacy centre: the two switches and the confirmations of leaving and deleting."""

from __future__ import annotations

from django import forms

from groundswell.workspaces.models import LeaderboardVisibility


class LeaderboardForm(forms.Form):
    leaderboard_visibility = forms.ChoiceField(
        choices=LeaderboardVisibility.choices,
        widget=forms.RadioSelect,
        label="Appear on leaderboards",
        error_messages={
            "required": "Pick how you appear on the leaderboard.",
            "invalid_choice": "Pick one of the three.",
        },
    )


class ManagerSharingForm(forms.Form):
    share = forms.ChoiceField(
        choices=[("off", "No, keep my statistics to myself"), ("on", "Yes, my manager may see my statistics")],
        widget=forms.RadioSelect,
        label="Share my statistics with my manager",
        error_messages={"required": "Pick yes or no.", "invalid_choice": "Pick yes or no."},
    )


class LeaveForm(forms.Form):
    history = forms.ChoiceField(
        choices=[
            ("keep", "Keep my past shares and points under my name"),
            ("anonymise", "Show my past shares and points without my name"),
        ],
        widget=forms.RadioSelect,
        label="Your history in the program",
        error_messages={"required": "Choose what happens to your history.", "invalid_choice": "Choose one of the two."},
    )
    confirm = forms.BooleanField(
        label="I understand that I can only come back through a new invitation.",
        error_messages={"required": "Tick the box to confirm that you want to leave."},
    )


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Delete my data and leave the program. I understand this cannot be undone.",
        error_messages={"required": "Tick the box to confirm that you want your data deleted."},
    )
