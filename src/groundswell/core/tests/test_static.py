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
