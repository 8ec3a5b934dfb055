"""The navigation: sections by what people do, shown per role (hidden, not greyed), the current page marked."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.conftest import client_for, make_member
from groundswell.core import navigation
from groundswell.enrolment.actions import Answers, join
from groundswell.workspaces.models import Membership, Role, Workspace


class _Navs(HTMLParser):
    """The links of each <nav> by its aria-label: (text, href, aria-current)."""

    def __init__(self) -> None:
        super().__init__()
        self.navs: dict[str, list[tuple[str, str, str]]] = {}
        self._label: str | None = None
        self._link: dict[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "nav":
            self._label = found.get("aria-label", "")
            self.navs.setdefault(self._label, [])
        elif tag == "a" and self._label is not None:
            self._link, self._text = found, ""

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None and self._label is not None:
            self.navs[self._label].append(
                (" ".join(self._text.split()), self._link.get("href", ""), self._link.get("aria-current", ""))
            )
            self._link = None
        elif tag == "nav":
            self._label = None


def navs(client: Client, url: str) -> dict[str, list[tuple[str, str, str]]]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Navs()
    parser.feed(response.content.decode())
    return parser.navs


def top(client: Client, ws: str = "acme") -> list[str]:
    return [text for text, _, _ in navs(client, f"/w/{ws}/")["Main"]]


@pytest.fixture
def dora(workspace: Workspace) -> Membership:
    """An employee who volunteered to answer customers."""
    member = make_member(workspace, "dora@acme.test", Role.EMPLOYEE)
    join(member, Answers(activities=["answer"], languages=["en"]))
    return member


SECTIONS_BY_ROLE = {
    "admin": ["Home", "Share", "Stories", "Program", "Care", "Results", "Admin", "Me"],
    "manager": ["Home", "Share", "Stories", "Program", "Results", "Me"],
    "employee": ["Home", "Share", "Stories", "Program", "Me"],
    "care-volunteer": ["Home", "Share", "Stories", "Program", "Care", "Me"],
}


@pytest.mark.parametrize("role", sorted(SECTIONS_BY_ROLE))
def test_each_role_sees_its_sections(
    role: str, alice: Membership, carol: Membership, bob: Membership, dora: Membership
) -> None:
    member = {"admin": alice, "manager": carol, "employee": bob, "care-volunteer": dora}[role]
    assert top(client_for(member)) == SECTIONS_BY_ROLE[role]
    assert len(SECTIONS_BY_ROLE[role]) <= 8  # seven sections at most (Stories, issue 13), then Me


def _all_links(member: Membership) -> dict[str, str]:
    """Every page the navigation offers ``member`` (label -> url), from the phone's More sheet (all of them)."""
    found = navs(client_for(member), f"/w/{member.workspace.slug}/")["Main (phone)"]
    return {text: href for text, href, _ in found if text not in ("Home", "Share", "Care", "Me")}


def test_employees_see_no_link_they_cannot_use(bob: Membership) -> None:
    labels = set(_all_links(bob))
    assert {"Content", "Suggest", "Lessons", "Policy", "Profile", "My shares", "Points", "Privacy"} <= labels
    assert not labels & {"Review", "People", "Dashboard", "Triage", "Team queue", "SSO", "SCIM", "Enrolment"}
    assert "Leaderboard" in labels  # employees find it under Me (managers under Results)


def test_customer_care_is_its_own_section_not_under_me(dora: Membership) -> None:
    sheet = navs(client_for(dora), "/w/acme/care/")
    me_pages = [text for text, _, _ in sheet["Me pages"]] if "Me pages" in sheet else []
    assert "Customer care" not in me_pages
    care = [(text, current) for text, _, current in sheet["Care pages"]]
    assert ("My cases", "page") in care and ("Triage", "") in care
    assert ("Team queue", "") not in care  # admins only


@pytest.mark.parametrize("role", ["admin", "manager", "employee"])
def test_every_link_offered_opens(role: str, alice: Membership, carol: Membership, bob: Membership) -> None:
    """Hidden, not greyed: each page the navigation shows a role answers 200 for that role."""
    member = {"admin": alice, "manager": carol, "employee": bob}[role]
    client = client_for(member)
    for label, href in _all_links(member).items():
        assert client.get(href).status_code == 200, (role, label, href)


@pytest.mark.parametrize(
    ("url_name", "section", "page"),
    [
        ("core:home", "Home", None),
        ("content:list", "Share", "Content"),
        ("content:review", "Share", "Review"),
        ("learning:track", "Program", "Lessons"),
        ("analytics:dashboard", "Results", "Dashboard"),
        ("workspaces:people", "Admin", "People"),
        ("workspaces:profile", "Me", "Profile"),
        ("networks:accounts", "Me", "Connected accounts"),
        ("care:mine", "Care", "My cases"),
    ],
    ids=lambda value: str(value),
)
def test_the_current_section_and_page_are_marked(
    url_name: str, section: str, page: str | None, alice: Membership
) -> None:
    found = navs(client_for(alice), reverse(url_name, kwargs={"ws": "acme"}))
    assert [text for text, _, current in found["Main"] if current] == [section]
    if page is None:
        assert not any(label.endswith(" pages") for label in found)
    else:
        assert [text for text, _, current in found[f"{section} pages"] if current == "page"] == [page]


def test_the_me_pages_offer_sign_out(bob_client: Client) -> None:
    html = bob_client.get("/w/acme/people/profile/").content.decode()
    subnav = html[html.index('aria-label="Me pages"') :]
    assert re.search(r"<button[^>]*>Sign out</button>", subnav[: subnav.index("</nav>")])


def test_pages_outside_a_workspace_have_no_sections(bob_client: Client) -> None:
    html = bob_client.get("/accounts/email/").content.decode()
    assert 'aria-label="Main"' not in html and "Sign out" in html


def test_a_skip_link_leads_to_the_content(bob_client: Client) -> None:
    html = bob_client.get("/w/acme/").content.decode()
    assert '<a class="skip" href="#main">' in html and '<main id="main"' in html


def test_building_it_asks_the_database_at_most_once(bob: Membership, django_assert_max_num_queries: object) -> None:
    bob = Membership.objects.select_related("workspace").get(pk=bob.pk)
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        built = navigation.build(bob, "content:list")
    assert built.current is not None and built.current.label == "Share"
    assert [page.label for page in built.current.pages if page.current] == ["Content"]


def test_an_app_capability_decides_its_section(bob: Membership, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(navigation._CAPABILITIES, "care", lambda member: True)
    assert "Care" in [s.label for s in navigation.build(bob, "").sections]
    monkeypatch.setitem(navigation._CAPABILITIES, "care", lambda member: False)
    assert "Care" not in [s.label for s in navigation.build(bob, "").sections]
