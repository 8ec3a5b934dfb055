from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "groundswell.rewards"
    label = "rewards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.core.home import register_panel
        from groundswell.privacy.registry import register
        from groundswell.rewards.home import PANEL
        from groundswell.rewards.privacy import PointsPrivacy, RewardsPrivacy

        register(PointsPrivacy())
        register(RewardsPrivacy())
        register_panel(PANEL)
