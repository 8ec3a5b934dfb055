"""Slack's requests to us: events, interactivity (button clicks), the slash command, and the OAuth callback.

Every request from Slack is verified first (``signature.check``: HMAC, five-minute window, replays refused);
a refused one gets 401/403 and nothing is done. Slack wants an answer within three seconds, so work that
calls Slack back (App Home, answering a click) is done by a task.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

from groundswell.chat import actions, handlers
from groundswell.chat import messages as chat_messages
from groundswell.chat.errors import ChatError
from groundswell.chat.models import Platform
from groundswell.chat.slack import install, signature
from groundswell.chat.slack.blocks import render
from groundswell.workspaces.access import allow_methods, get_membership

log = logging.getLogger(__name__)

REVOKED_NOTE = "The Groundswell app was removed from the Slack workspace. Reinstall the Slack app to reconnect."


def _verified(request: HttpRequest) -> HttpResponse | None:
    """None when the request is Slack's; else the refusal to send back."""
    try:
        signature.check(
            settings.SLACK_SIGNING_SECRET,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            request.body,
        )
    except signature.Refused as refused:
        log.info("slack request refused: %s", refused.reason)
        return HttpResponse(refused.reason, status=refused.status, content_type="text/plain")
    return None


def _json(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@csrf_exempt
@allow_methods("POST")
def events(request: HttpRequest) -> HttpResponse:
    refused = _verified(request)
    if refused is not None:
        return refused
    body = _json(request)
    if body is None:
        return HttpResponse("Bad request", status=400, content_type="text/plain")
    if body.get("type") == "url_verification":
        return JsonResponse({"challenge": str(body.get("challenge", ""))})
    if body.get("type") != "event_callback":
        return HttpResponse(status=200)
    team_id = str(body.get("team_id") or "")
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    assert isinstance(event, dict)
    kind = event.get("type")
    if kind == "app_uninstalled":
        actions.mark_revoked(Platform.SLACK, team_id, REVOKED_NOTE)
    elif kind == "tokens_revoked":
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        if isinstance(tokens, dict) and tokens.get("bot"):
            actions.mark_revoked(Platform.SLACK, team_id, REVOKED_NOTE)
    elif kind == "app_home_opened" and event.get("tab") == "home" and event.get("user"):
        from groundswell.chat.slack import tasks

        tasks.publish_home.enqueue(team_id, str(event["user"]), str(event.get("channel") or ""))
    return HttpResponse(status=200)


@csrf_exempt
@allow_methods("POST")
def interactivity(request: HttpRequest) -> HttpResponse:
    refused = _verified(request)
    if refused is not None:
        return refused
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        return HttpResponse("Bad request", status=400, content_type="text/plain")
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return HttpResponse(status=200)
    team = payload.get("team") or {}
    user = payload.get("user") or {}
    clicked = payload.get("actions") or []
    if not isinstance(team, dict) or not isinstance(user, dict) or not isinstance(clicked, list) or not clicked:
        return HttpResponse(status=200)
    first = clicked[0] if isinstance(clicked[0], dict) else {}
    action = str(first.get("action_id") or "").partition(":")[0]
    if action not in handlers.ACTIONS:
        return HttpResponse(status=200)  # a link button: Slack tells us it was clicked; nothing to do
    channel = payload.get("channel") if isinstance(payload.get("channel"), dict) else {}
    from groundswell.chat.slack import tasks

    tasks.answer_action.enqueue(
        str(team.get("id") or user.get("team_id") or ""),
        str(user.get("id") or ""),
        str(user.get("name") or user.get("username") or ""),
        action,
        str(first.get("value") or ""),
        str(payload.get("response_url") or ""),
        str((channel or {}).get("id") or "") if isinstance(channel, dict) else "",
    )
    return HttpResponse(status=200)


@csrf_exempt
@allow_methods("POST")
def commands(request: HttpRequest) -> HttpResponse:
    """``/groundswell link`` (or just ``/groundswell``): the user's signed link, answered only to them."""
    refused = _verified(request)
    if refused is not None:
        return refused
    team_id = request.POST.get("team_id", "")
    user_id = request.POST.get("user_id", "")
    text = request.POST.get("text", "").strip().lower()
    if not team_id or not user_id:
        return HttpResponse("Bad request", status=400, content_type="text/plain")
    if text in ("", "link"):
        message = handlers.link_reply(Platform.SLACK, team_id, user_id, request.POST.get("user_name", ""), "")
    else:
        message = chat_messages.text(
            f"Try `{install.COMMAND} link` to link your Slack account to Groundswell. "
            "New items to share, your digest and customer cases routed to you then arrive here."
        )
    return JsonResponse({"response_type": "ephemeral", **render(message)})


@login_required
@allow_methods("GET")
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Slack sends the admin back here with ``code`` and ``state`` (or ``error``)."""
    pending = install.take_state(request.session, request.GET.get("state", ""))
    if pending is None:
        return HttpResponse(
            "This Slack install link is not valid any more (it is used once, within ten minutes, in the browser "
            "that started it). Start again from the chat page.",
            status=400,
            content_type="text/plain",
        )
    member = get_membership(request.user, pending.workspace_slug)
    if member.pk != pending.member_id or not member.is_admin:
        return HttpResponse(
            "Only the admin who started the install can finish it.", status=403, content_type="text/plain"
        )
    if request.GET.get("error"):
        messages.error(request, "Slack was not connected: the install was cancelled in Slack.")
        return redirect("chat:settings", ws=member.workspace.slug)
    code = request.GET.get("code", "")
    try:
        installed = install.exchange(code)
        actions.install(member, installed)
    except (ChatError, actions.ChatActionError) as exc:
        messages.error(request, f"Slack was not connected: {exc}")
        return redirect("chat:settings", ws=member.workspace.slug)
    messages.success(request, f"Slack connected: {installed.name}. Now pick the channel for new items.")
    return redirect("chat:slack_channel", ws=member.workspace.slug)
