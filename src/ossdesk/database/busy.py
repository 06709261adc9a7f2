"""A write that meets a busy database waits and tries again; when patience runs out, callers answer 503.

On the embedded SQLite default one long write transaction (a large import, say) holds the only write
lock; every other writer's `BEGIN IMMEDIATE` waits SQLite's busy timeout and then fails with "database is
locked". A statement that failed that way has done nothing, so it is tried again after a short, growing,
jittered pause until OSSDESK_DB_BUSY_PATIENCE seconds have passed. On PostgreSQL writers wait on row locks
without a timeout; a deadlock or serialization failure rolls the whole transaction back, and is answered
like an exhausted wait.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# serialization_failure, deadlock_detected, lock_not_available: the transaction was rolled back whole.
_POSTGRES_RETRYABLE = frozenset({"40001", "40P01", "55P03"})
_FIRST_PAUSE = 0.05
_LONGEST_PAUSE = 2.0


def is_database_busy(exc: BaseException) -> bool:
    """True when `exc` (or what it wraps: Django re-raises driver errors `from` them) means "try later"."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.OperationalError):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
                return True
            if "database is locked" in str(current) or "database table is locked" in str(current):
                return True
        if getattr(current, "sqlstate", None) in _POSTGRES_RETRYABLE:
            return True
        current = current.__cause__ or current.__context__
    return False


def patience_seconds() -> float:
    return float(getattr(settings, "OSSDESK_DB_BUSY_PATIENCE", 30))


def retry_after_seconds() -> int:
    """What a refused request tells the client to wait (the Retry-After header)."""
    return max(1, round(patience_seconds() / 6))


def _pauses(deadline: float) -> Iterator[float]:
    pause = _FIRST_PAUSE
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        # Jitter, so writers that met the same lock do not all come back at the same instant.
        yield min(remaining, pause * random.uniform(0.5, 1.5))  # noqa: S311 -- jitter, not a secret
        pause = min(pause * 2, _LONGEST_PAUSE)


def call_patiently(attempt: Callable[[], T], *, what: str) -> T:
    """Run `attempt` (which must change nothing when it fails busy) until it succeeds or patience ends."""
    started = time.monotonic()
    pauses = _pauses(started + patience_seconds())
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if not is_database_busy(exc):
                raise
            pause = next(pauses, None)
            if pause is None:
                logger.warning(
                    "%s: the database stayed busy for %.1f s over %d attempts; giving up",
                    what,
                    time.monotonic() - started,
                    tries,
                )
                raise
            logger.info("%s: the database is busy (attempt %d); trying again in %.2f s", what, tries, pause)
            time.sleep(pause)
