"""What deactivating a member will hand on, for the admin's confirmation (read-only previews).

Each domain app that reacts to ``signals.member_deactivated`` registers a preview from its ``AppConfig.ready``:
a function of the (still active) member that returns sentences such as "Their team seat in Crew is freed and
offered to the next on the waitlist." The previews only read; a failing one is logged and left out, so the
member page still opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from groundswell.workspaces.models import Membership

log = logging.getLogger(__name__)

Preview = Callable[[Membership], list[str]]

_previews: dict[str, Preview] = {}


def register_preview(key: str, preview: Preview) -> None:
    """Register (or replace, by ``key``) an app's preview; the order of registration is the order shown."""
    _previews[key] = preview


def preview(member: Membership) -> list[str]:
    """The sentences of every registered preview for ``member``, in registration order."""
    lines: list[str] = []
    for key, function in _previews.items():
        try:
            lines.extend(function(member))
        except Exception:
            log.exception("Offboarding preview %r failed for member %s", key, member.pk)
    return lines


def join_names(names: list[str]) -> str:
    """Names as a sentence: 'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def plural(count: int, one: str, many: str) -> str:
    """'1 open case', '3 open cases'."""
    return f"{count} {one if count == 1 else many}"
