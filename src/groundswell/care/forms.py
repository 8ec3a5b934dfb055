"""Forms of the care pages. They parse and validate input; the writes happen in ``care.actions``."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django import forms

from groundswell.care.actions import MAX_NOTE, MAX_REPLY, MAX_URL
from groundswell.care.hours import DEFAULT_WEEK, WEEKDAYS, HoursError, Week, format_day, from_json, parse_day
from groundswell.care.models import CHOSEN_REASONS, CareSettings, DismissReason, ResponderProfile, Snippet
from groundswell.enrolment.models import LANGUAGE_CHOICES
from groundswell.listening.models import Intent, Topic
from groundswell.workspaces.models import Department, Membership, Workspace


class TopicsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.name} ({obj.get_kind_display().lower()})"


def _topics(workspace: Workspace, label: str, help_text: str) -> TopicsField:
    return TopicsField(
        queryset=Topic.objects.filter(workspace=workspace).order_by("kind", "name"),
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Pick topics from the list."},
    )


class ProfileForm(forms.Form):
    languages = forms.MultipleChoiceField(
        choices=LANGUAGE_CHOICES,
        label="Languages you answer customers in",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one language.", "invalid_choice": "Pick languages from the list."},
    )
    timezone = forms.CharField(label="Your time zone", max_length=64, help_text="For example Europe/Berlin.")
    paused = forms.BooleanField(
        label="Pause: take no new cases for now", required=False, help_text="Holidays, a busy week."
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"day{day}"] = forms.CharField(
                label=name,
                required=False,
                max_length=100,
                help_text="For example 09:00-12:00, 13:00-17:00. Empty: you do not work that day." if day == 0 else "",
            )
        self.fields["skills"] = _topics(
            workspace, "Topics you can answer", "None ticked: you take questions on every topic."
        )

    @classmethod
    def initial_for(cls, member: Membership) -> dict[str, Any]:
        """The saved profile, or (never saved yet) what it would start from: enrolment, default hours."""
        from groundswell.care.queries import seed_from_enrolment

        profile = ResponderProfile.objects.filter(member=member).prefetch_related("skills").first()
        if profile is not None:
            languages, skills = list(profile.languages), list(profile.skills.all())
            week, tz, paused = from_json(profile.week), profile.time_zone, profile.paused
        else:
            languages, skills = seed_from_enrolment(member)
            week, tz, paused = DEFAULT_WEEK, "", False
        initial: dict[str, Any] = {
            "languages": languages,
            "timezone": tz or member.workspace.timezone,
            "paused": paused,
            "skills": skills,
        }
        for day in range(7):
            initial[f"day{day}"] = format_day(week.get(day, []))
        return initial

    def clean_timezone(self) -> str:
        value: str = self.cleaned_data["timezone"].strip()
        if value not in available_timezones():
            raise forms.ValidationError("Pick a time zone like Europe/Berlin or America/New_York.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week: Week = {}
        for day in range(7):
            try:
                windows = parse_day(data.get(f"day{day}") or "")
            except HoursError as exc:
                self.add_error(f"day{day}", str(exc))
                continue
            if windows:
                week[day] = windows
        data["week"] = week
        return data


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CareSettings
        fields = ["first_response_minutes", "max_open_per_person", "escalation_steps", "step_minutes"]
        labels = {
            "first_response_minutes": "First-response target (minutes)",
            "max_open_per_person": "Unanswered cases per person at a time",
            "escalation_steps": "Colleagues to try before the admins",
            "step_minutes": "Minutes for each further step",
        }

    def clean_first_response_minutes(self) -> int:
        value: int = self.cleaned_data["first_response_minutes"]
        if not 5 <= value <= 24 * 60:
            raise forms.ValidationError("Between 5 minutes and 24 hours.")
        return value

    def clean_max_open_per_person(self) -> int:
        value: int = self.cleaned_data["max_open_per_person"]
        if not 1 <= value <= 20:
            raise forms.ValidationError("Between 1 and 20.")
        return value

    def clean_escalation_steps(self) -> int:
        value: int = self.cleaned_data["escalation_steps"]
        if value > 5:
            raise forms.ValidationError("At most 5: after that the admins should step in.")
        return value

    def clean_step_minutes(self) -> int:
        value: int = self.cleaned_data["step_minutes"]
        if not 5 <= value <= 24 * 60:
            raise forms.ValidationError("Between 5 minutes and 24 hours.")
        return value


class DepartmentSkillForm(forms.Form):
    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"] = forms.ModelChoiceField(
            queryset=Department.objects.filter(workspace=workspace).order_by("name"),
            label="Department",
            empty_label="Pick a department",
            error_messages={"required": "Pick a department.", "invalid_choice": "Pick a department from the list."},
        )
        self.fields["topic"] = forms.ModelChoiceField(
            queryset=Topic.objects.filter(workspace=workspace).order_by("kind", "name"),
            label="knows about",
            empty_label="Pick a topic",
            error_messages={"required": "Pick a topic.", "invalid_choice": "Pick a topic from the list."},
        )


class SnippetForm(forms.ModelForm):  # type: ignore[type-arg]
    language = forms.ChoiceField(choices=[("", "Any language"), *LANGUAGE_CHOICES], required=False, label="Language")

    class Meta:
        model = Snippet
        fields = ["title", "body", "language"]
        labels = {"body": "Answer"}
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "title": {"required": "Give the snippet a short title."},
            "body": {"required": "Write the answer."},
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"] = _topics(workspace, "Topics", "Suggested first on cases about these topics.")
        if self.instance.pk:
            self.fields["topics"].initial = list(self.instance.topics.all())


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your answer",
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Write the answer first.",
            "max_length": f"Keep the answer under {MAX_REPLY} characters.",
        },
    )


class PostReplyForm(ReplyForm):
    """The answer and the account to post it from (the button pressed: a connected account's id)."""

    account = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean_account(self) -> int:
        """The account id, or 0 when it is missing or not a number (the action then asks to pick one)."""
        value: str = self.cleaned_data["account"].strip()
        return int(value) if value.isdigit() else 0


class PostedByHandForm(forms.Form):
    """The answer that did not go out was posted by hand; optionally where."""

    url = forms.URLField(
        label="Link to your reply (optional)",
        required=False,
        max_length=MAX_URL,
        assume_scheme="https",
        help_text="The address of your reply on the network, so colleagues can find it.",
        error_messages={
            "invalid": "Give the address of your reply (https://…), or leave it empty.",
            "max_length": f"Keep the link under {MAX_URL} characters.",
        },
    )


class ReassignForm(forms.Form):
    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = forms.ModelChoiceField(
            queryset=Membership.objects.filter(workspace=workspace, is_active=True).order_by("display_name", "pk"),
            label="Give to",
            empty_label="Pick a member",
            error_messages={"required": "Pick who answers.", "invalid_choice": "Pick an active member."},
        )


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Why close it (for the log)",
        max_length=MAX_NOTE,
        error_messages={"required": "Say why the case is closed, for the log."},
    )


class TriageCaseForm(forms.Form):
    """Make a case of a triaged post: a question or a complaint (the member's word, not the classifier's)."""

    intent = forms.ChoiceField(
        choices=[(Intent.QUESTION, "Question"), (Intent.COMPLAINT, "Complaint")],
        label="The customer",
        error_messages={"required": "Say whether the customer asks something or complains.",
                        "invalid_choice": "Say whether the customer asks something or complains."},
    )  # fmt: skip
    answer = forms.BooleanField(required=False, label="I answer it myself now")


class TriageDismissForm(forms.Form):
    reason = forms.ChoiceField(
        choices=CHOSEN_REASONS,
        label="Why no reply",
        error_messages={"required": "Pick a reason.", "invalid_choice": "Pick a reason from the list."},
    )
    note = forms.CharField(
        label="Note (needed for another reason)",
        required=False,
        max_length=MAX_NOTE,
        error_messages={"max_length": f"Keep the note under {MAX_NOTE} characters."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == DismissReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", "Say why, for the record.")
        return data
