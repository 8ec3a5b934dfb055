"""An SSRF-safe HTTP GET for fetching public web pages (link previews).

* only ``http``/``https`` URLs without credentials; an internationalised host name (``bücher.example``) is
  converted to its ASCII form (IDNA 2008 with the UTS #46 mapping, the ``idna`` package) before anything else,
  and a name that is not valid IDNA is refused with a clear message, so every check below sees the name that
  is actually looked up;
* the host is resolved once, every address is checked (private, loopback, link-local, multicast, reserved,
  unspecified and other non-global ranges are refused, IPv4 and IPv6, including IPv4-mapped IPv6) and the
  connection is made to the checked address — the check lives in the network backend, so there is no gap
  between checking and connecting for DNS rebinding to slip through;
* redirects are followed by hand, at most ``UNFURL_MAX_REDIRECTS``, each hop checked again;
* one deadline (``UNFURL_TIMEOUT_SECONDS``) for the whole fetch, enforced on every socket operation;
* at most ``UNFURL_MAX_BYTES`` of (decompressed) body are read; only HTML is read at all.

``settings.UNFURL_ALLOW_PRIVATE_ADDRESSES`` turns the address check off (the test-suite's loopback server).

:class:`GuardedTransport` is the same connect-time check for ``httpx`` clients (the social networks'
choke point, ``networks/http.py``): servers a member names (a Mastodon instance, a Bluesky PDS) are checked on
every connection, not only when the form was saved, so DNS rebinding cannot turn them inwards (ADR 0027).
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpcore
import httpx
import idna
from django.conf import settings

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
USER_AGENT = "GroundswellBot/1.0 (link preview; +https://github.com/groundswell)"
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A page that could not be fetched; ``str(exc)`` is a message fit for an admin."""


class FetchRefused(FetchError):
    """The fetch was refused by policy (scheme, address, content type)."""


class FetchFailed(FetchError):
    """The fetch was allowed but did not work (network error, timeout, HTTP error, too many redirects)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        #: The HTTP status when the server answered with an error.
        self.status = status


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    content_type: str
    charset: str | None
    body: bytes
    truncated: bool


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def refusal_reason(address: IPAddress) -> str | None:
    """Why connecting to ``address`` is not allowed, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return refusal_reason(mapped)
        if address.teredo is not None:
            return "a Teredo tunnel address"
    checks = (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    )
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    if not address.is_global:
        return "not a public address"
    return None


def check_address(ip: str, host: str) -> None:
    """Raise FetchRefused unless ``ip`` (the address ``host`` resolved to) is public or private ones are allowed."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        raise FetchRefused(f"{host} resolved to an address that is not an IP address ({ip}).") from None
    reason = refusal_reason(address)
    if reason and not settings.UNFURL_ALLOW_PRIVATE_ADDRESSES:
        raise FetchRefused(f"{host} points to {address}, {reason}; only public addresses are fetched.")


def resolve(host: str, port: int) -> list[str]:
    """All addresses of ``host``, each checked; FetchRefused if any of them is not allowed (or ``host`` is not a
    valid host name). An internationalised name is looked up in its IDNA 2008 form, the one httpx connects to,
    not in the IDNA 2003 form ``socket`` would pick (they differ: ``faß.de``)."""
    host = ascii_host(host)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"Could not find the server {host}.") from exc
    addresses: list[str] = []
    for info in infos:
        ip = str(info[4][0])
        check_address(ip, host)
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchFailed(f"Could not find the server {host}.")
    return addresses


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout(f"took longer than {self.seconds:g} seconds")
        return left

    def limit(self, timeout: float | None) -> float:
        left = self.remaining()
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every operation is bounded by the fetch's overall deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.limit(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.limit(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(ssl_context, server_hostname, self._deadline.limit(timeout))
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class SafeNetworkBackend(httpcore.NetworkBackend):
    """Resolves and checks the host at connect time, then connects to the checked address itself.

    TLS still verifies the certificate against the host name: httpcore passes the URL's host as the
    server name to ``start_tls``, whatever address the socket is connected to. ``deadline`` bounds the whole
    exchange (``safe_get``); without one, the caller's own timeouts apply. Hosts in ``trusted_hosts`` (the
    operator's own configuration) are connected to by name without the address check.
    """

    def __init__(self, deadline: Deadline | None = None, *, trusted_hosts: frozenset[str] = frozenset()) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline
        self._trusted_hosts = trusted_hosts

    def _limit(self, timeout: float | None) -> float | None:
        return timeout if self._deadline is None else self._deadline.limit(timeout)

    def _wrap(self, stream: httpcore.NetworkStream) -> httpcore.NetworkStream:
        return stream if self._deadline is None else _DeadlineStream(stream, self._deadline)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if host.lower().removesuffix(".") in self._trusted_hosts:
            return self._wrap(self._inner.connect_tcp(host, port, self._limit(timeout), local_address, socket_options))
        last_error: Exception | None = None
        for ip in resolve(host, port):
            try:
                stream = self._inner.connect_tcp(ip, port, self._limit(timeout), local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            return self._wrap(stream)
        assert last_error is not None
        raise last_error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise FetchRefused("Unix sockets are never fetched.")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds if self._deadline is None else min(seconds, self._deadline.remaining()))


class AddressRefused(httpx.ConnectError):
    """An ``httpx`` request refused before anything was sent: the server's name points to an address we do not
    call (private, loopback…), or is not a valid host name. A ``TransportError``, so code that only knows
    "the network failed" still treats it as a failure; plug-ins that know better report it as permanent."""


class GuardedTransport(httpx.HTTPTransport):
    """``httpx``'s own transport with :class:`SafeNetworkBackend` underneath: every new connection resolves the
    host, checks every address and connects to a checked one (no proxies: a proxy would resolve for us).

    A refused address raises :class:`AddressRefused`, a name that does not resolve ``httpx.ConnectError``.
    """

    def __init__(self, *, trusted_hosts: frozenset[str] = frozenset()) -> None:
        context = _ssl_context()
        super().__init__(verify=context, trust_env=False)
        # httpx (pinned) keeps its connection pool in ``_pool`` and takes no network backend; the pool is
        # rebuilt with the checking backend and httpx's default limits (the rebinding tests cover the pair).
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=SafeNetworkBackend(trusted_hosts=trusted_hosts),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except FetchRefused as exc:
            raise AddressRefused(str(exc), request=request) from exc
        except FetchFailed as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context (certifi's roots, ``SSL_CERT_FILE``), made once per process."""
    return httpx.create_ssl_context(trust_env=True)


#: Characters left as they are in a path, query or fragment (RFC 3986 reserved and unreserved, and ``%`` so
#: that escapes already there stay single); everything else, non-ASCII included, is percent-encoded as UTF-8.
_URL_SAFE = "!$&'()*+,;=:@/?~%"
#: One label of a host name as looked up: letters, digits, hyphens inside, and the underscore real DNS names
#: use (``_dmarc``, some CDN hosts); IDNA's own rules apply to the internationalised labels.
_ASCII_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


def ascii_host(host: str) -> str:
    """``host`` as DNS sees it: lower-case ASCII, an internationalised name in its IDNA form (``bücher.example``
    → ``xn--bcher-kva.example``, UTS #46 mapping, so full-width digits become ASCII ones
    before the address checks, not after). IP literals are returned as they are. FetchRefused when ``host`` is
    not a valid host name (an empty or over-long label, a character IDNA does not allow, broken punycode)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return host.lower()
    name = host
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True, std3_rules=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise FetchRefused(f"{host!r} is not a valid internationalised host name ({exc}).") from None
    name = name.lower()
    bare = name.removesuffix(".")
    if not bare or len(bare) > 253:
        raise FetchRefused(f"{host!r} is not a valid host name.")
    for label in bare.split("."):
        if not _ASCII_LABEL.match(label):
            raise FetchRefused(f"{host!r} is not a valid host name.")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError) as exc:
                raise FetchRefused(f"{host!r} is not a valid internationalised host name ({exc}).") from None
    return name


def check_url(url: str) -> str:
    """The URL as it is fetched, if it may be fetched at all (scheme, host, no credentials); FetchRefused
    otherwise. The returned URL is ASCII: the host in its IDNA form, path and query percent-encoded."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused(f"{url!r} is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"Only http and https links are fetched, not {parts.scheme or 'this'}:.")
    if not parts.hostname:
        raise FetchRefused(f"{url!r} has no host name.")
    if parts.username or parts.password:
        raise FetchRefused("Links with a user name or password in them are not fetched.")
    if port == 0:
        raise FetchRefused(f"{url!r} has an invalid port.")
    host = ascii_host(parts.hostname)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit(
        (
            scheme,
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE + "#"),
        )
    )


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return ""


def _location(headers: list[tuple[bytes, bytes]]) -> str:
    """The ``Location`` header; servers that send a raw internationalised URL send it as UTF-8."""
    raw = _header(headers, b"location").encode("latin-1")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _parse_content_type(value: str) -> tuple[str, str | None]:
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.lower() == "charset" and val:
            charset = val.strip().strip("\"'") or None
    return mime.strip().lower(), charset


def _read_body(response: httpcore.Response, encoding: str, max_bytes: int) -> tuple[bytes, bool]:
    decoder: Any = None
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    elif encoding not in ("", "identity"):
        raise FetchFailed(f"The page is sent with an unsupported encoding ({encoding}).")
    body = bytearray()
    for chunk in response.iter_stream():
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, max_bytes + 1 - len(body))
            except zlib.error as exc:
                raise FetchFailed("The page is not validly compressed.") from exc
        body += chunk
        if len(body) > max_bytes:
            return bytes(body[:max_bytes]), True
    return bytes(body), False


def safe_get(
    url: str, *, content_types: frozenset[str] | set[str] = HTML_TYPES, user_agent: str = USER_AGENT
) -> FetchResult:
    """GET an HTML page (or a document of one of ``content_types``) from a public address under the limits."""
    deadline = Deadline(float(settings.UNFURL_TIMEOUT_SECONDS))
    max_redirects = int(settings.UNFURL_MAX_REDIRECTS)
    max_bytes = int(settings.UNFURL_MAX_BYTES)
    headers = [
        (b"User-Agent", user_agent.encode()),
        (
            b"Accept",
            b"text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
            if content_types == HTML_TYPES
            else ",".join(sorted(content_types)).encode(),
        ),
        (b"Accept-Encoding", b"gzip, deflate, identity"),
    ]
    current = check_url(url)
    try:
        with httpcore.ConnectionPool(network_backend=SafeNetworkBackend(deadline), retries=0) as pool:
            for _hop in range(max_redirects + 1):
                timeout = deadline.remaining()
                extensions = {"timeout": {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}}
                with pool.stream("GET", current, headers=headers, extensions=extensions) as response:
                    status = response.status
                    if status in REDIRECT_STATUSES:
                        location = _location(response.headers)
                        if not location:
                            raise FetchFailed(f"The page answered {status} without saying where to go.")
                        current = check_url(urljoin(current, location))
                        continue
                    if status >= 400:
                        raise FetchFailed(f"The page answered with HTTP status {status}.", status=status)
                    mime, charset = _parse_content_type(_header(response.headers, b"content-type"))
                    if mime not in content_types:
                        if content_types != HTML_TYPES:
                            raise FetchRefused(
                                f"The answer is {mime or 'of an unknown type'}, not {' or '.join(sorted(content_types))}."
                            )
                        raise FetchRefused(f"The link is not a web page (it is {mime or 'of an unknown type'}).")
                    encoding = _header(response.headers, b"content-encoding").lower()
                    body, truncated = _read_body(response, encoding, max_bytes)
                    return FetchResult(current, status, mime, charset, body, truncated)
            raise FetchFailed(f"The link redirects more than {max_redirects} times.")
    except FetchError:
        raise
    except httpcore.TimeoutException as exc:
        raise FetchFailed(f"The page took longer than {deadline.seconds:g} seconds to load.") from exc
    except (httpcore.ConnectError, OSError) as exc:
        raise FetchFailed(f"Could not connect to the server ({exc}).") from exc
    except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
        raise FetchFailed(f"The server sent a broken answer ({exc}).") from exc
    except httpcore.UnsupportedProtocol as exc:
        raise FetchRefused(f"Only http and https links are fetched ({exc}).") from exc
