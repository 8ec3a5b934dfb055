"""The signed link in the "Connect this team" card: it carries the team the bot was added to (tenant, team,
channel, service address), so the page that opens it needs no database row and cannot be pointed elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from groundswell.chat.teams.actions import TeamReference

SALT = "groundswell.chat.teams.connect"
MAX_AGE_SECONDS = 7 * 24 * 3600


class ConnectLinkError(ValueError):
    """A connect link that is forged, damaged or expired (the message is for the admin who opened it)."""


def make_token(team: TeamReference) -> str:
    data = {
        "t": team.tenant_id,
        "g": team.team_id,
        "n": team.team_name[:200],
        "c": team.channel_id,
        "s": team.service_url,
    }
    return signing.dumps(data, salt=SALT, compress=True)


def connect_url(team: TeamReference) -> str:
    return settings.SITE_URL + reverse("chat_public:teams_connect", kwargs={"token": make_token(team)})


def read_token(token: str) -> TeamReference:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise ConnectLinkError(
            "This link has expired. Remove the Groundswell app from the team and add it again."
        ) from None
    except signing.BadSignature:
        raise ConnectLinkError("This link is not valid. Use the link in the card the bot posted in the team.") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "tgncs"):
        raise ConnectLinkError("This link is not valid. Use the link in the card the bot posted in the team.")
    return TeamReference(
        tenant_id=data["t"], team_id=data["g"], team_name=data["n"], channel_id=data["c"], service_url=data["s"]
    )
