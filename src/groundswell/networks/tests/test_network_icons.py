"""Network logos: every network names an icon of the pinned package, and pages draw it beside the name."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from groundswell.analytics.tests.helpers import share_with_clicks
from groundswell.content.models import Item
from groundswell.core import assets
from groundswell.networks.registry import NETWORKS
from groundswell.networks.templatetags.network_icons import FALLBACK_ICON, SOURCE_ICONS, network_icon_name
from groundswell.workspaces.models import Membership


def render(source: str, **context: object) -> str:
    return Template("{% load network_icons %}" + source).render(Context(context))


@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_every_network_has_a_logo_in_the_icon_package(key: str) -> None:
    name = NETWORKS[key].icon
    assert name != FALLBACK_ICON, f"{key} has no logo of its own"
    assert "<path" in assets.icon(name)  # raises UnknownIcon for a name the package does not have


def test_listening_sources_have_logos_too() -> None:
    for name in SOURCE_ICONS.values():
        assert "<path" in assets.icon(name)
    assert network_icon_name("reddit") == "brand-reddit"
    assert network_icon_name("no-such-network") == FALLBACK_ICON


def test_the_tag_draws_the_logo_and_keeps_the_name_as_text() -> None:
    html = render("{% network_icon 'bluesky' %}")
    assert 'class="icon net-logo net-logo-bluesky"' in html and 'aria-hidden="true"' in html
    assert '<span class="net-name">Bluesky</span>' in html
    # A label the page already has replaces the registry's; label=False keeps it for screen readers only.
    assert '<span class="net-name">My LinkedIn</span>' in render("{% network_icon 'linkedin' 'My LinkedIn' %}")
    assert '<span class="net-name sr-only">X</span>' in render("{% network_icon 'x' False %}")
    # A key this server does not know: the neutral glyph and the key itself, never an error.
    assert '<span class="net-name">myspace</span>' in render("{% network_icon 'myspace' %}")


def test_the_label_is_escaped() -> None:
    assert "&lt;b&gt;" in render("{% network_icon 'x' name %}", name="<b>")


@pytest.mark.django_db
def test_my_shares_shows_each_network_logo(bob: Membership, bob_client: Client, item: Item) -> None:
    share_with_clicks(bob, item, 1, network="bluesky")
    share_with_clicks(bob, item, 1, network="x")
    html = bob_client.get(reverse("sharing:mine", kwargs={"ws": "acme"})).content.decode()
    assert "net-logo-bluesky" in html and "net-logo-x" in html
    assert '<span class="net-name">Bluesky</span>' in html
