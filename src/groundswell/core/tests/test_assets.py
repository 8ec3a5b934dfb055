"""The front-end packages (ADR 0036): icons inlined from the pinned package, Chart.js served by the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import override_settings

from groundswell.core import assets


def test_icon_is_inline_svg_painted_with_the_text_colour() -> None:
    html = str(assets.icon("brand-mastodon"))
    assert html.startswith('<svg class="icon ')
    assert 'stroke="currentColor"' in html
    assert 'aria-hidden="true"' in html
    assert "<path" in html
    assert html.count("<svg") == 1


def test_icon_with_a_label_is_announced() -> None:
    html = str(assets.icon("brand-bluesky", label='Bluesky "social"'))
    assert 'role="img" aria-label="Bluesky &quot;social&quot;"' in html
    assert "aria-hidden" not in html


def test_template_tag() -> None:
    out = Template('{% load icons %}{% icon "home" size=24 css="nav-icon" %}').render(Context())
    assert 'class="icon nav-icon"' in out and 'width="24"' in out


@pytest.mark.parametrize("name", ["no-such-icon-anywhere", "../../package", "Home", ""])
def test_unknown_or_malformed_icon_names_are_refused(name: str) -> None:
    with pytest.raises(assets.UnknownIcon):
        assets.icon(name)


def test_the_brand_icons_the_networks_use_exist() -> None:
    for name in ("brand-bluesky", "brand-mastodon", "brand-linkedin", "brand-x", "brand-facebook", "brand-reddit"):
        assert "<path" in str(assets.icon(name))


def test_chart_js_is_served_from_the_pinned_package() -> None:
    found = finders.find("vendor/chart.js/chart.umd.min.js")
    assert found is not None
    assert Path(str(found)).stat().st_size > 50_000


def test_system_check_says_how_to_install_missing_packages(tmp_path: Path) -> None:
    with override_settings(ASSETS_DIR=tmp_path, VENDOR_STATIC={"vendor/chart.js": tmp_path / "chart.js" / "dist"}):
        errors = assets.check_assets()
    assert {e.id for e in errors} == {"groundswell.E010", "groundswell.E011"}
    assert all("make install" in (e.hint or "") for e in errors)


def test_system_check_is_clean_when_installed() -> None:
    assert assets.check_assets() == []
