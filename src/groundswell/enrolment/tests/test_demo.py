"""The demo company has an open call with a realistic share of answers."""

from __future__ import annotations

import pytest

from groundswell.demo import data
from groundswell.demo.generator import build_demo, demo_email
from groundswell.enrolment import queries
from groundswell.enrolment.models import CallEmail
from groundswell.enrolment.totals import team_view
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def test_demo_call_for_interest() -> None:
    result = build_demo(employees=120, days=20)
    ws = result.workspace
    call = queries.open_call(ws)
    assert call is not None
    counts = queries.call_counts(call)
    assert 0.30 <= counts.joined / counts.members <= 0.50
    assert 0.08 <= counts.declined / counts.members <= 0.22
    assert CallEmail.objects.filter(call=call).count() == counts.members  # the worker will not email again
    sam = Membership.objects.get(workspace=ws, user__email=demo_email(data.EMPLOYEE[1]))
    assert queries.enrolment_call_for(sam) == call  # the demo employee sees the call on their home page
    volunteers = list(queries.volunteer_rows(queries.volunteers(ws, activity="answer")))
    assert volunteers and all("answer" in v.enrolment.activities for v in volunteers)
    manager = Membership.objects.select_related("workspace", "department").get(
        workspace=ws, user__email=demo_email(data.MANAGER[1])
    )
    view = team_view(manager)
    assert any(g.shown for g in view.groups)
