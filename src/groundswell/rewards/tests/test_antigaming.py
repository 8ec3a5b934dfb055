"""Anti-gaming: self-clicks, repeated visitors, bursts from one range and rings earn no points, the admin
sees the evidence and decides; manual adjustments carry a reason and an author."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.conftest import client_for, make_member
from groundswell.content.models import Item
from groundswell.lib.periods import ALL_TIME_START
from groundswell.links.buffer import ClickBuffer
from groundswell.links.ingest import ClickEvent, write_clicks
from groundswell.links.models import Click
from groundswell.links.visitor import NetworkHasher, network_prefix, visitor_hash
from groundswell.rewards.antigaming import BURST_CLICKS, REPEAT_LIMIT
from groundswell.rewards.models import Action, Finding, FindingKind, FindingStatus, MemberVisitor, PointsEntry
from groundswell.rewards.rings import detect_rings
from groundswell.sharing.actions import create_share
from groundswell.sharing.models import Share
from groundswell.workspaces.models import Membership, Workspace

UA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def click_points(member: Membership) -> int:
    return sum(PointsEntry.objects.filter(member=member, action=Action.UNIQUE_CLICK).values_list("points", flat=True))


def total_points(member: Membership) -> int:
    row = MemberPeriod.objects.filter(member=member, period="a", start=ALL_TIME_START).first()
    return row.points if row else 0


def clicks(share: Share, hashes: list[str], *, at: dt.datetime | None = None, network: str = "") -> None:
    at = at or timezone.now()
    write_clicks(
        [
            ClickEvent.new(code=share.code, clicked_at=at, visitor_hash=h, user_agent=UA, network_hash=network)
            for h in hashes
        ]
    )


def test_network_prefix_and_hash_never_keep_the_address() -> None:
    assert network_prefix("203.0.113.77") == "203.0.113.0/24"
    assert network_prefix("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert network_prefix("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert network_prefix("not an address") == ""
    hasher = NetworkHasher()
    assert hasher("203.0.113.1") == hasher("203.0.113.200") != hasher("203.0.114.1")
    assert "203.0.113" not in hasher("203.0.113.1") and len(hasher("203.0.113.1")) == 64


@pytest.mark.django_db
@override_settings(RECORD_MEMBER_VISITORS=True)
def test_self_click_is_recognised_from_the_members_own_page_views(
    workspace: Workspace, bob: Membership, bob_client: Client, item: Item
) -> None:
    page = reverse("content:list", kwargs={"ws": "acme"})
    assert bob_client.get(page, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT=UA).status_code == 200
    assert bob_client.get(page, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT=UA).status_code == 200
    stored = MemberVisitor.objects.get(member=bob)  # once, although two pages were seen
    own_hash = visitor_hash("198.51.100.7", UA, timezone.now().astimezone(dt.UTC).date())
    assert stored.visitor_hash == own_hash

    share = create_share(member=bob, item=item, network="linkedin", caption="")
    clicks(share, [own_hash, "a-stranger"])
    assert click_points(bob) == 2  # the stranger's click only
    assert Click.objects.filter(share=share, is_unique=True).count() == 2  # still counted as clicks
    finding = Finding.objects.get(member=bob, kind=FindingKind.SELF_CLICK)
    assert (finding.events, finding.points_withheld, finding.status) == (1, 2, FindingStatus.OPEN)
    assert finding.evidence["samples"][0]["visitor"] == own_hash[:10]


@pytest.mark.django_db
def test_one_visitor_on_many_of_a_members_links_earns_only_the_first_few(
    workspace: Workspace, bob: Membership, item: Item
) -> None:
    shares = [
        create_share(member=bob, item=item, network=n, caption=f"take {i}")
        for i, n in enumerate(("linkedin", "x", "bluesky", "linkedin", "x"))
    ]
    for share in shares:
        clicks(share, ["the-same-friend"])
    assert click_points(bob) == 2 * REPEAT_LIMIT
    finding = Finding.objects.get(member=bob, kind=FindingKind.REPEAT_VISITOR)
    assert finding.events == len(shares) - REPEAT_LIMIT


@pytest.mark.django_db
def test_burst_from_one_network_range_earns_nothing(workspace: Workspace, bob: Membership, item: Item) -> None:
    share = create_share(member=bob, item=item, network="linkedin", caption="")
    network = NetworkHasher()("192.0.2.10")
    start = timezone.now() - dt.timedelta(minutes=30)
    # 12 clicks 30 seconds apart from one /24, in two batches (the stored history counts too).
    events = [
        ClickEvent.new(
            code=share.code, clicked_at=start + dt.timedelta(seconds=30 * i), visitor_hash=f"v{i}", network_hash=network
        )
        for i in range(12)
    ]
    write_clicks(events[:6])
    write_clicks(events[6:])
    # Elsewhere, slowly: fine.
    clicks(share, ["x1"], at=start + dt.timedelta(minutes=25), network=NetworkHasher()("198.51.100.1"))
    earned = click_points(bob)
    assert earned == 2 * (BURST_CLICKS - 1) + 2  # the first 9 of the range, and the other range's click
    finding = Finding.objects.get(member=bob, kind=FindingKind.BURST)
    assert finding.events == 12 - (BURST_CLICKS - 1)
    assert finding.evidence["network"] == network[:10] and finding.evidence["threshold"] == BURST_CLICKS


def _ring(workspace: Workspace, item: Item) -> tuple[list[Membership], Membership]:
    ring = [make_member(workspace, f"ring{i}@acme.test") for i in range(3)]
    honest = make_member(workspace, "honest@acme.test")
    day = timezone.now().astimezone(dt.UTC).date()
    for m in [*ring, honest]:
        for k in range(3):
            MemberVisitor.objects.create(workspace=workspace, member=m, visitor_hash=f"{m.pk}-device-{k}", day=day)
    for m in ring:
        share = create_share(member=m, item=item, network="linkedin", caption="")
        colleagues = [c for c in ring if c != m]
        clicks(share, [f"{c.pk}-device-{k}" for c in colleagues for k in range(3)] + ["outsider-1"])
    honest_share = create_share(member=honest, item=item, network="linkedin", caption="")
    clicks(honest_share, [f"{ring[0].pk}-device-0"] + [f"public-{i}" for i in range(8)])
    return ring, honest


@pytest.mark.django_db
def test_rings_are_found_reversed_by_a_ledger_line_and_idempotent(workspace: Workspace, item: Item) -> None:
    ring, honest = _ring(workspace, item)
    before = [total_points(m) for m in ring]
    found = detect_rings(workspace, today=timezone.localdate())
    assert {f.member_id for f in found} == {m.pk for m in ring}
    for m, was in zip(ring, before, strict=True):
        finding = Finding.objects.get(member=m, kind=FindingKind.RING)
        assert finding.events == 6 and finding.points_reversed == 12
        assert total_points(m) == was - 12
        line = PointsEntry.objects.get(member=m, action=Action.ADJUSTMENT)
        assert line.points == -12 and line.author is None and "closed group of colleagues" in line.reason
        assert len(finding.evidence["group"]) == 3
    assert not Finding.objects.filter(member=honest).exists()
    assert detect_rings(workspace, today=timezone.localdate()) == []  # same day again: nothing new
    assert detect_rings(workspace, today=timezone.localdate() + dt.timedelta(days=1)) == []  # already covered


@pytest.mark.django_db
def test_admin_reviews_findings_dismiss_restores_points_confirm_keeps_them(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, charlie: Membership, item: Item
) -> None:
    ring, _ = _ring(workspace, item)
    detect_rings(workspace, today=timezone.localdate())
    admin = client_for(alice)
    url = reverse("rewards:findings", kwargs={"ws": "acme"})
    page = admin.get(url)
    assert page.status_code == 200
    assert b"Ring of colleagues" in page.content and b"Clicks by colleague" in page.content

    first, second = (Finding.objects.get(member=m) for m in ring[:2])
    was = total_points(ring[0])
    decide_url = reverse("rewards:decide", kwargs={"ws": "acme", "finding_id": first.pk})
    assert admin.post(decide_url, {"decision": "dismiss"}).status_code == 302
    first.refresh_from_db()
    assert first.status == FindingStatus.DISMISSED and first.decided_by == alice and first.points_restored == 12
    assert total_points(ring[0]) == was + 12
    restored = PointsEntry.objects.filter(member=ring[0], action=Action.ADJUSTMENT, points=12).get()
    assert restored.author == alice and "dismissed" in restored.reason
    # Deciding again is refused with a message, not a second payment.
    response = admin.post(decide_url, {"decision": "dismiss"}, follow=True)
    assert b"already decided" in response.content
    assert PointsEntry.objects.filter(member=ring[0], action=Action.ADJUSTMENT, points=12).count() == 1

    other = reverse("rewards:decide", kwargs={"ws": "acme", "finding_id": second.pk})
    response = admin.post(other, {"decision": "maybe"}, follow=True)
    assert b"Choose whether to confirm" in response.content
    assert admin.post(other, {"decision": "confirm"}).status_code == 302
    second.refresh_from_db()
    assert second.status == FindingStatus.CONFIRMED
    assert admin.get(url, {"status": "confirmed"}).context["page"].object_list[0] == second
    assert admin.get(url, {"status": "nonsense"}).status_code == 200
    assert admin.get(decide_url).status_code == 405

    for outsider in (client_for(bob), client_for(carol), client_for(charlie)):
        assert outsider.get(url).status_code == 404
        assert outsider.post(other, {"decision": "dismiss"}).status_code == 404
    assert client_for(charlie).get(reverse("rewards:findings", kwargs={"ws": "globex"})).status_code == 200
    assert (
        client_for(charlie)
        .post(reverse("rewards:decide", kwargs={"ws": "globex", "finding_id": second.pk}), {"decision": "dismiss"})
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_manual_adjustment_needs_a_reason_and_records_the_author(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, charlie: Membership
) -> None:
    url = reverse("rewards:adjust", kwargs={"ws": "acme"})
    admin = client_for(alice)
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"member": bob.pk, "points": "-15", "reason": "Counted a campaign twice"})
    assert response.status_code == 302
    entry = PointsEntry.objects.get(member=bob, action=Action.ADJUSTMENT)
    assert (entry.points, entry.reason, entry.author) == (-15, "Counted a campaign twice", alice)
    assert total_points(bob) == -15
    assert b"Counted a campaign twice" in admin.get(url).content

    bad = admin.post(url, {"member": bob.pk, "points": "0", "reason": "   "})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"points", "reason"}
    foreign = admin.post(url, {"member": charlie.pk, "points": "5", "reason": "x"})
    assert foreign.status_code == 200 and "member" in foreign.context["form"].errors
    assert admin.post(url, {"member": "abc", "points": "lots", "reason": "x"}).status_code == 200
    assert PointsEntry.objects.filter(action=Action.ADJUSTMENT).count() == 1

    for outsider in (client_for(bob), client_for(carol), client_for(charlie)):
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, {"member": bob.pk, "points": "5", "reason": "x"}).status_code == 404


@pytest.mark.django_db
def test_privacy_provider_lists_exports_and_erases(workspace: Workspace, bob: Membership, item: Item) -> None:
    from groundswell.privacy.registry import providers

    provider = next(p for p in providers() if p.key == "rewards_fairness")
    MemberVisitor.objects.create(workspace=workspace, member=bob, visitor_hash="h", day=timezone.localdate())
    share = create_share(member=bob, item=item, network="linkedin", caption="")
    clicks(share, ["h", "someone"])  # one self-click finding, one paid click
    lines = {line.what: line.count for line in provider.inventory(bob)}
    assert sum(1 for count in lines.values() if count) >= 3
    exported = provider.export(bob)
    assert exported["findings"][0]["kind"] == FindingKind.SELF_CLICK
    result = provider.erase(bob)
    assert result.erased == 2 and result.kept
    assert not MemberVisitor.objects.filter(member=bob).exists()
    assert PointsEntry.objects.filter(member=bob).exists()  # append-only ledger is kept, and said so


def test_the_click_buffer_hashes_the_network_range_never_the_address(tmp_path: Path) -> None:
    written: list[ClickEvent] = []

    def writer(events: list[ClickEvent]) -> int:
        written.extend(events)
        return len(events)

    buffer = ClickBuffer(spool_dir=tmp_path, interval=3600, batch_size=100, autostart=False, writer=writer)
    when = timezone.now().timestamp()
    buffer.record("abc", when, "192.0.2.10", UA, "", False)
    buffer.record("abc", when, "192.0.2.99", UA, "", False)
    buffer.record("abc", when, "2001:db8:1:2::5", UA, "", False)
    buffer.flush()
    hashes = [e.network_hash for e in written]
    assert hashes[0] == hashes[1] == NetworkHasher()("192.0.2.1") and hashes[2] != hashes[0]
    assert all(len(h) == 64 and "192.0.2" not in e.to_json() for h, e in zip(hashes, written, strict=True))
    # Spooled lines written before this field existed still load.
    old = ClickEvent.from_json(
        '{"uid": "u", "code": "c", "clicked_at": "2026-01-01T00:00:00+00:00", "visitor_hash": "v", '
        '"user_agent": "", "referrer_host": "", "is_bot": false}'
    )
    assert old.network_hash == ""
