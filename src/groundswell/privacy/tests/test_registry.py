"""Every model that stores something about a person is claimed by a provider; the centre lists every provider."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from groundswell.privacy import registry
from groundswell.privacy.registry import ErasureResult, InventoryLine
from groundswell.workspaces.models import Membership


def _about_a_person(model: type[models.Model]) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for f in model._meta.get_fields():
        is_key = isinstance(f, models.ForeignKey | models.OneToOneField) and not f.auto_created
        if is_key and f.related_model in (Membership, user_model):
            return True
    return False


def test_every_model_with_a_key_to_a_member_or_user_is_claimed_by_a_provider() -> None:
    claimed = {label.lower() for p in registry.providers() for label in p.models}
    missing = [
        m._meta.label
        for m in apps.get_models()
        if not m._meta.abstract and not m._meta.auto_created and _about_a_person(m)
        if m._meta.label.lower() not in claimed
    ]
    assert not missing, f"Register a privacy provider (privacy/registry.py) that lists these models: {missing}"


def test_provider_models_exist_and_keys_are_unique() -> None:
    keys = [p.key for p in registry.providers()]
    assert len(keys) == len(set(keys))
    assert {"workspaces", "content", "sharing", "links", "rewards", "analytics", "goals", "policy"} <= set(keys)
    assert {"networks", "api", "account", "privacy"} <= set(keys)
    for p in registry.providers():
        for label in p.models:
            apps.get_model(label)  # raises LookupError for a typo


def test_centre_lists_every_providers_inventory(bob: Membership, bob_client: Client) -> None:
    resp = bob_client.get(f"/w/{bob.workspace.slug}/privacy/")
    assert resp.status_code == 200
    text = resp.content.decode()
    for provider in registry.providers():
        for line in provider.inventory(bob):
            assert line.what.replace("'", "&#x27;") in text, (provider.key, line.what)
    assert "Your program admins can see:" in text and "Only you can see:" in text
    assert "Your program admins can see (your manager too, but only if you allow it below):" in text
    assert "can see your individual activity" in text


class _Late:
    """A provider registered later (another app's), with a visibility the centre has no words for."""

    key = "zz-late"
    label = "Late app"
    models: tuple[str, ...] = ()

    def inventory(self, member: Membership) -> list[InventoryLine]:
        return [InventoryLine("Late thing LATE-41", 3, "The brand team")]

    def export(self, member: Membership) -> dict[str, object]:
        return {"late": True}

    def erase(self, member: Membership) -> ErasureResult:
        return ErasureResult(erased=1)


def test_a_provider_registered_later_appears_too(bob: Membership, bob_client: Client) -> None:
    registry.register(_Late())
    try:
        text = bob_client.get(f"/w/{bob.workspace.slug}/privacy/").content.decode()
        assert "Who can see these: The brand team" in text and "Late thing LATE-41" in text
    finally:
        registry._PROVIDERS.pop("zz-late")
