"""Pure rules of webhook delivery: which event types exist, which an endpoint's patterns select,
and when to try again. No ORM, tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

EVENT_TYPES = (
    "ticket.created",
    "ticket.updated",
    "ticket.replied",
    "ticket.solved",
    "sla.warning",
    "sla.breached",
    "finding.created",
    "finding.closed",
    "advisory.published",
    "alert.fired",
)
FAMILIES = tuple(sorted({name.split(".")[0] for name in EVENT_TYPES}))
# Sent only on request (`POST /api/webhooks/endpoints/{id}/test`), whatever the endpoint subscribes to.
PING = "ping"

FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)


def pattern_problem(pattern: str) -> str | None:
    """Why a subscription pattern is not accepted, or None: an event type, `family.*`, or `*`."""
    if pattern == "*" or pattern in EVENT_TYPES:
        return None
    family, _, rest = pattern.partition(".")
    if rest == "*" and family in FAMILIES:
        return None
    return (
        f"{pattern!r} is not an event type. Use one of {', '.join(EVENT_TYPES)}, "
        f"a family such as {', '.join(f'{f}.*' for f in FAMILIES)}, or * for all."
    )


def subscribes(patterns: Iterable[str], event_type: str) -> bool:
    """Whether any pattern selects the event type (`ticket.*` selects `ticket.created`)."""
    for pattern in patterns:
        if pattern in {"*", event_type}:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def retry_delay(attempt: int) -> timedelta:
    """How long after failed attempt number `attempt` (1-based) the next one is due: 1 m, 2 m, 4 m ...,
    doubling, capped at an hour."""
    if attempt < 1:
        raise ValueError("attempts count from 1")
    doublings: int = 2 ** min(attempt - 1, 16)  # typeshed: int ** int may be a float (negative powers)
    return min(FIRST_DELAY * doublings, MAX_DELAY)


def wire_time(value: datetime | None) -> str | None:
    """A time as payloads carry it: ISO 8601 in UTC with a `Z`, or None."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None
