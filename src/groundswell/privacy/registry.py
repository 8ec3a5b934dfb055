"""What each domain knows about a member: the privacy centre's data inventory, export and erasure.

Every app that stores something about a person registers one :class:`PrivacyProvider` (in its
``AppConfig.ready``). The privacy centre asks all of them, so a new app cannot forget to declare what it
keeps: ``privacy/tests`` checks that every model with a foreign key to ``Membership`` is claimed by a
provider.

A provider says, in plain words, what the *employer* (program admins and managers) can see about the member,
returns the member's own data as JSON-serialisable values, and erases what it may. What must be kept (for
example a closed bonus payout, or an append-only ledger line) is kept and reported as such, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from groundswell.workspaces.models import Membership

#: Who can see a line, in the words the privacy centre groups the inventory by (free text works too).
ADMINS = "Program admins"
ADMINS_AND_MANAGER = "Program admins and your manager (if you allow it)"
COLLEAGUES = "Colleagues, as you chose on the leaderboard"
ONLY_YOU = "Only you"
VISIBILITY_ORDER = (ADMINS, ADMINS_AND_MANAGER, COLLEAGUES, ONLY_YOU)


@dataclass(frozen=True)
class InventoryLine:
    """One line of the data inventory: what is kept, and who in the company can see it."""

    what: str  # "Shares you made through Groundswell (item, network, time, your caption)"
    count: int | None  # how many records, when it is a countable thing
    visible_to: str  # "Program admins", "Program admins and your manager (if you allow it)", "Only you"
    why: str = ""  # what it is used for
    #: False when erasing keeps these records (anonymised); the provider's ``keeps()`` then says why.
    erasable: bool = True


@dataclass
class ErasureResult:
    erased: int = 0  # records deleted or anonymised
    kept: list[str] = field(default_factory=list)  # "Points ledger lines of closed bonus periods: payroll records"


class PrivacyProvider(Protocol):
    #: A stable key ("sharing", "enrolment") used in the export archive.
    key: str
    #: A heading for the privacy centre ("Shares and clicks").
    label: str
    #: Models (``app_label.ModelName``) whose rows about a member this provider covers.
    models: tuple[str, ...]

    def inventory(self, member: Membership) -> list[InventoryLine]: ...

    def export(self, member: Membership) -> dict[str, Any]: ...

    def erase(self, member: Membership) -> ErasureResult: ...


def planned_keeps(provider: PrivacyProvider, member: Membership) -> list[str]:
    """What erasing will keep and why, before erasing (for the confirmation page).

    Optional for providers: one that defines ``keeps(member) -> list[str]`` is asked; one that keeps
    nothing need not define it.
    """
    keeps = getattr(provider, "keeps", None)
    return list(keeps(member)) if callable(keeps) else []


_PROVIDERS: dict[str, PrivacyProvider] = {}


def register(provider: PrivacyProvider) -> None:
    existing = _PROVIDERS.get(provider.key)
    if existing is not None and type(existing) is not type(provider):
        raise ValueError(
            f"Two privacy providers use the key {provider.key!r}: {type(existing).__name__}, {type(provider).__name__}"
        )
    _PROVIDERS[provider.key] = provider


def providers() -> list[PrivacyProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: p.key)
