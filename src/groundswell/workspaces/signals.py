"""Signals of the people domain.

``member_deactivated`` is sent once a membership has gone from active to inactive and that change has been
committed (``actions.deactivate_member``, whichever way it came: an admin, SCIM deprovisioning, or the member
leaving the program). Each domain app that lets members hold something (a team seat, a customer case, a
brand-account shift) hands it on in its own receiver module, connected in its ``AppConfig.ready``.

Receivers are called with ``member`` (the deactivated :class:`Membership`, fresh from the database) and
``reason`` (a :class:`DeactivationReason` value). They must be idempotent: the signal may be sent again for
the same member, and must then change nothing.
"""

from __future__ import annotations

import logging

from django.db import models
from django.dispatch import Signal

from groundswell.workspaces.models import Membership

log = logging.getLogger(__name__)

member_deactivated = Signal()


class DeactivationReason(models.TextChoices):
    """Why a membership was switched off. The labels complete the sentence "The member …"."""

    ADMIN = "admin", "was deactivated by a program admin"
    SCIM = "scim", "was deprovisioned by the identity provider"
    LEFT = "left", "left the program"


def send_member_deactivated(member_id: int, reason: str) -> None:
    """Tell the domain apps (after the commit of the deactivation). A receiver that fails is logged and the
    others still run: the deactivation itself has already been committed and stays."""
    member = Membership.objects.select_related("workspace", "user").filter(pk=member_id).first()
    if member is None or member.is_active:
        return  # deleted, or switched on again before the commit's callbacks ran: nothing to hand on
    for receiver, result in member_deactivated.send_robust(sender=Membership, member=member, reason=reason):
        if isinstance(result, Exception):
            log.error(
                "Offboarding of member %s (%s): receiver %s failed",
                member_id,
                reason,
                getattr(receiver, "__qualname__", receiver),
                exc_info=result,
            )
