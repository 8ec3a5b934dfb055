"""Demo data of the privacy centre: who shares their statistics with their manager, and the audit log.

About four in ten people with a manager share their statistics (the switch is off unless a person turns it
on), the fixed employee persona among them so the manager persona's team page shows both cases. People who
chose to appear on leaderboards (by name or anonymously) have that choice in the log, a few exported
their data, and the members who left the program left through the privacy centre.
"""

from __future__ import annotations

import datetime as dt
import random

from groundswell.demo import data
from groundswell.privacy.models import MemberPrivacy, PrivacyAction, PrivacyEvent
from groundswell.workspaces.models import LeaderboardVisibility, Membership


def add_privacy(members: list[Membership], rng: random.Random, now: dt.datetime) -> int:
    """Create the demo's privacy choices and log; returns how many log lines were made."""
    settings: list[MemberPrivacy] = []
    events: list[PrivacyEvent] = []

    def event(member: Membership, action: str, detail: str = "") -> None:
        at = now - dt.timedelta(days=rng.randint(0, 80), minutes=rng.randint(0, 1439))
        events.append(
            PrivacyEvent(
                workspace_id=member.workspace_id,
                member=member,
                member_number=member.pk,
                action=action,
                detail=detail,
                at=max(at, member.joined_at),
            )
        )

    for m in members:
        persona = m.user.email == f"{data.EMPLOYEE[1]}@{data.DOMAIN}"
        if m.manager_id is not None and m.is_active and (persona or rng.random() < 0.4):
            settings.append(MemberPrivacy(member=m, share_stats_with_manager=True, updated_at=now))
            event(m, PrivacyAction.MANAGER_SHARING, "on")
        # Appearing on boards is always the member's own choice, so it is in the log; private is the default.
        if m.leaderboard_visibility != LeaderboardVisibility.HIDDEN:
            event(m, PrivacyAction.VISIBILITY, str(m.leaderboard_visibility))
        if rng.random() < 0.03:
            event(m, PrivacyAction.EXPORT)
        if not m.is_active:
            event(m, PrivacyAction.LEAVE, "kept name")
    MemberPrivacy.objects.bulk_create(settings, batch_size=500)
    PrivacyEvent.objects.bulk_create(events, batch_size=500)
    return len(events)
