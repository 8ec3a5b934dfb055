"""The ingest pipeline: poll due sources, then normalise, de-duplicate, match, enrich and store.

A poll is ``fetch`` (no transaction, may take seconds) followed by :func:`ingest`, which writes the posts,
their mentions, the per-day topic counts and the source's new cursor in ONE transaction. A crash between the
two (or inside the transaction) leaves the old cursor, so the next poll reads the same posts again; posts
already stored are recognised by ``(source, external_id)`` and not stored twice. Nothing is skipped, nothing
is doubled.

Only posts that match at least one active topic are stored. A post with the same words as a stored post of
the workspace (``content_hash``) or one whose SimHash is at most 3 bits away (a near-duplicate) is stored
with ``duplicate_of`` set and counted in ``TopicDay.duplicates`` instead of ``posts``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from groundswell.lib.periods import local_day
from groundswell.lib.upsert import additive_upsert
from groundswell.listening import credentials, dedupe
from groundswell.listening.enrich import enrich
from groundswell.listening.matcher import Post as MatchPost
from groundswell.listening.matching import matcher_for
from groundswell.listening.models import (
    CredentialStatus,
    Intent,
    ListeningCredential,
    Mention,
    Post,
    Sentiment,
    Source,
    SourceKind,
    TopicDay,
)
from groundswell.listening.sources.base import Credential, FetchedPost, Problem, SourceError, plugin_for

log = logging.getLogger(__name__)

POLL_LIMIT = 200
#: A claimed source is not claimed again for this long, even if the worker polling it died.
LEASE = dt.timedelta(minutes=10)
#: When a source says more posts are waiting, it is polled again this soon.
CATCH_UP = dt.timedelta(seconds=5)
MAX_BACKOFF = dt.timedelta(hours=6)
PERMANENT_BACKOFF = dt.timedelta(hours=24)
#: A rate limit's reset is waited for, but never less than this (clocks differ; resets are approximate).
MIN_RATE_WAIT = dt.timedelta(seconds=30)
NEAR_DUPLICATE_DAYS = 30
MAX_TEXT = 20000

TOPIC_DAY_FIELDS = ("posts", "duplicates", "positive", "neutral", "negative", "questions", "complaints", "praise")


@dataclass
class IngestResult:
    fetched: int = 0
    known: int = 0  # already stored from this source (re-read after a restart)
    unmatched: int = 0
    stored: int = 0
    duplicates: int = 0
    mentions: int = 0
    post_ids: list[int] = field(default_factory=list)


@dataclass
class _Candidate:
    fetched: FetchedPost
    text: str
    content_hash: str
    simhash: int
    topics: list[int]
    duplicate_of: int | None = None
    batch_duplicate_of: int | None = None  # index of an earlier post of this batch


# --- Polling --------------------------------------------------------------------------------------


def due_source_ids(now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Source.objects.filter(is_active=True, next_poll_at__lte=now)
        .exclude(kind=SourceKind.CSV)
        .order_by("next_poll_at")
        .values_list("pk", flat=True)
    )


def claim(source_id: int, now: dt.datetime | None = None, *, due_only: bool = True) -> bool:
    """Take the source for one poll. False when another worker holds it (or it is not due)."""
    now = now or timezone.now()
    free = Q(polling_until__isnull=True) | Q(polling_until__lt=now)
    due = Q(next_poll_at__lte=now) if due_only else Q()
    updated = Source.objects.filter(free, due, pk=source_id, is_active=True).update(polling_until=now + LEASE)
    # Nothing got updated: another worker got there first, or the admin paused it meanwhile.
    return updated == 1


def poll_source(source: Source, *, now: dt.datetime | None = None, limit: int = POLL_LIMIT) -> IngestResult | None:
    """Fetch from the source's cursor and ingest; record the error on the source when it fails.

    A source that signs in gets its credential (its own, else the workspace's for the network); what the
    plug-in renewed (token, rate limit) is written back whether the fetch worked or not, and a refusal of the
    credential marks it refused, so the other sources using it stop asking too. The caller has claimed the
    source (:func:`claim`).
    """
    now = now or timezone.now()
    row: ListeningCredential | None = None
    try:
        plugin = plugin_for(source.kind)
        network = plugin.credential_network(source.config)
        credential: Credential | None = None
        if network:
            row = credentials.lookup(source, network)
            credential = credentials.usable(row) if row is not None else None
        try:
            result = plugin.fetch(source.config, source.cursor, limit=limit, credential=credential)
        finally:
            if row is not None and credential is not None:
                credentials.store(row, credential)
        ingested = ingest(source, result.posts, result.cursor, now=now, more=result.more)
        if row is not None:
            credentials.mark_working(row, now)
        return ingested
    except SourceError as exc:
        if row is not None and exc.problem is Problem.CREDENTIALS_REFUSED and row.status != CredentialStatus.REFUSED:
            credentials.mark_refused(row, str(exc), now)
        record_failure(source, str(exc), permanent=exc.permanent, now=now, problem=exc.problem, retry_at=exc.retry_at)
    except ValueError as exc:  # the stored configuration no longer validates
        record_failure(
            source,
            f"The settings of this source are not valid: {exc}",
            permanent=True,
            now=now,
            problem=Problem.INVALID_SETTINGS,
        )
    except Exception as exc:
        log.exception("polling listening source %s failed", source.pk)
        record_failure(source, f"Unexpected error while polling ({type(exc).__name__}).", permanent=False, now=now)
    return None


def backoff(source: Source, *, permanent: bool) -> dt.timedelta:
    if permanent:
        return PERMANENT_BACKOFF
    seconds = source.poll_every_seconds * 2 ** min(source.failures, 10)
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def record_failure(
    source: Source,
    message: str,
    *,
    permanent: bool,
    now: dt.datetime,
    problem: Problem = Problem.OTHER,
    retry_at: dt.datetime | None = None,
) -> None:
    """Count the failure and put the next poll off: to the network's reset time when it gave one (a rate
    limit), else exponentially, or a day for a refusal only the admin can fix."""
    if retry_at is not None:
        wait = min(max(retry_at - now, MIN_RATE_WAIT), MAX_BACKOFF)
    else:
        wait = backoff(source, permanent=permanent)
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(
            polling_until=None,
            failures=F("failures") + 1,
            last_error=message[:500],
            last_error_at=now,
            error_kind=problem.value,
            next_poll_at=now + wait,
        )


# --- Ingest ---------------------------------------------------------------------------------------

POST_FIELDS = (
    "workspace", "source", "external_id", "url", "author", "author_url", "text", "site", "lang", "published_at",
    "fetched_at", "in_reply_to", "thread_root", "metrics", "content_hash", "simhash", "band0", "band1", "band2",
    "band3", "duplicate_of", "sentiment", "sentiment_score", "intent",
)  # fmt: skip
MENTION_FIELDS = ("workspace", "post", "topic", "day", "sentiment", "intent")


def _insert_rows(model: type[Post] | type[Mention], names: Sequence[str], objs: Sequence[Any]) -> None:
    """INSERT the objects with one prepared statement (``executemany``).

    The hot path of ingest: ``bulk_create`` compiles every value of every row through the ORM's SQL compiler,
    which took a third of the pipeline's time. Values are still adapted by their fields for the database.
    """
    if not objs:
        return
    fields: list[Any] = [model._meta.get_field(n) for n in names]
    columns: list[str] = [f.column for f in fields]
    attnames: list[str] = [f.attname for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapt = [
        (lambda v, f=f: f.get_db_prep_save(v, connection))
        if f.get_internal_type() in ("DateTimeField", "DateField", "JSONField")
        else None
        for f in fields
    ]
    params = [[a(getattr(o, n)) if a else getattr(o, n) for n, a in zip(attnames, adapt, strict=True)] for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _insert(source: Source, rows: list[Post]) -> None:
    """Insert the posts and set their primary keys (read back by the unique ``(source, external_id)``)."""
    if not rows:
        return
    _insert_rows(Post, POST_FIELDS, rows)
    ids = dict(
        Post.objects.filter(source=source, external_id__in=[r.external_id for r in rows]).values_list(
            "external_id", "pk"
        )
    )
    for row in rows:
        row.pk = ids[row.external_id]
        row._state.adding = False


def _prepare(source: Source, posts: Sequence[FetchedPost]) -> tuple[list[FetchedPost], set[str]]:
    unique: dict[str, FetchedPost] = {}
    for post in posts:
        if post.external_id and post.text.strip():
            unique.setdefault(post.external_id[:300], post)
    known = set(Post.objects.filter(source=source, external_id__in=list(unique)).values_list("external_id", flat=True))
    return [p for eid, p in unique.items() if eid not in known], known


def _find_duplicates(workspace_id: int, candidates: list[_Candidate]) -> None:
    """Set ``duplicate_of`` (a stored post) or ``batch_duplicate_of`` (an earlier post of the batch)."""
    if not candidates:
        return
    by_hash = dict(
        Post.objects.filter(
            workspace_id=workspace_id, content_hash__in={c.content_hash for c in candidates}, duplicate_of=None
        )
        .order_by("-pk")
        .values_list("content_hash", "pk")
    )
    band_sets: list[set[int]] = [set(), set(), set(), set()]
    for c in candidates:
        if c.simhash:
            for i, b in enumerate(dedupe.bands(c.simhash)):
                band_sets[i].add(b)
    stored_bands: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    # "Recent" is relative to the posts at hand (an imported history is compared with its own time).
    window = dt.timedelta(days=NEAR_DUPLICATE_DAYS)
    since = min(c.fetched.published_at for c in candidates) - window
    until = max(c.fetched.published_at for c in candidates) + window
    if band_sets[0]:
        near = (
            Q(band0__in=band_sets[0])
            | Q(band1__in=band_sets[1])
            | Q(band2__in=band_sets[2])
            | Q(band3__in=band_sets[3])
        )
        rows = (
            Post.objects.filter(near, workspace_id=workspace_id, duplicate_of=None)
            .filter(published_at__gte=since, published_at__lte=until)
            .exclude(simhash=0)
            .values_list("pk", "simhash")
        )
        for pk, value in rows:
            for i, b in enumerate(dedupe.bands(value)):
                stored_bands[(i, b)].append((pk, value))
    batch_hash: dict[str, int] = {}
    batch_bands: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for index, c in enumerate(candidates):
        c.duplicate_of = by_hash.get(c.content_hash)
        if c.duplicate_of is None and c.content_hash in batch_hash:
            c.batch_duplicate_of = batch_hash[c.content_hash]
        keys = list(enumerate(dedupe.bands(c.simhash))) if c.simhash else []
        if c.duplicate_of is None and c.batch_duplicate_of is None:
            for key in keys:
                hit = next(
                    (
                        pk
                        for pk, v in stored_bands.get(key, ())
                        if dedupe.distance(v, c.simhash) <= dedupe.NEAR_DISTANCE
                    ),
                    None,
                )
                if hit is not None:
                    c.duplicate_of = hit
                    break
                batch_hit = next(
                    (i for i, v in batch_bands.get(key, ()) if dedupe.distance(v, c.simhash) <= dedupe.NEAR_DISTANCE),
                    None,
                )
                if batch_hit is not None:
                    c.batch_duplicate_of = batch_hit
                    break
        if c.duplicate_of is None and c.batch_duplicate_of is None:
            batch_hash.setdefault(c.content_hash, index)
            for key in keys:
                batch_bands[key].append((index, c.simhash))


def _web_url(url: str) -> str:
    """Only http(s) links are kept: a feed can carry ``javascript:`` links, and these are shown as links."""
    return url[:2000] if url.lower().startswith(("https://", "http://")) else ""


def ingest(
    source: Source,
    posts: Sequence[FetchedPost],
    cursor: dict[str, Any],
    *,
    now: dt.datetime | None = None,
    more: bool = False,
) -> IngestResult:
    """Store the posts of one fetch that match a topic, and the source's new cursor, in one transaction."""
    now = now or timezone.now()
    workspace = source.workspace
    result = IngestResult(fetched=len(posts))
    fresh, known = _prepare(source, posts)
    result.known = len(known)
    matcher = matcher_for(workspace.pk)
    candidates: list[_Candidate] = []
    for post in fresh:
        text = post.text.strip()[:MAX_TEXT]
        topics = (
            matcher.match(MatchPost(text=text, lang=post.lang, author=post.author, site=post.site, source=source.kind))
            if len(matcher)
            else []
        )
        if not topics:
            result.unmatched += 1
            continue
        candidates.append(_Candidate(post, text, dedupe.content_hash(text), dedupe.simhash(text), topics))
    _find_duplicates(workspace.pk, candidates)

    rows: list[Post] = []
    for c in candidates:
        p = c.fetched
        enriched = enrich(c.text, lang_hint=p.lang)
        b0, b1, b2, b3 = dedupe.bands(c.simhash)
        rows.append(
            Post(
                workspace=workspace,
                source=source,
                external_id=p.external_id[:300],
                url=_web_url(p.url),
                author=p.author[:200],
                author_url=_web_url(p.author_url),
                text=c.text,
                site=p.site[:253],
                lang=(enriched.lang or p.lang)[:8],
                published_at=p.published_at,
                fetched_at=now,
                in_reply_to=p.in_reply_to[:300],
                thread_root=p.thread_root[:300],
                metrics=p.metrics,
                content_hash=c.content_hash,
                simhash=dedupe.to_signed(c.simhash),
                band0=b0,
                band1=b1,
                band2=b2,
                band3=b3,
                duplicate_of_id=c.duplicate_of,
                sentiment=enriched.sentiment,
                sentiment_score=enriched.score,
                intent=enriched.intent,
            )
        )

    with transaction.atomic():
        _insert(source, rows)
        later = []
        for row, c in zip(rows, candidates, strict=True):
            if c.batch_duplicate_of is not None:
                row.duplicate_of_id = rows[c.batch_duplicate_of].pk
                later.append(row)
        if later:
            Post.objects.bulk_update(later, ["duplicate_of"], batch_size=500)
        mentions: list[Mention] = []
        counts: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0] * (len(TOPIC_DAY_FIELDS) + 1))
        for row, c in zip(rows, candidates, strict=True):
            day = local_day(row.published_at, workspace.timezone)
            engagement = sum(int(v) for v in row.metrics.values()) if row.metrics else 0
            for topic_id in c.topics:
                mentions.append(
                    Mention(
                        workspace=workspace,
                        post=row,
                        topic_id=topic_id,
                        day=day,
                        sentiment=row.sentiment,
                        intent=row.intent,
                    )
                )
                tally = counts[(topic_id, day)]
                if row.duplicate_of_id is not None:
                    tally[1] += 1
                    continue
                tally[0] += 1
                tally[
                    2 + [Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE].index(Sentiment(row.sentiment))
                ] += 1
                intent_column = {Intent.QUESTION: 5, Intent.COMPLAINT: 6, Intent.PRAISE: 7}.get(Intent(row.intent))
                if intent_column is not None:
                    tally[intent_column] += 1
                tally[8] += engagement
        _insert_rows(Mention, MENTION_FIELDS, mentions)
        # Questions and complaints become care cases in the worker once this commits (routing is database
        # work that must not slow ingest), and the other brand mentions go to care's triage queue (ADR 0028:
        # the classifier orders that queue, it does not gate it); care's periodic job catches what a crash in
        # between missed.
        heard = [r.pk for r in rows if r.duplicate_of_id is None]
        if heard and mentions:
            from groundswell.care.tasks import open_cases_for_posts

            transaction.on_commit(lambda: open_cases_for_posts.enqueue(heard))
        additive_upsert(
            TopicDay,
            ("workspace", "topic", "day"),
            (*TOPIC_DAY_FIELDS, "engagement"),
            [(workspace.pk, topic_id, day, *tally) for (topic_id, day), tally in sorted(counts.items())],
        )
        Source.objects.filter(pk=source.pk).update(
            cursor=cursor,
            posts_seen=F("posts_seen") + len(posts),
            last_success_at=now,
            failures=0,
            error_kind="",
            polling_until=None,
            next_poll_at=now + (CATCH_UP if more else dt.timedelta(seconds=source.poll_every_seconds)),
        )
    source.cursor = cursor
    result.stored = len(rows)
    result.duplicates = sum(1 for r in rows if r.duplicate_of_id is not None)
    result.mentions = len(mentions)
    result.post_ids = [r.pk for r in rows]
    return result
