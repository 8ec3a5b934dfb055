"""The SSRF-safe fetcher against a real loopback server, and its address policy."""

from __future__ import annotations

import ipaddress
import socket
import time
from typing import Any

import pytest

from groundswell.lib import safe_fetch
from groundswell.lib.safe_fetch import FetchFailed, FetchRefused, refusal_reason, safe_get


@pytest.fixture
def strict(settings: Any) -> Any:
    settings.UNFURL_ALLOW_PRIVATE_ADDRESSES = False
    return settings


def fake_dns(monkeypatch: pytest.MonkeyPatch, mapping: dict[str, str]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in mapping:
            return real(mapping[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", getaddrinfo)


# --- address policy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",
    ],
)
def test_non_public_addresses_are_refused(ip: str) -> None:
    assert refusal_reason(ipaddress.ip_address(ip)) is not None


@pytest.mark.parametrize("ip", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.215.14"])
def test_public_addresses_pass(ip: str) -> None:
    assert refusal_reason(ipaddress.ip_address(ip)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.7/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 written as a number
        "http://0x7f.1/",
        "http://[fe80::1]/",
        "https://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, IPv4-mapped
    ],
)
def test_private_targets_are_refused_before_connecting(strict: Any, url: str) -> None:
    with pytest.raises(FetchRefused, match="only public addresses"):
        safe_get(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/file", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://example.com/", "Only http and https"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http:///nohost", "no host"),
        ("not a url", "Only http and https"),
    ],
)
def test_bad_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(FetchRefused, match=message):
        safe_get(url)


def test_loopback_server_is_refused_when_private_addresses_are_off(strict: Any, page_server: str) -> None:
    with pytest.raises(FetchRefused, match="loopback"):
        safe_get(f"{page_server}/og")


def test_dns_name_pointing_inside_is_refused(strict: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"innocent.example": "10.0.0.5"})
    with pytest.raises(FetchRefused, match=r"innocent\.example points to 10\.0\.0\.5"):
        safe_get("http://innocent.example/")


def test_redirect_to_a_private_address_is_refused(
    strict: Any, page_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Treat the test server as if it were a public site; the hop it redirects to is checked for real.
    real_check = safe_fetch.check_address

    def check(ip: str, host: str) -> None:
        if ip == "127.0.0.1":
            return
        real_check(ip, host)

    monkeypatch.setattr(safe_fetch, "check_address", check)
    assert safe_get(f"{page_server}/og").status == 200
    with pytest.raises(FetchRefused, match=r"169\.254\.169\.254"):
        safe_get(f"{page_server}/redirect-to?http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FetchRefused, match="Only http and https"):
        safe_get(f"{page_server}/redirect-to?ftp://example.com/")


def test_connects_to_the_resolved_address_and_keeps_the_host_name(
    page_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"publisher.example": "127.0.0.1"})
    port = page_server.rsplit(":", 1)[1]
    result = safe_get(f"http://publisher.example:{port}/host")
    assert f"publisher.example:{port}".encode() in result.body


def test_resolution_happens_once_and_the_socket_gets_the_checked_ip(
    page_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address that was checked is the address connected to: no second lookup to rebind."""
    calls: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(host)
        return real("127.0.0.1" if host == "publisher.example" else host, *args, **kwargs)

    monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", getaddrinfo)
    connected: list[str] = []
    real_connect = safe_fetch.httpcore.SyncBackend.connect_tcp

    def connect_tcp(self: Any, host: str, *args: Any, **kwargs: Any) -> Any:
        connected.append(host)
        return real_connect(self, host, *args, **kwargs)

    monkeypatch.setattr(safe_fetch.httpcore.SyncBackend, "connect_tcp", connect_tcp)
    port = page_server.rsplit(":", 1)[1]
    safe_get(f"http://publisher.example:{port}/og")
    assert calls.count("publisher.example") == 1
    assert connected == ["127.0.0.1"]


# --- fetching ---------------------------------------------------------------------------------------


def test_fetches_html(page_server: str) -> None:
    result = safe_get(f"{page_server}/og")
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert b"og:title" in result.body
    assert not result.truncated


def test_follows_redirects_up_to_the_limit(page_server: str, settings: Any) -> None:
    settings.UNFURL_MAX_REDIRECTS = 3
    result = safe_get(f"{page_server}/redirect/2")  # 3 redirects
    assert result.url == f"{page_server}/og"
    with pytest.raises(FetchFailed, match="redirects more than 3 times"):
        safe_get(f"{page_server}/redirect/3")


def test_no_redirects_allowed(page_server: str, settings: Any) -> None:
    settings.UNFURL_MAX_REDIRECTS = 0
    with pytest.raises(FetchFailed, match="more than 0"):
        safe_get(f"{page_server}/redirect/0")


def test_stops_reading_huge_bodies(page_server: str, settings: Any) -> None:
    settings.UNFURL_MAX_BYTES = 4096
    started = time.monotonic()
    result = safe_get(f"{page_server}/huge")
    assert len(result.body) == 4096
    assert result.truncated
    assert time.monotonic() - started < 3


def test_decompresses_gzip_within_the_limit(page_server: str) -> None:
    assert b"Open Graph title" in safe_get(f"{page_server}/gzip").body


def test_slow_server_times_out(page_server: str, settings: Any) -> None:
    settings.UNFURL_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"longer than 0\.5 seconds"):
        safe_get(f"{page_server}/slow")
    assert time.monotonic() - started < 2


def test_dripping_server_hits_the_total_deadline(page_server: str, settings: Any) -> None:
    settings.UNFURL_TIMEOUT_SECONDS = 0.6
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="longer than"):
        safe_get(f"{page_server}/drip")
    assert time.monotonic() - started < 2


def test_only_html_is_read(page_server: str) -> None:
    with pytest.raises(FetchRefused, match=r"not a web page.*image/png"):
        safe_get(f"{page_server}/image")


def test_http_errors_fail(page_server: str) -> None:
    with pytest.raises(FetchFailed, match="404"):
        safe_get(f"{page_server}/missing")


def test_connection_refused_fails(settings: Any) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(FetchFailed, match="Could not connect"):
        safe_get(f"http://127.0.0.1:{port}/")


def test_unknown_host_fails() -> None:
    with pytest.raises(FetchFailed, match="Could not find the server"):
        safe_get("http://no-such-host.invalid/")


# --- internationalised host names (IDNA) ----------------------------------------------------------------


def test_unicode_host_is_fetched_under_its_idna_name(page_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``bücher.example`` used to raise TypeError inside httpcore; it is looked up and sent as punycode."""
    fake_dns(monkeypatch, {"xn--bcher-kva.example": "127.0.0.1"})
    port = page_server.rsplit(":", 1)[1]
    result = safe_get(f"http://Bücher.example:{port}/host")
    assert f"<title>xn--bcher-kva.example:{port}</title>".encode() == result.body
    assert result.url == f"http://xn--bcher-kva.example:{port}/host"


def test_punycode_host_is_fetched_as_given(page_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"xn--bcher-kva.example": "127.0.0.1"})
    port = page_server.rsplit(":", 1)[1]
    assert f"xn--bcher-kva.example:{port}".encode() in safe_get(f"http://xn--bcher-kva.example:{port}/host").body


def test_non_ascii_path_and_query_are_percent_encoded(page_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"xn--bcher-kva.example": "127.0.0.1"})
    port = page_server.rsplit(":", 1)[1]
    result = safe_get(f"http://bücher.example:{port}/echo/straße und mehr?q=ü&keep=%2F")
    assert result.body == b"<title>/echo/stra%C3%9Fe%20und%20mehr?q=%C3%BC&keep=%2F</title>"


def test_redirect_to_a_raw_unicode_url_is_followed(page_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"xn--bcher-kva.example": "127.0.0.1"})
    port = page_server.rsplit(":", 1)[1]
    result = safe_get(f"{page_server}/redirect-utf8?http://b%C3%BCcher.example:{port}/host")
    assert result.url == f"http://xn--bcher-kva.example:{port}/host"
    assert f"xn--bcher-kva.example:{port}".encode() in result.body


def test_unicode_host_keeps_every_address_check(strict: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"xn--bcher-kva.example": "10.0.0.5"})
    with pytest.raises(FetchRefused, match=r"xn--bcher-kva\.example points to 10\.0\.0\.5"):
        safe_get("https://bücher.example/")


def test_redirect_to_a_unicode_host_inside_is_refused(
    strict: Any, page_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_check = safe_fetch.check_address
    monkeypatch.setattr(
        safe_fetch, "check_address", lambda ip, host: None if host == "127.0.0.1" else real_check(ip, host)
    )
    fake_dns(monkeypatch, {"xn--bcher-kva.example": "169.254.169.254"})
    with pytest.raises(FetchRefused, match=r"169\.254\.169\.254"):
        safe_get(f"{page_server}/redirect-utf8?http://b%C3%BCcher.example/latest/meta-data/")


@pytest.mark.parametrize(
    "url",
    [
        "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits: UTS #46 maps them to 127.0.0.1 before the check
        "http://127\u30020\u30020\u30021/",  # ideographic full stops separate labels too
        "http://\u24db\u24de\u24d2\u24d0\u24db\u24d7\u24de\u24e2\u24e3/",  # circled letters: localhost
        "http://\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34/",
    ],
)
def test_unicode_spellings_of_inside_addresses_are_refused(strict: Any, url: str) -> None:
    with pytest.raises(FetchRefused, match="only public addresses"):
        safe_get(url)


def test_mixed_script_host_is_looked_up_as_its_punycode(strict: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Latin with one Cyrillic ``\u0430`` is a valid IDNA name of its own (registries police look-alikes, not DNS):
    it is fetched as ``xn--example-4fg.com``, never as ``example.com``, and its address is checked as usual."""
    fake_dns(monkeypatch, {"xn--example-4fg.com": "10.0.0.9"})
    with pytest.raises(FetchRefused, match=r"xn--example-4fg\.com points to 10\.0\.0\.9"):
        safe_get("https://exa\u0430mple.com/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://ab\u0627\u0628.example/", "not a valid internationalised host name"),  # Latin and Arabic in a label
        ("http://\u200d.example/", "not a valid internationalised host name"),  # a lone zero-width joiner
        ("http://xn--ls8h.example/", "not a valid internationalised host name"),  # punycode of an emoji
        ("http://xn--.example/", "not a valid host name"),
        ("http://bü\u00a0cher.example/", "not a valid internationalised host name"),
        ("http://" + "ü" * 64 + ".example/", "not a valid internationalised host name"),
        ("http://a..b/", "not a valid host name"),
        ("http://-start.example/", "not a valid host name"),
        ("http://" + "a" * 64 + ".example/", "not a valid host name"),
        ("http://" + "a." * 127 + "com/", "not a valid host name"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://%31%32%37.0.0.1/", "not a valid host name"),
        ("http://ex\uff0fample.com/", "not a valid URL"),  # a full-width slash that NFKC turns into "/"
    ],
)
def test_invalid_host_names_get_a_clear_refusal(url: str, message: str) -> None:
    with pytest.raises(FetchRefused, match=message):
        safe_get(url)
