"""Range requests: the parser, and the response it gives (what Safari's `bytes=0-1` probe needs)."""

from __future__ import annotations

import io

import pytest

from groundswell.videos.ranges import ByteRange, UnsatisfiableRange, parse_range, ranged_response

DATA = bytes(range(256)) * 4  # 1024 bytes


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-1", ByteRange(0, 1)),
        ("bytes=0-", ByteRange(0, 1023)),
        ("bytes=100-199", ByteRange(100, 199)),
        ("bytes=1000-5000", ByteRange(1000, 1023)),  # the end is clipped to the file
        ("bytes=-100", ByteRange(924, 1023)),  # a suffix: the last 100 bytes
        ("bytes=-5000", ByteRange(0, 1023)),
        ("Bytes = 5 - 9", ByteRange(5, 9)),
        ("bytes=0-1,5-9", None),  # several ranges: ignored, the whole file
        ("items=0-1", None),
        ("bytes=9-5", None),  # invalid: ignored
        ("bytes=-", None),
        ("bytes=abc", None),
    ],
)
def test_parse_range(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 1024) == expected


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(UnsatisfiableRange):
        parse_range(header, 1024)


def test_any_range_of_an_empty_file_is_unsatisfiable() -> None:
    with pytest.raises(UnsatisfiableRange):
        parse_range("bytes=-1", 0)
    with pytest.raises(UnsatisfiableRange):
        parse_range("bytes=0-", 0)


def _respond(header: str | None) -> tuple[int, dict[str, str], bytes]:
    response = ranged_response(
        io.BytesIO(DATA), size=len(DATA), content_type="video/mp4", range_header=header, cache_control="private"
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response.status_code, dict(response.headers), body


def test_whole_file_advertises_ranges() -> None:
    status, headers, body = _respond(None)
    assert status == 200
    assert body == DATA
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Length"] == "1024"
    assert headers["Cache-Control"] == "private"
    assert "Content-Range" not in headers


def test_first_bytes() -> None:
    status, headers, body = _respond("bytes=0-1")
    assert (status, body) == (206, DATA[:2])
    assert headers["Content-Range"] == "bytes 0-1/1024"
    assert headers["Content-Length"] == "2"


def test_middle() -> None:
    status, headers, body = _respond("bytes=300-699")
    assert (status, body) == (206, DATA[300:700])
    assert headers["Content-Range"] == "bytes 300-699/1024"


def test_suffix() -> None:
    status, headers, body = _respond("bytes=-10")
    assert (status, body) == (206, DATA[-10:])
    assert headers["Content-Range"] == "bytes 1014-1023/1024"


def test_open_ended_reads_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("groundswell.videos.ranges.CHUNK_SIZE", 100)
    status, _, body = _respond("bytes=10-")
    assert (status, body) == (206, DATA[10:])


def test_unsatisfiable_is_416_with_the_size() -> None:
    status, headers, body = _respond("bytes=2000-")
    assert status == 416
    assert headers["Content-Range"] == "bytes */1024"
    assert body == b""
