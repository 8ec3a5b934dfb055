from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "groundswell.workspaces"
    label = "workspaces"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in, user_signed_up

        from groundswell.workspaces import invitations

        user_signed_up.connect(invitations.on_signed_up, dispatch_uid="groundswell-invite-signup")
        user_logged_in.connect(invitations.on_logged_in, dispatch_uid="groundswell-invite-login")
