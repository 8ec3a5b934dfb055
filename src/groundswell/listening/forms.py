"""Forms of the listening pages. A topic's query is parsed on submit; a source's settings by its plug-in;
credentials are checked by signing in once (``actions.save_credential``)."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.conf import settings

from groundswell.listening.models import Intent, RedditAppType, Sentiment, Source, SourceKind, TopicKind
from groundswell.listening.query import QueryError, parse
from groundswell.listening.sources.base import plugins
from groundswell.networks.forms import APP_PASSWORD, check_service_url

#: Which form field carries each configuration key (for errors on the right field).
CONFIG_FIELDS = {"url": "url", "instance": "instance", "timeline": "timeline", "tag": "tag", "subreddit": "subreddit"}


#: Where an error about the settings as a whole is shown, per kind.
FIRST_FIELD = {
    SourceKind.RSS: "url",
    SourceKind.MASTODON: "tag",
    SourceKind.REDDIT: "subreddit",
    SourceKind.BLUESKY: "search",
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
        required=False,
        max_length=200,
        label="Search words",
        help_text="Reddit, Hacker News and Bluesky search: the words to find.",
    )
    mode = forms.ChoiceField(
        required=False,
        label="Bluesky: how to listen",
        choices=[
            ("search", "Search, signed in with the workspace's Bluesky account"),
            ("stream", "The live event stream (no account needed)"),
        ],
        help_text="Bluesky's search answers signed-in accounts only; the stream reads every new post of a server.",
    )
    settings_json = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        label="Other settings (JSON)",
        help_text='Bluesky: more settings, for example {"lang": "en"}, or the stream\'s {"service_url": …}.',
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
            raise forms.ValidationError({"settings_json": 'Give an object, like {"lang": "en"}.'})
        if kind == SourceKind.BLUESKY:
            if d.get("mode"):
                value["mode"] = d["mode"]
            if d.get("search"):
                value["query"] = d["search"]
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
                # "key: message" names a setting; a message about the settings as a whole has no key (and
                # may itself contain ": ").
                match = _KEYED.match(part)
                key, message = (match.group(1), match.group(2)) if match else ("", part)
                target = CONFIG_FIELDS.get(key)
                if kind in (SourceKind.REDDIT, SourceKind.HACKERNEWS, SourceKind.BLUESKY) and key == "query":
                    target = "search"
                if not key and kind in FIRST_FIELD:
                    target = FIRST_FIELD[kind]
                if target:
                    self.add_error(target, _sentence(message))
                else:
                    self.add_error(None, _sentence(part))
        return data


_KEYED = re.compile(r"^([a-z_][a-z0-9_.]*): (.+)$", re.DOTALL)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class SourceEditForm(SourceForm):
    """A source's settings; its kind stays what it was."""

    def __init__(self, *args: Any, source: Source, **kwargs: Any) -> None:
        kwargs.setdefault("initial", initial_for(source))
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(source.kind, source.get_kind_display())]  # type: ignore[attr-defined]
        self.fields["kind"].disabled = True
        self.fields["kind"].initial = source.kind


def initial_for(source: Source) -> dict[str, Any]:
    """The form's fields filled from a source's stored settings."""
    c = dict(source.config)
    initial: dict[str, Any] = {
        "kind": source.kind,
        "name": source.name,
        "poll_every_minutes": max(1, source.poll_every_seconds // 60),
    }
    if source.kind == SourceKind.RSS:
        initial["url"] = c.get("url", "")
    elif source.kind == SourceKind.MASTODON:
        initial |= {"instance": c.get("instance", ""), "timeline": c.get("timeline", "tag"), "tag": c.get("tag", "")}
    elif source.kind == SourceKind.REDDIT:
        initial |= {"subreddit": c.get("subreddit", ""), "search": c.get("query", "")}
    elif source.kind == SourceKind.HACKERNEWS:
        initial["search"] = c.get("query", "")
    elif source.kind == SourceKind.BLUESKY:
        initial |= {"mode": c.pop("mode", "search"), "search": c.pop("query", "")}
        initial["settings_json"] = json.dumps(c) if c else ""
    return initial


_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{10,64}$")
_REDDIT_USER = re.compile(r"^[A-Za-z0-9_-]{3,20}$")
_KEEP = "Stored encrypted and never shown again. Leave empty to keep the stored one."


class RedditCredentialForm(forms.Form):
    """A Reddit app for application-only OAuth: its type, client id and secret."""

    app_type = forms.ChoiceField(
        choices=RedditAppType.choices,
        initial=RedditAppType.CONFIDENTIAL,
        widget=forms.RadioSelect,
        label="App type",
        help_text="As chosen when the app was created at reddit.com/prefs/apps.",
    )
    client_id = forms.CharField(
        max_length=64,
        label="Client id",
        help_text="The string under the app's name at reddit.com/prefs/apps.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        required=False,
        max_length=200,
        label="Secret",
        help_text="A web app or script has one; an installed app has none.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    contact = forms.CharField(
        required=False,
        max_length=23,
        label="Your Reddit user name (optional)",
        help_text="Reddit asks API clients to name a contact: it is sent as “by /u/name” with every request.",
    )

    def __init__(self, *args: Any, stored: str = "", **kwargs: Any) -> None:
        """``stored``: the client id whose secret is stored (empty: none is)."""
        super().__init__(*args, **kwargs)
        self.stored = stored
        if stored:
            self.fields["secret"].help_text = f"{self.fields['secret'].help_text} {_KEEP}"

    def clean_client_id(self) -> str:
        value = str(self.cleaned_data["client_id"]).strip()
        if not _CLIENT_ID.match(value):
            raise forms.ValidationError("A client id has 10 to 64 letters, digits, dashes or underscores.")
        return value

    def clean_contact(self) -> str:
        value = str(self.cleaned_data.get("contact") or "").strip().removeprefix("/").removeprefix("u/")
        if value and not _REDDIT_USER.match(value):
            raise forms.ValidationError("A Reddit user name has 3 to 20 letters, digits, dashes or underscores.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        confidential = data.get("app_type") == RedditAppType.CONFIDENTIAL
        keeps = bool(self.stored) and data.get("client_id") == self.stored
        if confidential and not data.get("secret") and not keeps:
            self.add_error("secret", "A web app or script has a secret: enter it.")
        if not confidential and data.get("secret"):
            self.add_error("secret", "An installed app has no secret: leave this empty, or choose the other type.")
        return data


class BlueskyCredentialForm(forms.Form):
    """A Bluesky account for signed-in search: its handle and an app password."""

    identifier = forms.CharField(
        label="Handle",
        max_length=253,
        help_text="The account Groundswell searches as, for example northwind-listening.bsky.social.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        required=False,
        max_length=100,
        label="App password",
        help_text="Create one on Bluesky (Settings → Privacy and security → App passwords); never the main password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    service_url = forms.CharField(
        required=False,
        max_length=300,
        label="Server (optional)",
        help_text="Only if the account is not on Bluesky's own servers: the address of its PDS.",
        widget=forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, stored: str = "", **kwargs: Any) -> None:
        """``stored``: the handle whose app password is stored (empty: none is)."""
        super().__init__(*args, **kwargs)
        self.stored = stored
        self.fields["service_url"].widget.attrs["placeholder"] = settings.BLUESKY_SERVICE_URL
        if stored:
            self.fields["password"].help_text = f"{self.fields['password'].help_text} {_KEEP}"

    def clean_identifier(self) -> str:
        return str(self.cleaned_data["identifier"]).strip().removeprefix("@")

    def clean_password(self) -> str:
        value = str(self.cleaned_data.get("password") or "").strip()
        if value and not APP_PASSWORD.match(value.lower()):
            raise forms.ValidationError(
                "This does not look like an app password (xxxx-xxxx-xxxx-xxxx). Create one for Groundswell; "
                "never enter the account's main password here."
            )
        return value

    def clean_service_url(self) -> str:
        value = check_service_url(str(self.cleaned_data.get("service_url") or ""))
        return "" if value == settings.BLUESKY_SERVICE_URL.rstrip("/") else value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        keeps = bool(self.stored) and data.get("identifier") == self.stored
        if not data.get("password") and not keeps:
            self.add_error("password", "Enter the app password of this account.")
        return data


def has_input(form: forms.Form, names: tuple[str, ...]) -> bool:
    """Whether the admin typed anything into these fields of a (bound, prefixed) form."""
    return any(str(form.data.get(form.add_prefix(n), "")).strip() for n in names)


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
