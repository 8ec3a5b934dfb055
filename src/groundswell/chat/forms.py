from __future__ import annotations

from typing import Any

from django import forms


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(label="Channel for new items, the digest and tips", required=False, choices=())
    announce_items = forms.BooleanField(label="Post new items to share", required=False)
    send_digest = forms.BooleanField(label="Send the weekly digest to linked members", required=False)
    send_tips = forms.BooleanField(label="Post the tip of the week", required=False)

    def __init__(self, *args: Any, channel_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = channel_choices or [("", "No channel: direct messages only")]
