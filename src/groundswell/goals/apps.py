from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "groundswell.goals"
    label = "goals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.core.home import register_panel
        from groundswell.goals.home import PANEL

        register_panel(PANEL)
