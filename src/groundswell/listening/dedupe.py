"""Exact and near-duplicate fingerprints of post text.

* ``content_hash``: SHA-256 of the normalised words, so case, accents, punctuation and spacing do not matter.
* ``simhash``: a 64-bit SimHash over two-word shingles (Charikar) of the text without links, @handles, a
  leading "RT" and trailing hashtags. Two texts whose fingerprints differ in at most ``NEAR_DISTANCE`` bits
  are near-duplicates (a repost with another link, an added "RT", a changed word in a long text).

If two 64-bit fingerprints differ in at most 3 bits, at least one of their four 16-bit bands is identical
(pigeonhole), so near-duplicate candidates are found with four indexed equality lookups instead of a scan.
"""

from __future__ import annotations

import hashlib
import re

from groundswell.listening.text import tokenize

NEAR_DISTANCE = 3
BANDS = 4
SHINGLE = 2
_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)@[\w.@-]+|^\s*(?:rt|via)\b[:\s]*", re.IGNORECASE)
_TRAILING_TAGS = re.compile(r"(?:\s*#\w+)+\s*$")
_MASK64 = (1 << 64) - 1


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(tokenize(text)).encode()).hexdigest()


def _shingles(words: list[str]) -> list[str]:
    if len(words) <= SHINGLE:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


# Bit-sliced counting: each byte value spread into 8 lanes of 16 bits, so one big-integer addition per shingle
# counts all 64 bit positions at once (instead of 64 shifts and tests).
_LANE = 16
_SPREAD = [sum(((b >> i) & 1) << (_LANE * i) for i in range(8)) for b in range(256)]
_LANE_MASK = (1 << _LANE) - 1


def _spread(h: int) -> int:
    s = _SPREAD
    return (
        s[h & 0xFF]
        | s[(h >> 8) & 0xFF] << 128
        | s[(h >> 16) & 0xFF] << 256
        | s[(h >> 24) & 0xFF] << 384
        | s[(h >> 32) & 0xFF] << 512
        | s[(h >> 40) & 0xFF] << 640
        | s[(h >> 48) & 0xFF] << 768
        | s[(h >> 56) & 0xFF] << 896
    )


def simhash(text: str) -> int:
    """The unsigned 64-bit SimHash of ``text`` (0 for a text without words)."""
    shingles = _shingles(tokenize(_TRAILING_TAGS.sub("", _NOISE.sub(" ", text))))[:_LANE_MASK]
    if not shingles:
        return 0
    total = 0
    for s in shingles:
        total += _spread(int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little"))
    half = len(shingles) / 2
    out = 0
    for bit in range(64):
        if (total >> (_LANE * bit)) & _LANE_MASK > half:
            out |= 1 << bit
    return out


def simhash_reference(text: str) -> int:
    """The same fingerprint computed bit by bit (the specification ``simhash`` is tested against)."""
    hashes = [
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")
        for s in _shingles(tokenize(_TRAILING_TAGS.sub("", _NOISE.sub(" ", text))))[:_LANE_MASK]
    ]
    if not hashes:
        return 0
    out = 0
    for bit in range(64):
        if sum((h >> bit) & 1 for h in hashes) > len(hashes) / 2:
            out |= 1 << bit
    return out


def to_signed(value: int) -> int:
    """The unsigned fingerprint as the signed 64-bit integer a BigIntegerField stores."""
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value & _MASK64


def bands(value: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a fingerprint (signed or unsigned), lowest first."""
    value = to_unsigned(value)
    return (value & 0xFFFF, (value >> 16) & 0xFFFF, (value >> 32) & 0xFFFF, (value >> 48) & 0xFFFF)


def distance(a: int, b: int) -> int:
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()
