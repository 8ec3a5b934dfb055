"""Front-end packages served by Groundswell itself (ADR 0036).

The packages come from the npm registry, pinned in ``frontend/package-lock.json`` and installed with
``npm ci`` by ``make install`` into ``settings.ASSETS_DIR``. Scripts (Chart.js) are served as static files
under ``/static/vendor/``; icons (Tabler) are read once and inlined into the page so that they take the text
colour and need no extra request.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

ICON_PACKAGE = "@tabler/icons"
_ICON_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_INSTALL_HINT = "Run `make install` (it runs `npm ci` in frontend/), or set GROUNDSWELL_ASSETS_DIR."


class UnknownIcon(LookupError):
    """No icon of that name in the icon package (a typo in a template)."""


def _icons_dir() -> Path:
    return Path(settings.ASSETS_DIR) / ICON_PACKAGE / "icons"


@functools.cache
def _icon_body(name: str, style: str) -> str:
    """The inner markup of an icon's SVG (its paths), read once per process."""
    if not _ICON_NAME.match(name) or style not in ("outline", "filled"):
        raise UnknownIcon(name)
    path = _icons_dir() / style / f"{name}.svg"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UnknownIcon(f"{style}/{name}") from exc
    opening = _SVG_OPEN.search(text)
    if opening is None:
        raise UnknownIcon(name)
    return text[opening.end() : text.rindex("</svg>")].strip()


def icon(name: str, *, label: str = "", size: int = 20, style: str = "outline", css: str = "") -> SafeString:
    """An inline SVG icon. Decorative (hidden from screen readers) unless ``label`` names it."""
    body = _icon_body(name, style)
    paint = (
        'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
        if style == "outline"
        else 'fill="currentColor"'
    )
    a11y = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="icon {}" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 24 24" '
        '{} focusable="false" {}>{}</svg>',
        css,
        size,
        size,
        mark_safe(paint),  # noqa: S308 (constant)
        a11y,
        mark_safe(body),  # noqa: S308 (a file of the pinned icon package, not user input)
    )


@register()
def check_assets(**kwargs: object) -> list[CheckMessage]:
    """The front-end packages must be installed (the pages need them)."""
    errors: list[CheckMessage] = []
    if not _icons_dir().is_dir():
        errors.append(
            Error(
                f"The icon package {ICON_PACKAGE} is not installed in {settings.ASSETS_DIR}.",
                hint=_INSTALL_HINT,
                id="groundswell.E010",
            )
        )
    for prefix, path in settings.VENDOR_STATIC.items():
        if not Path(path).is_dir():
            errors.append(
                Error(f"{path} (served as /static/{prefix}/) is missing.", hint=_INSTALL_HINT, id="groundswell.E011")
            )
    return errors
