"""Every asset a template asks for with {% static %} can be found, so pages are never served unstyled."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def test_every_static_reference_resolves() -> None:
    referenced: set[str] = set()
    for template in Path(settings.BASE_DIR).rglob("templates/**/*.html"):
        referenced.update(STATIC_TAG.findall(template.read_text()))
    assert {"groundswell/app.css", "groundswell/app.js"} <= referenced
    missing = sorted(name for name in referenced if not finders.find(name))
    assert missing == [], f"templates reference static files no finder knows: {missing}"


def test_screen_reader_only_text_is_hidden_on_every_page() -> None:
    """``.visually-hidden`` was defined only in three page stylesheets, so "My scheduled posts" (which loads
    none of them) showed its screen-reader labels as big button text. The base stylesheet defines it."""
    from pathlib import Path

    import groundswell

    css = (Path(groundswell.__file__).parent / "static" / "groundswell" / "app.css").read_text()
    assert ".visually-hidden" in css and ".sr-only" in css
