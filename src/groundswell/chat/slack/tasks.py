"""Slack work done outside the request (Slack wants an answer within three seconds)."""

from __future__ import annotations

import logging

from django_tasks import task

from groundswell.chat import handlers
from groundswell.chat.errors import ChatError
from groundswell.chat.models import Platform
from groundswell.chat.slack import client, home
from groundswell.chat.slack.blocks import render

log = logging.getLogger(__name__)


@task()
def publish_home(team_id: str, user_id: str, channel: str) -> bool:
    """Show the user's App Home: their link state, and the button to link."""
    installation = handlers.installation_for(Platform.SLACK, team_id)
    if installation is None:
        return False
    view = home.view_for(installation, user_id, channel)
    try:
        client.call("views.publish", installation.bot_token, {"user_id": user_id, "view": view})
    except ChatError as exc:
        log.info("slack views.publish failed for team %s: %s", team_id, exc.message)
        return False
    return True


@task()
def answer_action(
    team_id: str, user_id: str, user_name: str, action: str, value: str, response_url: str, channel: str
) -> bool:
    """Answer a button click privately: through the ``response_url`` (an ephemeral message), else in the
    user's direct messages (clicks in App Home have no response_url)."""
    installation = handlers.installation_for(Platform.SLACK, team_id)
    if installation is None:
        return False
    message = handlers.handle_action(Platform.SLACK, team_id, user_id, action, value, display_name=user_name)
    try:
        if response_url:
            client.post_response_url(
                response_url, {"response_type": "ephemeral", "replace_original": False, **render(message)}
            )
        else:
            client.call("chat.postMessage", installation.bot_token, {"channel": user_id, **render(message)})
    except ChatError as exc:
        log.info("slack answer to a click failed for team %s: %s", team_id, exc.message)
        return False
    return True
