from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The database cache's table (``settings.CACHES``) exists wherever the schema does: after every
    ``migrate`` (demo, deploy, tests). ``createcachetable`` skips tables that exist and caches that are not
    database caches, so this is idempotent and a no-op with Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "groundswell.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.core import assets  # noqa: F401  (registers the front-end packages' system check)

        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="groundswell.core.cache_table")
