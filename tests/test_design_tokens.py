"""The colour tokens in app.css meet WCAG AA in light and dark mode.

The tokens are parsed from the stylesheet itself (the ``:root`` block and its ``prefers-color-scheme: dark``
override), so changing a colour that breaks contrast fails here. Body text needs 4.5:1; large text and UI
parts (input borders, the focus ring, podium edges) need 3:1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from groundswell.core.templatetags.avatars import AVATAR_HUES

CSS = Path(__file__).resolve().parents[1] / "src/groundswell/static/groundswell"
APP_CSS = (CSS / "app.css").read_text(encoding="utf-8")
_TOKEN = re.compile(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;")


def _block_after(marker: str) -> str:
    start = APP_CSS.index(marker)
    opening = APP_CSS.index("{", APP_CSS.index(":root", start))
    return APP_CSS[opening : APP_CSS.index("}", opening)]


def tokens(mode: str) -> dict[str, str]:
    light = dict(_TOKEN.findall(_block_after(":root tokens")))
    if mode == "light":
        return light
    return {**light, **dict(_TOKEN.findall(_block_after("@media (prefers-color-scheme: dark)")))}


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


SURFACES = ("bg", "surface", "surface-sunken")
BODY_TEXT = [
    *[(fg, bg) for fg in ("fg", "muted", "accent") for bg in (*SURFACES, "accent-soft")],
    *[(fg, bg) for fg in ("good", "warn", "bad") for bg in ("bg", "surface")],
    # A leaderboard's rank arrows on the viewer's own highlighted row (bench/ui found "good" at 4.3:1 there)
    *[(fg, "accent-soft") for fg in ("good", "bad")],
    *[("fg", soft) for soft in ("good-soft", "warn-soft", "bad-soft", "info-soft")],
    ("accent-fg", "accent"),
    ("bad-fg", "bad"),
    *[("avatar-fg", f"avatar-{n}") for n in range(AVATAR_HUES)],
]
UI_PARTS = [
    *[(ui, bg) for ui in ("line-strong", "focus", "accent", "gold", "bronze") for bg in ("bg", "surface")],
]
MODES = ("light", "dark")


def test_both_modes_define_every_colour_the_checks_use() -> None:
    names = {name for pair in BODY_TEXT + UI_PARTS for name in pair}
    for mode in MODES:
        assert names <= set(tokens(mode)), (mode, names - set(tokens(mode)))
    # Dark mode really redefines the surfaces and text (not just inherits light).
    assert tokens("dark")["surface"] != tokens("light")["surface"]
    assert tokens("dark")["fg"] != tokens("light")["fg"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fg", "bg"), BODY_TEXT, ids=[f"{f}-on-{b}" for f, b in BODY_TEXT])
def test_body_text_is_at_least_4_5_to_1(mode: str, fg: str, bg: str) -> None:
    colours = tokens(mode)
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= 4.5, f"{mode}: --{fg} {colours[fg]} on --{bg} {colours[bg]} is {ratio:.2f}:1"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fg", "bg"), UI_PARTS, ids=[f"{f}-on-{b}" for f, b in UI_PARTS])
def test_ui_parts_are_at_least_3_to_1(mode: str, fg: str, bg: str) -> None:
    colours = tokens(mode)
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= 3, f"{mode}: --{fg} {colours[fg]} on --{bg} {colours[bg]} is {ratio:.2f}:1"


def test_the_contrast_formula() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


#: Stylesheets another stream of work owns (the composer, the dashboards) are checked there.
OTHER_OWNERS = {"composer.css", "dashboards.css"}


@pytest.mark.parametrize("name", sorted(p.name for p in CSS.glob("*.css") if p.name not in OTHER_OWNERS))
def test_stylesheets_use_tokens_not_hard_coded_colours(name: str) -> None:
    """Colours are named once, in the tokens; a hard-coded hex colour would not follow dark mode."""
    text = (CSS / name).read_text(encoding="utf-8")
    if name == "app.css":
        text = text[text.index("---- end of tokens ----") :]
        # The navigation section is another stream of work's (its own markers).
        text = re.sub(r"/\* ==== Navigation.*?==== end of Navigation ==== \*/", "", text, flags=re.DOTALL)
    found = re.findall(r"#[0-9a-fA-F]{3,8}\b", text)
    assert not found, f"{name}: {found}"


def test_charts_follow_dark_mode_with_the_same_surface() -> None:
    """Charts are <img> SVGs: they cannot read the tokens, so they carry their own dark media query, with the
    dark surface of app.css, in drawn and empty charts alike."""
    import datetime as dt

    from groundswell.analytics import charts
    from groundswell.analytics.queries import DayPoint

    assert tokens("dark")["surface"] == charts.DARK_SURFACE
    drawn = charts.activity_chart([DayPoint(dt.date(2026, 1, d), d, 2 * d, 1) for d in range(1, 5)], "Activity")
    empty = charts.empty_chart("Activity", "Nothing yet")
    for svg in (drawn, empty):
        assert b"@media (prefers-color-scheme:dark)" in svg.replace(b": ", b":"), svg[:300]
        assert charts.DARK_SURFACE.encode() in svg
    assert b"<script" not in drawn
