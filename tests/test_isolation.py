"""Cross-workspace isolation, swept over every URL pattern — including pages added after this test.

For each pattern under ``/w/<ws>/`` (found by walking ``groundswell.urls.workspace_patterns``) the path
converters are filled with the ids of real objects of Acme, then:

* charlie (program admin of Globex) asks for it under ``/w/acme/`` → 404, for GET and POST;
* charlie asks for it under ``/w/globex/`` with Acme's ids → 404 (the classic id-swap);
* an anonymous visitor → a redirect to the login page or 404 — never 200, never 500.

Both methods must answer 404, whichever the page accepts: views restrict methods with
``workspaces.access.allow_methods``, which checks membership before it would answer 405.

Nothing is skipped: a pattern whose converters cannot be filled fails with a message saying where to add a
value (``PARAM_VALUES`` / ``NAMESPACED_VALUES`` below).

The REST API under ``/api/`` is swept the same way with a Globex token (path parameters, reference-like
query parameters and ``*_id`` fields of request bodies filled with Acme's ids).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.content.models import Item, ItemKind, ItemState, Topic
from groundswell.enrolment.models import CallForInterest
from groundswell.goals.models import Goal
from groundswell.learning.models import Lesson, LessonTrack, Tip
from groundswell.rewards.actions import ensure_default_rules
from groundswell.rewards.models import Finding, FindingKind
from groundswell.sharing.models import Share
from groundswell.stewards.models import BrandAccount, BrandPost, Shift
from groundswell.teams.models import Seat, Team, TeamInvitation, WaitlistEntry
from groundswell.updates.models import Update
from groundswell.workspaces import actions
from groundswell.workspaces.models import ApiToken, Department, Invitation, Location, Membership, Role, Workspace

MARKER = "ACME-CONFIDENTIAL-7f3a"


# --- Acme's objects -------------------------------------------------------------------------------


@dataclass
class Acme:
    workspace: Workspace
    alice: Membership
    bob: Membership
    item: Item
    share: Share
    goal: Goal
    topic: Topic
    department: Department
    location: Location
    invitation: Invitation
    token: ApiToken
    #: Objects of the newer apps, by name (PARAM_VALUES reads them).
    extra: dict[str, Any]


@pytest.fixture
def acme(db: None) -> Acme:
    from groundswell.sharing.actions import create_share

    ws = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(ws)
    dept = Department.objects.create(workspace=ws, name=f"Sales {MARKER}")
    loc = Location.objects.create(workspace=ws, name=f"Berlin {MARKER}")
    alice = make_member(ws, "alice@acme.test", Role.ADMIN)
    bob = make_member(ws, "bob@acme.test", Role.EMPLOYEE, department=dept, location=loc)
    Membership.objects.filter(pk=bob.pk).update(display_name=f"Bob {MARKER}")
    bob.refresh_from_db()
    topic = Topic.objects.create(workspace=ws, name=f"Topic {MARKER}", slug="acme-topic")
    item = Item.objects.create(
        workspace=ws,
        kind=ItemKind.URL,
        state=ItemState.PUBLISHED,
        url="https://example.com/acme-launch",
        title=f"Launch {MARKER}",
        created_by=alice,
        published_at=timezone.now(),
    )
    item.topics.add(topic)
    share = create_share(member=bob, item=item, network="linkedin", caption=f"Caption {MARKER}")
    goal = Goal.objects.create(
        workspace=ws,
        name=f"Goal {MARKER}",
        metric=Goal._meta.get_field("metric").choices[0][0],  # type: ignore[index]
        target=100,
        period_start=timezone.localdate().replace(day=1),
        created_by=alice,
    )
    invitation = actions.invite_member(ws, email="dave@acme.test", invited_by=alice).invitation
    from groundswell.api.tokens import create_token

    token, _secret = create_token(alice, f"Token {MARKER}")
    return Acme(ws, alice, bob, item, share, goal, topic, dept, loc, invitation, token, _extra_objects(ws, alice, bob))


def _extra_objects(ws: Workspace, alice: Membership, bob: Membership) -> dict[str, Any]:
    """Acme objects of the apps added after the foundation (one entry per app, so additions do not collide)."""

    from groundswell.recognition import actions as recognition

    extra: dict[str, Any] = {}
    extra["contest"] = recognition.create_contest(
        workspace=ws,
        by=alice,
        name=f"Contest {MARKER}",
        goal="g",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
        method="raffle",
        prizes=1,
        prize_description="p",
        threshold_points=1,
        points_cap=10,
        cooldown=0,
    )
    extra["bonus_period"] = recognition.create_bonus_period(
        workspace=ws,
        by=alice,
        name=f"Bonus {MARKER}",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
        currency="EUR",
        pool_cents=100,
        threshold=0,
        cap=10,
        floor_cents=0,
        ceiling_cents=100,
    )
    extra["update"] = Update.objects.create(workspace=ws, title=f"Update {MARKER}", body_markdown="News", author=alice)
    extra["lesson"] = Lesson.objects.create(workspace=ws, title=f"Lesson {MARKER}", body_markdown="Tip", position=1)
    extra["tip"] = Tip.objects.create(workspace=ws, title=f"Tip {MARKER}", text="Reply within a day.")
    extra["call"] = CallForInterest.objects.create(
        workspace=ws, title=f"Call {MARKER}", message=MARKER, opened_by=alice, deadline=timezone.localdate()
    )
    team = Team.objects.create(
        workspace=ws, name=f"Team {MARKER}", seats=3, term_start=timezone.localdate(), term_end=timezone.localdate()
    )
    extra["team"] = team
    extra["seat"] = Seat.objects.create(team=team, member=bob, served_from=timezone.localdate())
    entry = WaitlistEntry.objects.create(team=team, member=alice, position=1, note=f"Note {MARKER}")
    extra["entry"] = entry
    extra["team_invitation"] = TeamInvitation.objects.create(
        team=team, member=alice, entry=entry, expires_at=timezone.now() + dt.timedelta(days=7)
    )
    extra["brand"], extra["shift"], extra["brand_post"] = _acme_brand(alice, bob)
    extra["finding"] = Finding.objects.create(
        workspace=ws,
        member=bob,
        kind=FindingKind.SELF_CLICK,
        key=f"self:{bob.pk}:acme",
        events=1,
        points_withheld=2,
        first_at=timezone.now(),
        last_at=timezone.now(),
        evidence={"rule": f"Rule {MARKER}"},
    )
    from groundswell.audit.models import ReportSubscription

    extra["audit_subscription"] = ReportSubscription.objects.create(
        workspace=ws, member=bob, frequency="weekly", created_by=alice
    )
    from groundswell.listening.models import Source as ListeningSource
    from groundswell.listening.models import Topic as ListeningTopic

    extra["listening_topic"] = ListeningTopic.objects.create(
        workspace=ws, name=f"Topic {MARKER}", kind="brand", query="acme", created_by=alice
    )
    extra["listening_source"] = ListeningSource.objects.create(workspace=ws, kind="csv", name=f"Source {MARKER}")
    extra["case"], extra["snippet"], extra["skill"] = _acme_care(ws, alice, bob)
    extra["push_subscription"] = _acme_push_subscription(bob)
    extra["prompt"], extra["story"] = _acme_story_prompt(alice, bob)
    return extra


def _acme_story_prompt(alice: Membership, bob: Membership) -> tuple[Any, Any]:
    """A call for stories of Acme's and bob's answer to it, shared-outside consent given (harvesting)."""
    from groundswell.stories.harvest import PromptData, answer_prompt, create_prompt

    prompt = create_prompt(
        member=alice,
        data=PromptData(
            title=f"Call {MARKER}", body_markdown=MARKER, deadline=timezone.localdate() + dt.timedelta(days=9)
        ),
    )
    story = answer_prompt(member=bob, prompt=prompt, title=f"Story {MARKER}", body_markdown=MARKER, share_consent=True)
    return prompt, story


def _acme_push_subscription(bob: Membership) -> Any:
    from groundswell.notify.models import PushSubscription, endpoint_digest

    endpoint = "https://push.example.net/acme-bob"
    return PushSubscription.objects.create(
        workspace=bob.workspace,
        member=bob,
        endpoint=endpoint,
        endpoint_sha256=endpoint_digest(endpoint),
        p256dh="BKey",
        auth="auth",
        device=f"Phone {MARKER}",
    )


def _acme_care(ws: Workspace, alice: Membership, bob: Membership) -> tuple[Any, Any, Any]:
    """A customer question about Acme's brand assigned to bob, an answer snippet and a department skill."""
    from groundswell.care.models import Case, DepartmentSkill, Snippet
    from groundswell.listening.models import Post, Source
    from groundswell.listening.models import Topic as ListeningTopic

    brand = ListeningTopic.objects.create(workspace=ws, name=f"Acme {MARKER}", kind="brand", query="acme")
    source = Source.objects.create(workspace=ws, kind="rss", name=f"Feed {MARKER}")
    post = Post.objects.create(
        workspace=ws, source=source, external_id="p1", text=f"Question {MARKER}", published_at=timezone.now(),
        content_hash="0" * 64, intent="question",
    )  # fmt: skip
    case = Case.objects.create(workspace=ws, post=post, topic=brand, intent="question", status="assigned", assignee=bob)
    snippet = Snippet.objects.create(workspace=ws, title=f"Snippet {MARKER}", body=MARKER, created_by=alice)
    assert bob.department is not None
    skill = DepartmentSkill.objects.create(workspace=ws, department=bob.department, topic=brand)
    return case, snippet, skill


def _acme_brand(alice: Membership, bob: Membership) -> tuple[BrandAccount, Shift, BrandPost]:
    """Acme's company Bluesky account, bob on shift now, and a post of his waiting for approval."""
    import datetime as dt

    from groundswell.networks.accounts import connect_for_workspace
    from groundswell.networks.base import TokenSet
    from groundswell.stewards import actions as stewards

    account = connect_for_workspace(
        alice, "bluesky", TokenSet(access_token="a", remote_id="did:plc:acme", handle=f"acme-{MARKER}.test")
    )
    brand = BrandAccount.objects.get(account=account)
    stewards.set_require_approval(brand, True)
    now = timezone.now()
    shift = stewards.assign_shift(
        brand=brand,
        steward=bob,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=4),
        by=alice,
        now=now - dt.timedelta(days=1),
    )
    Shift.objects.filter(pk=shift.pk).update(handover_note=f"Note {MARKER}")
    post = stewards.write_post(brand=brand, steward=bob, text=f"Post {MARKER}")
    return brand, shift, post


@pytest.fixture
def charlie(db: None) -> Membership:
    ws = Workspace.objects.create(name="Globex", slug="globex")
    ensure_default_rules(ws)
    return make_member(ws, "charlie@globex.test", Role.ADMIN)


# --- Filling URL converters -----------------------------------------------------------------------

#: kwarg name → value, for any pattern. Name new kwargs after the object (``<int:goal_id>``) and they work.
PARAM_VALUES: dict[str, Callable[[Acme], Any]] = {
    "item_id": lambda a: a.item.pk,
    "item_pk": lambda a: a.item.pk,
    "share_id": lambda a: a.share.pk,
    "share_pk": lambda a: a.share.pk,
    "code": lambda a: a.share.code,
    "goal_id": lambda a: a.goal.pk,
    "member_id": lambda a: a.bob.pk,
    "membership_id": lambda a: a.bob.pk,
    "topic_id": lambda a: a.topic.pk,
    "topic": lambda a: a.topic.slug,
    "topic_slug": lambda a: a.topic.slug,
    "invitation_id": lambda a: a.invitation.pk,
    "department_id": lambda a: a.department.pk,
    "location_id": lambda a: a.location.pk,
    "token_id": lambda a: a.token.pk,
    "contest_id": lambda a: a.extra["contest"].pk,
    "period_id": lambda a: a.extra["bonus_period"].pk,
    "update_id": lambda a: a.extra["update"].pk,
    "lesson_id": lambda a: a.extra["lesson"].pk,
    "track_id": lambda a: a.extra["lesson"].track_id,
    "tip_id": lambda a: a.extra["tip"].pk,
    "call_id": lambda a: a.extra["call"].pk,
    "team_id": lambda a: a.extra["team"].pk,
    "seat_id": lambda a: a.extra["seat"].pk,
    "entry_id": lambda a: a.extra["entry"].pk,
    "team_invitation_id": lambda a: a.extra["team_invitation"].pk,
    "brand_id": lambda a: a.extra["brand"].pk,
    "shift_id": lambda a: a.extra["shift"].pk,
    "brand_post_id": lambda a: a.extra["brand_post"].pk,
    "scim_token_id": lambda a: _scim_token(a).pk,
    "finding_id": lambda a: a.extra["finding"].pk,
    "subscription_id": lambda a: a.extra["audit_subscription"].pk,
    "listening_topic_id": lambda a: a.extra["listening_topic"].pk,
    "source_id": lambda a: a.extra["listening_source"].pk,
    "case_id": lambda a: a.extra["case"].pk,
    "snippet_id": lambda a: a.extra["snippet"].pk,
    "skill_id": lambda a: a.extra["skill"].pk,
    "triage_id": lambda a: _triage_item(a).pk,
    "device_id": lambda a: a.extra["push_subscription"].pk,
    "story_id": lambda a: _acme_story(a)["story"].pk,
    "image_id": lambda a: _acme_story(a)["image"].pk,
    "comment_id": lambda a: _acme_story(a)["comment"].pk,
    "report_id": lambda a: _acme_story(a)["report"].pk,
    "prompt_id": lambda a: a.extra["prompt"].pk,
    "video_id": lambda a: _video(a).pk,
}


def _acme_story(acme: Acme) -> dict[str, Any]:
    """Bob's story in Acme's feed with an image, alice's comment and a report (created on first use)."""
    if "image" not in acme.extra:
        from django.core.files.base import ContentFile

        from groundswell.stories.models import Story, StoryComment, StoryImage, StoryReport

        # The harvest set-up's answer to Acme's call for stories, when it made one.
        story = acme.extra.get("story") or Story.objects.create(
            workspace=acme.workspace, author=acme.bob, title=f"Story {MARKER}", body_markdown=MARKER
        )
        gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
        image = StoryImage.objects.create(story=story, image=ContentFile(gif, name="s.gif"), alt_text=MARKER)
        comment = StoryComment.objects.create(workspace=acme.workspace, story=story, author=acme.alice, body=MARKER)
        report = StoryReport.objects.create(
            workspace=acme.workspace, story=story, comment=comment, reporter=acme.bob, reason="other", note=MARKER
        )
        acme.extra.update(story=story, image=image, comment=comment, report=report)
    return acme.extra


def _video(acme: Acme) -> Any:
    """A ready video of Acme's, uploaded by bob (created on first use; no files: the pages must still 404)."""
    from groundswell.videos.models import Video

    return Video.objects.filter(workspace=acme.workspace).first() or Video.objects.create(
        workspace=acme.workspace, uploaded_by=acme.bob, title=f"Video {MARKER}", state="ready",
        captions_vtt="WEBVTT\n\n00:00.000 --> 00:01.000\n" + MARKER + "\n",
    )  # fmt: skip


def _scim_token(acme: Acme) -> Any:
    """Acme's SCIM token (created on first use)."""
    from groundswell.scim.actions import create_token as create_scim_token
    from groundswell.scim.models import ScimToken

    return (
        ScimToken.objects.filter(workspace=acme.workspace).first()
        or create_scim_token(acme.workspace, by=acme.alice, name=f"SCIM {MARKER}")[0]
    )


def _triage_item(acme: Acme) -> Any:
    """A brand mention of Acme's in the care triage queue (created on first use)."""
    from groundswell.care.models import TriageItem
    from groundswell.listening.models import Post

    found = TriageItem.objects.filter(workspace=acme.workspace).first()
    if found is not None:
        return found
    case = acme.extra["case"]
    post = Post.objects.create(
        workspace=acme.workspace, source=case.post.source, external_id="p-triage", text=f"Triage {MARKER}",
        published_at=timezone.now(), content_hash="1" * 64,
    )  # fmt: skip
    return TriageItem.objects.create(workspace=acme.workspace, post=post, topic=case.topic, intent="other")


#: (URL namespace, kwarg name) → value, for generic names such as ``pk``.
NAMESPACED_VALUES: dict[tuple[str, str], Callable[[Acme], Any]] = {
    ("content", "pk"): lambda a: a.item.pk,
    ("sharing", "pk"): lambda a: a.share.pk,
    ("goals", "pk"): lambda a: a.goal.pk,
    ("apitokens", "pk"): lambda a: a.token.pk,
    # Not an object id: a chart name (any valid one; the membership check must come first anyway).
    ("analytics", "kind"): lambda a: "activity",
    ("audit", "kind"): lambda a: "volume",
}
#: kwargs that do not identify an object of a workspace (so the id-swap check does not apply).
NON_OBJECT_KWARGS = {("analytics", "kind"), ("audit", "kind")}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    namespace: str
    kwargs: tuple[str, ...]
    callback: Callable[..., Any]

    @property
    def has_object_kwargs(self) -> bool:
        return any((self.namespace, k) not in NON_OBJECT_KWARGS for k in self.kwargs)


def _pattern_kwargs(pattern: URLPattern | URLResolver) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern.pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def walk(
    patterns: list[URLPattern | URLResolver], namespaces: tuple[str, ...] = (), kwargs: tuple[str, ...] = ()
) -> Iterator[Route | str]:
    """Every leaf pattern as a ``Route`` (or an error message for one that cannot be reversed)."""
    for p in patterns:
        # Without "ws" (given by the /w/<ws>/ prefix every route here is under): once Django's resolver has
        # populated its namespaces it copies the prefix's converters into the included patterns' own
        # (django/urls/resolvers.py, URLResolver._populate), so whether "ws" shows up here depended on which
        # test reversed a URL first (a sweep then found no fillable route).
        own = tuple(k for k in _pattern_kwargs(p) if k != "ws" and k not in kwargs)
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from walk(p.url_patterns, ns, kwargs + own)
        else:
            if not p.name:
                yield f"An unnamed URL pattern {p.pattern!s} under /w/<ws>/ ({p.lookup_str}): give it a name."
                continue
            full = ":".join((*namespaces, p.name))
            yield Route(full, ":".join(namespaces), kwargs + own, p.callback)


def collect_routes() -> list[Route | str]:
    from groundswell.urls import workspace_patterns

    return list(walk(list(workspace_patterns)))


ROUTES = collect_routes()


def fill(route: Route, acme: Acme) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for kw in route.kwargs:
        if (route.namespace, kw) in NAMESPACED_VALUES:
            values[kw] = NAMESPACED_VALUES[(route.namespace, kw)](acme)
        elif kw in PARAM_VALUES:
            values[kw] = PARAM_VALUES[kw](acme)
        else:
            pytest.fail(
                f"tests/test_isolation.py cannot fill <{kw}> of {route.name}: name the kwarg after its object "
                f"(e.g. <int:item_id>) or add it to PARAM_VALUES / NAMESPACED_VALUES with an Acme object."
            )
    return values


def url_for(route: Route, ws: str, acme: Acme) -> str:
    kwargs = {k: v for k, v in fill(route, acme).items()}
    return reverse(route.name, kwargs={"ws": ws, **{k: v for k, v in kwargs.items() if k != "ws"}})


def _id(r: Route | str) -> str:
    return r.name if isinstance(r, Route) else "unnamed"


def _assert_untouched(acme: Acme) -> None:
    """Nothing of Acme changed through charlie's requests."""
    acme.item.refresh_from_db()
    acme.bob.refresh_from_db()
    acme.invitation.refresh_from_db()
    acme.token.refresh_from_db()
    assert acme.item.state == ItemState.PUBLISHED and MARKER in acme.item.title
    assert acme.bob.is_active and acme.bob.role == Role.EMPLOYEE and acme.bob.department_id == acme.department.pk
    assert acme.invitation.revoked_at is None and acme.invitation.accepted_at is None
    assert acme.token.revoked_at is None
    assert Goal.objects.filter(pk=acme.goal.pk, name__contains=MARKER).exists()
    assert Department.objects.filter(pk=acme.department.pk, name__contains=MARKER).exists()
    assert Location.objects.filter(pk=acme.location.pk, name__contains=MARKER).exists()
    assert Topic.objects.filter(pk=acme.topic.pk).exists() and Share.objects.filter(pk=acme.share.pk).exists()
    assert acme.workspace.memberships.count() == 2
    assert Update.objects.filter(pk=acme.extra["update"].pk, title__contains=MARKER, deleted_at__isnull=True).exists()
    assert Lesson.objects.filter(pk=acme.extra["lesson"].pk, title__contains=MARKER).exists()
    assert Tip.objects.filter(pk=acme.extra["tip"].pk, title__contains=MARKER).exists()
    assert LessonTrack.objects.filter(pk=acme.extra["lesson"].track_id, position=0).exists()
    assert CallForInterest.objects.filter(pk=acme.extra["call"].pk, closed_at__isnull=True).exists()
    assert not acme.workspace.memberships.filter(enrolment__isnull=False).exists()
    acme.extra["team"].refresh_from_db()
    assert (
        MARKER in acme.extra["team"].name
        and acme.extra["team"].seats == 3
        and acme.extra["team"].term_end == acme.extra["team"].term_start
    )
    assert Seat.objects.filter(pk=acme.extra["seat"].pk, served_until__isnull=True).exists()
    assert WaitlistEntry.objects.filter(pk=acme.extra["entry"].pk, status="waiting").exists()
    assert TeamInvitation.objects.filter(pk=acme.extra["team_invitation"].pk, status="pending").exists()
    acme.extra["shift"].refresh_from_db()
    acme.extra["brand_post"].refresh_from_db()
    acme.extra["brand"].refresh_from_db()
    assert acme.extra["shift"].status == "assigned" and MARKER in acme.extra["shift"].handover_note
    assert acme.extra["brand_post"].status == "pending" and acme.extra["brand"].require_approval
    assert type(acme.extra["push_subscription"]).objects.filter(pk=acme.extra["push_subscription"].pk).exists()


# --- The web sweep --------------------------------------------------------------------------------


def test_sweep_finds_the_pages() -> None:
    names = {r.name for r in ROUTES if isinstance(r, Route)}
    assert {"core:home", "workspaces:people", "workspaces:profile", "workspaces:member_edit"} <= names
    assert len(names) >= 20, names


def assert_refused(c: Client, route: Route, u: str, who: str, *, own_workspace: bool = False) -> None:
    """GET and POST both 404: an outsider learns nothing, not even which methods a page takes.

    In the id-swap case (``own_workspace``) the client is a member of the workspace in the URL, so a page
    may answer 405 for the method it does not take — but only if an id that exists nowhere gets the same
    405 (the answer does not depend on Acme's data). The method the page accepts must still give 404.
    """
    statuses = {}
    for method in ("get", "post"):
        resp = getattr(c, method)(u, {"name": "pwned", "title": "pwned"})
        statuses[method] = resp.status_code
        if own_workspace and resp.status_code == 405:
            ws = resolve(u).kwargs["ws"]
            nowhere = reverse(
                route.name, kwargs={"ws": ws, **{k: _nonexistent(v) for k, v in resolve_kwargs(u).items()}}
            )
            control = getattr(c, method)(nowhere, {"name": "x"}).status_code
            assert control == 405, f"{method.upper()} {u} by {who}: 405 here but {control} for a missing id"
        else:
            assert resp.status_code == 404, f"{method.upper()} {u} by {who}: {resp.status_code}, expected 404"
    assert 404 in statuses.values(), f"{u} by {who}: no method answered 404 ({statuses})"


def resolve_kwargs(u: str) -> dict[str, Any]:
    from django.urls import resolve

    kwargs = dict(resolve(u).kwargs)
    kwargs.pop("ws", None)
    return kwargs


def _nonexistent(value: Any) -> Any:
    return 999_999_999 if isinstance(value, int) else value


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_outsider_gets_404(route: Route | str, acme: Acme, charlie: Membership) -> None:
    if isinstance(route, str):
        pytest.fail(route)
    assert_refused(client_for(charlie), route, url_for(route, "acme", acme), "a member of another workspace")
    _assert_untouched(acme)


@pytest.mark.parametrize("route", [r for r in ROUTES if isinstance(r, Route) and r.has_object_kwargs], ids=_id)
def test_id_swap_into_own_workspace_gets_404(route: Route, acme: Acme, charlie: Membership) -> None:
    u = url_for(route, "globex", acme)
    assert_refused(client_for(charlie), route, u, "Globex's admin with Acme's ids", own_workspace=True)
    _assert_untouched(acme)


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_anonymous_is_sent_to_login_or_404(route: Route | str, acme: Acme) -> None:
    if isinstance(route, str):
        pytest.fail(route)
    c = Client()
    u = url_for(route, "acme", acme)
    login = reverse("account_login")
    for method in ("get", "post"):
        resp = getattr(c, method)(u)
        ok = resp.status_code == 404 or (resp.status_code == 302 and resp["Location"].startswith(login))
        assert ok, f"{method.upper()} {u} anonymously answered {resp.status_code} {resp.get('Location', '')}"
    _assert_untouched(acme)


def test_unknown_workspace_is_404(acme: Acme, charlie: Membership) -> None:
    assert client_for(charlie).get("/w/no-such-workspace/").status_code == 404


# --- A second workspace aims at Acme's people (ADR 0024) --------------------------------------------


@pytest.fixture
def globex_took_aim(acme: Acme, charlie: Membership, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Globex imports (CSV), invites and provisions (SCIM) people with Acme's e-mails, claims acme.test for its
    identity provider and requires single sign-on. Returns Globex's SCIM client and the ids SCIM answered."""
    from groundswell.scim.actions import create_token as create_scim_token
    from groundswell.scim.tests.conftest import ScimClient, new_user
    from groundswell.sso.actions import SsoSettings, save_sso_config
    from groundswell.sso.tests import saml_idp
    from groundswell.workspaces import importing

    globex = charlie.workspace
    emails = [acme.alice.user.email, acme.bob.user.email]
    csv_text = "Name,Email,Department\n" + "".join(f"Someone,{e},Globex Ops\n" for e in emails)
    job, _ = importing.create_job(globex, by=charlie, file_name="p.csv", raw=csv_text.encode(), send_invitations=True)
    with django_capture_on_commit_callbacks(execute=True):
        importing.start_job(job)
    for email in emails:
        actions.invite_member(globex, email=email, invited_by=charlie, role=Role.ADMIN)
    scim = ScimClient(create_scim_token(globex, by=charlie, name="Globex IdP")[1])
    answers = {}
    with django_capture_on_commit_callbacks(execute=True):
        for email in emails:
            resp = scim.post("/Users", new_user(email))
            assert resp.status_code == 201, resp.content
            answers[email] = resp.json()
    save_sso_config(
        globex,
        SsoSettings(
            protocol="saml",
            is_enabled=True,
            require_sso=True,
            jit_provisioning=True,
            domains=["acme.test"],
            saml_metadata_xml=saml_idp.metadata_xml(saml_idp.make_key()),
        ),
        by=charlie,
    )
    return {"scim": scim, "answers": answers}


def test_second_workspace_provisioning_leaves_acme_people_alone(
    acme: Acme, charlie: Membership, globex_took_aim: dict[str, Any]
) -> None:
    globex = charlie.workspace
    _assert_untouched(acme)
    for member in (acme.alice, acme.bob):
        answer = globex_took_aim["answers"][member.user.email]
        assert answer["active"] is False  # SCIM got its resource, and nothing active
        theirs = Membership.objects.get(workspace=globex, user=member.user)
        assert theirs.awaiting_acceptance and not theirs.is_active and theirs.role == Role.EMPLOYEE
        assert str(theirs.pk) == answer["id"] and MARKER not in json.dumps(answer)
        ours = Membership.objects.get(pk=member.pk)
        assert ours.is_active and ours.role == member.role
        # The password still signs them in; Acme opens, Globex's "require SSO" imposes nothing; Globex stays shut.
        c = Client()
        resp = c.post(reverse("account_login"), {"login": member.user.email, "password": "correct horse battery"})
        assert resp.status_code == 302, resp.content.decode()[:300]
        assert c.get("/w/acme/").status_code == 200
        assert c.get("/w/globex/").status_code == 404
    # Globex learns nothing of Acme's people: not their Acme names, not their Acme memberships.
    scim = globex_took_aim["scim"]
    listing = scim.get("/Users")
    assert listing.status_code == 200 and MARKER not in listing.content.decode()
    assert listing.json()["totalResults"] == 3  # charlie and the two it provisioned
    assert scim.get(f"/Users/{acme.bob.pk}").status_code == 404
    people = client_for(charlie).get("/w/globex/people/")
    assert people.status_code == 200 and MARKER not in people.content.decode()


def test_people_another_workspace_provisioned_get_404_on_its_pages(
    acme: Acme, charlie: Membership, globex_took_aim: dict[str, Any]
) -> None:
    """Awaiting acceptance grants nothing: every page of Globex is a 404 for Acme's Bob."""
    c = client_for(acme.bob)
    routes = [r for r in ROUTES if isinstance(r, Route)]
    for route in routes:
        assert_refused(c, route, url_for(route, "globex", acme), "Acme's Bob, provisioned by Globex")
    _assert_untouched(acme)


# --- The API sweep --------------------------------------------------------------------------------

#: Reference-like parameters of the API (path or query) → an Acme value.
API_PARAM_VALUES: dict[str, Callable[[Acme], Any]] = {
    **PARAM_VALUES,
    "member": lambda a: a.bob.pk,
    "department": lambda a: a.department.pk,
    "location": lambda a: a.location.pk,
    "item": lambda a: a.item.pk,
    "share": lambda a: a.share.pk,
    "goal": lambda a: a.goal.pk,
}
#: Body fields (lists of ids) → Acme ids.
API_BODY_LIST_VALUES: dict[str, Callable[[Acme], list[Any]]] = {
    "target_department_ids": lambda a: [a.department.pk],
    "target_location_ids": lambda a: [a.location.pk],
    "department_ids": lambda a: [a.department.pk],
    "location_ids": lambda a: [a.location.pk],
    "item_ids": lambda a: [a.item.pk],
    "topic_ids": lambda a: [a.topic.pk],
}


def api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    from groundswell.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/")
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            ops.append((method, path, op))
    return ops


def _api_schema() -> dict[str, Any]:
    from groundswell.api.api import api

    return dict(api.get_openapi_schema(path_prefix="/api/"))


@pytest.fixture
def charlie_token(charlie: Membership) -> str:
    from groundswell.api.tokens import create_token

    _, secret = create_token(charlie, "isolation")
    return secret


API_OPS = api_operations()


def test_api_sweep_finds_endpoints() -> None:
    assert len(API_OPS) >= 5, "the API has endpoints; the sweep found too few"


def _api_request(method: str, path: str, token: str | None, query: dict[str, Any], body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    c = Client()
    if method == "get":
        return c.get(path, query, headers=headers)
    qs = ("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else ""
    return getattr(c, method)(
        path + qs, json.dumps(body if body is not None else {}), content_type="application/json", headers=headers
    )


def _fill_api(method: str, path: str, op: dict[str, Any], acme: Acme) -> tuple[str, dict[str, Any], bool]:
    """The concrete path, reference query params, and whether the request names an Acme object."""
    query: dict[str, Any] = {}
    names_object = False
    for param in op.get("parameters", []):
        name, where = param["name"], param["in"]
        value = API_PARAM_VALUES.get(name)
        if where == "path":
            if value is None:
                pytest.fail(f"{method.upper()} {path}: add path parameter {name!r} to API_PARAM_VALUES")
            path = path.replace("{" + name + "}", str(value(acme)))
            names_object = True
        elif where == "query" and value is not None:
            query[name] = value(acme)
            names_object = True
        elif param.get("required"):
            pytest.fail(f"{method.upper()} {path}: required {where} parameter {name!r} — add it to API_PARAM_VALUES")
    return path, query, names_object


def _bodies(op: dict[str, Any], acme: Acme) -> list[dict[str, Any]]:
    """Request bodies (from the schema's examples) with their id fields pointing at Acme objects."""
    ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    if not ref:
        return []
    component = _api_schema()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    props = component.get("properties", {})
    id_fields = [f for f in props if f.endswith("_id") or f in API_BODY_LIST_VALUES or f.endswith("_ids")]
    if not id_fields:
        return []
    examples = component.get("examples") or []
    if not examples:
        pytest.fail(f"{ref}: has id fields {id_fields} but no example; add one so the sweep can fill it")
    bodies = []
    for example in examples:
        body = dict(example)
        for f in id_fields:
            if f.endswith("_id"):
                key = f
                if key not in API_PARAM_VALUES:
                    pytest.fail(f"{ref}.{f}: add {f!r} to API_PARAM_VALUES")
                body[f] = API_PARAM_VALUES[key](acme)
            else:
                if f not in API_BODY_LIST_VALUES:
                    pytest.fail(f"{ref}.{f}: add {f!r} to API_BODY_LIST_VALUES")
                body[f] = API_BODY_LIST_VALUES[f](acme)
        bodies.append(body)
    return bodies


@pytest.mark.parametrize(("method", "path", "op"), API_OPS, ids=[f"{m.upper()} {p}" for m, p, _ in API_OPS])
def test_api_with_other_workspace_token(
    method: str, path: str, op: dict[str, Any], acme: Acme, charlie_token: str
) -> None:
    concrete, query, names_object = _fill_api(method, path, op, acme)
    has_path_ref = "{" in path
    bodies = _bodies(op, acme) if method != "get" else []
    shares_before = Share.objects.count()
    items_before = Item.objects.count()
    requests = [(query, b) for b in bodies] if bodies else [(query, None)]
    for q, body in requests:
        resp = _api_request(method, concrete, charlie_token, q, body)
        text = resp.content.decode(errors="replace")
        assert resp.status_code < 500, f"{method.upper()} {concrete} {q} {body}: {resp.status_code} {text[:300]}"
        assert MARKER not in text, f"{method.upper()} {concrete} {q}: leaked Acme data: {text[:300]}"
        assert "acme.test" not in text, f"{method.upper()} {concrete} {q}: leaked an Acme address"
        if has_path_ref or (body is not None and any(k.endswith("_id") for k in body)):
            assert resp.status_code == 404, f"{method.upper()} {concrete} {body}: {resp.status_code} {text[:300]}"
        elif body is not None:
            assert resp.status_code in (404, 422), f"{method.upper()} {concrete} {body}: {resp.status_code}"
        elif names_object:
            assert resp.status_code in (200, 404, 422), f"{method.upper()} {concrete} {q}: {resp.status_code}"
    assert Share.objects.filter(item=acme.item).exclude(member=acme.bob).count() == 0
    assert Share.objects.count() == shares_before
    if method != "get":
        assert not Item.objects.filter(workspace__slug="globex", target_departments=acme.department).exists()
        assert not Item.objects.filter(workspace__slug="globex", target_locations=acme.location).exists()
        assert Item.objects.count() <= items_before
    _assert_untouched(acme)


@pytest.mark.parametrize(("method", "path", "op"), API_OPS, ids=[f"{m.upper()} {p}" for m, p, _ in API_OPS])
def test_api_anonymous_is_refused(method: str, path: str, op: dict[str, Any], acme: Acme) -> None:
    """Every operation in the schema needs a token (docs and openapi.json are not operations)."""
    concrete, query, _ = _fill_api(method, path, op, acme)
    resp = _api_request(method, concrete, None, query, {})
    assert resp.status_code == 401, f"{method.upper()} {concrete} anonymously: {resp.status_code}"
    assert MARKER not in resp.content.decode(errors="replace")


def test_api_token_of_deactivated_member_stops_working(acme: Acme) -> None:
    from groundswell.api.tokens import create_token

    _, secret = create_token(acme.bob, "mine")
    assert _api_request("get", f"/api/items/{acme.item.pk}", secret, {}).status_code == 200
    actions.deactivate_member(acme.bob)
    assert _api_request("get", f"/api/items/{acme.item.pk}", secret, {}).status_code == 401


def test_api_sweep_exercises_id_swaps(acme: Acme, charlie_token: str) -> None:
    """Guard against a vacuous sweep: the id-swap cases really answer 404 for Globex's token."""
    for path in (f"/api/items/{acme.item.pk}", f"/api/shares/{acme.share.pk}"):
        assert _api_request("get", path, charlie_token, {}).status_code == 404, path
    resp = _api_request("post", "/api/shares", charlie_token, {}, {"item_id": acme.item.pk, "network": "linkedin"})
    assert resp.status_code == 404
