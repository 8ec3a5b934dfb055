"""The share form: a network and the employee's own caption (and, to have Groundswell post it, when)."""

from __future__ import annotations

from django import forms

from groundswell.lib.text import no_control_characters
from groundswell.networks.registry import NETWORK_CHOICES
from groundswell.sharing.actions import MAX_CAPTION

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
#: The submit buttons: "intent" gets a share link; the others have Groundswell post through a connected account.
INTENT = "intent"
POST_NOW, SCHEDULE, SPREAD = "now", "schedule", "spread"
POST_ACTIONS = (POST_NOW, SCHEDULE, SPREAD)


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
        validators=[no_control_characters],
    )
    scheduled_for = forms.DateTimeField(
        label="When",
        required=False,
        input_formats=[DATETIME_LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT),
        help_text="For “Schedule”, and optionally where “Spread it out” starts.",
        error_messages={"invalid": "Enter a date and time, for example 2026-05-04 09:30."},
    )
    #: The composer's inline Mastodon server, when the member has none in their profile (saved there).
    mastodon_instance = forms.CharField(label="Your Mastodon server", required=False, max_length=253)
    #: Set when the member has seen the policy's warnings for exactly this post.
    confirm = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
