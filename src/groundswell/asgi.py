"""ASGI entry point. Tracked short links are answered by a lean fast path in front of Django."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
django_application = get_asgi_application()

from groundswell.links.fastpath import LinkRouter  # noqa: E402  (needs Django set up)

application = LinkRouter(django_application)
