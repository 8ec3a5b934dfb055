"""The pages: connecting a company account, who sees what, outsiders get 404, and the account page's
query count does not grow with its history."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for, make_member
from groundswell.networks.models import ConnectedAccount
from groundswell.stewards import actions
from groundswell.stewards.models import BrandAccount, BrandPost, Shift
from groundswell.workspaces.actions import deactivate_member
from groundswell.workspaces.models import Membership, Role

from .conftest import FakePDS, shift_for


def u(name: str, **kwargs: Any) -> str:
    return reverse(f"stewards:{name}", kwargs={"ws": "acme", **kwargs})


# --- connecting ---------------------------------------------------------------------------------------


def test_admin_connects_the_company_bluesky_account(
    alice: Membership, alice_client: Client, bob: Membership, pds: FakePDS
) -> None:
    page = alice_client.get(u("connect")).content.decode()
    assert "Connect the company&#x27;s Bluesky" in page or "Connect the company's Bluesky" in page
    assert alice_client.get(u("connect_password") + "?network=bluesky").status_code == 200
    resp = alice_client.post(
        u("connect_password"),
        {"network": "bluesky", "identifier": "acme.bsky.test", "password": "abcd-efgh-ijkl-mnop", "service_url": ""},
    )
    account = ConnectedAccount.objects.get()
    assert account.member is None and account.is_workspace_owned and account.workspace == alice.workspace
    brand = BrandAccount.objects.get(account=account)
    assert brand.connected_by == alice
    assert resp.status_code == 302 and resp["Location"] == u("accounts")  # the same landing as after OAuth
    # Not on anyone's personal Accounts page.
    alice_client.get(u("accounts"))  # shows (and uses up) the "Connected" message
    personal = alice_client.get(reverse("networks:accounts", kwargs={"ws": "acme"})).content.decode()
    assert "acme.bsky.test" not in personal and "No accounts connected yet" in personal
    # It survives the admin who connected it leaving.
    make_member(alice.workspace, "dora@acme.test", Role.ADMIN)  # somebody has to stay admin
    deactivate_member(alice)
    assert ConnectedAccount.objects.filter(pk=account.pk, member__isnull=True).exists()
    assert BrandAccount.objects.filter(pk=brand.pk).exists()


def test_connecting_again_updates_the_same_brand_account(alice: Membership, alice_client: Client, pds: FakePDS) -> None:
    data = {"network": "bluesky", "identifier": "acme.bsky.test", "password": "abcd-efgh-ijkl-mnop", "service_url": ""}
    alice_client.post(u("connect_password"), data)
    ConnectedAccount.objects.update(status="reconnect")
    alice_client.post(u("connect_password"), data)
    assert ConnectedAccount.objects.count() == 1 and BrandAccount.objects.count() == 1
    assert ConnectedAccount.objects.get().status == "active"


def test_wrong_app_password_is_a_clear_error(alice_client: Client, pds: FakePDS) -> None:
    resp = alice_client.post(
        u("connect_password"),
        {"network": "bluesky", "identifier": "acme.bsky.test", "password": "zzzz-zzzz-zzzz-zzzz", "service_url": ""},
    )
    assert resp.status_code == 400 and "Invalid password" in resp.content.decode()
    assert not ConnectedAccount.objects.exists()
    resp = alice_client.post(u("connect_password"), {"network": "bluesky", "identifier": "", "password": ""})
    assert resp.status_code == 400 and not ConnectedAccount.objects.exists()
    assert alice_client.get(u("connect_password") + "?network=nope").status_code == 400


def test_oauth_connect_files_the_account_as_the_workspaces(alice: Membership, alice_client: Client) -> None:
    import groundswell.networks.tests.test_accounts_fakes as fakes
    from groundswell.networks import registry
    from groundswell.networks.tests.test_accounts_fakes import FAKES, Calls

    mp = pytest.MonkeyPatch()
    fakes.CALLS = Calls()
    mp.setattr(registry, "PLUGINS", {key: f"fake.{key}" for key in FAKES})
    mp.setattr(registry, "get_client", lambda key: FAKES[key]())
    try:
        resp = alice_client.get(u("connect_start") + "?network=fakeoauth")
        assert resp.status_code == 302
        state = parse_qs(urlsplit(resp["Location"]).query)["state"][0]
        back = alice_client.get(reverse("oauth_callback") + f"?state={state}&code=the-code")
        assert back.status_code == 302 and back["Location"] == u("accounts")
        account = ConnectedAccount.objects.get()
        assert account.member is None and BrandAccount.objects.filter(account=account).exists()
        assert alice_client.get(u("accounts")).content.decode().count("@ana") >= 1
    finally:
        mp.undo()


def test_company_mastodon_goes_through_the_same_server_step(alice: Membership, alice_client: Client) -> None:
    """One connect flow for both owners: the company's Mastodon asks for the server on the brand pages, and the
    consent it leads to files the account as the workspace's."""
    import groundswell.networks.tests.test_accounts_fakes as fakes
    from groundswell.networks import registry
    from groundswell.networks.tests.test_accounts_fakes import FAKES, Calls

    mp = pytest.MonkeyPatch()
    fakes.CALLS = Calls()
    mp.setattr(registry, "PLUGINS", {key: f"fake.{key}" for key in FAKES})
    mp.setattr(registry, "get_client", lambda key: FAKES[key]())
    try:
        resp = alice_client.get(u("connect_start") + "?network=mastodon")
        assert resp.status_code == 302 and resp["Location"].startswith(u("connect_instance"))
        server_step = alice_client.get(resp["Location"]).content.decode()
        assert "Which server is the company's account on?" in server_step and "your account" not in server_step
        assert alice_client.get(u("connect_start") + "?network=mastodon&instance=not+a+server").status_code == 400
        page = alice_client.post(u("connect_instance"), {"network": "mastodon", "instance": "social.example"})
        assert page.status_code == 200 and u("connect") in page.content.decode()
        state = alice_client.session["networks_oauth_states"]
        assert [entry["owner"] for entry in state.values()] == ["workspace"]
    finally:
        mp.undo()


def test_only_admins_connect_and_manage(bob_client: Client, brand: BrandAccount, pds: FakePDS) -> None:
    for name, kwargs in (
        ("accounts", {}),
        ("connect", {}),
        ("connect_start", {}),
        ("connect_instance", {}),
        ("connect_password", {}),
        ("review", {}),
        ("assign", {"brand_id": brand.pk}),
        ("account", {"brand_id": brand.pk}),  # bob never had a shift on it
        ("disconnect", {"brand_id": brand.pk}),
    ):
        assert bob_client.get(u(name, **kwargs)).status_code == 404, name
        # A member learns which methods a page takes (405), never what is behind it.
        assert bob_client.post(u(name, **kwargs), {"network": "bluesky"}).status_code in (404, 405), name
    assert bob_client.post(u("approval", brand_id=brand.pk), {"require_approval": "on"}).status_code == 404
    brand.refresh_from_db()
    assert not brand.require_approval and not ConnectedAccount.objects.filter(member__isnull=False).exists()


# --- pages -----------------------------------------------------------------------------------------------


def test_empty_states(alice_client: Client, bob_client: Client) -> None:
    page = alice_client.get(u("accounts")).content.decode()
    assert "No company accounts yet" in page and "most introverted colleague" in page
    assert "Nothing to review" in alice_client.get(u("review")).content.decode()
    assert "tell your program admin" in bob_client.get(u("my_shifts")).content.decode()


def test_admin_assigns_shifts_from_the_page(
    brand: BrandAccount, alice_client: Client, bob: Membership, carol: Membership
) -> None:
    page = alice_client.get(u("account", brand_id=brand.pk)).content.decode()
    assert "Nobody is on shift" in page and "Assign a shift" in page
    resp = alice_client.post(
        u("assign", brand_id=brand.pk),
        {"steward": bob.pk, "starts_at": "2030-03-02T09:00", "ends_at": "2030-03-09T09:00"},
    )
    assert resp.status_code == 302
    shift = Shift.objects.get()
    assert shift.starts_at == dt.datetime(2030, 3, 2, 9, 0, tzinfo=dt.UTC)  # Acme's time zone is UTC
    resp = alice_client.post(
        u("assign", brand_id=brand.pk),
        {"steward": carol.pk, "starts_at": "2030-03-08T09:00", "ends_at": "2030-03-10T09:00"},
    )
    html = resp.content.decode()
    assert resp.status_code == 400 and "overlaps Bob&#x27;s shift" in html and "aria-invalid" in html
    for bad, message in (
        ({"steward": "", "starts_at": "2030-03-08T09:00", "ends_at": "2030-03-10T09:00"}, "Pick who runs the account."),
        ({"steward": bob.pk, "starts_at": "soon", "ends_at": "2030-03-10T09:00"}, "Enter a date and time"),
        ({"steward": bob.pk, "starts_at": "2030-03-12T09:00", "ends_at": "2030-03-11T09:00"}, "end after it starts"),
        ({"steward": 999999, "starts_at": "2030-03-12T09:00", "ends_at": "2030-03-13T09:00"}, "Pick an active member"),
    ):
        resp = alice_client.post(u("assign", brand_id=brand.pk), bad)
        assert resp.status_code == 400 and message in resp.content.decode(), bad
    assert Shift.objects.count() == 1
    page = alice_client.get(u("account", brand_id=brand.pk)).content.decode()
    assert "Coming up" in page and "Bob" in page


def test_steward_sees_the_account_and_writes(brand: BrandAccount, bob_shift: Shift, bob_client: Client) -> None:
    page = bob_client.get(u("account", brand_id=brand.pk)).content.decode()
    assert "Write a post" in page and "Steward now" in page and "Assign a shift" not in page
    assert bob_client.get(u("write", brand_id=brand.pk)).status_code == 200
    my = bob_client.get(u("my_shifts")).content.decode()
    assert "On shift now" in my and "No hand-over note from the previous steward." in my


def test_methods_are_limited(brand: BrandAccount, bob_shift: Shift, bob_client: Client, alice_client: Client) -> None:
    assert alice_client.get(u("approval", brand_id=brand.pk)).status_code == 405
    assert bob_client.get(u("release", shift_id=bob_shift.pk)).status_code == 405
    assert alice_client.post(u("accounts")).status_code == 405


def test_someone_elses_shift_is_404(
    brand: BrandAccount, bob_shift: Shift, alice: Membership, carol: Membership
) -> None:
    c = client_for(carol)
    assert c.get(u("handover", shift_id=bob_shift.pk)).status_code == 404
    assert c.post(u("handover", shift_id=bob_shift.pk), {"note": "mine"}).status_code == 404
    assert c.post(u("release", shift_id=bob_shift.pk)).status_code == 404
    bob_shift.refresh_from_db()
    assert bob_shift.handover_note == "" and bob_shift.status == "assigned"


def test_outsider_gets_404_everywhere(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, charlie: Membership, charlie_client: Client
) -> None:
    actions.set_require_approval(brand, True)
    post = actions.write_post(brand=brand, steward=bob, text="Acme only")
    urls = [
        u("accounts"),
        u("connect"),
        u("connect_start") + "?network=bluesky",
        u("connect_password"),
        u("account", brand_id=brand.pk),
        u("approval", brand_id=brand.pk),
        u("assign", brand_id=brand.pk),
        u("write", brand_id=brand.pk),
        u("disconnect", brand_id=brand.pk),
        u("withdraw", brand_post_id=post.pk),
        u("my_shifts"),
        u("handover", shift_id=bob_shift.pk),
        u("release", shift_id=bob_shift.pk),
        u("review"),
        u("review_post", brand_post_id=post.pk),
    ]
    for url in urls:
        for method in ("get", "post"):
            resp = getattr(charlie_client, method)(url, {"decision": "approve", "text": "pwned", "note": "pwned"})
            assert resp.status_code == 404, f"{method} {url}: {resp.status_code}"
    # Acme's ids under charlie's own workspace: still nothing.
    for url in (u("account", brand_id=brand.pk), u("write", brand_id=brand.pk), u("handover", shift_id=bob_shift.pk)):
        assert charlie_client.get(url.replace("/w/acme/", "/w/globex/")).status_code == 404
    swapped = u("review_post", brand_post_id=post.pk).replace("/w/acme/", "/w/globex/")
    assert charlie_client.post(swapped, {"decision": "approve"}).status_code == 404
    post.refresh_from_db()
    assert post.status == "pending" and BrandPost.objects.count() == 1 and ConnectedAccount.objects.count() == 1


def test_account_page_queries_do_not_grow(
    brand: BrandAccount,
    bob: Membership,
    carol: Membership,
    alice: Membership,
    alice_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    shift = shift_for(brand, bob, alice, start_hours=-1, hours=2)
    actions.write_post(brand=brand, steward=bob, text="one")
    actions.write_handover(shift, bob, "note one")
    url = u("account", brand_id=brand.pk)
    alice_client.get(url)
    with django_assert_max_num_queries(25) as first:
        alice_client.get(url)
    n = len(first.captured_queries)
    for i in range(5):
        s = shift_for(brand, carol if i % 2 else bob, alice, start_hours=3 + i * 3, hours=2)
        Shift.objects.filter(pk=s.pk).update(handover_note=f"note {i}")
    for i in range(5):
        actions.write_post(brand=brand, steward=bob, text=f"post {i}", when=timezone.now() + dt.timedelta(hours=i + 1))
    with django_assert_max_num_queries(n):
        alice_client.get(url)
    with django_assert_max_num_queries(n):
        alice_client.get(u("accounts"))


def test_steward_withdraws_a_post_before_it_goes_out(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, bob_client: Client, carol: Membership, pds: FakePDS
) -> None:
    from groundswell.networks.models import PostStatus

    actions.set_require_approval(brand, True)
    pending = actions.write_post(brand=brand, steward=bob, text="Second thoughts")
    actions.set_require_approval(brand, False)
    queued = actions.write_post(brand=brand, steward=bob, text="Later", when=timezone.now() + dt.timedelta(hours=2))
    page = bob_client.get(u("account", brand_id=brand.pk)).content.decode()
    assert page.count('aria-label="Withdraw this post"') == 2
    # Someone else's post: 404.
    assert client_for(carol).post(u("withdraw", brand_post_id=pending.pk)).status_code == 404
    assert bob_client.post(u("withdraw", brand_post_id=pending.pk)).status_code == 302
    assert not BrandPost.objects.filter(pk=pending.pk).exists()
    resp = bob_client.post(u("withdraw", brand_post_id=queued.pk), follow=True)
    assert "Nothing was posted" in resp.content.decode()
    assert queued.outbound is not None
    queued.outbound.refresh_from_db()
    assert queued.outbound.status == PostStatus.CANCELLED
    again = bob_client.post(u("withdraw", brand_post_id=queued.pk), follow=True)
    assert "Too late" in again.content.decode()


def test_admin_disconnects_a_brand_account(
    brand: BrandAccount, bob_shift: Shift, bob: Membership, alice_client: Client, pds: FakePDS
) -> None:
    from groundswell.networks.models import OutboundPost, PostStatus

    post = actions.write_post(brand=brand, steward=bob, text="Later", when=timezone.now() + dt.timedelta(hours=2))
    page = alice_client.get(u("disconnect", brand_id=brand.pk)).content.decode()
    assert "1 shift(s)" in page and "1 post(s)" in page
    resp = alice_client.post(u("disconnect", brand_id=brand.pk), follow=True)
    assert "Disconnected the company account acme.bsky.test" in resp.content.decode()
    assert not ConnectedAccount.objects.exists() and not BrandAccount.objects.exists()
    assert post.outbound is not None
    assert OutboundPost.objects.get(pk=post.outbound.pk).status == PostStatus.CANCELLED
