"""Adaptive Cards from the core's messages, and the Teams app package."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from groundswell.chat.platforms import ActionButton, LinkButton, OutgoingMessage
from groundswell.chat.teams import cards, manifest
from groundswell.chat.teams.tests import fake_bot
from groundswell.workspaces.models import Membership


def test_an_outgoing_message_becomes_an_adaptive_card() -> None:
    message = OutgoingMessage(
        title="New to share: Our spring report",
        text="Three things we learnt.",
        fallback="New to share: Our spring report https://gs.example/w/acme/content/7/",
        url="https://gs.example/w/acme/content/7/",
        buttons=(
            LinkButton("Share on LinkedIn", "https://gs.example/chat/go/abc"),
            ActionButton("Schedule for me on LinkedIn", "schedule", "7:linkedin", primary=True),
        ),
        context="One click opens the network with your own tracked link.",
    )
    card = cards.render(message)
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["fallbackText"] == message.fallback
    assert [b["text"] for b in card["body"]] == [message.title, message.text, message.context]
    assert card["body"][0]["weight"] == "Bolder"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Share on LinkedIn", "url": "https://gs.example/chat/go/abc"},
        {
            "type": "Action.Submit",
            "title": "Schedule for me on LinkedIn",
            "data": {"action": "schedule", "value": "7:linkedin"},
            "style": "positive",
        },
        {"type": "Action.OpenUrl", "title": "Open in Groundswell", "url": "https://gs.example/w/acme/content/7/"},
    ]


def test_many_buttons_go_in_rows_and_none_is_dropped() -> None:
    buttons = tuple(LinkButton(f"Share {n}", f"https://gs.example/{n}") for n in range(5)) + tuple(
        ActionButton(f"Schedule {n}", "schedule", f"1:{n}") for n in range(4)
    )
    card = cards.render(OutgoingMessage(title="T", text="x", fallback="T", buttons=buttons))
    assert "actions" not in card
    rows = [b for b in card["body"] if b["type"] == "ActionSet"]
    assert [len(r["actions"]) for r in rows] == [6, 3]
    assert sum(len(r["actions"]) for r in rows) == 9


def test_a_text_only_message_is_a_card_with_its_text() -> None:
    card = cards.render(OutgoingMessage(title="", text="Scheduled for Tuesday 10:20.", fallback="Scheduled"))
    assert card["body"] == [{"type": "TextBlock", "text": "Scheduled for Tuesday 10:20.", "wrap": True}]
    assert "actions" not in card


def test_the_manifest_names_this_bot_and_site(settings: Any) -> None:
    settings.TEAMS_APP_ID = fake_bot.APP_ID
    settings.SITE_URL = "https://advocacy.example.com"
    data = manifest.manifest()
    assert data["manifestVersion"] == "1.16"
    assert data["$schema"].endswith("/v1.16/MicrosoftTeams.schema.json")
    assert data["id"] == fake_bot.APP_ID
    assert data["bots"][0]["botId"] == fake_bot.APP_ID
    assert data["bots"][0]["scopes"] == ["personal", "team"]
    assert data["developer"]["websiteUrl"] == "https://advocacy.example.com/"
    assert data["validDomains"] == ["advocacy.example.com"]
    assert len(data["name"]["short"]) <= 30
    assert len(data["description"]["short"]) <= 80
    assert data["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_the_package_holds_the_manifest_and_the_two_icons(settings: Any) -> None:
    settings.TEAMS_APP_ID = fake_bot.APP_ID
    archive = zipfile.ZipFile(io.BytesIO(manifest.package()))
    assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
    assert json.loads(archive.read("manifest.json"))["id"] == fake_bot.APP_ID
    colour = Image.open(io.BytesIO(archive.read("color.png")))
    outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert colour.size == (192, 192)
    assert outline.size == (32, 32)
    # Outline: white on transparent, nothing else.
    raw = outline.convert("RGBA").tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    drawn = {p for p in pixels if p[3]}
    assert drawn and all(p[:3] == (255, 255, 255) for p in drawn)
    assert pixels[0][3] == 0  # the corner is transparent


@pytest.mark.django_db
def test_admins_download_the_package(
    client: Client, alice: Membership, bob: Membership, charlie: Membership, settings: Any
) -> None:
    settings.TEAMS_APP_ID, settings.TEAMS_APP_PASSWORD = fake_bot.APP_ID, fake_bot.APP_PASSWORD
    url = "/w/acme/chat/teams/app.zip"
    client.force_login(alice.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    client.force_login(bob.user)
    assert client.get(url).status_code == 404
    client.force_login(charlie.user)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_teams_page_says_what_to_set_up(
    client: Client, alice: Membership, charlie: Membership, settings: Any
) -> None:
    settings.TEAMS_APP_ID, settings.TEAMS_APP_PASSWORD = "", ""
    client.force_login(alice.user)
    page = client.get("/w/acme/chat/teams/")
    assert page.status_code == 200
    assert b"TEAMS_APP_ID" in page.content
    assert b"/chat/teams/messages" in page.content
    assert client.get("/w/acme/chat/teams/app.zip").status_code == 302  # nothing to download yet
    settings.TEAMS_APP_ID, settings.TEAMS_APP_PASSWORD = fake_bot.APP_ID, fake_bot.APP_PASSWORD
    assert b"Download the Teams app" in client.get("/w/acme/chat/teams/").content
    assert client.post("/w/acme/chat/teams/").status_code == 405
    client.force_login(charlie.user)
    assert client.get("/w/acme/chat/teams/").status_code == 404
