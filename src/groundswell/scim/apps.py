from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "groundswell.scim"
    label = "scim"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.privacy.registry import register
        from groundswell.scim.privacy import ScimPrivacy

        register(ScimPrivacy())
