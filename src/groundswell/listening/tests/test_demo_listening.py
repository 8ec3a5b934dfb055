"""The listening demo: realistic volume over the period, nothing polling the internet, rollups that add up."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Sum
from django.utils import timezone

from groundswell.demo.listening import build_listening
from groundswell.listening.models import Mention, Post, Source, TopicDay
from groundswell.workspaces.models import Membership, Workspace


def test_demo_listening(workspace: Workspace, alice: Membership) -> None:
    now = timezone.now()
    mentions = build_listening(workspace, alice, random.Random(7), now, 90)
    assert 1300 <= mentions <= 2000
    assert Mention.objects.filter(workspace=workspace).count() == mentions
    assert not Source.objects.filter(workspace=workspace, is_active=True).exists()  # nothing polls the internet
    oldest = Post.objects.filter(workspace=workspace).order_by("published_at").first()
    assert oldest is not None and oldest.published_at >= now - dt.timedelta(days=90)
    counted = TopicDay.objects.filter(workspace=workspace).aggregate(p=Sum("posts"), d=Sum("duplicates"))
    assert counted["p"] + counted["d"] == mentions
    assert counted["d"] == Mention.objects.filter(workspace=workspace).exclude(post__duplicate_of=None).count()
