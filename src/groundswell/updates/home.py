"""Updates' panel on the employee home: the newest program news, when there is one."""

from __future__ import annotations

from collections.abc import Mapping

from groundswell.core.home import Home, HomePanel
from groundswell.updates.queries import newest_update


def latest_update(home: Home) -> Mapping[str, object] | None:
    update = newest_update(home.workspace)
    return None if update is None else {"latest_update": update}


PANEL = HomePanel(
    name="updates",
    order=30,
    template="updates/_home_update.html",
    context=latest_update,
    stylesheets=("groundswell/updates.css",),
)
