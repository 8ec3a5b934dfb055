"""Additive upserts: ``INSERT … ON CONFLICT (…) DO UPDATE SET c = t.c + excluded.c``.

The same SQL runs on SQLite (≥ 3.35) and PostgreSQL. Counters are only ever incremented in one
statement, never read-modify-written (race-safe balances, see docs/adr/0003).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def additive_upsert(
    model: type[models.Model],
    key_fields: Sequence[str],
    add_fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str] = (),
    batch_size: int = 300,
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values for key_fields + add_fields, in that order), adding on conflict."""
    if not rows:
        return []
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)

    def col(name: str) -> str:
        column = meta.get_field(name).column  # type: ignore[union-attr]
        assert isinstance(column, str)
        return connection.ops.quote_name(column)

    columns = [col(f) for f in (*key_fields, *add_fields)]
    updates = ", ".join(f"{col(f)} = {table}.{col(f)} + excluded.{col(f)}" for f in add_fields)
    returning_sql = f" RETURNING {', '.join(col(f) for f in returning)}" if returning else ""
    out: list[tuple[Any, ...]] = []
    width = len(columns)
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), batch_size):
            chunk = rows[offset : offset + batch_size]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
                f"ON CONFLICT ({', '.join(col(f) for f in key_fields)}) DO UPDATE SET {updates}{returning_sql}"
            )
            params = [value for row in chunk for value in row]
            cursor.execute(sql, params)
            if returning:
                out.extend(cursor.fetchall())
    return out
