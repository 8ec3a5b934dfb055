"""The Teams app package an admin uploads to Teams (``manifest.json`` and two icons in a zip).

The manifest (schema 1.16) names this server's bot (``TEAMS_APP_ID``) and address (``SITE_URL``); the bot is
offered in personal chats and in teams. Icons are drawn here with Pillow, as Teams asks: a 192x192 colour icon
and a 32x32 outline icon (white on transparent).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from PIL import Image, ImageDraw

MANIFEST_VERSION = "1.16"
SCHEMA = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
APP_VERSION = "1.0.0"
ACCENT = (15, 118, 110)  # --accent of app.css
WHITE = (255, 255, 255, 255)


def manifest() -> dict[str, Any]:
    site = settings.SITE_URL
    host = urlsplit(site).hostname or ""
    app_id = settings.TEAMS_APP_ID
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": app_id,
        "developer": {
            "name": "Groundswell",
            "websiteUrl": f"{site}/",
            "privacyUrl": f"{site}/",
            "termsOfUseUrl": f"{site}/",
        },
        "name": {"short": "Groundswell", "full": "Groundswell employee advocacy"},
        "description": {
            "short": "New things to share, in Teams, with your own tracked links.",
            "full": (
                "Groundswell posts new things to share in a channel and in your personal chat, with buttons that "
                "open your own tracked share link in one click and schedule a post from your connected account. "
                "Care cases routed to you can be acknowledged from Teams. Send 'link' to the bot to connect your "
                "Teams account to your Groundswell membership."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [
                            {"title": "link", "description": "Link your Teams account to Groundswell"},
                            {"title": "help", "description": "What this bot does"},
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host else [],
    }


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _swell(draw: ImageDraw.ImageDraw, size: int, colour: tuple[int, ...], width: int) -> None:
    """Three rising arcs: a swell of waves, the mark used on both icons."""
    for step in range(3):
        inset = size * (0.18 + 0.12 * step)
        box = (inset, inset + size * 0.10, size - inset, size - inset + size * 0.10)
        draw.arc(box, start=200, end=340, fill=colour, width=width)


def colour_icon() -> bytes:
    """192x192, the full-colour icon (accent background, white mark)."""
    size = 192
    image = Image.new("RGBA", (size, size), (*ACCENT, 255))
    _swell(ImageDraw.Draw(image), size, WHITE, width=14)
    return _png(image)


def outline_icon() -> bytes:
    """32x32, white on a transparent background (Teams draws it in the app bar)."""
    size = 32
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    _swell(ImageDraw.Draw(image), size, WHITE, width=2)
    return _png(image)


def package() -> bytes:
    """The zip to upload in Teams (Apps → Manage your apps → Upload an app)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(), indent=2))
        archive.writestr("color.png", colour_icon())
        archive.writestr("outline.png", outline_icon())
    return buffer.getvalue()
