"""The stories panel on the home page: the newest stories from colleagues, colleagues' comments on my stories
(how an author hears of them), and for admins the open reports waiting for a moderator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from groundswell.core.home import Home, HomePanel
from groundswell.stories.queries import latest_for_home, open_report_count, recent_comments_on_my_stories

#: How far back "new comments on your stories" looks.
COMMENTS_WINDOW = dt.timedelta(days=7)


def from_colleagues(home: Home) -> Mapping[str, object] | None:
    member = home.member
    return {
        "story_cards": latest_for_home(member),
        "new_comments": recent_comments_on_my_stories(member, since=home.now - COMMENTS_WINDOW),
        "open_reports": open_report_count(home.workspace) if member.is_admin else 0,
    }


PANEL = HomePanel(
    name="stories",
    order=45,
    template="stories/_home_stories.html",
    context=from_colleagues,
    stylesheets=("groundswell/stories.css",),
)
