"""Enrolment's panel on the employee home: the open call, until the member has answered it."""

from __future__ import annotations

from collections.abc import Mapping

from groundswell.core.home import Home, HomePanel
from groundswell.enrolment.queries import enrolment_call_for


def call_banner(home: Home) -> Mapping[str, object] | None:
    call = enrolment_call_for(home.member)
    return None if call is None else {"call": call}


PANEL = HomePanel(
    name="enrolment",
    order=10,
    template="enrolment/_banner.html",
    context=call_banner,
    stylesheets=("groundswell/enrolment.css",),
)
