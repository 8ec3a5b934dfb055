"""Where a short link sends its visitor: the item's URL with UTM parameters, or our public item page.

Destinations are built only from stored data (item URL, network, item title and id, share code), never
from the request, so a short link can never be turned into an open redirect.
"""

from __future__ import annotations

from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.text import slugify

from groundswell.content.models import ItemKind

UTM_MEDIUM = "employee_advocacy"
UTM_KEYS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_content"})
CAMPAIGN_SLUG_LENGTH = 60


def campaign_id(title: str, item_id: int) -> str:
    """A readable, stable campaign identifier: ``we-launched-42``."""
    slug = slugify(title)[:CAMPAIGN_SLUG_LENGTH].strip("-")
    return f"{slug}-{item_id}" if slug else f"item-{item_id}"


def with_utm(url: str, *, source: str, campaign: str, content: str, medium: str = UTM_MEDIUM) -> str:
    """``url`` with our four UTM parameters appended.

    Existing query parameters keep their exact spelling and order; existing ``utm_source``/``medium``/
    ``campaign``/``content`` parameters are replaced by ours; the fragment stays at the end.
    """
    parts = urlsplit(iri_to_uri(url))
    kept = [
        segment
        for segment in parts.query.split("&")
        if segment and unquote_plus(segment.split("=", 1)[0]) not in UTM_KEYS
    ]
    ours = urlencode(
        [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign), ("utm_content", content)],
        quote_via=quote,
    )
    query = "&".join([*kept, ours])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


def landing_url(code: str) -> str:
    """Our public page for an item without a URL of its own (text posts, images)."""
    return f"{settings.SITE_URL}/p/{code}"


def destination(*, code: str, network: str, item_id: int, kind: str, url: str, title: str) -> str:
    if kind == ItemKind.URL and url:
        return with_utm(url, source=network, campaign=campaign_id(title, item_id), content=code)
    return landing_url(code)
