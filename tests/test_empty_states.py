"""A brand-new workspace is a test case: every page an admin, a manager and an employee can open answers 200,
and a page whose main list is empty says what the list is for and links to the next step, in an element with
the class ``empty-state``.

Every parameterless page under ``/w/<ws>/`` is found by walking ``groundswell.urls.workspace_patterns`` and must
be listed in exactly one of the tables below, so a new page cannot be forgotten:

* ``LIST_PAGES``: pages whose main list (or chart) is empty in a new workspace → ``.empty-state`` with a link;
* ``FORM_PAGES``: forms, not lists (exempt);
* ``NOT_EMPTY``: pages that have something to show on day one (a settings page, the admin in the people list);
* ``NOT_PAGES``: downloads, JSON, POST-only actions and steps of a flow (not opened from the navigation).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from groundswell.conftest import client_for, make_member
from groundswell.rewards.actions import ensure_default_rules
from groundswell.urls import workspace_patterns
from groundswell.workspaces.models import Role, Workspace

LIST_PAGES = {
    "core:home",
    "content:list",
    "videos:list",
    "content:submissions",
    "content:review",
    "content:topics",
    "rewards:leaderboard",
    "rewards:history",
    "rewards:league",
    "rewards:adjust",
    "rewards:findings",
    "goals:program",
    "analytics:dashboard",
    "workspaces:segments",
    "apitokens:list",
    "networks:accounts",
    "posting:mine",
    "posting:overview",
    "policy:page",
    "enrolment:calls",
    "enrolment:volunteers",
    "teams:list",
    "stewards:accounts",
    "stewards:my_shifts",
    "stewards:review",
    "updates:feed",
    "learning:track",
    "learning:progress",
    "learning:tips",
    "privacy:audit",
    "privacy:team",
    "scim_admin:list",
    "recognition:overview",
    "audit:report",
    "audit:schedules",
    "listening:mentions",
    "listening:topics",
    "listening:sources",
    "care:mine",
    "care:queue",
    "care:triage",
    "care:snippets",
    "chat:settings",  # my linked chat accounts (and, for admins, the Slack connection)
    "stories:feed",
    "stories:moderation",
    "story_prompts:list",
}

#: Pages whose empty block lives in a template another helper owns this week (sharing/*): checked for an
#: ``empty`` block with a link until the class is added there.
OTHER_OWNER = {"sharing:mine"}

FORM_PAGES = {
    "content:create",
    "content:submit",
    "videos:upload",
    "rewards:rules",
    "goals:vision",
    "goals:create",
    "workspaces:import_upload",
    "workspaces:profile",
    "networks:connect",
    "networks:connect_instance",
    "networks:connect_password",
    "posting:policy",
    "policy:edit",
    "enrolment:answer",
    "enrolment:open_call",
    "enrolment:settings",
    "teams:create",
    "stewards:connect",
    "stewards:connect_instance",
    "stewards:connect_password",
    "updates:create",
    "updates:digest_settings",
    "learning:create",
    "learning:track_create",
    "learning:tip_create",
    "privacy:export",  # one button: "Export my data"
    "privacy:leave",
    "privacy:delete",
    "sso:settings",
    "recognition:new_contest",
    "recognition:new_bonus",
    "listening:topic_create",
    "listening:source_create",
    "listening:credentials",
    "listening:credential_reddit",
    "listening:credential_bluesky",
    "care:settings",
    "care:profile",
    "notify:settings",  # which notifications, on which channel
    "stories:create",
    "story_prompts:create",
}

NOT_EMPTY = {
    "workspaces:people",  # the admin is listed, with the invitation form beside the list
    "workspaces:settings",  # the workspace's own settings
    "enrolment:team",  # the employee's own answer: a form to join
    "privacy:centre",  # the member's own controls
    "chat:teams_admin",  # the Teams connection's state and the set-up steps
}

NOT_PAGES = {
    "analytics:export_daily",
    "analytics:export_items",
    "audit:pdf",
    "privacy:export_status",
    "privacy:export_download",
    "workspaces:invite",
    "workspaces:department_add",
    "workspaces:location_add",
    "workspaces:import_preview",
    "workspaces:import_confirm",
    "workspaces:import_progress",
    "workspaces:import_status",
    "apitokens:create",
    "scim_admin:create",
    "networks:start",
    "networks:choose",
    "networks:disconnect",
    "networks:auto_post",
    "stewards:connect_start",
    "policy:acknowledge",
    "enrolment:done",
    "enrolment:leave",
    "learning:starter",
    "learning:tips_starter",
    "privacy:leaderboard",
    "privacy:manager_sharing",
    "listening:credential_reddit_check",
    "listening:credential_bluesky_check",
    "listening:credential_reddit_remove",
    "listening:credential_bluesky_remove",
    "notify:subscribe",
    "notify:unsubscribe",
    "chat:link",  # opened from the link the bot gives (?token=), not from the navigation
    "chat:unlink",
    "chat:direct_messages",
    "chat:slack_install",
    "chat:slack_channel",  # after the install
    "chat:slack_disconnect",
    "chat:slack_manifest",
    "chat:teams_package",  # the Teams app package (zip)
    "chat:teams_disconnect",  # POST only
}

ROLES = (Role.ADMIN, Role.MANAGER, Role.EMPLOYEE)


def _names(patterns: list[URLPattern | URLResolver], prefix: str = "", ns: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{ns}{entry.namespace}:" if entry.namespace else ns
            yield from _names(entry.url_patterns, prefix + str(entry.pattern), namespace)
        elif "<" not in prefix + str(entry.pattern) and entry.name:
            yield f"{ns}{entry.name}"


class _EmptyStates(HTMLParser):
    """Collects, for every element with the class ``empty-state``, whether it holds an ``<a href>``."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, cls: str) -> None:
        super().__init__()
        self.cls = cls
        self.found: list[bool] = []
        self._depth = 0  # >0 while inside an empty state

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._depth:
            if tag == "a" and a.get("href"):
                self.found[-1] = True
            if tag not in self.VOID:
                self._depth += 1
        elif self.cls in (a.get("class") or "").split():
            self.found.append(False)
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag not in self.VOID:
            self._depth -= 1


def empty_states(html: str, cls: str = "empty-state") -> list[bool]:
    parser = _EmptyStates(cls)
    parser.feed(html)
    return parser.found


def test_the_parser_finds_links_inside_empty_states_only() -> None:
    html = (
        '<div class="empty empty-state"><p>None <a href="/x">Add</a></p></div><p class="empty-state">x</p><a href="/y">'
    )
    assert empty_states(html) == [True, False]


def test_every_workspace_page_is_classified() -> None:
    found = set(_names(workspace_patterns))
    tables = [LIST_PAGES, OTHER_OWNER, FORM_PAGES, NOT_EMPTY, NOT_PAGES]
    listed = set().union(*tables)
    assert found - listed == set(), "a new page: add it to one of the tables of tests/test_empty_states.py"
    assert listed - found == set(), "a page is gone: remove it from tests/test_empty_states.py"
    assert sum(len(t) for t in tables) == len(listed), "a page is listed twice"


@pytest.fixture
def new_workspace(db: None) -> Workspace:
    ws = Workspace.objects.create(name="Brand new", slug="brand-new")
    ensure_default_rules(ws)
    return ws


def _client(workspace: Workspace, role: str) -> Client:
    make_member(workspace, "admin@new.test", Role.ADMIN)  # the workspace's founder, always there
    if role == Role.ADMIN:
        return client_for(workspace.memberships.get())
    return client_for(make_member(workspace, f"{role}@new.test", role))


@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_every_page_of_a_new_workspace_says_what_to_do_next(new_workspace: Workspace, role: str) -> None:
    client = _client(new_workspace, role)
    reached, missing = [], []
    for name in sorted(LIST_PAGES | OTHER_OWNER | FORM_PAGES | NOT_EMPTY):
        response = client.get(reverse(name, kwargs={"ws": new_workspace.slug}))
        if response.status_code == 404:  # not this role's page
            continue
        assert response.status_code == 200, (name, response.status_code)
        reached.append(name)
        if name in LIST_PAGES or name in OTHER_OWNER:
            states = empty_states(response.content.decode(), "empty" if name in OTHER_OWNER else "empty-state")
            if not any(states):
                missing.append((name, states))
    assert missing == [], f"pages without an empty state that links to the next step, as {role}: {missing}"
    # Each role reaches its own share of the product (a sanity check that the sweep is not vacuous).
    assert len(reached) >= {Role.ADMIN: 70, Role.MANAGER: 25, Role.EMPLOYEE: 20}[role], reached
