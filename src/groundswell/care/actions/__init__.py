"""The write layer of customer care: one transaction per action, named for what it does.

A package by part: :mod:`.intake` (opening cases, routing, escalation), :mod:`.triage` (ADR 0028),
:mod:`.replies` (answering), :mod:`.failed_replies` (replies that did not go out), :mod:`.lifecycle`
(resolving, closing, reassigning, offboarding) and :mod:`.settings` (profiles, settings, skills, snippets).
Raises :class:`CareError` with a message for the person using the page. Callers import from here.
"""

from groundswell.care.actions._common import (
    BATCH,
    CASE_INTENTS,
    ERASED,
    MAX_NOTE,
    MAX_REPLY,
    MAX_URL,
    RECONNECT_STUCK_AFTER,
    CareError,
)
from groundswell.care.actions.failed_replies import (
    NOT_POSTED_YET,
    mark_reply_posted_by_hand,
    notify_failed_replies,
    notify_stuck_replies,
    retry_reply,
)
from groundswell.care.actions.intake import (
    escalate_overdue,
    open_cases_for,
    open_missed_cases,
    route_waiting,
)
from groundswell.care.actions.lifecycle import (
    acknowledge_case,
    close_case,
    reassign_case,
    release_cases_of,
    resolve_case,
)
from groundswell.care.actions.replies import (
    can_answer,
    post_reply,
    record_reply,
)
from groundswell.care.actions.settings import (
    add_department_skill,
    delete_snippet,
    ensure_profile,
    remove_department_skill,
    save_snippet,
    update_profile,
    update_settings,
)
from groundswell.care.actions.triage import (
    case_from_triage,
    dismiss_triage,
    open_missed_triage,
    open_triage_for,
)

__all__ = [
    "BATCH",
    "CASE_INTENTS",
    "ERASED",
    "MAX_NOTE",
    "MAX_REPLY",
    "MAX_URL",
    "NOT_POSTED_YET",
    "RECONNECT_STUCK_AFTER",
    "CareError",
    "acknowledge_case",
    "add_department_skill",
    "can_answer",
    "case_from_triage",
    "close_case",
    "delete_snippet",
    "dismiss_triage",
    "ensure_profile",
    "escalate_overdue",
    "mark_reply_posted_by_hand",
    "notify_failed_replies",
    "notify_stuck_replies",
    "open_cases_for",
    "open_missed_cases",
    "open_missed_triage",
    "open_triage_for",
    "post_reply",
    "reassign_case",
    "record_reply",
    "release_cases_of",
    "remove_department_skill",
    "resolve_case",
    "retry_reply",
    "route_waiting",
    "save_snippet",
    "update_profile",
    "update_settings",
]
