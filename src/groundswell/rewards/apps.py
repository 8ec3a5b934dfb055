from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "groundswell.rewards"
    label = "rewards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.privacy.registry import register
        from groundswell.rewards.privacy import RewardsPrivacy

        register(RewardsPrivacy())
