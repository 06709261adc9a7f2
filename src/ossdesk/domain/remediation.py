"""Remediation deadlines and priority of vulnerability findings. Pure Python.

The window comes from the customer's terms (`remediation_days`: plan defaults 7/30/90/180 days by
severity, any of which an agreement may override), then the compliance frameworks the customer lives
under tighten it:

* PCI DSS v4.0.1 requirement 6.3.3: critical patches within one month of release → critical at most
  30 days.
* A vulnerability in CISA's Known Exploited Vulnerabilities catalogue is being exploited now: it gets the
  critical window whatever its score says (CISA's binding directive BOD 22-01 gives agencies two weeks;
  our critical default is shorter).

Severity "none" has no deadline. "unknown" (no CVSS vector and no severity in the record) takes the
medium window: an unscored vulnerability is not a harmless one.

Priority orders findings inside a deadline: severity first, then known exploitation, then the EPSS
probability of exploitation in the next 30 days, then exposure (internet-facing, criticality).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ossdesk.domain.entitlements import DEFAULT_REMEDIATION_DAYS

PCI_DSS_CRITICAL_DAYS = 30
_SEVERITY_WEIGHT: Mapping[str, float] = {
    "critical": 400.0,
    "high": 300.0,
    "medium": 200.0,
    "unknown": 150.0,
    "low": 100.0,
    "none": 0.0,
}
_CRITICALITY_WEIGHT: Mapping[str, float] = {"critical": 8.0, "high": 6.0, "medium": 4.0, "low": 2.0}


@dataclass(frozen=True)
class Window:
    """How many days a finding may stay open, and why that many."""

    days: int | None
    reason: str

    def due(self, detected_at: datetime) -> datetime | None:
        return None if self.days is None else detected_at + timedelta(days=self.days)


def remediation_window(
    severity: str,
    *,
    days_by_severity: Mapping[str, int] | None = None,
    frameworks: Iterable[str] = (),
    kev: bool = False,
) -> Window:
    """The remediation window for a finding of `severity` under these terms and frameworks."""
    table = dict(DEFAULT_REMEDIATION_DAYS)
    table.update(days_by_severity or {})
    if kev and severity != "critical":
        days, reason = table["critical"], "known exploited (CISA KEV): critical window"
    elif severity == "none":
        return Window(None, "no deadline for severity none")
    elif severity in table:
        days, reason = table[severity], f"{severity} window of the customer's terms"
    else:
        days, reason = table["medium"], "unscored: medium window"
    critical = severity == "critical" or kev
    if critical and "PCI-DSS" in set(frameworks) and days > PCI_DSS_CRITICAL_DAYS:
        days, reason = PCI_DSS_CRITICAL_DAYS, "PCI DSS 6.3.3: critical patches within one month"
    return Window(days, reason)


def priority(
    severity: str,
    *,
    kev: bool = False,
    epss: float | None = None,
    criticality: str = "medium",
    internet_facing: bool = False,
) -> float:
    """A sortable score, higher first; the severity band always dominates the other signals."""
    score = _SEVERITY_WEIGHT.get(severity, _SEVERITY_WEIGHT["unknown"])
    if kev:
        score += 50.0
    if epss is not None:
        score += 30.0 * max(0.0, min(1.0, epss))
    score += _CRITICALITY_WEIGHT.get(criticality, 4.0)
    if internet_facing:
        score += 10.0
    return round(score, 4)
