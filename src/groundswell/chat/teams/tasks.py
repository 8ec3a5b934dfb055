"""Background work of the Teams bot."""

from __future__ import annotations

from django_tasks import task


@task()
def tell_team_connected(installation_id: int) -> bool:
    """Say in the team's channel that it is connected, and how members link their accounts (once per connect)."""
    from groundswell.chat import dispatch
    from groundswell.chat.models import ChatInstallation, InstallationState
    from groundswell.chat.platforms import OutgoingMessage, Target

    installation = (
        ChatInstallation.objects.select_related("workspace")
        .filter(pk=installation_id, state=InstallationState.ACTIVE)
        .first()
    )
    if installation is None or not installation.channel_id:
        return False
    text = (
        f"New things to share from {installation.workspace.name} will be posted here. To get your own share "
        "buttons, open a chat with Groundswell and send “link”."
    )
    message = OutgoingMessage(title="Groundswell is connected", text=text, fallback=f"Groundswell is connected. {text}")
    key = f"connected:{int(installation.installed_at.timestamp())}"
    return dispatch.deliver(installation, Target.channel(installation), key, message) is not None
