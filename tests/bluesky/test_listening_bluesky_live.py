"""The Bluesky listening source against a real local network (PLC + PDS + AppView from @atproto/dev-env):
search signed in with an app password through the PDS (which forwards it to the AppView named by the
``atproto-proxy`` header), the PDS's event stream, and a restart from the stored cursor."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
import pytest
from django.core.management import call_command

from groundswell.listening import actions, pipeline
from groundswell.listening.management.commands.listen_bluesky import Command
from groundswell.listening.matching import forget
from groundswell.listening.models import ListeningCredential, Post, Source, SourceKind, Topic
from groundswell.listening.sources.base import Credential, FetchedPost, FetchResult, Problem, SourceError
from groundswell.listening.sources.bluesky import BlueskySource
from groundswell.listening.sources.bluesky_stream import appview_handles, stream_posts
from groundswell.networks.bluesky.client import BlueskyClient, Session, new_tid
from groundswell.workspaces.models import Workspace

from .network import BlueskyNetwork

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bluesky"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def local_appview(bluesky_network: BlueskyNetwork, settings: Any) -> None:
    """Handles of stream authors are looked up on the local AppView, never on the real one; signed-in
    searches are forwarded by the PDS to the local AppView (its DID in the ``atproto-proxy`` header)."""
    settings.BLUESKY_APPVIEW_URL = bluesky_network.appview_url
    settings.BLUESKY_SERVICE_URL = bluesky_network.pds_url
    settings.BLUESKY_APPVIEW_PROXY = f"{bluesky_network.info['appview_did']}#bsky_appview"


PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def client(bluesky_network: BlueskyNetwork) -> Iterator[BlueskyClient]:
    with httpx.Client(timeout=30) as http:
        yield BlueskyClient(bluesky_network.pds_url, http, appview_url=bluesky_network.appview_url)


@pytest.fixture
def poster(bluesky_network: BlueskyNetwork, client: BlueskyClient) -> Session:
    """A new account per test: the stream tests pick out its posts by DID."""
    _did, handle = bluesky_network.create_account(f"lis{new_tid()[-6:]}", PASSWORD)
    return client.create_session(handle, PASSWORD)


@pytest.fixture
def workspace(db: None) -> Workspace:
    return Workspace.objects.create(name="Acme", slug="acme")


def post(client: BlueskyClient, session: Session, text: str) -> str:
    uri, _cid = client.create_post(session, text, rkey=new_tid())
    return uri


@pytest.fixture(scope="module")
def listener(bluesky_network: BlueskyNetwork, client: BlueskyClient) -> tuple[str, str]:
    """The account listening searches as, and an app password created for it (com.atproto.server.
    createAppPassword, signed in with the main password): (handle, app password)."""
    _did, handle = bluesky_network.create_account(f"ear{new_tid()[-6:]}", PASSWORD)
    session = client.create_session(handle, PASSWORD)
    answer = httpx.post(
        f"{bluesky_network.pds_url}/xrpc/com.atproto.server.createAppPassword",
        json={"name": "groundswell-listening"},
        headers={"Authorization": f"Bearer {session.access_jwt}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return handle, str(answer.json()["password"])


def signed_in(bluesky_network: BlueskyNetwork, listener: tuple[str, str]) -> Credential:
    handle, app_password = listener
    return Credential(network="bluesky", identifier=handle, secret=app_password, service_url=bluesky_network.pds_url)


def test_search_signed_in_with_an_app_password_finds_new_posts_once(
    bluesky_network: BlueskyNetwork, client: BlueskyClient, poster: Session, listener: tuple[str, str]
) -> None:
    word = f"Tentpole{new_tid()[-8:]}"  # the dev AppView's search is a case-sensitive substring match
    config = {"query": word}
    source = BlueskySource()
    credential = signed_in(bluesky_network, listener)
    first = [post(client, poster, f"{word} number one"), post(client, poster, f"Loving my {word} tent")]

    def found(cursor: dict[str, Any], count: int) -> FetchResult | None:
        result = source.fetch(config, cursor, limit=50, credential=credential)
        return result if len(result.posts) >= count else None

    result = bluesky_network.wait_until(lambda: found({}, 2), timeout=30, what="search indexing")
    assert [p.external_id for p in result.posts] == first  # oldest first
    one = result.posts[0]
    assert one.author == poster.handle and one.text == f"{word} number one"
    assert one.url == f"https://bsky.app/profile/{poster.handle}/post/{first[0].rsplit('/', 1)[1]}"
    assert one.published_at.tzinfo is not None
    assert set(one.metrics) == {"likes", "reposts", "replies"}

    assert source.fetch(config, result.cursor, limit=50, credential=credential).posts == []  # nothing twice
    third = post(client, poster, f"Another {word} sighting")
    later = bluesky_network.wait_until(lambda: found(result.cursor, 1), timeout=30, what="search indexing")
    assert [p.external_id for p in later.posts] == [third]
    # Signed in as the listening account: its DID, a refresh token kept for later polls.
    assert credential.token_subject.startswith("did:") and credential.refresh_token


def test_the_pds_default_appview_answers_too_and_a_refreshed_session_keeps_working(
    bluesky_network: BlueskyNetwork, client: BlueskyClient, poster: Session, listener: tuple[str, str], settings: Any
) -> None:
    settings.BLUESKY_APPVIEW_PROXY = ""  # no atproto-proxy header: the PDS forwards to its configured AppView
    word = f"Guyline{new_tid()[-8:]}"
    uri = post(client, poster, f"My {word} snapped")
    credential = signed_in(bluesky_network, listener)

    def found() -> FetchResult | None:
        result = BlueskySource().fetch({"query": word}, {}, limit=10, credential=credential)
        return result if result.posts else None

    assert [p.external_id for p in bluesky_network.wait_until(found, what="search indexing").posts] == [uri]
    first_refresh = credential.refresh_token
    credential.token_expires_at = None
    credential.token = "expired-or-revoked"  # the PDS refuses it: the session is refreshed, then asked again
    assert [
        p.external_id for p in BlueskySource().fetch({"query": word}, {}, limit=10, credential=credential).posts
    ] == [uri]
    assert credential.refresh_token != first_refresh  # rotated by refreshSession


def test_a_wrong_app_password_is_refused_by_the_real_pds(
    bluesky_network: BlueskyNetwork, listener: tuple[str, str]
) -> None:
    credential = signed_in(bluesky_network, listener)
    credential.secret = "aaaa-bbbb-cccc-dddd"
    with pytest.raises(SourceError, match="refused the handle and app password") as info:
        BlueskySource().fetch({"query": "anything"}, {}, limit=10, credential=credential)
    assert info.value.problem is Problem.CREDENTIALS_REFUSED


def test_the_pipeline_polls_a_search_source_with_the_workspace_s_checked_account(
    bluesky_network: BlueskyNetwork,
    client: BlueskyClient,
    poster: Session,
    listener: tuple[str, str],
    workspace: Workspace,
) -> None:
    handle, app_password = listener
    result = actions.save_credential(
        workspace=workspace,
        network="bluesky",
        values=actions.CredentialValues(identifier=handle, secret=app_password),
        by=None,
    )
    assert result.status == "ok", result.message  # saving signed in once against the real PDS
    word = f"Groundsheet{new_tid()[-8:]}"
    forget()
    Topic.objects.create(workspace=workspace, name="Gear", kind="brand", query=word.lower())
    source = Source.objects.create(workspace=workspace, kind=SourceKind.BLUESKY, name="Search", config={"query": word})
    uri = post(client, poster, f"Is the {word} waterproof?")

    def stored() -> int | None:
        pipeline.poll_source(Source.objects.select_related("workspace").get(pk=source.pk))
        return 1 if Post.objects.filter(source=source, external_id=uri).exists() else None

    bluesky_network.wait_until(stored, timeout=30, what="search indexing")
    source.refresh_from_db()
    assert source.error_kind == "" and source.last_success_at is not None
    row = ListeningCredential.objects.get(workspace=workspace)
    assert row.status == "ok" and row.token and row.refresh_token  # the session is kept (encrypted) for later


def watchdog(seconds: float, action: Callable[[], object]) -> None:
    """Run ``action`` later in a daemon thread (a stuck test stops instead of hanging the session)."""
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def collect_until(
    source: Source, wanted: set[str], did: str, seen: list[str], cursors: list[dict[str, Any]]
) -> Command:
    """A listen_bluesky whose handler plays the pipeline: keeps our account's posts, stores the cursor, and
    stops once every wanted URI arrived (or after 60 s)."""
    stop = threading.Event()

    def handler(src: Source, posts: Sequence[FetchedPost], cursor: dict[str, Any]) -> None:
        seen.extend(p.external_id for p in posts if p.external_id.startswith(f"at://{did}/"))
        src.cursor = cursor
        src.save(update_fields=["cursor"])
        cursors.append(cursor)
        if wanted <= set(seen):
            stop.set()

    watchdog(60, stop.set)
    return Command(handler=handler, stop_event=stop)


def test_the_stream_delivers_posts_and_a_restart_from_the_cursor_neither_skips_nor_repeats(
    bluesky_network: BlueskyNetwork, client: BlueskyClient, poster: Session, workspace: Workspace
) -> None:
    source = Source.objects.create(
        workspace=workspace,
        kind=SourceKind.BLUESKY,
        name="Bluesky stream",
        config={"mode": "stream", "service_url": bluesky_network.pds_url},
        cursor={"seq": 0},  # replay the (small) local network from its first event
    )
    before = [post(client, poster, f"Stream check {i} 🏕️") for i in range(3)]
    seen: list[str] = []
    cursors: list[dict[str, Any]] = []
    call_command(collect_until(source, set(before), poster.did, seen, cursors), source=source.pk, flush_seconds=0.3)
    assert seen == before
    source.refresh_from_db()
    stopped_at = source.cursor["seq"]
    assert isinstance(stopped_at, int) and stopped_at > 0
    assert [c["seq"] for c in cursors] == sorted(c["seq"] for c in cursors)

    while_stopped = [post(client, poster, f"Posted while nobody listened {i}") for i in range(3)]
    call_command(
        collect_until(source, set(while_stopped), poster.did, seen, cursors), source=source.pk, flush_seconds=0.3
    )
    assert seen == before + while_stopped  # in order, each exactly once
    source.refresh_from_db()
    assert source.cursor["seq"] > stopped_at


def test_stream_posts_from_now_and_the_polled_catch_up(
    bluesky_network: BlueskyNetwork, client: BlueskyClient, poster: Session
) -> None:
    """Without a cursor the stream starts at the present; a polled stream source catches up from its seq."""
    stop = threading.Event()
    resolver = appview_handles(bluesky_network.appview_url)
    stream = stream_posts(bluesky_network.pds_url, None, stop, flush_seconds=0.2, resolve_handles=resolver)
    watchdog(1.0, lambda: post(client, poster, "Live now"))
    watchdog(45, stop.set)
    live: list[FetchedPost] = []
    for batch in stream:
        live += [p for p in batch.posts if p.external_id.startswith(f"at://{poster.did}/")]
        if live:
            stop.set()
    assert [p.text for p in live] == ["Live now"]
    assert live[0].author == poster.handle  # no #identity frame since we joined: looked up on the AppView
    assert isinstance(batch.cursor["seq"], int)

    config = {"mode": "stream", "service_url": bluesky_network.pds_url}
    cursor = batch.cursor
    uris = [post(client, poster, f"Polled {i}") for i in range(3)]
    got: list[str] = []
    for _ in range(5):
        result = BlueskySource().fetch(config, cursor, limit=2)
        got += [p.external_id for p in result.posts if p.external_id.startswith(f"at://{poster.did}/")]
        assert all(p.author == poster.handle for p in result.posts if p.external_id in uris)
        cursor = result.cursor
        if not result.more:
            break
    assert got == uris
