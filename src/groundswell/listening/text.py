"""How post text and query words are normalised: lower case, accents folded, split on non-word characters.

The query parser and the matcher both use ``normalise``/``tokenize``, so a query word and a post word are
compared in exactly the same form ("Café" in a query matches "cafe" and "CAFÉ" in a post).
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MARKS = re.compile(r"[\u0300-\u036f]")


def normalise(text: str) -> str:
    text = text.lower()
    if text.isascii():
        return text
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


def tokenize(text: str) -> list[str]:
    """The words of ``text`` in order ("#Launch day!" → ["launch", "day"])."""
    return _WORD.findall(normalise(text))


def site_keys(site: str) -> list[str]:
    """A host and its parent domains ("blog.example.co.uk" → ["blog.example.co.uk", "example.co.uk", "co.uk"])."""
    host = site.lower().strip().strip(".")
    if host.startswith("www."):
        host = host[4:]
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)] or ([host] if host else [])


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.IGNORECASE | re.DOTALL)


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment (a Mastodon status, a feed summary), whitespace collapsed.

    Tags are dropped (scripts and styles with their content) and entities decoded; the text is only ever
    shown escaped, so this is about reading, not sanitising.
    """
    if "<" in html:
        html = _TAG.sub(" ", html)
    if "&" in html:
        html = unescape(html)
    return " ".join(html.split())
