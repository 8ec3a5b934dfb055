"""Forms of the stewards pages. They parse and validate input; the writes happen in ``stewards.actions``.

Times are entered in the workspace's time zone (``datetime-local`` has none): the views activate it while
the form is cleaned, so Django makes the values aware in that zone.
"""

from __future__ import annotations

from typing import Any

from django import forms

from groundswell.stewards.actions import MAX_NOTE, MAX_POST, MAX_REASON
from groundswell.workspaces.models import Membership

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime(label: str, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT),
        error_messages={
            "invalid": "Enter a date and time, for example 2026-05-04 09:30.",
            "required": "Enter a date and time.",
        },
    )


class StewardChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, *args: Any, volunteers: set[int], **kwargs: Any) -> None:
        self.volunteers = volunteers
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.display_name} (volunteered)" if obj.pk in self.volunteers else obj.display_name


class ShiftForm(forms.Form):
    starts_at = _datetime("Starts", required=True)
    ends_at = _datetime("Ends", required=True)

    def __init__(self, *args: Any, stewards: list[tuple[Membership, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        volunteers = {m.pk for m, volunteered in stewards if volunteered}
        ids = [m.pk for m, _ in stewards]
        order = {pk: i for i, pk in enumerate(ids)}
        queryset = Membership.objects.filter(pk__in=ids)
        field = StewardChoiceField(
            queryset=queryset,
            volunteers=volunteers,
            label="Steward",
            empty_label="Pick a steward",
            help_text="Members who volunteered to run a brand account are listed first."
            if volunteers
            else "Any active member. Ask first: stewardship works best with volunteers.",
            error_messages={"required": "Pick who runs the account.", "invalid_choice": "Pick an active member."},
        )
        field.choices = [("", "Pick a steward")] + [  # volunteers first, in the order given
            (m.pk, field.label_from_instance(m)) for m in sorted(queryset, key=lambda m: order[m.pk])
        ]
        self.fields = {"steward": field, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The shift must end after it starts.")
        return data


class HandoverForm(forms.Form):
    note = forms.CharField(
        label="Hand-over note",
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the next steward should know: what worked, what is planned, open replies, tone.",
        error_messages={"required": "Write a few words for the next steward."},
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(label="Why (optional, the admin sees it)", max_length=300, required=False)


class BrandPostForm(forms.Form):
    text = forms.CharField(
        label="Post",
        max_length=MAX_POST,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write the post first."},
    )
    link_url = forms.URLField(
        label="Link (optional)",
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text="Added after the text unless the text already contains it; shown as a link card where the "
        "network supports it.",
        error_messages={"invalid": "Enter a full web address, for example https://example.com/news."},
    )
    when = _datetime("When (optional)", required=False, help_text="Leave empty to post as soon as possible.")


class ApprovalForm(forms.Form):
    require_approval = forms.BooleanField(
        label="Posts need a program admin's approval", required=False, help_text="Otherwise stewards post directly."
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(
        label="Reason (the steward sees it)",
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why, so the steward can do better next time.")
        return data
