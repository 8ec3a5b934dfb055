from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "groundswell.updates"
    label = "updates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.core.home import register_panel
        from groundswell.privacy.registry import register
        from groundswell.updates.home import PANEL
        from groundswell.updates.privacy import UpdatesPrivacy
        from groundswell.updates.sections import register_builtin_sections

        register(UpdatesPrivacy())
        register_builtin_sections()
        register_panel(PANEL)
