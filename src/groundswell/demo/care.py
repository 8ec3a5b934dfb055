"""Demo data for customer care: questions and complaints about Northwind heard on social media in the last
two days, routed to the volunteers who chose "answer customers" (through the app's own actions), most of
them answered with an approved snippet, a few waiting, one escalated to the admins; and a few other brand
mentions waiting in the triage queue."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from zoneinfo import ZoneInfo

from django.db import transaction

from groundswell.care import actions
from groundswell.care.models import Case, CaseStatus
from groundswell.care.queries import responder_ids, suggested_snippets
from groundswell.listening.enrich import enrich
from groundswell.listening.models import Intent, Mention, Post, Source, SourceKind, Topic, TopicKind
from groundswell.workspaces.models import Membership, Role, Workspace

SNIPPETS = (
    ("Returns", "", "Returns", "Hi! You can return anything within 60 days, free, in any store or by post: "
     "https://northwind-outfitters.example/returns. Happy to help if anything is unclear."),
    ("Boot sizes", "en", "Boots", "Our boots run half a size small. The fit guide has a printable insole "
     "template: https://northwind-outfitters.example/fit"),
    ("Rücksendung", "de", "Returns", "Hallo! Rücksendungen sind 60 Tage lang kostenlos, im Laden oder per Post: "
     "https://northwind-outfitters.example/returns"),
    ("Repairs", "", "", "Our repair team fixes zips, seams and soles for free for the life of the product: "
     "https://northwind-outfitters.example/repair"),
)  # fmt: skip
QUESTIONS = (
    ("en", "Boots", Intent.QUESTION, "Do Northwind Trail boots run small? Between a 42 and a 43."),
    ("en", "Returns", Intent.COMPLAINT, "Been waiting 3 weeks for my Northwind refund. Anyone else?"),
    ("de", "Returns", Intent.QUESTION, "Kann ich bei Northwind online gekauftes im Laden zurückgeben?"),
    ("en", "Boots", Intent.QUESTION, "Are the Northwind winter boots ok for -20°C?"),
    ("en", "", Intent.QUESTION, "Does Northwind repair old jackets? Zip on mine is gone after 6 years."),
    ("en", "Returns", Intent.QUESTION, "Northwind: do I need the receipt to exchange a gift?"),
    ("de", "Boots", Intent.COMPLAINT, "Northwind Stiefel nach zwei Monaten undicht. Enttäuschend."),
    ("en", "", Intent.QUESTION, "Is the new Northwind store in Berlin open on Sundays?"),
    ("en", "Boots", Intent.QUESTION, "Northwind, will the Trail boots come in wide fit?"),
    ("en", "Returns", Intent.COMPLAINT, "Northwind charged me shipping on a return that was supposed to be free"),
)

#: Brand mentions the intent rules do not call a question or complaint: they wait in the triage queue (ADR 0028).
TRIAGE = (
    ("en", "My Northwind jacket zip and I are no longer on speaking terms"),
    ("en", "Third pair of Northwind Trail boots in two years. Hmm."),
    ("de", "Northwind Rucksack im Test: solide Nähte, fairer Preis"),
    ("en", "New Northwind store opening on Saturday, free coffee for the first 100"),
    ("en", "Northwind checkout just spins forever on my phone lol"),
)


def _topic(ws: Workspace, name: str, kind: str, query: str) -> Topic:
    topic, _ = Topic.objects.get_or_create(workspace=ws, name=name, defaults={"kind": kind, "query": query})
    return topic


#: The local time of day the care story ends at (near the end of the default 9-17 shift, see ``shift_end``).
STORY_ENDS_AT = dt.time(16, 0)


def shift_end(ws: Workspace, now: dt.datetime) -> dt.datetime:
    """The latest weekday 16:00 in the workspace's time zone at or before ``now``.

    The cases are routed and escalated by the responders' shifts (9-17 on weekdays by default), so a story
    told relative to ``now`` would come out differently at 03:00 than at 15:00 (everyone off shift, every case
    overdue). Told relative to this moment, it is the same mix at any hour: some open within the shift, some
    overdue, most answered."""
    tz = ZoneInfo(ws.timezone)
    local = now.astimezone(tz)
    day = local.date() if local.time() >= STORY_ENDS_AT else local.date() - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, STORY_ENDS_AT, tzinfo=tz).astimezone(dt.UTC)


def build_care(ws: Workspace, now: dt.datetime, rng: random.Random) -> None:
    """Runs inside the demo builder's transaction. The actions queue their e-mails for after the commit; the
    demo drops them (nobody should get mail about made-up customers)."""
    if not responder_ids(ws):
        return
    connection = transaction.get_connection()
    queued = len(connection.run_on_commit)
    _build(ws, shift_end(ws, now), rng)
    del connection.run_on_commit[queued:]


#: When the customers asked (local times): five during the previous weekday's shift, five during the last one.
#: The first seven get answered; of the last three, two wait past the first-response target (overdue) and the
#: last one is still open within the shift when the story ends.
ASKED = (
    (1, dt.time(9, 20)), (1, dt.time(10, 35)), (1, dt.time(11, 50)), (1, dt.time(13, 5)), (1, dt.time(14, 20)),
    (0, dt.time(9, 15)), (0, dt.time(10, 30)), (0, dt.time(11, 45)), (0, dt.time(13, 40)), (0, dt.time(15, 25)),
)  # fmt: skip


def _asked_at(ws: Workspace, end: dt.datetime) -> list[dt.datetime]:
    tz = ZoneInfo(ws.timezone)
    last = end.astimezone(tz).date()
    previous = last - dt.timedelta(days=1)
    while previous.weekday() >= 5:
        previous -= dt.timedelta(days=1)
    days = {0: last, 1: previous}
    return [dt.datetime.combine(days[back], at, tzinfo=tz).astimezone(dt.UTC) for back, at in ASKED]


def _build(ws: Workspace, now: dt.datetime, rng: random.Random) -> None:
    brand = _topic(ws, "Northwind", TopicKind.BRAND, "northwind")
    topics = {
        "Boots": _topic(ws, "Boots", TopicKind.CATEGORY, "boot OR boots OR stiefel"),
        "Returns": _topic(ws, "Returns", TopicKind.CATEGORY, "return OR refund OR rückgabe OR zurückgeben"),
    }
    admin = Membership.objects.filter(workspace=ws, role=Role.ADMIN).order_by("pk").first()
    for title, lang, topic_name, body in SNIPPETS:
        chosen = [topics[topic_name]] if topic_name else []
        if admin is not None:
            actions.save_snippet(ws, admin, title=title, body=body, language=lang, topics=chosen)
    source = Source.objects.create(workspace=ws, kind=SourceKind.MASTODON, name="Mastodon: northwind")
    for member_id in responder_ids(ws):
        actions.ensure_profile(Membership.objects.select_related("workspace").get(pk=member_id))
    asked = _asked_at(ws, now)
    for i, (lang, topic_name, intent, text) in enumerate(QUESTIONS):
        at = asked[i] + dt.timedelta(minutes=rng.randint(0, 9))
        post = Post.objects.create(
            workspace=ws, source=source, external_id=f"https://mastodon.example/@customer{i}/{1000 + i}",
            url=f"https://mastodon.example/@customer{i}/{1000 + i}", author=f"@customer{i}@mastodon.example",
            author_url=f"https://mastodon.example/@customer{i}", text=text, lang=lang, published_at=at,
            fetched_at=at, content_hash=hashlib.sha256(text.encode()).hexdigest(), intent=intent,
        )  # fmt: skip
        mentions = [
            Mention.objects.create(workspace=ws, post=post, topic=t, day=at.date(), sentiment="neutral", intent=intent)
            for t in [brand, *([topics[topic_name]] if topic_name else [])]
        ]
        actions.open_cases_for(mentions, now=at)
        actions.escalate_overdue(at)
        actions.route_waiting(at)
        case = Case.objects.select_related("assignee__workspace").get(post=post)
        if i < 7 and case.assignee is not None and case.status == CaseStatus.ASSIGNED:
            snippets = suggested_snippets(case)
            answer = snippets[0].body if snippets else "Thanks for asking! I work at Northwind: we'll sort it today."
            actions.record_reply(case, case.assignee, answer, now=at + dt.timedelta(minutes=rng.randint(4, 25)))
            if i % 2 == 0:
                actions.resolve_case(case, case.assignee, now=at + dt.timedelta(hours=2))
    for i, (lang, text) in enumerate(TRIAGE):
        at = now - dt.timedelta(hours=10 - 2 * i, minutes=rng.randint(0, 50))
        found = enrich(text, lang_hint=lang)
        post = Post.objects.create(
            workspace=ws, source=source, external_id=f"https://mastodon.example/@fan{i}/{2000 + i}",
            url=f"https://mastodon.example/@fan{i}/{2000 + i}", author=f"@fan{i}@mastodon.example",
            author_url=f"https://mastodon.example/@fan{i}", text=text, lang=found.lang, published_at=at, fetched_at=at,
            content_hash=hashlib.sha256(text.encode()).hexdigest(), intent=found.intent, sentiment=found.sentiment,
            sentiment_score=found.score,
        )  # fmt: skip
        mention = Mention.objects.create(
            workspace=ws, post=post, topic=brand, day=at.date(), sentiment=found.sentiment, intent=found.intent
        )
        actions.open_cases_for([mention], now=at)
        actions.open_triage_for([mention], now=at)
    actions.escalate_overdue(now)
