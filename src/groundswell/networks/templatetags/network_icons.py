"""``{% network_icon key %}``: a network's logo (from the pinned icon package) with its name beside it.

The logo is decorative; the name stays as text for screen readers and for anyone who does not know the logo
(``label=False`` hides the name visually but keeps it for screen readers, for tight rows of buttons).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from groundswell.core import assets
from groundswell.networks.registry import NETWORKS

register = template.Library()

#: A network this server does not know (an old row): a neutral glyph.
FALLBACK_ICON = "share"
#: Places listening hears posts from that members do not share to (care items' source).
SOURCE_ICONS = {"reddit": "brand-reddit", "hackernews": "brand-ycombinator", "rss": "rss", "csv": "file-spreadsheet"}


def network_icon_name(key: str) -> str:
    network = NETWORKS.get(key)
    return network.icon if network is not None else SOURCE_ICONS.get(key, FALLBACK_ICON)


@register.simple_tag
def network_icon(key: str, label: bool | str = True, size: int = 18) -> SafeString:
    """The logo of network ``key`` and its name; ``label`` False keeps the name for screen readers only, a
    string replaces the name (e.g. the label the page already computed)."""
    network = NETWORKS.get(key)
    name = label if isinstance(label, str) and label else (network.label if network is not None else key)
    logo = assets.icon(network_icon_name(key), size=size, css=f"net-logo net-logo-{key}")
    text_class = "net-name" if label is not False else "net-name sr-only"
    return format_html('<span class="net-tag">{}<span class="{}">{}</span></span>', logo, text_class, name)
