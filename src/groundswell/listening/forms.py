"""Forms of the listening pages. A topic's query is parsed on submit; a source's settings by its plug-in."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from groundswell.listening.models import Intent, Sentiment, SourceKind, TopicKind
from groundswell.listening.query import QueryError, parse
from groundswell.listening.sources.base import plugins

#: Which form field carries each configuration key (for errors on the right field).
CONFIG_FIELDS = {"url": "url", "instance": "instance", "timeline": "timeline", "tag": "tag", "subreddit": "subreddit"}


#: Where an error about the settings as a whole is shown, per kind.
FIRST_FIELD = {
    SourceKind.RSS: "url",
    SourceKind.MASTODON: "tag",
    SourceKind.REDDIT: "subreddit",
    "hackernews": "search",
}


class TopicForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=TopicKind.choices)
    query = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        max_length=4000,
        help_text='Words, "exact phrases", wild* cards, AND, OR, NOT, NEAR/5, brackets, and fields such as '
        "lang:de, site:example.com, author:@name, source:reddit.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active (new posts are matched)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query_error: QueryError | None = None

    def clean_query(self) -> str:
        query: str = self.cleaned_data["query"]
        try:
            parse(query)
        except QueryError as exc:
            self.query_error = exc
            raise forms.ValidationError(f"{exc.message} (at position {exc.position}).") from None
        return query

    @property
    def caret(self) -> str:
        """Spaces up to the error position and a caret, to show under the query."""
        if self.query_error is None:
            return ""
        return " " * max(0, self.query_error.position - 1) + "^"


class SourceForm(forms.Form):
    kind = forms.ChoiceField(choices=())
    name = forms.CharField(max_length=120)
    poll_every_minutes = forms.IntegerField(min_value=1, max_value=24 * 60, initial=15, label="Poll every (minutes)")
    url = forms.URLField(
        required=False, assume_scheme="https", label="Feed address", help_text="RSS or Atom: the address of the feed."
    )
    instance = forms.URLField(
        assume_scheme="https",
        required=False,
        label="Mastodon server",
        help_text="Mastodon: the server, e.g. https://mastodon.social",
    )
    timeline = forms.ChoiceField(
        required=False,
        choices=[("tag", "A hashtag"), ("public", "The public timeline")],
        help_text="Mastodon: what to read.",
    )
    tag = forms.CharField(required=False, max_length=100, label="Hashtag", help_text="Mastodon: without the #.")
    subreddit = forms.CharField(required=False, max_length=30, help_text="Reddit: e.g. CampingGear (without r/).")
    search = forms.CharField(
        required=False, max_length=200, label="Search words", help_text="Reddit and Hacker News: the words to find."
    )
    settings_json = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        label="Other settings (JSON)",
        help_text="Only for kinds without fields above (for example Bluesky).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        available = plugins()
        self.fields["kind"].choices = [(k, label) for k, label in SourceKind.choices if k in available]  # type: ignore[attr-defined]

    def config(self, kind: str) -> dict[str, Any]:
        d = self.cleaned_data
        if kind == SourceKind.RSS:
            return {"url": d.get("url", "")}
        if kind == SourceKind.MASTODON:
            return {"instance": d.get("instance", ""), "timeline": d.get("timeline") or "tag", "tag": d.get("tag", "")}
        if kind == SourceKind.REDDIT:
            return {"subreddit": d.get("subreddit", ""), "query": d.get("search", "")}
        if kind == SourceKind.HACKERNEWS:
            return {"query": d.get("search", "")}
        if kind == SourceKind.CSV:
            return {}
        raw = d.get("settings_json", "").strip()
        try:
            value = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise forms.ValidationError({"settings_json": f"This is not valid JSON ({exc})."}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError({"settings_json": 'Give an object, like {"query": "northwind"}.'})
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if not kind or self.errors:
            return data
        config = self.config(kind)
        try:
            data["config"] = plugins()[kind].validate_config(config)
        except ValueError as exc:
            for part in str(exc).split("; "):
                key, sep, message = part.partition(": ")
                target = CONFIG_FIELDS.get(key) if sep else None
                if kind in (SourceKind.REDDIT, SourceKind.HACKERNEWS) and key == "query":
                    target = "search"
                if not sep and kind in FIRST_FIELD:
                    target, message = FIRST_FIELD[kind], part
                if target:
                    self.add_error(target, message[:1].upper() + message[1:] + ".")
                else:
                    self.add_error(None, part[:1].upper() + part[1:] + ".")
        return data


class CsvUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: text, url, author, published_at, lang, site.")


class MentionFilterForm(forms.Form):
    topic = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sentiment = forms.ChoiceField(required=False, choices=[("", "Any sentiment"), *Sentiment.choices])
    intent = forms.ChoiceField(required=False, choices=[("", "Any intent"), *Intent.choices])
    source = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, topics: list[tuple[int, str]], sources: list[tuple[int, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["topic"].choices = [("", "All topics"), *topics]  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", "All sources"), *sources]  # type: ignore[attr-defined]
