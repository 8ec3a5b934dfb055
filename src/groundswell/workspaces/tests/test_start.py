"""Self-service workspaces on installs with open sign-up."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from groundswell.conftest import client_for
from groundswell.rewards.models import PointsRule
from groundswell.workspaces.models import Membership, Role, Workspace

User = get_user_model()
pytestmark = [pytest.mark.django_db, pytest.mark.urls("groundswell.workspaces.tests.urls_with_start")]
PASSWORD = "a-long-unusual-passphrase-42"


def test_start_is_404_unless_open_signup(bob: Membership) -> None:
    assert client_for(bob).get("/start/").status_code == 404
    assert Client().get("/start/").status_code == 302


def test_open_signup_then_create_workspace(settings: object) -> None:
    settings.GROUNDSWELL_OPEN_SIGNUP = True  # type: ignore[attr-defined]
    c = Client()
    resp = c.post("/accounts/signup/", {"email": "founder@initech.test", "password1": PASSWORD, "password2": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/start/"
    assert c.get("/start/").status_code == 200
    resp = c.post("/start/", {"name": "", "display_name": "", "timezone": "Nowhere"})
    assert resp.status_code == 400
    resp = c.post("/start/", {"name": "Initech", "display_name": "Bill", "timezone": "Europe/Berlin"})
    assert resp.status_code == 302 and resp["Location"] == "/w/initech/people/"
    ws = Workspace.objects.get(slug="initech")
    member = Membership.objects.get(workspace=ws)
    assert (member.role, member.display_name, ws.timezone) == (Role.ADMIN, "Bill", "Europe/Berlin")
    assert PointsRule.objects.filter(workspace=ws).exists()
    assert c.get("/w/initech/people/").status_code == 200
