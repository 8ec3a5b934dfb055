"""``num``: thousands separators without the per-call locale machinery of ``intcomma`` (hot tables)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def num(value: object) -> str:
    if value is None or value == "":
        return "0"
    try:
        return f"{int(value):,}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)
