"""The cache behind rate limits is shared by every process: a database table by default, Redis when
``REDIS_URL`` is set. Never the per-process memory cache."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from groundswell.scim import views as scim_views
from groundswell.scim.models import ScimToken

REDIS_TEST_URL = os.environ.get("GROUNDSWELL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the production settings in a fresh interpreter with ``env`` and print the cache backend."""
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    environ.update({"SECRET_KEY": "x" * 40, "DEBUG": "1", **env})
    code = "import groundswell.settings as s; print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_default_cache_is_a_database_table_created_by_migrate(db: None) -> None:
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.CACHE_TABLE in connection.introspection.table_names()
    # Two backend instances (as in two web processes) see the same counter.
    one = DatabaseCache(settings.CACHE_TABLE, {})
    two = DatabaseCache(settings.CACHE_TABLE, {})
    assert one.add("shared", 1) and two.incr("shared") == 2 and one.get("shared") == 2


def test_redis_url_selects_redis_and_a_bad_one_is_refused() -> None:
    chosen = _settings_with(REDIS_URL="redis://127.0.0.1:6379/3")
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/3"]
    default = _settings_with()
    assert default.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "groundswell_cache"]
    bad = _settings_with(REDIS_URL="127.0.0.1:6379")
    assert bad.returncode != 0 and "REDIS_URL='127.0.0.1:6379' must start with redis://" in bad.stderr


def _reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Redis on 127.0.0.1 that CI machines run, or, where there is none, a ``redis-server`` this test
    starts itself on a free loopback port (nothing kept on disk)."""
    if _reachable(REDIS_TEST_URL):
        yield REDIS_TEST_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(f"no Redis at {REDIS_TEST_URL} and no redis-server to start (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path_factory.mktemp("redis"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not _reachable(url):
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _token() -> ScimToken:
    return ScimToken(token_hash=uuid.uuid4().hex * 2)


def _limit_through(backend: object, token: ScimToken, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(scim_views, "cache", backend)
    return scim_views._within_rate(token)


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_the_scim_rate_limit_is_counted_across_processes(
    kind: str, db: None, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Three requests through one process's cache and two through another's: the fifth is over a limit
    of four, as it would be with one process."""
    if kind == "redis":
        url = request.getfixturevalue("redis_url")
        first: object = RedisCache(url, {"KEY_PREFIX": f"gs-test-{uuid.uuid4().hex}"})
        second: object = RedisCache(url, {"KEY_PREFIX": first.key_prefix})  # type: ignore[attr-defined]
    else:
        first = DatabaseCache(settings.CACHE_TABLE, {})
        second = DatabaseCache(settings.CACHE_TABLE, {})
    monkeypatch.setattr(scim_views, "REQUESTS_PER_MINUTE", 4)
    monkeypatch.setattr(scim_views, "_window", lambda: 30_000_000)
    token = _token()
    answers = [_limit_through(first, token, monkeypatch) for _ in range(3)]
    answers += [_limit_through(second, token, monkeypatch) for _ in range(2)]
    assert answers == [True, True, True, True, False]
    assert _limit_through(second, _token(), monkeypatch)  # another token has its own budget
    if kind == "redis":
        first.clear()  # type: ignore[attr-defined]


def test_the_app_cache_works(db: None) -> None:
    cache.set("hello", "world", 30)
    assert cache.get("hello") == "world"
