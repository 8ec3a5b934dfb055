"""The site navigation: sections grouped by what people do, each with its pages, shown only to who can use them.

One table (``SECTIONS``) says where every page lives; ``build`` turns it into what one member sees on one page:
the top sections (Home, Share, Program, Care, Results, Admin), the personal "Me" section, and the sub-pages of
the current section with the current page marked. A page appears in a section only for the roles its view
allows, so nobody sees a link that answers 404 (hidden, not greyed).

Which section the current page belongs to is read from the URL's name (``namespace:name``), not from a variable
each view passes, so a new page in a known namespace is placed without touching its view.

Capabilities other than the roles (who answers customers) belong to other apps, which sit above core: they
register a predicate with ``register_capability`` in their ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from groundswell.workspaces.models import Membership

Predicate = Callable[[Membership], bool]

_CAPABILITIES: dict[str, Predicate] = {}


def register_capability(name: str, predicate: Predicate) -> None:
    """Let an app say who may use its pages (e.g. ``care``: admins and the members who answer customers)."""
    _CAPABILITIES[name] = predicate


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    # URL names that count as this page: exact ``ns:name`` or a whole namespace ``ns:*``.
    matches: tuple[str, ...] = ()
    needs: str = "member"  # member | manager | admin | employee (not a manager) | a registered capability


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    icon: str  # a Tabler icon name, for the phone's bottom bar
    pages: tuple[Page, ...]
    needs: str = "member"


SECTIONS: tuple[Section, ...] = (
    Section("home", "Home", "home", (Page("Home", "core:home", ("core:home",)),)),
    Section(
        "share",
        "Share",
        "share",
        (
            Page("Content", "content:list", ("content:*", "sharing:share", "sharing:result")),
            Page("Review", "content:review", ("content:review",), needs="admin"),
            Page("Topics", "content:topics", ("content:topics",), needs="admin"),
            Page("Suggest", "content:submit", ("content:submit", "content:submissions")),
            Page(
                "Outbox",
                "posting:overview",
                ("posting:overview", "posting:policy", "posting:send_to_ambassadors"),
                needs="admin",
            ),
            Page(
                "Brand shifts",
                "stewards:my_shifts",
                ("stewards:my_shifts", "stewards:handover", "stewards:release", "stewards:write"),
            ),
        ),
    ),
    Section(
        "stories",
        "Stories",
        "message-circle",
        (
            Page("Feed", "stories:feed", ("stories:*",)),
            Page("Write", "stories:create", ("stories:create", "stories:edit")),
            Page("Videos", "videos:list", ("videos:*",)),
            Page("Calls for stories", "story_prompts:list", ("story_prompts:*",)),
            Page("Moderation", "stories:moderation", ("stories:moderation",), needs="admin"),
        ),
    ),
    Section(
        "program",
        "Program",
        "flag",
        (
            Page("Vision & goals", "goals:program", ("goals:*",)),
            Page("Lessons", "learning:track", ("learning:*",)),
            Page("Lesson progress", "learning:progress", ("learning:progress",)),
            Page(
                "Tips of the week",
                "learning:tips",
                ("learning:tips", "learning:tip_create", "learning:tip_edit"),
                needs="admin",
            ),
            Page("Policy", "policy:page", ("policy:*",)),
            Page("Updates", "updates:feed", ("updates:feed", "updates:create", "updates:edit"), needs="admin"),
            Page("Teams", "teams:list", ("teams:*",)),
            Page("Recognition", "recognition:overview", ("recognition:*",)),
        ),
    ),
    Section(
        "care",
        "Care",
        "headset",
        (
            Page("My cases", "care:mine", ("care:*",)),
            Page("Triage", "care:triage", ("care:triage",), needs="care"),
            Page("Team queue", "care:queue", ("care:queue",), needs="admin"),
            Page("Snippets", "care:snippets", ("care:snippets", "care:snippet"), needs="admin"),
            Page("Care settings", "care:settings", ("care:settings",), needs="admin"),
            Page("Responder profile", "care:profile", ("care:profile",), needs="care"),
        ),
        needs="care",
    ),
    Section(
        "results",
        "Results",
        "chart-bar",
        (
            Page("Dashboard", "analytics:dashboard", ("analytics:*",)),
            Page("Leaderboard", "rewards:leaderboard", ("rewards:leaderboard", "rewards:league")),
            Page("Listening", "listening:mentions", ("listening:*",)),
            Page("Chatter audit", "audit:report", ("audit:*",)),
            Page("My team", "enrolment:team", ("enrolment:team",), needs="manager-only"),
            Page(
                "Enrolment",
                "enrolment:calls",
                ("enrolment:calls", "enrolment:open_call", "enrolment:volunteers", "enrolment:settings"),
                needs="admin",
            ),
        ),
        needs="manager",
    ),
    Section(
        "admin",
        "Admin",
        "settings",
        (
            Page("People", "workspaces:people", ("workspaces:*",)),
            Page("Settings", "workspaces:settings", ("workspaces:settings",)),
            Page("Company accounts", "stewards:accounts", ("stewards:*",)),
            Page("Rewards", "rewards:rules", ("rewards:rules", "rewards:adjust", "rewards:findings")),
            Page("SSO", "sso:settings", ("sso:*",)),
            Page("SCIM", "scim_admin:list", ("scim_admin:*",)),
        ),
        needs="admin",
    ),
)

ME = Section(
    "me",
    "Me",
    "user",
    (
        Page("Profile", "workspaces:profile", ("workspaces:profile",)),
        Page("My shares", "sharing:mine", ("sharing:mine",)),
        Page("Scheduled posts", "posting:mine", ("posting:mine", "posting:cancel")),
        Page("Points", "rewards:history", ("rewards:history",)),
        Page("Leaderboard", "rewards:leaderboard", ("rewards:leaderboard", "rewards:league"), needs="employee"),
        Page("Connected accounts", "networks:accounts", ("networks:*",)),
        Page("Volunteering", "enrolment:answer", ("enrolment:answer", "enrolment:done", "enrolment:leave")),
        Page("Notifications", "notify:settings", ("notify:*",)),
        Page("Slack and Teams", "chat:settings", ("chat:*",)),
        Page("Email digest", "updates:digest_settings", ("updates:digest_settings",)),
        Page("Privacy", "privacy:centre", ("privacy:*",)),
        Page("API tokens", "apitokens:list", ("apitokens:*",)),
    ),
)


@dataclass
class Link:
    label: str
    url: str
    current: bool = False


@dataclass
class SectionLink(Link):
    key: str = ""
    icon: str = ""
    pages: list[Link] = field(default_factory=list)


@dataclass
class Navigation:
    sections: list[SectionLink]
    me: SectionLink
    current: SectionLink | None  # the section of the current page (its pages are the secondary navigation)

    def section(self, key: str) -> SectionLink | None:
        return next((s for s in self.sections if s.key == key), None)


class _Abilities:
    """What one member may use, each capability asked at most once per page."""

    def __init__(self, member: Membership) -> None:
        self.member = member
        self._known: dict[str, bool] = {}

    def __call__(self, needs: str) -> bool:
        if needs not in self._known:
            self._known[needs] = self._ask(needs)
        return self._known[needs]

    def _ask(self, needs: str) -> bool:
        member = self.member
        if needs == "member":
            return True
        if needs == "manager":
            return member.is_manager
        if needs == "manager-only":
            return member.is_manager and not member.is_admin
        if needs == "admin":
            return member.is_admin
        if needs == "employee":
            return not member.is_manager
        predicate = _CAPABILITIES.get(needs)
        return bool(predicate and predicate(member))


def _matches(page: Page, view_name: str) -> int:
    """How closely ``view_name`` is this page: 2 exactly, 1 by namespace, 0 not at all."""
    if view_name in page.matches or view_name == page.url_name:
        return 2
    namespace = view_name.rpartition(":")[0]
    return 1 if namespace and f"{namespace}:*" in page.matches else 0


def build(member: Membership, view_name: str) -> Navigation:
    able = _Abilities(member)
    ws = member.workspace.slug
    best: tuple[int, Link | None, SectionLink | None] = (0, None, None)
    built: list[SectionLink] = []
    for section in (*SECTIONS, ME):
        if not able(section.needs):
            continue
        pages: list[Link] = []
        link = SectionLink(label=section.label, url="", key=section.key, icon=section.icon, pages=pages)
        for page in section.pages:
            if not able(page.needs):
                continue
            try:
                url = reverse(page.url_name, kwargs={"ws": ws})
            except NoReverseMatch:  # an app that is not installed here
                continue
            item = Link(label=page.label, url=url)
            pages.append(item)
            score = _matches(page, view_name)
            if score > best[0]:
                best = (score, item, link)
        if pages:
            link.url = pages[0].url
            built.append(link)
    _, current_page, current_section = best
    if current_page is not None and current_section is not None:
        current_page.current = True
        current_section.current = True
    me = built.pop()
    return Navigation(sections=built, me=me, current=current_section)


def for_request(request: HttpRequest, member: Membership) -> Navigation:
    match = getattr(request, "resolver_match", None)
    return build(member, match.view_name if match else "")
