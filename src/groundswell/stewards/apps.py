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
        from groundswell.stewards import receivers
        from groundswell.stewards.privacy import StewardsPrivacy
        from groundswell.workspaces.offboarding import register_preview
        from groundswell.workspaces.signals import member_deactivated

        workspace_account_connected.connect(_record_brand_account, sender=ConnectedAccount, dispatch_uid="stewards")
        register(StewardsPrivacy())
        member_deactivated.connect(receivers.on_member_deactivated, dispatch_uid="stewards-offboarding")
        register_preview("stewards", receivers.preview)


def _record_brand_account(sender: Any, account: Any, by: Any, **kwargs: Any) -> None:
    from groundswell.stewards.actions import record_brand_account

    record_brand_account(account, by)
