"""Failed sign-ins slow attackers down without locking the owner out (workspaces/login_throttle.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.workspaces.login_throttle import COOKIE
from groundswell.workspaces.models import Membership

PASSWORD = "correct horse battery"  # conftest.make_member
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


def _sign_in(client: Client, email: str, password: str, ip: str) -> bool:
    response = client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)
    if response.status_code == 302:
        return True
    assert response.status_code == 200, response.status_code
    return False


def _locked(client: Client, email: str, ip: str) -> bool:
    response = client.post("/accounts/login/", {"login": email, "password": "wrong"}, REMOTE_ADDR=ip)
    return "Too many failed sign-in attempts" in response.content.decode()


@pytest.mark.django_db
def test_a_strangers_failures_do_not_lock_the_owner_out(bob: Membership) -> None:
    attacker = Client()
    for _ in range(6):
        assert not _sign_in(attacker, "bob@acme.test", "guess", ATTACKER)
    assert _locked(attacker, "bob@acme.test", ATTACKER)  # the attacker is slowed down…
    assert not _sign_in(attacker, "bob@acme.test", PASSWORD, ATTACKER)  # …even with the right password
    # …but Bob, signing in from his own address, gets in (allauth's per-account lock refused him here).
    assert _sign_in(Client(), "bob@acme.test", PASSWORD, OFFICE)


@pytest.mark.django_db
def test_a_known_browser_gets_in_with_the_right_password_behind_the_attackers_address(bob: Membership) -> None:
    laptop = Client()
    assert _sign_in(laptop, "bob@acme.test", PASSWORD, OFFICE)
    assert COOKIE in laptop.cookies and laptop.cookies[COOKIE]["httponly"]
    laptop.post("/accounts/logout/")
    # A colleague on the same office network (one public address) hammers Bob's account.
    colleague = Client()
    for _ in range(35):  # more than allauth's 30 attempts a minute per address, too
        _sign_in(colleague, "bob@acme.test", "guess", OFFICE)
    assert _locked(colleague, "bob@acme.test", OFFICE)
    assert _sign_in(laptop, "bob@acme.test", PASSWORD, OFFICE)  # the browser Bob used before still works


@pytest.mark.django_db
def test_a_known_browser_cannot_be_used_to_guess_without_limit(bob: Membership) -> None:
    browser = Client()
    assert _sign_in(browser, "bob@acme.test", PASSWORD, OFFICE)
    browser.post("/accounts/logout/")
    for _ in range(10):
        assert not _sign_in(browser, "bob@acme.test", "guess", OFFICE)
    assert _locked(browser, "bob@acme.test", OFFICE)
    # A cookie for another account or a forged one counts as an unknown browser.
    forged = Client()
    forged.cookies[COOKIE] = "not-signed"
    assert _sign_in(forged, "bob@acme.test", PASSWORD, OFFICE)


@pytest.mark.django_db
def test_a_distributed_guesser_is_stopped_per_account(bob: Membership, carol: Membership) -> None:
    for n in range(50):
        _sign_in(Client(), "bob@acme.test", "guess", f"192.0.2.{n + 1}")
    assert _locked(Client(), "bob@acme.test", "192.0.2.200")  # a fresh address: the account is throttled
    assert not _sign_in(Client(), "bob@acme.test", PASSWORD, "192.0.2.201")
    assert _sign_in(Client(), "carol@acme.test", PASSWORD, "192.0.2.202")  # other accounts are not
