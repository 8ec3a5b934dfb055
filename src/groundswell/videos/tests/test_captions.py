"""The WebVTT validator: good files pass unchanged (line endings normalised), bad ones name the line."""

from __future__ import annotations

import pytest

from groundswell.videos.captions import MAX_CAPTIONS_BYTES, CaptionsError, validate_webvtt

GOOD = """WEBVTT - launch day

NOTE written by Bob

STYLE
::cue { color: yellow; }

intro
00:00:00.000 --> 00:00:01.500 align:start line:90%
Hello from the <b>launch</b>!

00:01.500 --> 00:02.000
Second caption
on two lines
"""


def test_good_file_is_kept_as_written() -> None:
    assert validate_webvtt(GOOD) == GOOD


def test_windows_line_endings_and_bom_are_normalised() -> None:
    assert validate_webvtt("\ufeff" + GOOD.replace("\n", "\r\n")) == GOOD


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\n00:00:00.000 --> 00:00:01.000\nHi\n", "Line 1: a WebVTT file starts with the word WEBVTT"),
        ("WEBVTTX\n\n00:00.000 --> 00:01.000\nHi\n", "Line 1"),
        ("WEBVTT\n00:00.000 --> 00:01.000\nHi\n", "Line 2: leave a blank line"),
        ("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHi\n", "Line 3: expected a cue timing"),
        ("WEBVTT\n\nintro\nHello\n", "Line 4: expected a cue timing"),
        ("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nHi\n", "Line 3: the cue ends before it starts"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000 colour:red\nHi\n", "Line 3: “colour:red” is not a cue setting"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n00:01.000 --> 00:02.000\nThere\n", "Line 5: caption text cannot"),
        ("WEBVTT\n\nintro\n", "Line 4: expected a cue timing"),
        ("WEBVTT\n\nNOTE only a comment\n", "There are no captions"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n\nSTYLE\n::cue {}\n", "Line 6: STYLE blocks go before"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\x00\n", "NUL"),
    ],
)
def test_bad_files_name_the_line(text: str, message: str) -> None:
    with pytest.raises(CaptionsError, match=message):
        validate_webvtt(text)


def test_size_limit() -> None:
    cue = "00:00.000 --> 00:01.000\n" + "x" * 1000 + "\n\n"
    with pytest.raises(CaptionsError, match="limited"):
        validate_webvtt("WEBVTT\n\n" + cue * (MAX_CAPTIONS_BYTES // 1000))
