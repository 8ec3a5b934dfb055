"""A strict, small WebVTT validator: what browsers' ``<track>`` parsers accept, with a message naming the line.

We validate rather than parse into objects: the text the author wrote is what we store and serve (normalised
line endings), so their comments, styles and cue settings survive. Why not a PyPI parser: see docs/adr/0038.
"""

from __future__ import annotations

import re

MAX_CAPTIONS_BYTES = 200 * 1024

_TIMESTAMP = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t]+(.*))?$")
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_SETTING = re.compile(r"^(vertical|line|position|size|align|region):\S+$")


class CaptionsError(ValueError):
    """The text is not valid WebVTT; the message names the line."""


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _check_timing(line: str, number: int) -> float:
    match = _TIMING.match(line)
    if match is None:
        raise CaptionsError(
            f"Line {number}: expected a cue timing such as “00:00:01.000 --> 00:00:04.000”, found “{line[:60]}”."
        )
    groups = match.groups()
    start = _seconds(*groups[0:4])
    end = _seconds(*groups[4:8])
    if end <= start:
        raise CaptionsError(f"Line {number}: the cue ends before it starts.")
    for setting in (groups[8] or "").split():
        if not _SETTING.match(setting):
            raise CaptionsError(f"Line {number}: “{setting}” is not a cue setting (such as line:90% or align:start).")
    return start


def validate_webvtt(text: str) -> str:
    """The captions with ``\\n`` line endings, or CaptionsError saying which line is wrong and why."""
    if len(text.encode("utf-8", errors="replace")) > MAX_CAPTIONS_BYTES:
        raise CaptionsError(f"Captions are limited to {MAX_CAPTIONS_BYTES // 1024} KB.")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise CaptionsError("The captions contain a NUL character: is this a text file?")
    lines = text.split("\n")
    if not _HEADER.match(lines[0]):
        raise CaptionsError("Line 1: a WebVTT file starts with the word WEBVTT.")
    i = 1
    while i < len(lines) and lines[i].strip():  # header lines (metadata) up to the first blank line
        if "-->" in lines[i]:
            raise CaptionsError(f"Line {i + 1}: leave a blank line between “WEBVTT” and the first caption.")
        i += 1
    cues = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        while i < len(lines) and lines[i].strip():
            i += 1
        block = lines[block_start:i]
        first = block[0]
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", first):
            if first.startswith(("STYLE", "REGION")) and cues:
                raise CaptionsError(f"Line {block_start + 1}: {first.split()[0]} blocks go before the first caption.")
            continue
        timing_index = 0 if "-->" in first else 1
        if timing_index >= len(block):
            raise CaptionsError(
                f"Line {block_start + 2}: expected a cue timing such as “00:00:01.000 --> 00:00:04.000” "
                f"after the cue name “{first[:60]}”."
            )
        _check_timing(block[timing_index].strip(), block_start + timing_index + 1)
        for offset, line in enumerate(block[timing_index + 1 :], start=timing_index + 1):
            if "-->" in line:
                raise CaptionsError(
                    f"Line {block_start + offset + 1}: caption text cannot contain “-->” "
                    "(leave a blank line before the next cue)."
                )
        cues += 1
    if cues == 0:
        raise CaptionsError("There are no captions in this file: add at least one cue after the WEBVTT line.")
    return text.rstrip("\n") + "\n"
