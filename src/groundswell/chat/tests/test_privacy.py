"""The chat privacy provider: what is kept about a member, exported, erased."""

from __future__ import annotations

from groundswell.chat.models import ChatIdentity, ChatInstallation, ChatMessage
from groundswell.chat.privacy import ChatPrivacy
from groundswell.privacy.registry import providers
from groundswell.workspaces.models import Membership


def test_the_provider_is_registered_and_claims_the_models() -> None:
    [provider] = [p for p in providers() if p.key == "chat"]
    assert set(provider.models) == {"chat.ChatIdentity", "chat.ChatMessage", "chat.ChatInstallation"}


def test_inventory_export_and_erasure(
    bob: Membership, alice: Membership, bob_slack: ChatIdentity, installation: ChatInstallation
) -> None:
    ChatMessage.objects.create(workspace=bob.workspace, installation=installation, key="item:1",
                               target=f"member:{bob.pk}", member=bob, payload={"text": "hi"})  # fmt: skip
    provider = ChatPrivacy()
    counts = [line.count for line in provider.inventory(bob)]
    assert counts == [1, 1, 0]
    exported = provider.export(bob)
    assert exported["identities"][0]["user"] == "U0BOB" and exported["messages"][0]["key"] == "item:1"
    assert provider.inventory(alice)[2].count == 1  # alice installed it

    result = provider.erase(bob)
    assert result.erased == 2
    assert not ChatIdentity.objects.filter(member=bob).exists()
    row = ChatMessage.objects.get()
    assert row.member is None and row.payload == {}  # kept so nothing is sent twice, but no longer theirs
    provider.erase(alice)
    installation.refresh_from_db()
    assert installation.installed_by is None
