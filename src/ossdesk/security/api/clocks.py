"""A finding's remediation deadline as a clock row, the shape tickets give their SLA clocks.

Pure arithmetic over the finding's stored columns and `now`: the deadline itself (`due_at`, from the
customer's terms) is decided when the finding is matched, never here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ossdesk.domain.sla import State
from ossdesk.security.models import Finding

STOPPED = {Finding.Status.FIXED, Finding.Status.NOT_AFFECTED}


def remediation_clock(finding: Finding, now: datetime) -> dict[str, Any]:
    """running / breached while open; met or breached once fixed (or not affected); paused while a risk
    is accepted; idle when the severity sets no deadline. `remaining_seconds` is negative when overdue."""
    stopped_at = finding.resolved_at if finding.status in STOPPED else None
    end = stopped_at or now
    started, due = finding.detected_at, finding.due_at
    elapsed = max(0, int((end - started).total_seconds()))
    remaining = int((due - end).total_seconds()) if due is not None else None
    breached = due is not None and end > due
    state: State  # the states of ticket clocks (ossdesk.domain.sla), so one template shows both
    if due is None:
        state = "idle"
    elif stopped_at is not None:
        state = "breached" if breached else "met"
    elif finding.status == Finding.Status.RISK_ACCEPTED:
        state = "paused"
    else:
        state = "breached" if breached else "running"
    span = (due - started).total_seconds() if due is not None else 0
    return {
        "name": "remediation",
        "label": "Remediation",
        "state": state,
        "target": f"{finding.window_days}d" if finding.window_days is not None else None,
        "window_reason": finding.window_reason,
        "started_at": started,
        "due_at": due,
        "stopped_at": stopped_at,
        "elapsed_seconds": elapsed,
        "remaining_seconds": remaining,
        "breached": breached,
        "pause_reason": (f"risk accepted until {finding.risk_accepted_until}" if state == "paused" else None),
        "fraction": round(elapsed / span, 3) if span > 0 else 0.0,
    }
