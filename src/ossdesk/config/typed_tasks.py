"""Huey's task decorators, typed: a task keeps its function's signature for its callers and for mypy.

Huey ships no type information (pyproject's mypy overrides say so), so its decorators would turn every
task into `Any`. These wrappers call Huey's own decorators and declare what they return: calling
`inbound_process_task(inbound_id)` enqueues and is checked against `inbound_process_task`'s parameters,
`.call_local(...)` runs the function here and returns what it returns, `.schedule(args, eta=...)` queues
for later.

Not in `config/queue.py`: importing djhuey makes the queue, an instance of a class from that module.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, Protocol, TypeVar, cast

import huey
from huey.api import Result
from huey.contrib import djhuey

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

Schedule = Callable[[datetime], bool]
"""When a periodic task runs: the consumer asks once a minute (UTC)."""


class Task(Protocol[P, R_co]):
    """What Huey's decorators make of a function: call it to enqueue it, `call_local` to run it now."""

    name: str

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Result: ...

    def call_local(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...

    def schedule(
        self,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        eta: datetime | None = None,
        delay: float | None = None,
    ) -> Result: ...


def db_task(**options: Any) -> Callable[[Callable[P, R]], Task[P, R]]:
    """A queued task that uses the database (djhuey closes stale connections around it)."""
    # cast: huey is untyped; djhuey.db_task returns a TaskWrapper whose call enqueues with the function's
    # arguments and whose call_local is the function itself.
    return cast("Callable[[Callable[P, R]], Task[P, R]]", djhuey.db_task(**options))


def db_periodic_task(schedule: Schedule, **options: Any) -> Callable[[Callable[[], R]], Task[[], R]]:
    """A task the consumer runs whenever `schedule` says so (see `crontab`)."""
    # cast: huey is untyped; as db_task, for a function without parameters.
    return cast("Callable[[Callable[[], R]], Task[[], R]]", djhuey.db_periodic_task(schedule, **options))


def lock_task(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Skip a run while another run holding the lock `name` is still going (Huey raises TaskLocked)."""
    # cast: huey is untyped; its TaskLock wraps the function with functools.wraps, same signature.
    return cast("Callable[[Callable[P, R]], Callable[P, R]]", djhuey.lock_task(name))


def crontab(
    *, month: str = "*", day: str = "*", day_of_week: str = "*", hour: str = "*", minute: str = "*"
) -> Schedule:
    """Huey's cron-style schedule (`crontab(minute="*/5")`)."""
    # cast: huey is untyped; crontab returns a function of the (UTC) minute being checked.
    return cast(
        "Schedule", huey.crontab(month=month, day=day, day_of_week=day_of_week, hour=hour, minute=minute)
    )
