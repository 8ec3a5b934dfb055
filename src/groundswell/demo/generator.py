"""Build the Northwind Outfitters demo workspace.

People, content and submissions are bulk-inserted; every share passes the product's own check
(``sharing.actions.check_share``) and is counted as ``create_share`` counts it, in one rollup batch; every
click goes through the real write layer (``links.ingest.write_clicks``, which also pays a share's points at
its first human click), so points, counters and rollups are exactly what the product would have recorded.
Everything is seeded: the same seed and the same ``now`` give the same company.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groundswell.analytics.models import Dimension, SegmentPeriod
from groundswell.analytics.rollups import Delta, RollupBatch
from groundswell.content.models import Caption, Item, ItemKind, ItemState, Topic, UnfurlState
from groundswell.demo import data
from groundswell.demo import scim as scim_demo
from groundswell.demo.audit import build_audit_schedule
from groundswell.demo.care import build_care
from groundswell.demo.data import MIN_EMPLOYEES
from groundswell.demo.enrolment import add_enrolment
from groundswell.demo.learning import build_learning
from groundswell.demo.listening import build_listening
from groundswell.demo.listening_bluesky import build_bluesky_listening
from groundswell.demo.policy import publish_policy
from groundswell.demo.privacy import add_privacy
from groundswell.demo.prompts import build_story_prompts
from groundswell.demo.recognition import build_recognition
from groundswell.demo.replies import build_replies
from groundswell.demo.rewards import add_rewards_demo
from groundswell.demo.sso import build_sso
from groundswell.demo.stewards import build_brand_accounts
from groundswell.demo.stories import build_stories
from groundswell.demo.teams import build_teams
from groundswell.demo.updates import build_updates_and_lessons
from groundswell.demo.videos import build_videos
from groundswell.goals.models import Goal, Metric, PeriodKind
from groundswell.lib.periods import local_day, period_start
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.networks.registry import NETWORKS, ShareContext
from groundswell.rewards.actions import award_points, ensure_default_rules
from groundswell.rewards.models import Action
from groundswell.sharing.actions import MAX_CAPTION, ShareError, check_share
from groundswell.sharing.models import Share, ShareMethod
from groundswell.workspaces.models import (
    Department,
    LeaderboardVisibility,
    Location,
    Membership,
    Role,
    Workspace,
)

DEMO_PASSWORD = "northwind-demo"  # noqa: S105 - a published demo-only password, refused outside DEBUG

CLICK_BATCH = 2000
COVERS = Path(__file__).parent / "static" / "demo" / "covers"

# Activity tiers: (share of people, shares per weekday). A few champions, many occasional sharers.
TIERS = [(0.06, 0.50), (0.16, 0.14), (0.30, 0.04), (0.20, 0.012), (0.28, 0.0)]
WEEKDAY_FACTOR = [1.0, 1.15, 1.1, 1.05, 0.8, 0.22, 0.18]
HOUR_WEIGHTS = {7: 2, 8: 5, 9: 8, 10: 7, 11: 6, 12: 7, 13: 6, 14: 5, 15: 4, 16: 4, 17: 3, 18: 2, 19: 2, 20: 2, 21: 1}


@dataclass
class ItemMeta:
    appeal: float
    topics: set[str]
    depts: set[int] = field(default_factory=set)
    locs: set[int] = field(default_factory=set)
    campaign: bool = False


@dataclass
class DemoLogin:
    role: str
    name: str
    email: str
    password: str


@dataclass
class DemoResult:
    workspace: Workspace
    logins: list[DemoLogin]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_email(local_part: str) -> str:
    return f"{local_part}@{data.DOMAIN}"


def remove_demo() -> None:
    """Delete the demo workspace and the demo accounts (all on the reserved ``.example`` domain)."""
    Workspace.objects.filter(slug=data.SLUG).delete()
    get_user_model().objects.filter(email__iendswith="@" + data.DOMAIN).delete()


class DemoBuilder:
    def __init__(
        self,
        *,
        seed: int = 7,
        employees: int = 220,
        days: int = 90,
        now: dt.datetime | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if employees < MIN_EMPLOYEES:
            raise ValueError(f"the demo company needs at least {MIN_EMPLOYEES} employees")
        self.rng = random.Random(seed)
        self.seed = seed
        self.employees = employees
        self.days = max(7, days)
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.tz = ZoneInfo(data.TIMEZONE)
        self.log = log or (lambda message: None)
        self.members: list[Membership] = []
        self.by_email: dict[str, Membership] = {}
        self.departments: dict[str, Department] = {}
        self.locations: dict[str, Location] = {}
        self.topics: dict[str, Topic] = {}
        self.items: list[Item] = []
        self.item_meta: dict[int, ItemMeta] = {}
        self.interests: dict[int, set[str]] = defaultdict(set)
        self.networks: dict[int, list[str]] = {}
        self.propensity: dict[int, float] = {}
        self._covers: dict[str, str] = {}
        self._may_share: set[int] = set()
        self.campaign_day = (self.now - dt.timedelta(days=max(2, round(self.days * 0.42)))).astimezone(self.tz).date()

    # --- entry point -------------------------------------------------------------------------------

    def build(self) -> DemoResult:
        started = time.monotonic()
        with transaction.atomic():
            remove_demo()
            self.ws = Workspace.objects.create(
                name=data.COMPANY,
                slug=data.SLUG,
                timezone=data.TIMEZONE,
                vision=data.VISION,
                created_at=self.now - dt.timedelta(days=self.days + 40),
            )
            ensure_default_rules(self.ws)
            self._structure()
            self._people()
            self._content()
            self.log(f"  {len(self.members)} people, {len(self.items)} items")
            self._policy()
            shares = self._shares()
            self.log(f"  {len(shares)} shares")
            clicks = self._clicks(shares)
            self.log(f"  {clicks} clicks")
            # How many draws the shares and clicks took depends on the hour of the build (a share planned for
            # later today is left out). A fresh stream from here keeps the rest (who volunteers, who left, the
            # care story) the same at any hour.
            self.rng = random.Random(self.seed * 1_000_003 + 17)
            self._submissions()
            self._goals()
            build_updates_and_lessons(self)
            build_learning(self)
            build_recognition(self.ws, local_day(self.now, self.ws.timezone))
            add_privacy(self.members, self.rng, self.now)
            build_teams(self)
            build_brand_accounts(self.ws, self.by_email, self.now)
            build_sso(self.ws, self.members, self.now)
            scim_demo.add_provisioning(self)
            # After the steps that deactivate people (leaving, deprovisioning): the call goes to who is left.
            add_enrolment(self)
            clicks += add_rewards_demo(self.ws, self.members, self.now, self.seed)
            build_audit_schedule(self.ws)
            build_listening(self.ws, self.by_email.get(demo_email(data.ADMIN[1])), self.rng, self.now, self.days)
            build_bluesky_listening(self.ws, self.now)
            build_care(self.ws, self.now, random.Random(self.seed * 1_000_003 + 29))
            build_replies(self.ws)
            build_stories(self)

            build_story_prompts(self)

            build_videos(self)
        result = DemoResult(workspace=self.ws, logins=self._logins())
        result.counts = {
            "members": len(self.members),
            "items": len(self.items),
            "shares": len(shares),
            "clicks": clicks,
        }
        result.seconds = time.monotonic() - started
        return result

    # --- structure and people ----------------------------------------------------------------------

    def _structure(self) -> None:
        self.departments = {spec.name: Department(workspace=self.ws, name=spec.name) for spec in data.DEPARTMENTS}
        Department.objects.bulk_create(self.departments.values())
        self.locations = {name: Location(workspace=self.ws, name=name) for name in data.LOCATIONS}
        Location.objects.bulk_create(self.locations.values())
        self.topics = {slug: Topic(workspace=self.ws, name=name, slug=slug) for slug, name in data.TOPICS.items()}
        Topic.objects.bulk_create(self.topics.values())

    def _names(self, count: int, taken: set[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        while len(out) < count:
            first, last = self.rng.choice(data.FIRST_NAMES), self.rng.choice(data.LAST_NAMES)
            local = slugify(f"{first}.{last}").replace("-", ".")
            if local in taken:
                continue
            taken.add(local)
            out.append((f"{first} {last}", local))
        return out

    def _people(self) -> None:
        rng = self.rng
        specs = data.DEPARTMENTS
        total_weight = sum(s.weight for s in specs)
        # Named people first: CEO, two admins, the manager and employee whose logins are printed.
        fixed = [data.CEO, data.ADMIN, data.SECOND_ADMIN, data.MANAGER, data.EMPLOYEE]
        taken = {local for _, local, _ in fixed}
        others = self._names(self.employees - len(fixed), taken)

        # Department sizes in proportion to their weights. Every department but Sales needs one of the others
        # as its head (Sales' head is the fixed manager), so those never shrink below one.
        remaining = len(others)
        least = {s.name: 0 if s.name == "Sales" else 1 for s in specs}
        if remaining < sum(least.values()):
            raise ValueError(f"the demo needs at least {sum(least.values()) + len(fixed)} people")
        sizes = {s.name: max(least[s.name], math.floor(remaining * s.weight / total_weight)) for s in specs}
        while sum(sizes.values()) < remaining:
            sizes[rng.choices([s.name for s in specs], [s.weight for s in specs])[0]] += 1
        while sum(sizes.values()) > remaining:
            biggest = max((k for k in sizes if sizes[k] > least[k]), key=lambda k: sizes[k])
            sizes[biggest] -= 1

        rows: list[dict[str, object]] = []

        def add(name: str, local: str, title: str, dept: str | None, loc: str, role: str, tier: int) -> None:
            rows.append(
                {"name": name, "local": local, "title": title, "dept": dept, "loc": loc, "role": role, "tier": tier}
            )

        add(data.CEO[0], data.CEO[1], data.CEO[2], None, "Portland (HQ)", Role.MANAGER, 2)
        add(data.ADMIN[0], data.ADMIN[1], data.ADMIN[2], "Marketing", "Portland (HQ)", Role.ADMIN, 0)
        add(data.SECOND_ADMIN[0], data.SECOND_ADMIN[1], data.SECOND_ADMIN[2], "Marketing", "Berlin", Role.ADMIN, 1)
        add(data.MANAGER[0], data.MANAGER[1], data.MANAGER[2], "Sales", "Denver", Role.MANAGER, 1)
        add(data.EMPLOYEE[0], data.EMPLOYEE[1], data.EMPLOYEE[2], "Sales", "Denver", Role.EMPLOYEE, 0)
        pool = iter(others)
        for spec in specs:
            size = sizes[spec.name]
            locs = list(spec.locations)
            weights = list(spec.locations.values())
            if spec.name != "Sales":  # Sales' head is the fixed manager persona
                name, local = next(pool)
                add(name, local, spec.head_title, spec.name, locs[0], Role.MANAGER, rng.choice([1, 2, 2]))
                size -= 1
            lead_count = max(0, size // 9)
            for i in range(size):
                name, local = next(pool)
                loc = rng.choices(locs, weights)[0]
                if i < lead_count:
                    add(name, local, spec.lead_title, spec.name, loc, Role.MANAGER, rng.choice([1, 2, 3]))
                else:
                    tier = rng.choices(range(len(TIERS)), [t[0] for t in TIERS])[0]
                    add(name, local, rng.choice(spec.titles), spec.name, loc, Role.EMPLOYEE, tier)

        password = make_password(DEMO_PASSWORD)  # hashed once: every demo account shares it
        User = get_user_model()
        users = [
            User(
                username=demo_email(str(r["local"])),
                email=demo_email(str(r["local"])),
                first_name=str(r["name"]).split(" ", 1)[0],
                last_name=str(r["name"]).split(" ", 1)[1],
                password=password,
                date_joined=self.now - dt.timedelta(days=rng.randint(30, 1400)),
            )
            for r in rows
        ]
        User.objects.bulk_create(users)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
        )

        members: list[Membership] = []
        for r, user in zip(rows, users, strict=True):
            audience = int(min(40000, max(15, rng.lognormvariate(5.6, 1.15))))
            recent_joiner = r["role"] == Role.EMPLOYEE and rng.random() < 0.06
            joined = self.now - dt.timedelta(
                days=rng.randint(3, max(4, self.days - 10)) if recent_joiner else rng.randint(self.days + 5, 2200)
            )
            # Private is the default (ADR 0025); most demo people chose to appear, by name or anonymously.
            visibility = rng.choices(
                [LeaderboardVisibility.NAME, LeaderboardVisibility.ANONYMOUS, LeaderboardVisibility.HIDDEN],
                [65, 15, 20],
            )[0]
            mastodon = rng.choice(data.MASTODON_SERVERS) if rng.random() < 0.18 else ""
            if r["local"] == data.EMPLOYEE[1]:
                mastodon, audience, visibility = "hachyderm.io", 1450, LeaderboardVisibility.NAME
            members.append(
                Membership(
                    workspace=self.ws,
                    user=user,
                    role=str(r["role"]),
                    display_name=str(r["name"]),
                    title=str(r["title"]),
                    department=self.departments[str(r["dept"])] if r["dept"] else None,
                    location=self.locations[str(r["loc"])],
                    mastodon_instance=mastodon,
                    audience_size=audience,
                    leaderboard_visibility=visibility,
                    is_active=not (r["role"] == Role.EMPLOYEE and rng.random() < 0.015),
                    joined_at=joined,
                )
            )
        Membership.objects.bulk_create(members)
        self.members = members
        self.by_email = {m.user.email: m for m in members}

        # Reporting lines: heads report to the CEO, leads to their head, everyone else to a lead or head.
        ceo = members[0]
        heads: dict[int, Membership] = {}
        leads: dict[int, list[Membership]] = defaultdict(list)
        for m, r in zip(members, rows, strict=True):
            if m is ceo or m.department_id is None:
                continue
            title = str(r["title"])
            if title in {s.head_title for s in specs}:
                heads[m.department_id] = m
            elif m.role == Role.MANAGER:
                leads[m.department_id].append(m)
        for m in members:
            if m is ceo:
                continue
            dept_id = m.department_id or 0
            head = heads.get(dept_id)
            if head is None or m is head:
                m.manager = ceo
            elif m.role == Role.MANAGER or m.role == Role.ADMIN or not leads[dept_id]:
                m.manager = head
            else:
                m.manager = rng.choice(leads[dept_id])
        Membership.objects.bulk_update(members, ["manager"], batch_size=500)

        # Interests: mostly from the department's topics, sometimes anything.
        through = Membership.interests.through
        links: list[Any] = []
        spec_by_dept = {self.departments[s.name].pk: s for s in specs}
        for m, r in zip(members, rows, strict=True):
            dept_spec = spec_by_dept.get(m.department_id) if m.department_id else None
            options = list(dept_spec.interests) if dept_spec else ["company-news", "community"]
            chosen = set(rng.sample(options, k=min(len(options), rng.randint(1, 3))))
            if rng.random() < 0.35:
                chosen.add(rng.choice(list(data.TOPICS)))
            self.interests[m.pk] = chosen
            links.extend(through(membership_id=m.pk, topic_id=self.topics[t].pk) for t in chosen)
            # Networks this person shares to.
            nets = [n for n, p in data.NETWORK_USE.items() if rng.random() < p] or ["linkedin"]
            if m.mastodon_instance:
                nets.append("mastodon")
            self.networks[m.pk] = nets
            tier = int(str(r["tier"]))
            self.propensity[m.pk] = TIERS[tier][1] * rng.uniform(0.6, 1.4) if m.is_active else 0.0
        through.objects.bulk_create(links, batch_size=1000)
        self.networks[self.by_email[demo_email(data.EMPLOYEE[1])].pk] = ["linkedin", "mastodon", "x", "copy"]

    # --- content -----------------------------------------------------------------------------------

    def _cover(self, n: int) -> str:
        """The stored name of cover ``n`` (an uploaded image, served from this server's /media/ on whatever host
        and port it runs: a URL with SITE_URL in it broke every cover when the demo ran on another port)."""
        if not n:
            return ""
        name = f"demo/covers/{n}.svg"
        if name not in self._covers:
            if default_storage.exists(name):
                default_storage.delete(name)
            source = COVERS / f"{n}.svg"
            self._covers[name] = default_storage.save(name, ContentFile(source.read_bytes()))
        return self._covers[name]

    def _captions(self, spec: data.ItemSpec, item: Item) -> list[Caption]:
        tags = f" {spec.tags}" if spec.tags else ""
        linkedin = f"{spec.hook}\n\n{spec.description}{tags}"
        short = f"{spec.hook}{tags}"
        if len(short) > 230:
            short = spec.hook[:230]
        captions = [
            Caption(item=item, network="", text=f"{spec.hook} {spec.description}", position=0),
            Caption(item=item, network="linkedin", text=linkedin, position=1),
            Caption(item=item, network="x", text=short, position=2),
        ]
        if self.rng.random() < 0.5:
            captions.append(Caption(item=item, network="mastodon", text=f"{spec.hook} {spec.description}", position=3))
        if self.rng.random() < 0.4:
            captions.append(Caption(item=item, network="bluesky", text=short, position=4))
        return captions

    def _content(self) -> None:
        rng = self.rng
        admin = self.by_email[demo_email(data.ADMIN[1])]
        second_admin = self.by_email[demo_email(data.SECOND_ADMIN[1])]
        window_start = self.now - dt.timedelta(days=self.days)
        campaign_at = dt.datetime.combine(self.campaign_day, dt.time(9, 0), tzinfo=self.tz)
        items: list[Item] = []
        specs: list[data.ItemSpec | None] = []
        spread = [s for s in data.ITEMS if s.age_days is None and not s.campaign]
        for spec in data.ITEMS:
            if spec.campaign:
                published = campaign_at + dt.timedelta(hours=3 * data.ITEMS.index(spec))
            elif spec.age_days is not None:
                published = self.now - dt.timedelta(days=spec.age_days, hours=rng.randint(0, 8))
            else:
                # Spread over the window, oldest first, with a little jitter.
                position = spread.index(spec) / max(1, len(spread) - 1)
                published = window_start + dt.timedelta(days=(self.days - 2) * position + rng.uniform(-1.5, 1.5))
            published = min(published, self.now - dt.timedelta(hours=2))
            items.append(
                Item(
                    workspace=self.ws,
                    kind=ItemKind.URL,
                    state=ItemState.PUBLISHED,
                    url=f"https://{spec.host}{spec.path}",
                    title=spec.title,
                    description=spec.description,
                    image=self._cover(spec.cover),
                    unfurl_state=UnfurlState.DONE,
                    created_by=rng.choice([admin, admin, second_admin]),
                    created_at=published - dt.timedelta(hours=rng.randint(1, 48)),
                    published_at=published,
                )
            )
            specs.append(spec)
        for j, (body, _topics) in enumerate(data.TEXT_POSTS):
            published = window_start + dt.timedelta(days=(self.days - 3) * (j + 0.5) / len(data.TEXT_POSTS))
            items.append(
                Item(
                    workspace=self.ws,
                    kind=ItemKind.TEXT,
                    state=ItemState.PUBLISHED,
                    body=body,
                    unfurl_state=UnfurlState.NOT_NEEDED,
                    created_by=admin,
                    created_at=published - dt.timedelta(hours=2),
                    published_at=published,
                )
            )
            specs.append(None)
        # One expired event, one scheduled for next week, one archived and one draft.
        expired = items[data.ITEMS.index(_spec("Spring trail running series: sign up"))]
        expired.expires_at = self.now - dt.timedelta(days=max(1, self.days // 6))
        Item.objects.bulk_create(items)
        extra = [
            Item(
                workspace=self.ws,
                kind=ItemKind.URL,
                state=ItemState.PUBLISHED,
                url=f"https://www.{data.DOMAIN}/events/repair-cafe",
                title="Repair Café at every store, next Saturday",
                description="Bring anything with a broken zip, a torn seam or a tired buckle; our techs will show you how.",
                image=self._cover(6),
                unfurl_state=UnfurlState.DONE,
                created_by=admin,
                created_at=self.now - dt.timedelta(days=1),
                published_at=self.now - dt.timedelta(days=1),
                starts_at=self.now + dt.timedelta(days=3),
            ),
            Item(
                workspace=self.ws,
                kind=ItemKind.URL,
                state=ItemState.ARCHIVED,
                url=f"https://www.{data.DOMAIN}/summer-sale",
                title="Summer sale: last chance",
                description="Up to 40% off last season's colours.",
                unfurl_state=UnfurlState.DONE,
                created_by=second_admin,
                created_at=self.now - dt.timedelta(days=self.days + 30),
                published_at=self.now - dt.timedelta(days=self.days + 30),
            ),
            Item(
                workspace=self.ws,
                kind=ItemKind.TEXT,
                state=ItemState.DRAFT,
                body="Draft: holiday hours for all stores (waiting for the final schedule).",
                created_by=admin,
                created_at=self.now - dt.timedelta(hours=20),
            ),
        ]
        Item.objects.bulk_create(extra)
        scheduled = extra[0]

        captions: list[Caption] = []
        topic_links: list[Any] = []
        target_dept_links: list[Any] = []
        target_loc_links: list[Any] = []
        topics_through = Item.topics.through
        for item, item_spec in zip(items, specs, strict=True):
            if item_spec is None:
                body_topics = dict(data.TEXT_POSTS)[item.body]
                topic_slugs: tuple[str, ...] = body_topics
                captions.append(Caption(item=item, network="", text=item.body, position=0))
                self.item_meta[item.pk] = ItemMeta(appeal=0.7, topics=set(topic_slugs))
            else:
                topic_slugs = item_spec.topics
                captions.extend(self._captions(item_spec, item))
                depts = {self.departments[d].pk for d in item_spec.target_departments}
                locs = {self.locations[loc].pk for loc in item_spec.target_locations}
                for d in depts:
                    target_dept_links.append(Item.target_departments.through(item_id=item.pk, department_id=d))
                for loc in locs:
                    target_loc_links.append(Item.target_locations.through(item_id=item.pk, location_id=loc))
                self.item_meta[item.pk] = ItemMeta(
                    appeal=item_spec.appeal * rng.uniform(0.7, 1.3),
                    topics=set(topic_slugs),
                    depts=depts,
                    locs=locs,
                    campaign=item_spec.campaign,
                )
            topic_links.extend(topics_through(item_id=item.pk, topic_id=self.topics[t].pk) for t in topic_slugs)
        topic_links.append(topics_through(item_id=scheduled.pk, topic_id=self.topics["sustainability"].pk))
        topic_links.append(topics_through(item_id=scheduled.pk, topic_id=self.topics["events"].pk))
        captions.append(
            Caption(
                item=scheduled, network="", text="Bring your broken gear to a Repair Café this Saturday!", position=0
            )
        )
        Caption.objects.bulk_create(captions, batch_size=500)
        topics_through.objects.bulk_create(topic_links, batch_size=500)
        Item.target_departments.through.objects.bulk_create(target_dept_links)
        Item.target_locations.through.objects.bulk_create(target_loc_links)
        self.items = items
        self.captions: dict[int, dict[str, str]] = defaultdict(dict)
        for c in captions:
            self.captions[c.item_id].setdefault(c.network, c.text)

    def _policy(self) -> None:
        """The starter policy, published before the history starts; everyone who shares has read it (sharing
        asks for that first). Its own random stream, so the rest of the company stays as it was."""
        personas = {demo_email(p[1]) for p in (data.ADMIN, data.SECOND_ADMIN, data.MANAGER, data.EMPLOYEE)}
        readers = [m for m in self.members if m.is_active and (self.propensity[m.pk] > 0 or m.user.email in personas)]
        admin = self.by_email[demo_email(data.ADMIN[1])]
        published = self.now - dt.timedelta(days=self.days + 30)
        publish_policy(self.ws, admin, readers, published, random.Random(self.seed * 7919 + 1))

    # --- shares --------------------------------------------------------------------------------------

    def _day_factor(self, day: dt.date, index: int) -> float:
        factor = WEEKDAY_FACTOR[day.weekday()]
        factor *= 0.75 + 0.45 * index / self.days  # the program grows over time
        offset = (day - self.campaign_day).days
        factor *= {0: 3.2, 1: 2.3, 2: 1.6, 3: 1.25}.get(offset, 1.0)
        return factor

    def _poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _pick_item(self, member: Membership, at: dt.datetime, day: dt.date) -> Item | None:
        interests = self.interests[member.pk]
        candidates: list[Item] = []
        weights: list[float] = []
        for item in self.items:
            meta = self.item_meta[item.pk]
            assert item.published_at is not None
            if item.published_at > at or (item.expires_at and item.expires_at <= at):
                continue
            if meta.depts and member.department_id not in meta.depts:
                continue
            if meta.locs and member.location_id not in meta.locs:
                continue
            age_days = (at - item.published_at).total_seconds() / 86400
            weight = math.exp(-age_days / 9) + 0.04
            weight *= meta.appeal
            if interests & meta.topics:
                weight *= 2.5
            if meta.campaign and 0 <= (day - self.campaign_day).days <= 4:
                weight *= 8
            candidates.append(item)
            weights.append(weight)
        if not candidates:
            return None
        return self.rng.choices(candidates, weights)[0]

    def _caption_for(self, item: Item, network: str) -> str:
        options = self.captions[item.pk]
        text = options.get(network) or options.get("") or ""
        roll = self.rng.random()
        if roll < 0.12:
            return ""
        if roll < 0.35:
            text = f"{self.rng.choice(data.PERSONAL_OPENERS)} {text}"
        if network == "x" and len(text) > 250:
            text = options.get("x", "")[:250]
        return text

    def _shares(self) -> list[Share]:
        rng = self.rng
        first_day = (self.now - dt.timedelta(days=self.days)).astimezone(self.tz).date()
        today = self.now.astimezone(self.tz).date()
        hours, hour_weights = list(HOUR_WEIGHTS), list(HOUR_WEIGHTS.values())
        planned: list[tuple[dt.datetime, Membership]] = []
        day = first_day
        index = 0
        while day <= today:
            factor = self._day_factor(day, index)
            for m in self.members:
                rate = self.propensity[m.pk]
                if rate <= 0 or m.joined_at.astimezone(self.tz).date() > day:
                    continue
                for _ in range(self._poisson(rate * factor)):
                    at = dt.datetime.combine(
                        day, dt.time(rng.choices(hours, hour_weights)[0], rng.randint(0, 59), rng.randint(0, 59))
                    ).replace(tzinfo=self.tz)
                    if at < self.now:
                        planned.append((at.astimezone(dt.UTC), m))
            day += dt.timedelta(days=1)
            index += 1
        planned.sort(key=lambda pair: pair[0])
        net_weights = data.NETWORK_PREFERENCE
        shares: list[Share] = []
        for at, member in planned:
            item = self._pick_item(member, at, at.astimezone(self.tz).date())
            if item is None:
                continue
            nets = self.networks[member.pk]
            network = rng.choices(nets, [net_weights[n] for n in nets])[0]
            caption = self._caption_for(item, network).strip()
            try:
                self._check_share(member, item, network, caption, at)
            except ShareError:
                network, caption = "linkedin", ""
                self._check_share(member, item, network, caption, at)
            shares.append(
                Share(
                    workspace_id=member.workspace_id,
                    item=item,
                    member=member,
                    network=network,
                    caption=caption,
                    method=ShareMethod.INTENT,
                    reach_estimate=member.audience_size,
                    created_at=at,
                )
            )
        Share.objects.bulk_create(shares, batch_size=500)
        self._count_shares(shares)
        return shares

    def _check_share(self, member: Membership, item: Item, network: str, caption: str, at: dt.datetime) -> None:
        """``sharing.actions.check_share`` for a member's first share; after that, its checks of the share itself
        (the member passed the policy gate, a query that made up a fifth of the build when asked every time)."""
        if member.pk not in self._may_share:
            check_share(member=member, item=item, network=network, caption=caption, now=at)
            self._may_share.add(member.pk)
            return
        if not item.is_live(at) or len(caption) > MAX_CAPTION or network not in NETWORKS:
            raise ShareError("not shareable")
        problem = NETWORKS[network].validate(
            ShareContext(
                text=caption,
                url=f"{settings.SITE_URL}/XXXXXXX",
                title=item.display_title,
                mastodon_instance=member.mastodon_instance,
            )
        )
        if problem:
            raise ShareError(problem)

    def _count_shares(self, shares: list[Share]) -> None:
        """What ``sharing.actions.create_share`` counts for each share link at once (the share rollups: shares
        started, estimated reach), for all of them in one rollup batch. Their points come with their first
        human click, through the click ingest (ADR 0034)."""
        batch = RollupBatch()
        for share in shares:
            member = share.member
            batch.add(
                workspace_id=share.workspace_id,
                member_id=member.pk,
                department_id=member.department_id,
                location_id=member.location_id,
                day=local_day(share.created_at, self.ws.timezone),
                network=share.network,
                item_id=share.item_id,
                delta=Delta(shares=1, reach=share.reach_estimate),
            )
        batch.write()

    # --- clicks --------------------------------------------------------------------------------------

    def _visitor(self, visitor_id: int, at: dt.datetime) -> str:
        day = local_day(at, data.TIMEZONE).isoformat()
        return hashlib.sha256(f"demo:{self.seed}:{visitor_id}:{day}".encode()).hexdigest()

    def _clicks(self, shares: list[Share]) -> int:
        rng = self.rng
        events: list[ClickEvent] = []
        next_visitor = 0
        for share in shares:
            meta = self.item_meta[share.item_id]
            rate = data.CLICK_RATE.get(share.network, 0.01)
            audience = max(20, share.reach_estimate)
            expected = audience * rate * meta.appeal * rng.gammavariate(1.3, 1 / 1.3)
            human = min(600, self._poisson(expected))
            referrers = data.REFERRERS.get(share.network, [""])
            visitors: list[int] = []
            for _ in range(human):
                delay_hours = rng.expovariate(1 / 9) if rng.random() < 0.88 else rng.uniform(24, 24 * 14)
                at = share.created_at + dt.timedelta(hours=delay_hours, seconds=rng.randint(5, 600))
                if at >= self.now:
                    continue
                if visitors and rng.random() < 0.18:  # a repeat visitor
                    visitor = rng.choice(visitors)
                else:
                    next_visitor += 1
                    visitor = next_visitor
                    visitors.append(visitor)
                referrer = rng.choice(referrers)
                if share.network == "mastodon" and referrer == "" and rng.random() < 0.5:
                    referrer = share.member.mastodon_instance
                events.append(
                    ClickEvent.new(
                        code=share.code,
                        clicked_at=at,
                        visitor_hash=self._visitor(visitor, at),
                        user_agent=rng.choice(data.BROWSERS),
                        referrer_host=referrer,
                    )
                )
            # Link-preview bots fetch right after sharing; a few crawlers come later.
            bots = (
                1 if rng.random() < {"linkedin": 0.3, "x": 0.35, "facebook": 0.3}.get(share.network, 0.1) else 0
            ) + (1 if rng.random() < 0.01 * human else 0)
            for _ in range(bots):
                at = share.created_at + dt.timedelta(seconds=rng.randint(2, 3600 * 6))
                if at >= self.now:
                    continue
                next_visitor += 1
                events.append(
                    ClickEvent.new(
                        code=share.code,
                        clicked_at=at,
                        visitor_hash=self._visitor(next_visitor, at),
                        user_agent=rng.choice(data.BOTS),
                        is_bot=True,
                    )
                )
        events.sort(key=lambda e: e.clicked_at)
        written = 0
        for offset in range(0, len(events), CLICK_BATCH):
            written += write_clicks(events[offset : offset + CLICK_BATCH])
        return written

    # --- submissions, ledger times and goals -----------------------------------------------------------

    def _submissions(self) -> None:
        rng = self.rng
        admin = self.by_email[demo_email(data.ADMIN[1])]
        employees = [m for m in self.members if m.role == Role.EMPLOYEE and m.is_active]
        submitters = rng.sample(employees, k=min(len(employees), 6))
        pending: list[Item] = []
        for i, (url, title, description, note, _topics) in enumerate(data.PENDING_SUBMISSIONS):
            created = self.now - dt.timedelta(hours=6 + 17 * i)
            pending.append(
                Item(
                    workspace=self.ws,
                    kind=ItemKind.URL if url else ItemKind.TEXT,
                    state=ItemState.PENDING,
                    url=url,
                    title=title if url else "",
                    description=description,
                    body="" if url else note,
                    unfurl_state=UnfurlState.DONE if url else UnfurlState.NOT_NEEDED,
                    created_by=submitters[i % len(submitters)],
                    submitted_by=submitters[i % len(submitters)],
                    created_at=created,
                )
            )
        url, title, description, _note, reason = data.REJECTED_SUBMISSION
        pending.append(
            Item(
                workspace=self.ws,
                kind=ItemKind.URL,
                state=ItemState.REJECTED,
                url=url,
                title=title,
                description=description,
                unfurl_state=UnfurlState.DONE,
                created_by=submitters[3 % len(submitters)],
                submitted_by=submitters[3 % len(submitters)],
                reviewed_by=admin,
                rejection_reason=reason,
                created_at=self.now - dt.timedelta(days=4),
            )
        )
        Item.objects.bulk_create(pending)
        captions = [
            Caption(item=item, network="", text=note, position=0)
            for item, (_u, _t, _d, note, _topics) in zip(pending, data.PENDING_SUBMISSIONS, strict=False)
        ]
        Caption.objects.bulk_create(captions)
        through = Item.topics.through
        through.objects.bulk_create(
            through(item_id=item.pk, topic_id=self.topics[t].pk)
            for item, spec in zip(pending, data.PENDING_SUBMISSIONS, strict=False)
            for t in spec[4]
        )
        # Two published items came in as employee submissions: they were approved and earned points.
        from groundswell.analytics.rollups import RollupBatch

        approved = [self.items[data.ITEMS.index(_spec("Customer story: a 20-year-old Northwind parka, still going"))]]
        approved.append(self.items[data.ITEMS.index(_spec("Volunteer day: 120 Northwinders, 4 miles of new trail"))])
        batch = RollupBatch()
        for item, submitter in zip(approved, submitters[4:], strict=False):
            assert item.published_at is not None
            item.submitted_by = submitter
            item.reviewed_by = admin
            item.save(update_fields=["submitted_by", "reviewed_by"])
            award_points(
                member=submitter,
                action=Action.SUBMISSION_APPROVED,
                key=f"submission:{item.pk}",
                day=local_day(item.published_at, data.TIMEZONE),
                rollup=batch,
                at=item.published_at,
            )
        batch.write()

    def _segment(self, period: str, start: dt.date) -> SegmentPeriod | None:
        return SegmentPeriod.objects.filter(
            workspace=self.ws, period=period, start=start, dimension=Dimension.ALL, key=""
        ).first()

    @staticmethod
    def _nice(value: float) -> int:
        if value < 20:
            return max(1, math.ceil(value))
        step = 10 ** max(1, int(math.log10(value)) - 1)
        step = step * 5 if value / step > 50 else step
        return int(math.ceil(value / step) * step)

    def _goals(self) -> None:
        admin = self.by_email[demo_email(data.ADMIN[1])]
        today = self.now.astimezone(self.tz).date()
        quarter = period_start("q", today)
        month = period_start("m", today)
        q = self._segment("q", quarter)
        m = self._segment("m", month)
        q_clicks, q_shares = (q.clicks, q.shares) if q else (0, 0)
        m_active = m.active_members if m else 0
        quarter_label = f"Q{(quarter.month - 1) // 3 + 1}"
        goals = [
            Goal(
                workspace=self.ws,
                name=f"{quarter_label}: visitors from employee shares",
                metric=Metric.CLICKS,
                target=self._nice(max(50, q_clicks * 1.6)),
                period=PeriodKind.QUARTER,
                period_start=quarter,
                created_by=admin,
            ),
            Goal(
                workspace=self.ws,
                name=f"{quarter_label}: shares",
                metric=Metric.SHARES,
                target=self._nice(max(20, q_shares * 1.3)),
                period=PeriodKind.QUARTER,
                period_start=quarter,
                created_by=admin,
            ),
            Goal(
                workspace=self.ws,
                name="One in three Northwinders sharing this month",
                metric=Metric.ACTIVE_AMBASSADORS,
                target=max(m_active + 3, math.ceil(len(self.members) / 3)),
                period=PeriodKind.MONTH,
                period_start=month,
                created_by=admin,
            ),
        ]
        previous_quarter = period_start("q", quarter - dt.timedelta(days=1))
        pq = self._segment("q", previous_quarter)
        if pq and pq.shares:
            goals.append(
                Goal(
                    workspace=self.ws,
                    name=f"Q{(previous_quarter.month - 1) // 3 + 1} {previous_quarter.year}: shares",
                    metric=Metric.SHARES,
                    target=self._nice(pq.shares * 0.9),
                    period=PeriodKind.QUARTER,
                    period_start=previous_quarter,
                    created_by=admin,
                    created_at=self.now - dt.timedelta(days=(today - previous_quarter).days),
                )
            )
        Goal.objects.bulk_create(goals)

    def _logins(self) -> list[DemoLogin]:
        return [
            DemoLogin("Program admin", data.ADMIN[0], demo_email(data.ADMIN[1]), DEMO_PASSWORD),
            DemoLogin("Manager (Sales)", data.MANAGER[0], demo_email(data.MANAGER[1]), DEMO_PASSWORD),
            DemoLogin("Employee", data.EMPLOYEE[0], demo_email(data.EMPLOYEE[1]), DEMO_PASSWORD),
        ]


def _spec(title: str) -> data.ItemSpec:
    return next(s for s in data.ITEMS if s.title == title)


def build_demo(
    *,
    seed: int = 7,
    employees: int = 220,
    days: int = 90,
    now: dt.datetime | None = None,
    log: Callable[[str], None] | None = None,
) -> DemoResult:
    return DemoBuilder(seed=seed, employees=employees, days=days, now=now, log=log).build()
