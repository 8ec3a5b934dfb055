"""``{% avatar member_id name %}``: a person's initials in a coloured circle, the same colour on every page.

The colour comes from the member's id (never from the name, which people share and change) and is one of six
hues that all keep white initials at WCAG AA contrast in light and dark mode (``--avatar-0`` … ``-5`` in
app.css). A row shown anonymously (``anonymous=True``) gets a neutral silhouette: neither the initials nor
the colour, which would follow the person from board to board, may point to them.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from groundswell.core import assets

register = template.Library()

AVATAR_HUES = 6
SIZES = ("sm", "md", "lg")


def initials(name: str) -> str:
    """Up to two letters: the first letters of the first and last words ("Ana María López" → "AL")."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def avatar_hue(member_id: int) -> int:
    """Which of the six hues a member gets: spread by a multiplicative hash, so neighbours differ."""
    return (int(member_id) * 2654435761 % 2**32) % AVATAR_HUES


@register.simple_tag
def avatar(member_id: int | None, name: str, size: str = "md", anonymous: bool = False) -> SafeString:
    """The avatar of one person (decorative: their name is always written beside it)."""
    size = size if size in SIZES else "md"
    if anonymous or member_id is None:
        return format_html(
            '<span class="avatar avatar-{} avatar-anon" aria-hidden="true">{}</span>',
            size,
            assets.icon("user", size=16),
        )
    return format_html(
        '<span class="avatar avatar-{} avatar-h{}" aria-hidden="true">{}</span>',
        size,
        avatar_hue(member_id),
        initials(name),
    )
