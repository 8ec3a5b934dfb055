"""The three ways a membership is switched off, end to end through their own pages and protocol, with the
commit callbacks run (so ``member_deactivated`` reaches the domain apps as it does in production)."""

from __future__ import annotations

from django.test import Client, TestCase
from django.urls import reverse

from groundswell.conftest import client_for
from groundswell.scim.actions import create_token
from groundswell.workspaces.models import Membership

#: admin: the People page; scim: DELETE /scim/v2/Users/<id>; left: the privacy centre's "leave the program".
WAYS = ("admin", "scim", "left")


def deactivate(member: Membership, way: str, *, admin: Membership) -> None:
    slug = member.workspace.slug
    with TestCase.captureOnCommitCallbacks(execute=True):
        if way == "admin":
            url = reverse("workspaces:member_deactivate", kwargs={"ws": slug, "member_id": member.pk})
            response = client_for(admin).post(url)
            assert response.status_code == 302
        elif way == "scim":
            secret = create_token(member.workspace, by=admin, name="Okta")[1]
            response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").delete(f"/scim/v2/Users/{member.pk}")
            assert response.status_code == 204
        elif way == "left":
            response = client_for(member).post(f"/w/{slug}/privacy/leave/", {"history": "keep", "confirm": "on"})
            assert response.status_code == 200
        else:
            raise ValueError(way)
    member.refresh_from_db()
    assert not member.is_active
