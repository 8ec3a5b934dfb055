"""Small helpers shared by the built-in providers."""

from __future__ import annotations

import datetime as dt


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
