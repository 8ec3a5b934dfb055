"""The privacy provider: what SCIM keeps about a member, its export and its erasure."""

from __future__ import annotations

import json

import pytest

from groundswell.privacy.registry import providers
from groundswell.scim.models import ScimEvent, ScimToken, ScimUser
from groundswell.scim.privacy import ScimPrivacy
from groundswell.scim.tests.conftest import ScimClient, new_user
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def test_registered() -> None:
    assert any(isinstance(p, ScimPrivacy) for p in providers())


def test_inventory_export_and_erase(scim: ScimClient, alice: Membership) -> None:
    created = scim.post("/Users", new_user("dana@acme.test", externalId="00u-dana")).json()
    scim.patch(f"/Users/{created['id']}", {"op": "replace", "path": "active", "value": False})
    dana = Membership.objects.get(pk=int(created["id"]))
    provider = ScimPrivacy()

    lines = provider.inventory(dana)
    assert [line.count for line in lines] == [None, 2]
    assert all(line.visible_to == "Program admins" for line in lines)
    exported = provider.export(dana)
    json.dumps(exported)
    assert exported["identity_provider"]["external_id"] == "00u-dana"
    assert [c["operation"] for c in exported["changes"]] == ["create", "deactivate"]
    assert provider.export(alice)["tokens_created"][0]["name"] == "Okta"
    assert len(provider.inventory(alice)) == 1

    result = provider.erase(dana)
    assert result.erased == 3 and result.kept
    assert not ScimUser.objects.filter(member=dana).exists()
    assert ScimEvent.objects.filter(member__isnull=True, label="(erased member)", changes={}).count() == 2
    assert "dana" not in json.dumps(list(ScimEvent.objects.values("label", "changes")))
    assert provider.erase(alice).kept[-1].startswith("SCIM tokens you created")
    assert ScimToken.objects.get().created_by is None
