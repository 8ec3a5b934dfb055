"""Forms of the connect pages: a Mastodon server, a Bluesky handle with an app password."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from groundswell.lib.safe_fetch import FetchError, ascii_host
from groundswell.networks import oauth
from groundswell.networks.base import NetworkError, TokenSet
from groundswell.networks.mastodon.intent import normalise_instance
from groundswell.networks.oauth import ConnectError, check_public_host

if TYPE_CHECKING:
    from groundswell.networks.models import ConnectedAccount


class InstanceForm(forms.Form):
    instance = forms.CharField(
        label="Your Mastodon server",
        max_length=253,
        help_text="The part after the second @ of your address: for @ana@mastodon.social it is mastodon.social.",
        widget=forms.TextInput(attrs={"autocomplete": "url", "placeholder": "mastodon.social", "spellcheck": "false"}),
    )

    def clean_instance(self) -> str:
        value: str = self.cleaned_data["instance"]
        if "@" in value and "://" not in value:
            value = value.rsplit("@", 1)[-1]  # "@ana@mastodon.social" → "mastodon.social"
        try:
            host = normalise_instance(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        try:
            check_public_host(host)
        except ConnectError as exc:
            raise forms.ValidationError(exc.message) from None
        return host


def check_service_url(value: str) -> str:
    """A Bluesky PDS URL: https, a host name, no path tricks; the default server is always fine."""
    value = value.strip().rstrip("/")
    default = settings.BLUESKY_SERVICE_URL.rstrip("/")
    if not value or value == default:
        return default
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise forms.ValidationError("Enter the address of your server, for example https://bsky.social.") from None
    allow_http = settings.UNFURL_ALLOW_PRIVATE_ADDRESSES  # the test-suite's loopback servers
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise forms.ValidationError("The server address must start with https://.")
    if not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        raise forms.ValidationError("Enter only the server address, for example https://bsky.social.")
    if parts.path not in ("", "/"):
        raise forms.ValidationError("Enter only the server address, without a path.")
    try:
        host = ascii_host(parts.hostname)  # bücher.example → xn--bcher-kva.example, the name that is connected to
    except FetchError as exc:
        raise forms.ValidationError(str(exc)) from None
    try:
        check_public_host(host, port or 443)
    except ConnectError as exc:
        raise forms.ValidationError(exc.message) from None
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None else "")


#: Bluesky app passwords look like ``abcd-efgh-ijkl-mnop``; anything else is probably the main password.
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}(-[a-z0-9]{4}){3}$")


class AppPasswordForm(forms.Form):
    identifier = forms.CharField(
        label="Your handle",
        max_length=253,
        help_text="For example ana.bsky.social (or the e-mail address of your account).",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "placeholder": "ana.bsky.social", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label="App password",
        max_length=100,
        strip=True,
        help_text="An app password you create for Groundswell — never your main password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    service_url = forms.CharField(
        label="Server (optional)",
        max_length=300,
        required=False,
        help_text="Only if your account is not on Bluesky's own servers: the address of your PDS.",
        widget=forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_url"].widget.attrs["placeholder"] = settings.BLUESKY_SERVICE_URL

    def clean_identifier(self) -> str:
        value: str = self.cleaned_data["identifier"].strip()
        return value.removeprefix("@")

    def clean_password(self) -> str:
        value: str = self.cleaned_data["password"]
        if not APP_PASSWORD.match(value.lower()):
            raise forms.ValidationError(
                "This does not look like an app password (xxxx-xxxx-xxxx-xxxx). "
                "Create one for Groundswell; never enter your main password here."
            )
        return value

    def clean_service_url(self) -> str:
        return check_service_url(self.cleaned_data.get("service_url") or "")

    def connect(
        self, net: oauth.NetworkOption, connect: Callable[[TokenSet], ConnectedAccount]
    ) -> ConnectedAccount | None:
        """Log in with the (valid) form's app password and ``connect`` the account (a member's own or the
        workspace's); None, with the reason on the form, when the network refused or said nothing usable."""
        try:
            tokens = oauth.app_password_tokens(
                net,
                identifier=self.cleaned_data["identifier"],
                password=self.cleaned_data["password"],
                service_url=self.cleaned_data["service_url"],
            )
            return connect(tokens)
        except NetworkError as exc:
            self.add_error(None, f"{net.label}: {exc.message}")
        except ValueError:
            self.add_error(None, f"{net.label} did not say which account this is. Nothing was connected.")
        return None


class IdentityForm(forms.Form):
    """The Page or organisation a connection posts as, from the ones the network listed."""

    choice = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the account Groundswell should post as.",
            "invalid_choice": "Choose one of the accounts listed; that one was not offered.",
        },
    )

    def __init__(self, *args: Any, options: tuple[tuple[str, str], ...], label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["choice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(options)
        field.label = label
        if len(options) == 1:  # one Page: still confirmed, already ticked
            self.initial.setdefault("choice", options[0][0])
