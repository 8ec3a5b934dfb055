"""Helpers shared by the endpoint modules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from ninja.errors import HttpError

from groundswell.api.schemas import ErrorOut
from groundswell.workspaces.models import Membership

MAX_PAGE = 100
DEFAULT_PAGE = 20
MAX_OFFSET = 1_000_000

#: Error responses every authenticated endpoint may return (for the OpenAPI document). 400: the request cannot
#: be read at all (a body that is not JSON, text with characters no field can hold); 422: it can, but a value
#: is invalid.
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 422: ErrorOut}
ERRORS_404: dict[int, type[ErrorOut]] = {**ERRORS, 404: ErrorOut}


def forbidden(message: str) -> HttpError:
    return HttpError(403, message)


def require_admin(member: Membership, what: str) -> None:
    if not member.is_admin:
        raise forbidden(f"Only program admins can {what}.")


def require_manager(member: Membership, what: str) -> None:
    if not member.is_manager:
        raise forbidden(f"Only managers and program admins can {what}.")


def local_today(member: Membership) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(member.workspace.timezone)).date()
