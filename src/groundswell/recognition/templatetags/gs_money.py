from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    """12345 → "123.45" (amounts are kept in cents)."""
    if cents is None:
        return "—"
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"
