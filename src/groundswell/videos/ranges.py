"""HTTP range requests (RFC 9110 §14) for the video files: Safari and iOS play a video only when the server
answers ``Range: bytes=0-1`` with 206.

One range per request. A header we cannot parse, or one asking for several ranges, is ignored (the whole file,
200), which the RFC allows; a range that starts beyond the end is unsatisfiable (416).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

CHUNK_SIZE = 64 * 1024
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class Readable(Protocol):
    """What a storage's opened file offers (Django's ``File`` and plain binary files)."""

    def seek(self, offset: int, whence: int = ...) -> int: ...

    def read(self, size: int = ...) -> bytes: ...

    def close(self) -> None: ...


class UnsatisfiableRange(Exception):
    """The range asks for bytes the file does not have (answer 416)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range ``header`` asks of a file of ``size`` bytes; None to send the whole file."""
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None  # several ranges, another unit, or nonsense: ignore the header
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise UnsatisfiableRange
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid: ignore
    if start >= size:
        raise UnsatisfiableRange
    return ByteRange(start, min(end, size - 1))


class _Slice:
    """``length`` bytes of ``handle`` from ``start``, in chunks. Django calls ``close()`` when the response is
    done, also when nothing was read (a HEAD request, a client that went away), so the file is always closed."""

    def __init__(self, handle: Readable, start: int, length: int) -> None:
        self.handle, self.start, self.length = handle, start, length

    def __iter__(self) -> Iterator[bytes]:
        self.handle.seek(self.start)
        remaining = self.length
        while remaining > 0:
            data = self.handle.read(min(CHUNK_SIZE, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data

    def close(self) -> None:
        self.handle.close()


def ranged_response(
    handle: Readable, *, size: int, content_type: str, range_header: str | None, cache_control: str
) -> HttpResponseBase:
    """A 200, 206 or 416 response streaming ``handle`` (closed when the response is done)."""
    response: HttpResponseBase
    try:
        wanted = parse_range(range_header, size)
    except UnsatisfiableRange:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        start, length = (wanted.start, wanted.length) if wanted else (0, size)
        response = StreamingHttpResponse(
            _Slice(handle, start, length), status=206 if wanted else 200, content_type=content_type
        )
        response["Content-Length"] = str(length)
        if wanted:
            response["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
