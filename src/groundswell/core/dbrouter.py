"""Dashboard and report reads on a PostgreSQL read replica, where one is configured (docs/adr/0033).

``DATABASE_REPLICA_URL`` adds the ``replica`` alias and sets ``READ_REPLICA``. Reads go there only inside
``replica_reads()`` (the dashboard's views use ``@reads_from_replica``) and only for the rollup models
(``REPLICA_READ_APPS``): what a manager looks at, where a second or two of replication lag is harmless.
Everything else stays on the primary: writes, access checks, sessions, and every read a worker or a
write path makes (a read-modify-write on a lagging copy would be wrong).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import models

REPLICA_READ_APPS = frozenset({"analytics"})

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Inside this block, rollup reads may go to the read replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """Decorator for read-only views (dashboards, exports) whose rollup queries may use the replica."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str | None:
        alias: str | None = getattr(settings, "READ_REPLICA", None)
        if alias and _replica_reads.get() and model._meta.app_label in REPLICA_READ_APPS:
            return alias
        return None

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # The replica follows the primary through replication; migrations run on the primary only.
        return False if db in ("replica", getattr(settings, "READ_REPLICA", None)) else None
