from typing import Any

from django.apps import AppConfig


class StewardsConfig(AppConfig):
    name = "groundswell.stewards"
    label = "stewards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.networks.models import ConnectedAccount
        from groundswell.networks.signals import workspace_account_connected
        from groundswell.privacy.registry import register
        from groundswell.stewards.privacy import StewardsPrivacy

        workspace_account_connected.connect(_record_brand_account, sender=ConnectedAccount, dispatch_uid="stewards")
        register(StewardsPrivacy())


def _record_brand_account(sender: Any, account: Any, by: Any, **kwargs: Any) -> None:
    from groundswell.stewards.actions import record_brand_account

    record_brand_account(account, by)
