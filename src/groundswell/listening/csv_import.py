"""Posts from a CSV file: text, url, author, published_at, lang, site — one row per post.

Only ``text`` and ``published_at`` are required. Rows with errors are skipped and reported with what to fix;
the others become ``FetchedPost``s with a stable id (a hash of the row's content), so importing the same
file twice stores nothing the second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from groundswell.lib.text import first_control
from groundswell.listening.sources._common import host_of
from groundswell.listening.sources.base import FetchedPost

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_REPORTED_ERRORS = 200
PREVIEW_ROWS = 20
COLUMNS = ("text", "url", "author", "published_at", "lang", "site")
_ALIASES = {
    "text": {"text", "content", "body", "message", "post"},
    "url": {"url", "link", "permalink"},
    "author": {"author", "user", "username", "by"},
    "published_at": {"published_at", "published", "date", "created_at", "time", "timestamp"},
    "lang": {"lang", "language"},
    "site": {"site", "host", "domain", "source"},
}
_LOOKUP = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class Parsed:
    posts: list[FetchedPost] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def preview(self) -> list[FetchedPost]:
        return self.posts[:PREVIEW_ROWS]


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it and upload each part."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.") from None


def _when(value: str) -> dt.datetime | None:
    value = value.strip()
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse(text: str) -> Parsed:
    """The posts of ``text``; ``ValidationError`` when the file as a whole cannot be used."""
    if not text.strip():
        raise ValidationError("The file is empty. Upload a CSV with a header row and one row per post.")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    columns = [_LOOKUP.get(h.strip().lower().replace(" ", "_").replace("-", "_")) for h in header]
    missing = [c for c in ("text", "published_at") if c not in columns]
    if missing:
        raise ValidationError(
            f"The header row has no {' and no '.join(missing)} column. The columns are: {', '.join(COLUMNS)}."
        )
    out = Parsed()
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        out.rows += 1
        if out.rows > MAX_ROWS:
            raise ValidationError(f"The file has more than {MAX_ROWS:,} posts. Split it and upload each part.")
        row = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
        problems = []
        for column, value in row.items():
            code = first_control(value)
            if code:
                problems.append(f"{column} contains a control character ({code}): remove it")
        post_text = " ".join(row.get("text", "").split())
        if not post_text:
            problems.append("the text is empty")
        when = _when(row.get("published_at", ""))
        if when is None:
            problems.append(
                f"published_at “{row.get('published_at', '')}” is not a date and time like 2026-03-01T09:30:00Z"
            )
        url = row.get("url", "")
        if url:
            try:
                _url(url)
            except ValidationError:
                problems.append(f"url “{url[:80]}” is not an http or https address")
        lang = row.get("lang", "").lower()
        if lang and not _LANG.match(lang):
            problems.append(f"lang “{lang}” is not a language code like en or de")
        if problems:
            if len(out.errors) < MAX_REPORTED_ERRORS:
                message = "; ".join(problems)
                out.errors.append(RowError(line, message[:1].upper() + message[1:] + "."))
            continue
        assert when is not None
        author = row.get("author", "")[:200]
        key = "\x1f".join((post_text, author, when.isoformat(), url))
        out.posts.append(
            FetchedPost(
                external_id="csv:" + hashlib.sha256(key.encode()).hexdigest()[:40],
                text=post_text,
                published_at=when,
                url=url[:2000],
                author=author,
                site=(row.get("site", "") or host_of(url))[:253].lower(),
                lang=lang[:8],
            )
        )
    return out
