"""`ossdesk serve`'s own supervisor: a child process that dies (the worker killed, say) is started again
after a growing pause, each time logged and recorded where /api/health reads it.

The embedded default has no systemd or Kubernetes above it; without this, one `kill -9` of the worker
stopped the whole tree and the web with it. A child that keeps dying within seconds of its start is a
crash loop (bad configuration, a full disk): after a few such starts `serve` stops and exits 1.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from huey.contrib.djhuey import HUEY

logger = logging.getLogger("ossdesk.serve")
SUPERVISION_KEY = "ossdesk:supervised:{name}"
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
SHORT_RUN = 30.0  # a child that lived less than this before dying counts towards a crash loop
CRASH_LOOP = 6  # short runs in a row


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[Any] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    short_runs: int = 0
    last_exit: int | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started_at = time.monotonic()
        self.restart_at = None
        self._record("running")

    def died(self, returncode: int) -> None:
        """Schedule the next start, after a pause that doubles with each short run."""
        self.last_exit = returncode
        self.process = None
        lived = time.monotonic() - self.started_at
        self.short_runs = self.short_runs + 1 if lived < SHORT_RUN else 1
        pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** (self.short_runs - 1))
        self.restarts += 1
        self.restart_at = time.monotonic() + pause
        _say(
            f"the {self.name} process exited with status {returncode} after {lived:.0f}s; "
            f"starting it again in {pause:.0f}s (restart {self.restarts})"
        )
        self._record("restarting")

    def stopped(self) -> None:
        self._record("stopped")

    @property
    def crash_looping(self) -> bool:
        return self.short_runs >= CRASH_LOOP

    def _record(self, state: str) -> None:
        record = {
            "state": state,
            "pid": self.process.pid if self.process is not None else None,
            "restarts": self.restarts,
            "last_exit_status": self.last_exit,
            "at": datetime.now(UTC).isoformat(),
        }
        try:
            HUEY.put(SUPERVISION_KEY.format(name=self.name), json.dumps(record))
        except Exception as exc:
            _say(f"could not record the {self.name} process's state for /api/health: {exc}")


def supervision_record(name: str) -> dict[str, Any] | None:
    """What the supervisor last recorded about a child, or None when it runs unsupervised."""
    raw = HUEY.get(SUPERVISION_KEY.format(name=name), peek=True)
    if not raw:
        return None
    record: dict[str, Any] = json.loads(raw)
    return record


def _say(line: str) -> None:
    logger.warning(line)


def supervise(children: list[Child], stopping: Callable[[], bool]) -> int:
    """Keep the children running until `stopping()`; 1 when one of them is crash-looping, else 0."""
    for child in children:
        child.start()
    while not stopping():
        for child in children:
            if child.process is not None and (code := child.process.poll()) is not None:
                if stopping():  # Ctrl-C reached the children too: they are meant to exit
                    return 0
                child.died(code)
                if child.crash_looping:
                    _say(f"the {child.name} process keeps exiting at start; stopping")
                    return 1
            if (
                child.process is None
                and child.restart_at is not None
                and time.monotonic() >= child.restart_at
            ):
                child.start()
        time.sleep(0.2)
    return 0
