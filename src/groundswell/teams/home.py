"""Teams' panel on the employee home: the open team invitations (one query)."""

from __future__ import annotations

from collections.abc import Mapping

from groundswell.core.home import Home, HomePanel
from groundswell.teams.queries import pending_invitations


def invitations(home: Home) -> Mapping[str, object] | None:
    found = pending_invitations(home.member)
    return {"invitations": found} if found else None


PANEL = HomePanel(name="teams", order=20, template="teams/_invitations_notice.html", context=invitations)
