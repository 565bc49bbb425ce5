"""Reads that may lag go to the read replica; everything else to the primary.

Nothing is guessed: a read reaches the replica only when its code says it tolerates lag, with
`.using(replica_alias())` on a queryset (bound when it is built, so a streamed export keeps it) or
inside `lag_tolerant()` (a block, or `@lag_tolerant_reads` on a selector that evaluates its
queries before it returns). Even then the primary answers

- when no replica is configured (`DATABASE_REPLICA_URL` empty): the alias is always "default";
- inside a transaction on the primary (`transaction.atomic()`): a write's reads see its writes;
- for a user who wrote in the last `DATABASE_REPLICA_STICKY_SECONDS` (any successful unsafe
  request marks them, `PrimaryAfterWriteMiddleware`): they read what they wrote, e.g. a
  canvasser's progress right after a push.

Capacity checks, signups, outbox claims, sync pulls and every write path never opt in, so they
read the primary. Writes always go to the primary, also for an object read from the replica.
docs/scaling-databases.md says which reads opt in and why.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The alias the ORM's unrouted reads go to in this context (`lag_tolerant()` sets it).
_read_alias: ContextVar[str] = ContextVar("backend_db_read_alias", default=PRIMARY)

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _wrote_key(user_id: int) -> str:
    return f"db:primary-after-write:{user_id}"


def mark_wrote(user_id: int) -> None:
    """The user's reads go to the primary for the next DATABASE_REPLICA_STICKY_SECONDS."""
    seconds = settings.DATABASE_REPLICA_STICKY_SECONDS
    if seconds and replica_configured():
        cache.set(_wrote_key(user_id), 1, seconds)


def recently_wrote(user_id: int) -> bool:
    return cache.get(_wrote_key(user_id)) is not None


def _in_write_transaction() -> bool:
    return connections[PRIMARY].in_atomic_block


def replica_alias(*, user: Any = None) -> str:
    """The alias for a read that tolerates lag, decided now: "replica" when one is configured,
    we are not inside a transaction on the primary, and `user` (if given) did not write in the
    last DATABASE_REPLICA_STICKY_SECONDS; "default" otherwise."""
    if not replica_configured() or _in_write_transaction():
        return PRIMARY
    user_id = getattr(user, "pk", None)
    if user_id is not None and recently_wrote(user_id):
        return PRIMARY
    return REPLICA


@contextlib.contextmanager
def lag_tolerant(*, user: Any = None) -> Iterator[str]:
    """The ORM reads in the block may be served by the replica (see `replica_alias`); a read
    inside a transaction opened in the block still goes to the primary. Yields the alias."""
    token = _read_alias.set(replica_alias(user=user))
    try:
        yield _read_alias.get()
    finally:
        _read_alias.reset(token)


def lag_tolerant_reads(function: F) -> F:
    """`lag_tolerant()` around a selector that evaluates its queries before returning; its
    `user` keyword argument, if any, is the reader (who reads the primary after writing)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with lag_tolerant(user=kwargs.get("user")):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    """Django's router: unrouted reads go where `lag_tolerant()` says (the primary outside it
    and inside any transaction), writes to the primary. Both aliases are one database, so any
    relation is allowed; migrations run on the primary only (the replica follows it)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        alias = _read_alias.get()
        if alias != PRIMARY and _in_write_transaction():
            return PRIMARY
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class PrimaryAfterWriteMiddleware:
    """After a successful unsafe request (POST, PUT, PATCH, DELETE) by a signed-in user (API
    tokens are checked in the view, which sets `request.user` for us), that user reads the
    primary for DATABASE_REPLICA_STICKY_SECONDS. Does nothing without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and replica_configured():
                mark_wrote(user.pk)
        return response
