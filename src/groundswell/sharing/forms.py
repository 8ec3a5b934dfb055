"""The share form: a network and the employee's own caption."""

from __future__ import annotations

from django import forms

from groundswell.sharing.actions import MAX_CAPTION
from groundswell.sharing.networks import NETWORK_CHOICES


class ShareForm(forms.Form):
    network = forms.ChoiceField(
        choices=NETWORK_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Pick where you want to share it."},
    )
    caption = forms.CharField(
        label="Your caption",
        widget=forms.Textarea(attrs={"rows": 6, "data-count": "caption-count"}),
        max_length=MAX_CAPTION,
        required=False,
        strip=True,
        help_text="Edit it so it sounds like you. The short link is added for you.",
    )
