from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class NetworksConfig(AppConfig):
    name = "groundswell.networks"
    label = "networks"

    def ready(self) -> None:
        checks.register(check_encryption_keys, checks.Tags.security, deploy=True)


def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.ENCRYPTION_KEYS:
        return []
    return [
        checks.Error(
            "GROUNDSWELL_ENCRYPTION_KEYS is not set: connected-account tokens cannot be encrypted.",
            hint='Generate a key with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
            id="groundswell.E001",
        )
    ]
