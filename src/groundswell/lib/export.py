"""The one CSV writer for everything Groundswell exports (payroll, dashboard, …).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and treat a leading tab or
carriage return the same way (CSV injection, OWASP). Every text cell that starts with one of them is written
with a leading apostrophe, which spreadsheets show as text. Numbers (int, float, Decimal) are written as they
are, so a negative amount stays a number. A guard test (lib/tests/test_export.py) fails if any other module
calls ``csv.writer`` or ``csv.DictWriter``: new exports go through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Protocol

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, s: str, /) -> object: ...


def safe_cell(value: object) -> object:
    """The value as a spreadsheet will read it as text: formulas are neutralised, numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """``csv.writer`` that escapes formula cells in every row it writes (the header included)."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Sequence[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document as text."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def csv_response(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """An attachment response that is not cached, and the writer that fills it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response, CsvWriter(response)
