from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "groundswell.teams"
    label = "teams"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.core.home import register_panel
        from groundswell.privacy.registry import register
        from groundswell.teams import receivers
        from groundswell.teams.home import PANEL
        from groundswell.teams.privacy import TeamsPrivacy
        from groundswell.workspaces.offboarding import register_preview
        from groundswell.workspaces.signals import member_deactivated

        register(TeamsPrivacy())
        member_deactivated.connect(receivers.on_member_deactivated, dispatch_uid="teams-offboarding")
        register_preview("teams", receivers.preview)
        register_panel(PANEL)
