"""Forms for the people pages. They parse and check input; ``actions`` does the writing."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet

from groundswell.workspaces.models import (
    Department,
    Location,
    Membership,
    Role,
    Workspace,
)

MAX_INVITES_AT_ONCE = 50


class WorkspaceScopedForm(forms.Form):
    """A form whose department/location/manager choices are limited to one workspace."""

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        if "department" in self.fields:
            self.fields["department"].queryset = Department.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        if "location" in self.fields:
            self.fields["location"].queryset = Location.objects.filter(workspace=workspace)  # type: ignore[attr-defined]


def _department_field(label: str = "Department") -> forms.ModelChoiceField[Department]:
    return forms.ModelChoiceField(
        queryset=Department.objects.none(), required=False, empty_label="— none —", label=label
    )


def _location_field(label: str = "Location") -> forms.ModelChoiceField[Location]:
    return forms.ModelChoiceField(queryset=Location.objects.none(), required=False, empty_label="— none —", label=label)


class InviteForm(WorkspaceScopedForm):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="One or more addresses, separated by commas, spaces or new lines.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EMPLOYEE)
    department = _department_field()
    location = _location_field()

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"]
        found: list[str] = []
        seen: set[str] = set()
        bad: list[str] = []
        for part in re.split(r"[\s,;]+", raw):
            part = part.strip().strip("<>")
            if not part:
                continue
            try:
                validate_email(part)
            except ValidationError:
                bad.append(part)
                continue
            if part.lower() not in seen:
                seen.add(part.lower())
                found.append(part)
        if bad:
            raise ValidationError("Not an email address: " + ", ".join(bad[:5]) + ("…" if len(bad) > 5 else ""))
        if not found:
            raise ValidationError("Enter at least one email address.")
        if len(found) > MAX_INVITES_AT_ONCE:
            raise ValidationError(f"Invite at most {MAX_INVITES_AT_ONCE} people at a time.")
        return found


class MemberForm(WorkspaceScopedForm):
    role = forms.ChoiceField(choices=Role.choices)
    department = _department_field()
    location = _location_field()
    manager = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="— none —")

    def __init__(self, *args: Any, workspace: Workspace, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["manager"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(workspace=workspace, is_active=True)
            .exclude(pk=member.pk)
            .order_by("display_name")
        )


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=120)


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(max_length=120)
    timezone = forms.ChoiceField(
        label="Time zone",
        help_text="Days, weeks and months (for goals, leaderboards and reports) start at midnight here.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
        self.fields["timezone"].choices = [(z, z.replace("_", " ")) for z in zones]  # type: ignore[attr-defined]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=120, label="Display name", help_text="How colleagues see you in Groundswell."
    )
    title = forms.CharField(max_length=120, required=False, label="Job title")
    mastodon_instance = forms.CharField(
        max_length=253,
        required=False,
        label="Mastodon server",
        help_text="For example mastodon.social. Needed to share to Mastodon.",
    )
    interests = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You will see content about these topics first.",
    )
    audience_size = forms.IntegerField(
        min_value=0,
        max_value=100_000_000,
        initial=0,
        label="Audience size",
        help_text="Roughly how many people follow you across networks (used to estimate reach).",
    )

    def __init__(self, *args: Any, topics: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interests"].queryset = topics  # type: ignore[attr-defined]

    def clean_mastodon_instance(self) -> str:
        from groundswell.networks.mastodon.intent import normalise_instance

        value = str(self.cleaned_data.get("mastodon_instance") or "").strip()
        if not value:
            return ""
        try:
            return normalise_instance(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class MemberFilterForm(WorkspaceScopedForm):
    q = forms.CharField(required=False, label="Search", max_length=100)
    department = _department_field("Department")
    location = _location_field("Location")
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    status = forms.ChoiceField(
        choices=[("active", "Active"), ("inactive", "Deactivated"), ("all", "Everyone")], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].empty_label = "Any department"  # type: ignore[attr-defined]
        self.fields["location"].empty_label = "Any location"  # type: ignore[attr-defined]


class NewWorkspaceForm(WorkspaceSettingsForm):
    name = forms.CharField(max_length=120, label="Company or program name")
    display_name = forms.CharField(max_length=120, label="Your name", help_text="How colleagues will see you.")
