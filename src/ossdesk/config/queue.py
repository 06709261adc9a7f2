"""The task queue's classes: Huey's, with a scheduler that wakes when ETAs fall due.

A check of an SLA clock is queued for a whole second (SLA time is kept to the second). Huey's scheduler
wakes once a second, but at the phase the worker happened to start with: up to a second after the ETA.
Waking just after each whole second of the wall clock takes that second off every notice.
"""

from __future__ import annotations

import time
from datetime import datetime
from importlib import import_module
from typing import Any

import huey
from huey.consumer import Consumer, Scheduler

AFTER_THE_SECOND = 0.02  # seconds past the whole second: the ETA is certainly in the past then


def until_next_second(now: float) -> float:
    """Seconds from `now` (epoch) to just after the next whole second, at most a second and a bit."""
    wait = 1 + AFTER_THE_SECOND - now % 1
    return wait - 1 if wait > 1 else wait


def enqueue(task: str, *args: Any) -> None:
    """Queue the task at dotted path `task` ("ossdesk.security.tasks.sbom_process_task") with `args`, as
    calling it does. Services queue their own tasks by name: a tasks module imports its services at the
    top, so services that imported it back would close an import cycle."""
    _task(task)(*args)


class WholeSecondScheduler(Scheduler):
    """Huey's scheduler, waking just after each whole second of the wall clock."""

    def sleep_for_interval(self, start_ts: float, nseconds: float) -> None:
        if self.interval != 1:  # a configured slower scheduler keeps Huey's own pacing
            super().sleep_for_interval(start_ts, nseconds)
            return
        self.stop_flag.wait(until_next_second(time.time()))


class WorkerConsumer(Consumer):
    scheduler_class = WholeSecondScheduler


class SqliteHuey(huey.SqliteHuey):
    def create_consumer(self, **options: Any) -> Consumer:
        return WorkerConsumer(self, **options)


class RedisHuey(huey.RedisHuey):
    def create_consumer(self, **options: Any) -> Consumer:
        return WorkerConsumer(self, **options)


def schedule_by_name(task: str, args: tuple[Any, ...], *, eta: datetime) -> None:
    """Queue the task at dotted path `task` ("ossdesk.tickets.tasks.ticket_check_task") to run at `eta`.

    By name, as the worker knows it: a module that the task doors import can queue one of them without
    importing them back (which would be an import cycle)."""
    _task(task).schedule(args, eta=eta)


def _task(dotted: str) -> Any:
    """The task function at a dotted path, its module imported (the worker imports them all at start)."""
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)
