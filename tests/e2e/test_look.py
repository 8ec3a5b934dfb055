"""The visual identity in a real browser: home, content hub and leaderboard in light and dark mode, on a
phone (390 px) and a laptop (1366 px). Dark mode follows the system; nothing overflows sideways; the
podium, avatars, network logos and item covers are drawn. Screenshots are kept in pytest's tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from groundswell.analytics.tests.helpers import publish, share_with_clicks
from groundswell.content.models import Item, ItemKind, ItemState
from groundswell.rewards.actions import ensure_default_rules
from groundswell.workspaces.models import LeaderboardVisibility, Membership, Role, Workspace
from tests.e2e.test_core_loop import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(390, 844), (1366, 900)]
SCHEMES = ("light", "dark")
PAGES = {"home": "/w/acme/", "content": "/w/acme/content/list/", "leaderboard": "/w/acme/points/leaderboard/"}


def _data(workspace: Workspace) -> None:
    alice = Membership.objects.get(user__email="alice@acme.test")
    item = publish(workspace, "Our spring launch, in pictures and in a few words from the team", alice)
    Item.objects.create(
        workspace=workspace,
        kind=ItemKind.TEXT,
        state=ItemState.PUBLISHED,
        body="A text post without a picture",
        created_by=alice,
        published_at=timezone.now(),
    )
    for n in range(5):
        make_user(workspace, f"person{n}@acme.test", Role.EMPLOYEE)
        member = Membership.objects.get(user__email=f"person{n}@acme.test")
        member.leaderboard_visibility = LeaderboardVisibility.NAME
        member.save(update_fields=["leaderboard_visibility"])
        share_with_clicks(member, item, 2 + n, network=("linkedin", "bluesky", "x")[n % 3])
    Membership.objects.filter(user__email="alice@acme.test").update(leaderboard_visibility=LeaderboardVisibility.NAME)
    share_with_clicks(alice, item, 1, network="facebook")


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.documentElement).backgroundColor"))


def test_home_content_and_leaderboard_in_light_and_dark(browser: Any, live_server: Any, tmp_path: Path) -> None:
    base = live_server.url
    workspace = Workspace.objects.create(name="Acme", slug="acme")
    Workspace.objects.filter(pk=workspace.pk).update(min_group_size=1)
    ensure_default_rules(workspace)
    make_user(workspace, "alice@acme.test", Role.ADMIN)
    _data(workspace)
    page = sign_in(browser, base, "alice@acme.test")
    backgrounds: dict[str, set[str]] = {scheme: set() for scheme in SCHEMES}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for name, path in PAGES.items():
                response = page.goto(base + path)
                assert response is not None and response.status == 200, path
                assert _no_sideways_scroll(page), (scheme, width, path, page.evaluate("document.body.scrollWidth"))
                backgrounds[scheme].add(_background(page))
                shot = tmp_path / f"{name}-{width}-{scheme}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 5_000
            # The leaderboard draws its podium (three steps) and an avatar on every row.
            page.goto(base + PAGES["leaderboard"])
            assert page.locator(".podium .podium-step").count() == 3
            steps = [page.locator(f".podium .place-{n}").bounding_box() for n in (1, 2, 3)]
            assert all(s["x"] + s["width"] <= width for s in steps), steps
            assert page.locator(".leaderboard tbody .avatar").count() == page.locator(".leaderboard tbody tr").count()
            # An item without a picture gets a cover drawn in CSS, as tall as a picture would be.
            page.goto(base + PAGES["content"])
            cover = page.locator(".item-card .item-cover").first.bounding_box()
            assert cover is not None and cover["height"] > 60
    # The system's dark mode is followed: one page background per scheme, and they differ.
    assert len(backgrounds["light"]) == 1 and len(backgrounds["dark"]) == 1
    assert backgrounds["light"] != backgrounds["dark"]
    dark = backgrounds["dark"].pop()
    channels = [int(c) for c in dark[dark.index("(") + 1 : dark.index(")")].split(",")[:3]]
    assert max(channels) < 60, dark  # a dark page, not a light one
