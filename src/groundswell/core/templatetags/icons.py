"""``{% icon "brand-bluesky" %}``: an inline icon from the pinned icon package (core.assets)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from groundswell.core import assets

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20, style: str = "outline", css: str = "") -> SafeString:
    return assets.icon(name, label=label, size=size, style=style, css=css)
