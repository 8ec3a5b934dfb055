from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "groundswell.sso"
    label = "sso"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from groundswell.privacy.registry import register
        from groundswell.sso.privacy import SsoPrivacyProvider
        from groundswell.sso.signals import on_logged_in

        user_logged_in.connect(on_logged_in, dispatch_uid="groundswell.sso.jit")
        register(SsoPrivacyProvider())
