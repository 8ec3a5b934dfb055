from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "groundswell.care"
    label = "care"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Social customer care"

    def ready(self) -> None:
        from groundswell.care import receivers
        from groundswell.care.privacy import CarePrivacy
        from groundswell.care.queries import is_care_team
        from groundswell.core.navigation import register_capability
        from groundswell.privacy.registry import register
        from groundswell.workspaces.offboarding import register_preview
        from groundswell.workspaces.signals import member_deactivated

        register(CarePrivacy())
        member_deactivated.connect(receivers.on_member_deactivated, dispatch_uid="care-offboarding")
        register_preview("care", receivers.preview)
        register_capability("care", is_care_team)  # the Care section of the navigation
