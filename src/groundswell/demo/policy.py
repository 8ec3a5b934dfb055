"""Demo data for the social media policy: the encouraging starter policy, published by the program admin
before the history starts (through the policy app's own write functions), and acknowledged by everyone who
shares (sharing asks for it first), so the acknowledgement rate on the policy page is a real figure."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from groundswell.policy.actions import acknowledge, publish_version, starter_draft
from groundswell.policy.models import PolicyAcknowledgement, PolicyVersion
from groundswell.workspaces.models import Membership, Workspace


def publish_policy(
    ws: Workspace,
    admin: Membership,
    readers: Iterable[Membership],
    published_at: dt.datetime,
    rng: random.Random,
) -> PolicyVersion:
    """Publish the starter policy as of ``published_at`` and record that each of ``readers`` read it soon after
    they joined (or after it was published, for the people who were there already)."""
    draft = starter_draft()
    version = publish_version(
        workspace=ws,
        by=admin,
        title=draft.title,
        body_markdown=draft.body_markdown,
        checklist=draft.checklist,
        summary="",
    )
    PolicyVersion.objects.filter(pk=version.pk).update(published_at=published_at)
    version.published_at = published_at
    acks: list[PolicyAcknowledgement] = []
    for member in readers:
        ack = acknowledge(member=member, version=version)
        ack.acknowledged_at = max(published_at, member.joined_at) + dt.timedelta(hours=rng.randint(1, 72))
        acks.append(ack)
    PolicyAcknowledgement.objects.bulk_update(acks, ["acknowledged_at"], batch_size=500)
    return version
