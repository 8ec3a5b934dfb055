"""Link previews: read Open Graph (and fallbacks) from a fetched page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.element import Tag

from groundswell.lib.safe_fetch import safe_get

MAX_TITLE = 300
MAX_DESCRIPTION = 1000
MAX_URL = 2000


@dataclass(frozen=True)
class Preview:
    title: str = ""
    description: str = ""
    image_url: str = ""


def _meta(soup: BeautifulSoup, *names: str) -> str:
    """The first non-empty ``content`` of a meta tag with ``property`` or ``name`` in ``names``."""
    for name in names:
        for attribute in ("property", "name"):
            tag = soup.find("meta", attrs={attribute: name})
            if isinstance(tag, Tag):
                content = tag.get("content")
                if isinstance(content, str) and content.strip():
                    return " ".join(content.split())
    return ""


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def absolute_image_url(value: str, base_url: str) -> str:
    """``value`` resolved against ``base_url``; empty unless it is an http(s) URL of sane length."""
    if not value:
        return ""
    url = urljoin(base_url, value.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        return ""
    return url


def parse_preview(html: bytes | str, base_url: str, encoding: str | None = None) -> Preview:
    """Title, description and image of a page: Open Graph first, then Twitter cards, then plain HTML."""
    soup = BeautifulSoup(html, "html.parser", from_encoding=encoding if isinstance(html, bytes) else None)
    title = _meta(soup, "og:title", "twitter:title")
    if not title and soup.title and soup.title.string:
        title = " ".join(soup.title.string.split())
    description = _meta(soup, "og:description", "twitter:description", "description")
    image = _meta(soup, "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
    return Preview(
        title=_clip(title, MAX_TITLE),
        description=_clip(description, MAX_DESCRIPTION),
        image_url=absolute_image_url(image, base_url),
    )


def fetch_preview(url: str) -> Preview:
    """Fetch ``url`` safely and read its preview. Raises ``FetchError`` subclasses."""
    result = safe_get(url)
    return parse_preview(result.body, result.url, result.charset)
