from __future__ import annotations

from django import forms


class PolicyForm(forms.Form):
    title = forms.CharField(max_length=160)
    body_markdown = forms.CharField(
        label="Policy text",
        widget=forms.Textarea(attrs={"rows": 20}),
        max_length=50_000,
        help_text="Markdown: ## headings, **bold**, - lists, [links](https://…). HTML is not allowed.",
    )
    checklist = forms.CharField(
        label="Checklist",
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=5_000,
        help_text="One short guideline per line (5 to 7 works best). Shown on the share page.",
    )
    summary_of_changes = forms.CharField(
        label="What changed?",
        required=False,
        max_length=500,
        help_text="Shown to members when they are asked to read the new version.",
    )
