"""The worker's scheduler wakes just after each whole second, when the ETAs of SLA checks fall due."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ossdesk.config.queue import SqliteHuey, WholeSecondScheduler, WorkerConsumer, until_next_second


@pytest.mark.parametrize(
    ("now", "wait"),
    [(100.0, 0.02), (100.01, 0.01), (100.05, 0.97), (100.5, 0.52), (100.99, 0.03)],
)
def test_the_wait_ends_just_after_the_next_whole_second(now: float, wait: float) -> None:
    assert until_next_second(now) == pytest.approx(wait)
    assert (now + until_next_second(now)) % 1 == pytest.approx(0.02)


def test_the_workers_scheduler_wakes_just_after_the_second(tmp_path: Path) -> None:
    queue = SqliteHuey("test", filename=str(tmp_path / "queue.sqlite3"))
    consumer = queue.create_consumer(workers=1)
    assert isinstance(consumer, WorkerConsumer)
    time.sleep((1.6 - time.time() % 1) % 1)  # start at 0.6 s past a second: Huey's would keep that phase
    scheduler = WholeSecondScheduler(queue, threading.Event(), interval=1, periodic=False)
    scheduler.loop()  # reads the schedule, then sleeps until just after the next whole second
    woke = time.time() % 1
    assert 0.02 <= woke < 0.5
