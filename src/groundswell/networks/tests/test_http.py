"""The one place HTTP failures become network errors (``networks.http``): every plug-in relies on it."""

from __future__ import annotations

import datetime as dt
import email.utils
import time

import httpx
import pytest

from groundswell.networks import http
from groundswell.networks.base import AuthError, PermanentError, TransientError


def _answer(status: int, body: object = None, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers, request=httpx.Request("POST", "https://api.example/"))


def _send_raising(exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with http.use_transport(httpx.MockTransport(handler)):
        http.send("POST", "https://api.example/post", network="Example")


@pytest.mark.parametrize(
    ("exc", "accepted"),
    [
        (httpx.ReadTimeout("slow"), True),  # the request reached the network: it may have made the post
        (httpx.WriteTimeout("slow"), True),
        (httpx.ConnectTimeout("slow"), False),  # nothing was sent
        (httpx.PoolTimeout("busy"), False),
        (httpx.RemoteProtocolError("cut"), True),
        (httpx.ReadError("cut"), True),
        (httpx.ConnectError("refused"), False),
    ],
)
def test_transport_failures_are_transient_and_say_whether_the_post_may_exist(exc: Exception, accepted: bool) -> None:
    with pytest.raises(TransientError) as info:
        _send_raising(exc)
    assert info.value.accepted is accepted
    assert "Example" in info.value.message


def test_a_refused_address_is_permanent() -> None:
    with pytest.raises(PermanentError, match="does not connect to this Example server"):
        _send_raising(http.AddressRefused("10.0.0.1 is private"))


def test_send_returns_the_answer_unmapped() -> None:
    with http.use_transport(httpx.MockTransport(lambda request: httpx.Response(404, json={}))):
        assert http.send("GET", "https://api.example/x", network="Example").status_code == 404


def test_a_success_raises_nothing() -> None:
    http.raise_for_status(_answer(201, {"id": "1"}), network="Example")


def test_429_is_transient_with_the_wait_the_network_asked_for() -> None:
    with pytest.raises(TransientError, match="slow down") as info:
        http.raise_for_status(_answer(429, {"error": "rate"}, {"Retry-After": "30"}), network="Example")
    assert info.value.retry_after == 30.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_transient(status: int) -> None:
    with pytest.raises(TransientError, match=f"had a problem \\({status}\\)"):
        http.raise_for_status(_answer(status, {"message": "down"}), network="Example")


def test_401_asks_to_reconnect() -> None:
    with pytest.raises(AuthError, match="refused the connection: expired"):
        http.raise_for_status(_answer(401, {"error_description": "expired"}), network="Example")


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_other_4xx_is_permanent_with_the_networks_message(status: int) -> None:
    with pytest.raises(PermanentError, match="Example refused: too long"):
        http.raise_for_status(_answer(status, {"message": "too long"}), network="Example")


def test_the_networks_own_codes_override_the_status() -> None:
    answer = _answer(400, {"error": "x"})
    with pytest.raises(AuthError):
        http.raise_for_status(answer, network="Example", error=http.ErrorBody("gone", auth=True))
    with pytest.raises(TransientError, match="slow down"):
        http.raise_for_status(answer, network="Example", error=http.ErrorBody("busy", throttled=True))
    with pytest.raises(TransientError, match="had a problem"):
        http.raise_for_status(answer, network="Example", error=http.ErrorBody("later", temporary=True))


def test_read_error_reads_the_common_shapes() -> None:
    assert http.read_error(_answer(400, {"error": "invalid_grant", "error_description": "spent"})) == http.ErrorBody(
        "spent", code="invalid_grant"
    )
    assert http.read_error(_answer(422, {"code": "DUPLICATE", "message": "again"})).message == "again"
    plain = httpx.Response(502, text="Bad gateway", request=httpx.Request("GET", "https://api.example/"))
    assert http.read_error(plain).message == "Bad gateway"


def test_rate_limit_wait_reads_retry_after_then_reset_headers() -> None:
    assert http.rate_limit_wait(_answer(429, {}, {"Retry-After": "12"})) == 12.0
    later = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60), usegmt=True)
    assert 55 <= (http.rate_limit_wait(_answer(429, {}, {"Retry-After": later})) or 0) <= 60
    epoch = str(int(time.time()) + 40)  # X and Bluesky: epoch seconds
    assert 35 <= (http.rate_limit_wait(_answer(429, {}, {"x-rate-limit-reset": epoch})) or 0) <= 40
    iso = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)).isoformat()  # Mastodon: an ISO 8601 time
    assert 85 <= (http.rate_limit_wait(_answer(429, {}, {"X-RateLimit-Reset": iso})) or 0) <= 90
    assert http.rate_limit_wait(_answer(429, {})) is None


def test_json_body() -> None:
    assert http.json_body(_answer(200, {"a": 1}), network="Example") == {"a": 1}
    empty = httpx.Response(204, request=httpx.Request("GET", "https://api.example/"))
    assert http.json_body(empty, network="Example") == {}
    garbled = httpx.Response(200, text="<html>", request=httpx.Request("GET", "https://api.example/"))
    with pytest.raises(TransientError, match="unreadable"):
        http.json_body(garbled, network="Example")
