"""How each network counts the length of a post: the one rule the server validates with.

``static/groundswell/composer.js`` (``countText``) mirrors it line for line for the live counter in the share
composer; ``sharing/tests/test_counting.py`` runs both on the same tricky samples (links, emoji, CJK,
combining marks) and requires the same numbers. Change one, change the other.

Every count starts from the text in Unicode NFC (an ``e`` typed with a combining accent is one ``é``).

* ``graphemes``: user-perceived characters (UAX #29 extended grapheme clusters): Bluesky, Mastodon.
* ``characters``: code points: LinkedIn, Facebook, email.
* ``weighted``: X's rule: a character from the Latin, Greek, Cyrillic, Hebrew, Arabic, Indic… blocks
  (U+0000 to U+10FF) and general punctuation counts 1, any other (CJK, Hangul, …) counts 2, an emoji counts 2.

``url_length``: every ``http(s)://`` link counts as this many (23 on X and Mastodon, whatever its length);
0 counts a link as typed. A bare ``example.com`` is not a link here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from wcwidth import iter_graphemes

Unit = Literal["graphemes", "characters", "weighted"]

#: Whitespace that ends a link, spelled out so Python's ``re`` and JavaScript agree exactly.
_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
URL_PATTERN = f"https?://[^{_SPACE}]+"
_URL = re.compile(URL_PATTERN, re.IGNORECASE)

#: X's ranges that count 1 (twitter-text v3 configuration); everything else counts 2.
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _light(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in LIGHT_RANGES)


def _is_emoji(cluster: str) -> bool:
    """A cluster with an emoji presentation selector or a code point from the emoji planes (U+1F000 to U+1FAFF:
    faces, flags, skin tones…)."""
    return any(c == "\ufe0f" or 0x1F000 <= ord(c) <= 0x1FAFF for c in cluster)


def graphemes(text: str) -> int:
    return sum(1 for _ in iter_graphemes(text))


@dataclass(frozen=True)
class LengthRule:
    unit: Unit = "characters"
    url_length: int = 0

    @property
    def note(self) -> str:
        """What the member should know about this rule, for messages ("" when nothing unusual)."""
        if self.url_length:
            return f"a link counts as {self.url_length}"
        return ""

    def count(self, text: str) -> int:
        text = unicodedata.normalize("NFC", text)
        links = 0
        if self.url_length:
            text, links = _URL.subn("", text)
        return links * self.url_length + self._count_plain(text)

    def _count_plain(self, text: str) -> int:
        if self.unit == "characters":
            return len(text)
        if self.unit == "graphemes":
            return graphemes(text)
        total = 0
        for cluster in iter_graphemes(text):
            if _is_emoji(cluster):
                total += 2
            else:
                total += sum(1 if _light(ord(c)) else 2 for c in cluster)
        return total

    def as_json(self) -> dict[str, object]:
        """For the composer's script (``countText(text, rule)``)."""
        return {"unit": self.unit, "url": self.url_length}


CHARACTERS = LengthRule("characters")
