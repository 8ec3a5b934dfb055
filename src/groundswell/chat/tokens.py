"""Signed, expiring tokens for the links the bot hands out (no database row: the signature is the proof).

* a *link* token names a chat user (platform, team, user, name, direct conversation); opened by a signed-in
  member, it links that chat user to their membership after they confirm;
* a *share* token is bound to a member, an item and a network; opened (no sign-in), it makes that member's
  share and sends them to the network's compose page with their tracked link.

Both are signed with ``SECRET_KEY`` under their own salt, so one kind cannot be used as the other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

LINK_SALT = "groundswell.chat.link"
SHARE_SALT = "groundswell.chat.share"


class TokenError(ValueError):
    """A token that is forged, damaged or expired, with a message for the person who opened it."""


@dataclass(frozen=True)
class ShareToken:
    member_id: int
    item_id: int
    network: str
    issued_at: int


def link_max_age() -> int:
    return int(getattr(settings, "CHAT_LINK_MAX_AGE_SECONDS", 30 * 60))


def share_max_age() -> int:
    return int(getattr(settings, "CHAT_SHARE_LINK_MAX_AGE_SECONDS", 14 * 24 * 3600))


def make_link_token(platform: str, team_id: str, user_id: str, display_name: str, conversation: str) -> str:
    data = {"p": platform, "t": team_id, "u": user_id, "n": display_name[:200], "c": conversation}
    return signing.dumps(data, salt=LINK_SALT, compress=True)


def read_link_token(token: str) -> dict[str, str]:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise TokenError("This link has expired. Ask the bot for a new one (/groundswell link).") from None
    except signing.BadSignature:
        raise TokenError("This link is not valid. Ask the bot for a new one (/groundswell link).") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "ptunc"):
        raise TokenError("This link is not valid. Ask the bot for a new one (/groundswell link).")
    return {k: str(v) for k, v in data.items()}


def make_share_token(member_id: int, item_id: int, network: str) -> str:
    data = {"m": member_id, "i": item_id, "n": network, "at": int(time.time())}
    return signing.dumps(data, salt=SHARE_SALT, compress=True)


def read_share_token(token: str) -> ShareToken:
    try:
        data = signing.loads(token, salt=SHARE_SALT, max_age=share_max_age())
    except signing.SignatureExpired:
        raise TokenError("This share button has expired. Open the item in Groundswell to share it.") from None
    except signing.BadSignature:
        raise TokenError("This share link is not valid.") from None
    try:
        return ShareToken(int(data["m"]), int(data["i"]), str(data["n"]), int(data["at"]))
    except (KeyError, TypeError, ValueError):
        raise TokenError("This share link is not valid.") from None
