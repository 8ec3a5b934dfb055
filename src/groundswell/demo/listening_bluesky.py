"""Demo data for the Bluesky listening source: Northwind searches Bluesky for its name, signed in with the
workspace's listening account (a handle and an app password, as Bluesky search requires), and has a live
stream source set up but switched off (switch it on and run ``manage.py listen_bluesky --source <id>``).

The cursors look like those of sources that have been polled for a while, so the sources' pages show
a recent successful poll. Nothing here talks to Bluesky: the app password is a placeholder, so a worker
started on the demo shows the search as "Credentials refused" until a real one is entered.
"""

from __future__ import annotations

import datetime as dt

from groundswell.demo import data
from groundswell.listening.models import CredentialStatus, ListeningCredential, Source, SourceKind
from groundswell.listening.sources.bluesky import parse_config
from groundswell.workspaces.models import Workspace


def build_bluesky_listening(workspace: Workspace, now: dt.datetime) -> list[Source]:
    last_poll = now - dt.timedelta(minutes=4)
    search = {"mode": "search", "query": data.COMPANY, "lang": "en"}
    stream = {"mode": "stream", "service_url": "https://bsky.network"}
    for config in (search, stream):
        parse_config(config)  # the demo's settings are what an admin could have saved
    newest = last_poll - dt.timedelta(minutes=11)
    ListeningCredential.objects.create(
        workspace=workspace,
        network="bluesky",
        identifier="northwind-listening.bsky.social",
        secret="demo-demo-demo-demo",  # noqa: S106  (a placeholder: it signs in nowhere)
        status=CredentialStatus.OK,
        checked_at=now - dt.timedelta(days=30),
        updated_at=now - dt.timedelta(days=30),
    )
    return [
        Source.objects.create(
            workspace=workspace,
            kind=SourceKind.BLUESKY,
            name=f"Bluesky search: {data.COMPANY}",
            config=search,
            cursor={"since": newest.isoformat(), "seen": ["at://did:plc:demo/app.bsky.feed.post/3kdemo"]},
            poll_every_seconds=300,
            next_poll_at=last_poll + dt.timedelta(seconds=300),
            last_success_at=last_poll,
            posts_seen=412,
            created_at=now - dt.timedelta(days=30),
        ),
        Source.objects.create(
            workspace=workspace,
            kind=SourceKind.BLUESKY,
            name="Bluesky live stream (relay)",
            config=stream,
            cursor={},
            is_active=False,
            created_at=now - dt.timedelta(days=2),
        ),
    ]
