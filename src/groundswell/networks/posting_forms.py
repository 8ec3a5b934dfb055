"""Forms for posting through connected accounts: the workspace's posting policy (admins)."""

from __future__ import annotations

from django import forms

from groundswell.networks.models import PostingPolicy

MAX_BLOCKED_PHRASES = 500


class PostingPolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PostingPolicy
        fields = [
            "disclosure",
            "unchanged_caption",
            "max_per_day_per_network",
            "max_per_week_per_network",
            "blocked_words",
            "stagger_minutes",
        ]
        labels = {
            "disclosure": "Disclosure",
            "unchanged_caption": "Suggested caption posted word for word",
            "max_per_day_per_network": "Posts per person per day, per network",
            "max_per_week_per_network": "Posts per person per week, per network",
            "blocked_words": "Blocked words and phrases",
            "stagger_minutes": "Spread window (minutes)",
        }
        help_texts = {
            "disclosure": 'Added to every post that does not already say it (for example "#employee"). '
            'Posts that contain "#employee" or "I work at …" already disclose.',
            "unchanged_caption": "What happens when someone posts a suggested caption without changing it.",
            "max_per_day_per_network": "Counted on the workspace's calendar day. 0 means no limit.",
            "max_per_week_per_network": "Counted Monday to Sunday. 0 means no limit.",
            "blocked_words": "One word or phrase per line, any case. Posts containing one are refused, naming it.",
            "stagger_minutes": "When many people post the same item, their posts are spread over this window.",
        }
        widgets = {
            "unchanged_caption": forms.RadioSelect,
            "blocked_words": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_blocked_words(self) -> str:
        value: str = self.cleaned_data["blocked_words"]
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        if len(lines) > MAX_BLOCKED_PHRASES:
            raise forms.ValidationError(f"At most {MAX_BLOCKED_PHRASES} words or phrases.")
        return "\n".join(dict.fromkeys(lines))

    def clean_stagger_minutes(self) -> int:
        value: int = self.cleaned_data["stagger_minutes"]
        if not 10 <= value <= 7 * 24 * 60:
            raise forms.ValidationError("Between 10 minutes and a week (10080 minutes).")
        return value

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        day, week = data.get("max_per_day_per_network"), data.get("max_per_week_per_network")
        if isinstance(day, int) and isinstance(week, int) and day and week and day > week:
            self.add_error("max_per_week_per_network", "The weekly limit cannot be lower than the daily one.")
        return data
