"""Server names a member types in their own script: stored and connected to in their IDNA (``xn--``) form."""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.networks.forms import AppPasswordForm, InstanceForm
from groundswell.networks.mastodon.intent import normalise_instance

APP_PASSWORD = {"identifier": "ana.example", "password": "abcd-efgh-ijkl-mnop"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Bücher.example", "xn--bcher-kva.example"),
        ("https://мастодон.рф/", "xn--80aiwgdbsi.xn--p1ai"),  # a punycode top-level domain
        ("@ana@xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("mastodon.social", "mastodon.social"),
    ],
)
def test_mastodon_instance_in_any_script(typed: str, stored: str) -> None:
    form = InstanceForm({"instance": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["instance"] == stored


def test_profile_instance_is_normalised_the_same_way() -> None:
    assert normalise_instance("https://Mastodon.Bücher.example/about") == "mastodon.xn--bcher-kva.example"


@pytest.mark.parametrize("typed", ["ab\u0627\u0628.example", "bü\u00a0cher.example", "\u200d.example"])
def test_mastodon_instance_that_is_not_valid_idna_is_a_form_error(typed: str) -> None:
    form = InstanceForm({"instance": typed})
    assert not form.is_valid()
    assert "is not a server name" in form.errors["instance"][0]


def test_bluesky_pds_in_any_script_is_stored_as_idna() -> None:
    form = AppPasswordForm({**APP_PASSWORD, "service_url": "https://PDS.Bücher.example:8443/"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["service_url"] == "https://pds.xn--bcher-kva.example:8443"


@pytest.mark.parametrize(
    "service_url", ["https://ab\u0627\u0628.example", "https://xn--ls8h.example", "https://a..example"]
)
def test_bluesky_pds_that_is_not_a_valid_host_name_is_a_form_error(service_url: str, settings: Any) -> None:
    """It used to pass the form (in tests) and fail inside httpx with InvalidURL: a server error."""
    form = AppPasswordForm({**APP_PASSWORD, "service_url": service_url})
    assert not form.is_valid()
    assert "not a valid" in form.errors["service_url"][0]
