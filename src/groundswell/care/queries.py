"""Read queries of customer care (no writes here): who can answer, the lists of cases, a case's thread."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from groundswell.care.hours import DEFAULT_WEEK, from_json, on_shift
from groundswell.care.models import (
    FIXABLE,
    NOT_YET,
    OPEN,
    REPLY_FAILED,
    REPLY_STUCK,
    UNANSWERED,
    CareSettings,
    Case,
    CaseEvent,
    CaseStatus,
    DepartmentSkill,
    EventKind,
    ResponderProfile,
    Snippet,
    TriageItem,
    TriageStatus,
)
from groundswell.care.routing import RECENT, Responder, shift_minutes, window_start
from groundswell.enrolment.models import ChoiceKind, Enrolment, EnrolmentChoice
from groundswell.enrolment.queries import volunteers
from groundswell.listening.models import Post, SourceKind, Topic, TopicKind
from groundswell.networks.models import AccountStatus, ConnectedAccount, OutboundPost, PostStatus
from groundswell.networks.outbox import can_reply, network_label
from groundswell.stewards.models import BrandAccount
from groundswell.stewards.queries import brand_accounts, current_shifts
from groundswell.workspaces.models import Membership, Workspace

#: How many parent posts of a thread the responder's page shows.
THREAD_DEPTH = 10


def care_settings(workspace: Workspace) -> CareSettings:
    """The workspace's settings (the defaults, unsaved, until an admin changes them)."""
    return CareSettings.objects.filter(workspace=workspace).first() or CareSettings(workspace=workspace)


def responder_ids(workspace: Workspace) -> list[int]:
    """Members who joined and chose "answer customers" (enrolment)."""
    return list(volunteers(workspace, activity="answer").values_list("pk", flat=True))


def is_responder(member: Membership) -> bool:
    return volunteers(member.workspace, activity="answer").filter(pk=member.pk).exists()


def enrolled_languages(member_ids: list[int]) -> dict[int, list[str]]:
    rows = EnrolmentChoice.objects.filter(enrolment__member_id__in=member_ids, kind=ChoiceKind.LANGUAGE)
    found: dict[int, list[str]] = defaultdict(list)
    for member_id, value in rows.values_list("enrolment__member_id", "value"):
        found[member_id].append(value)
    return found


def responders(workspace: Workspace, now: dt.datetime | None = None) -> list[Responder]:
    """Everyone who may be routed a case, as routing input (a fixed number of queries).

    A volunteer who never opened their responder profile answers in their enrolment languages, in the default
    working hours of the workspace's time zone, on every topic. Fairness input: the cases routed to each in
    their window (``routing.window_start``: the last week, or since they joined the program when later) and
    their minutes on shift in it, by their working hours as they are now (a changed week or a pause is not
    remembered: the rate is an estimate, and a floor keeps one early case from counting as many)."""
    ids = responder_ids(workspace)
    if not ids:
        return []
    now = now or timezone.now()
    profiles = {p.member_id: p for p in ResponderProfile.objects.filter(member_id__in=ids).prefetch_related("skills")}
    languages = enrolled_languages([pk for pk in ids if pk not in profiles])
    departments = dict(Membership.objects.filter(pk__in=ids).values_list("pk", "department_id"))
    joined = dict(Enrolment.objects.filter(member_id__in=ids).values_list("member_id", "joined_at"))
    department_skills: dict[int, set[int]] = defaultdict(set)
    for department_id, topic_id in DepartmentSkill.objects.filter(workspace=workspace).values_list(
        "department_id", "topic_id"
    ):
        department_skills[department_id].add(topic_id)
    load = dict(
        Case.objects.filter(assignee_id__in=ids, status=CaseStatus.ASSIGNED)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .values_list("assignee_id", "n")
    )
    # Cases routed in each one's window: the last week, and not before they (last) joined.
    recent = dict(
        CaseEvent.objects.filter(
            member_id__in=ids, kind__in=[EventKind.ASSIGNED, EventKind.REASSIGNED], at__gte=now - RECENT
        )
        .filter(Q(member__enrolment__joined_at__isnull=True) | Q(at__gte=F("member__enrolment__joined_at")))
        .values_list("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    found = []
    for pk in ids:
        profile = profiles.get(pk)
        skills = set(department_skills.get(departments.get(pk) or 0, set()))
        since = window_start(now, joined.get(pk))
        if profile is not None:
            skills |= {t.pk for t in profile.skills.all()}
            week, tz = from_json(profile.week), profile.time_zone or workspace.timezone
            found.append(
                Responder(
                    member_id=pk,
                    languages=frozenset(profile.languages),
                    skills=frozenset(skills),
                    week=week,
                    tz=tz,
                    open_cases=load.get(pk, 0),
                    last_assigned_at=profile.last_assigned_at,
                    paused=profile.paused,
                    recent_cases=recent.get(pk, 0),
                    recent_shift_minutes=shift_minutes(week, tz, since, now),
                )
            )
        else:
            found.append(
                Responder(
                    member_id=pk,
                    languages=frozenset(languages.get(pk, [])),
                    skills=frozenset(skills),
                    week=DEFAULT_WEEK,
                    tz=workspace.timezone,
                    open_cases=load.get(pk, 0),
                    recent_cases=recent.get(pk, 0),
                    recent_shift_minutes=shift_minutes(DEFAULT_WEEK, workspace.timezone, since, now),
                )
            )
    return found


def earlier_assignees(case: Case) -> frozenset[int]:
    return frozenset(
        pk
        for pk in case.events.filter(kind__in=[EventKind.ASSIGNED, EventKind.REASSIGNED]).values_list(
            "member_id", flat=True
        )
        if pk is not None
    )


def with_post(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related(
        "post", "post__source", "topic", "assignee", "responder", "reply_outbound", "reply_outbound__account"
    )


@dataclass(frozen=True)
class ReplyOption:
    """An account the member may post the answer from: their own, or the brand account they steward now."""

    account: ConnectedAccount
    brand: bool

    @property
    def label(self) -> str:
        return "the brand account" if self.brand else f"@{self.account.handle.lstrip('@')}"


def reply_network(case: Case) -> str:
    """The network a reply to the case's post goes to ("" when Groundswell cannot post replies there)."""
    kind = case.post.source.kind
    return kind if can_reply(kind) else ""


def reply_options(case: Case, member: Membership, now: dt.datetime | None = None) -> list[ReplyOption]:
    """The accounts ``member`` can post the answer from: their connected accounts on the post's network,
    and the workspace's brand account there while they are its steward on shift, unless its posts need approval
    (a fixed number of queries)."""
    network = reply_network(case)
    if not network:
        return []
    now = now or timezone.now()
    own = ConnectedAccount.objects.filter(
        workspace_id=case.workspace_id, member=member, network=network, status=AccountStatus.ACTIVE
    )
    options = [ReplyOption(account=a, brand=False) for a in own.order_by("handle", "pk")]
    brands = list(
        brand_accounts(member.workspace).filter(account__network=network, account__status=AccountStatus.ACTIVE)
    )
    shifts = current_shifts(brands, now) if brands else {}
    for brand in brands:
        shift = shifts.get(brand.pk)
        # A brand account whose posts need an admin's approval is not offered: its steward copies the answer
        # out (or drafts a brand post for approval) rather than bypassing that rule.
        if shift is not None and shift.steward_id == member.pk and not brand.require_approval:
            options.append(ReplyOption(account=brand.account, brand=True))
    return options


def my_cases(member: Membership) -> QuerySet[Case]:
    """The member's open cases, oldest first."""
    return with_post(Case.objects.filter(assignee=member, status__in=OPEN)).order_by("opened_at", "pk")


def my_recent(member: Membership, limit: int = 20) -> list[Case]:
    qs = Case.objects.filter(Q(responder=member) | Q(assignee=member)).exclude(status__in=OPEN)
    return list(with_post(qs).order_by("-opened_at", "-pk")[:limit])


def team_queue(workspace: Workspace) -> QuerySet[Case]:
    """Every open case (for the admins' queue), escalated and unanswered first."""
    return with_post(Case.objects.filter(workspace=workspace, status__in=OPEN)).order_by("opened_at", "pk")


def escalated(workspace: Workspace) -> QuerySet[Case]:
    return Case.objects.filter(workspace=workspace, status=CaseStatus.ESCALATED)


def failed_replies(workspace: Workspace, member: Membership | None = None) -> QuerySet[Case]:
    """Cases whose answer Groundswell was to post and that did not go out, or is stuck on its way (see
    ``REPLY_STUCK``), newest first: the member's (as responder), or the whole workspace's (the admins' queue)."""
    qs = Case.objects.filter(REPLY_FAILED | REPLY_STUCK, workspace=workspace, status__in=FIXABLE)
    if member is not None:
        qs = qs.filter(responder=member)
    return with_post(qs).order_by("-first_response_at", "-pk")


def reply_failure(outbound: OutboundPost | None) -> str:
    """Why a reply's outbox job did not post it (or, while it waits, has not yet), in words for the responder."""
    if outbound is None:
        return "The post was removed from the outbox."
    if outbound.status in NOT_YET:
        return reply_waiting(outbound)
    if outbound.status == PostStatus.CANCELLED:
        error = outbound.last_error.strip()
        if error.lower().startswith("cancelled:"):  # "Cancelled: the author left the program."
            return f"It was cancelled before it went out: {error.split(':', 1)[1].strip()}"
        return f"It was cancelled before it went out. {error}" if error else "It was cancelled before it went out."
    return outbound.last_error or "The network did not take it."


def needs_reconnect(outbound: OutboundPost | None) -> bool:
    """The account the reply goes out from needs reconnecting (the outbox holds its jobs until then)."""
    account = outbound.account if outbound is not None else None
    return account is not None and account.status == AccountStatus.RECONNECT


def reply_waiting(outbound: OutboundPost) -> str:
    """What a reply that has not gone out yet is waiting for: the account's reconnection, or the network."""
    account = outbound.account
    if account is None:
        return "It is waiting in the outbox."
    label = network_label(account.network)
    if needs_reconnect(outbound):
        who = "A program admin has to reconnect it" if account.member_id is None else "It has to be reconnected"
        return (
            f"It is waiting for the {label} account @{account.handle.lstrip('@')} to be reconnected: {label} no "
            f"longer accepts Groundswell's access. {who}, then the answer goes out at once."
        )
    error = outbound.last_error.strip().rstrip(".")
    said = f" (last answer: {error})" if error else ""
    return f"It is waiting for {label}, which has not taken it yet{said}. Groundswell keeps trying."


def reconnect_path(case: Case, viewer: Membership | None) -> str:
    """Where the account of the case's waiting reply is reconnected, for ``viewer`` (None: the admins); ""
    when it needs no reconnecting or the viewer cannot do it there. A member's own account: their accounts
    page (only theirs: nobody else can reconnect it); a brand account: its page (admins reconnect it)."""
    outbound = case.reply_outbound
    if outbound is None or not needs_reconnect(outbound) or outbound.account is None:
        return ""
    account = outbound.account
    slug = viewer.workspace.slug if viewer is not None else case.workspace.slug
    if account.member_id is None:
        brand_id = BrandAccount.objects.filter(account=account).values_list("pk", flat=True).first()
        return reverse("stewards:account", kwargs={"ws": slug, "brand_id": brand_id}) if brand_id else ""
    if viewer is not None and account.member_id == viewer.pk:
        return reverse("networks:accounts", kwargs={"ws": slug})
    return ""


@dataclass(frozen=True)
class Thread:
    parents: list[Post]  # oldest first
    missing_parent: bool  # the post answers one that listening did not store


def thread(post: Post) -> Thread:
    """The parent posts listening stored (same source), following ``in_reply_to`` up to the root."""
    parents: list[Post] = []
    seen = {post.external_id}
    wanted = post.in_reply_to
    while wanted and wanted not in seen and len(parents) < THREAD_DEPTH:
        seen.add(wanted)
        parent = Post.objects.filter(source_id=post.source_id, external_id=wanted).first()
        if parent is None:
            return Thread(parents=list(reversed(parents)), missing_parent=True)
        parents.append(parent)
        wanted = parent.in_reply_to
    return Thread(parents=list(reversed(parents)), missing_parent=False)


def suggested_snippets(case: Case) -> list[Snippet]:
    """Snippets for the case's language (or any language), those on its topic first."""
    qs = Snippet.objects.filter(workspace_id=case.workspace_id).prefetch_related("topics")
    if case.language:
        qs = qs.filter(Q(language="") | Q(language=case.language))
    snippets = list(qs)
    return sorted(snippets, key=lambda s: (case.topic_id not in {t.pk for t in s.topics.all()}, s.title, s.pk))


def listening_topics(workspace: Workspace) -> QuerySet[Topic]:
    return Topic.objects.filter(workspace=workspace).order_by("kind", "name")


def brand_topic_ids(workspace: Workspace) -> set[int]:
    return set(Topic.objects.filter(workspace=workspace, kind=TopicKind.BRAND).values_list("pk", flat=True))


def unanswered_count(member: Membership) -> int:
    return Case.objects.filter(assignee=member, status__in=UNANSWERED).count()


def staffed_now(found: list[Responder], now: dt.datetime) -> int:
    return sum(1 for r in found if not r.paused and on_shift(r.week, r.tz, now))


def seed_from_enrolment(member: Membership) -> tuple[list[str], list[Topic]]:
    """Languages and topics for a new responder profile: the member's enrolment languages, and the listening
    topics named like the content topics they chose."""
    enrolment = Enrolment.objects.filter(member=member).prefetch_related("choices", "topics").first()
    if enrolment is None:
        return [], []
    names = {t.name.lower() for t in enrolment.topics.all()}
    topics = [t for t in listening_topics(member.workspace) if t.name.lower() in names] if names else []
    return enrolment.languages, topics


# --- triage (ADR 0028) -------------------------------------------------------------------------------------

#: Items per page of the triage queue.
TRIAGE_PAGE = 25


def is_care_team(member: Membership) -> bool:
    """Who works the triage queue: program admins and the members who chose "answer customers"."""
    return member.is_admin or is_responder(member)


def _handle(value: str) -> str:
    return value.strip().lower().lstrip("@")


def company_handles(workspace_ids: set[int]) -> dict[int, dict[str, set[str]]]:
    """The handles of the workspace's own connected accounts (members' and brand accounts), per network: a post
    by one of them is the company talking, not a customer (one query)."""
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = ConnectedAccount.objects.filter(workspace_id__in=workspace_ids).values_list(
        "workspace_id", "network", "handle", "service_url"
    )
    for ws, network, handle, service_url in rows:
        name = _handle(handle)
        found[ws][network].add(name)
        host = urlsplit(service_url).hostname if service_url else None
        if network == "mastodon" and "@" not in name and host:
            found[ws][network].add(f"{name}@{host}")
    return found


def is_from_company(post: Post, handles: dict[str, set[str]]) -> bool:
    """``post`` was written from one of the company's own accounts on its network (``company_handles``)."""
    return bool(post.author) and _handle(post.author) in handles.get(post.source.kind, set())


def triage_queue(workspace: Workspace) -> QuerySet[TriageItem]:
    """The open triage items, most likely to need a reply first, then oldest first."""
    return (
        TriageItem.objects.filter(workspace=workspace, status=TriageStatus.OPEN)
        .select_related("post", "post__source", "topic")
        .order_by("-priority", "post__published_at", "pk")
    )


def triage_decided(workspace: Workspace) -> QuerySet[TriageItem]:
    """What the care team decided, newest first, with who and why."""
    return (
        TriageItem.objects.filter(workspace=workspace)
        .exclude(status=TriageStatus.OPEN)
        .select_related("post", "post__source", "topic", "decided_by", "case")
        .order_by("-decided_at", "-pk")
    )


@dataclass(frozen=True)
class ReplyNetworks:
    """Where listening hears customers, split by whether Groundswell can post a reply there."""

    can: list[str]
    cannot: list[str]


def reply_networks() -> ReplyNetworks:
    """The listening sources whose posts Groundswell can answer from a connected account (the network's
    plug-in supports replies: ``NetworkClient.can_reply``), and those answered by hand."""
    can: list[str] = []
    cannot: list[str] = []
    for kind, label in SourceKind.choices:
        (can if can_reply(kind) else cannot).append(str(label))
    return ReplyNetworks(can=can, cannot=cannot)
