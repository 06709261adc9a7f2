"""Turn findings, advisories and the portfolio into what the security pages lay out. No queries here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ossdesk.domain import osv
from ossdesk.domain.entitlements import EntitlementDenied, Entitlements, PlanRef, check_feature
from ossdesk.security.models import Advisory, Finding, Severity
from ossdesk.tickets.web.presenters import duration_label  # the same words as ticket clocks

SOON = timedelta(days=3)  # a remediation deadline this close shows amber, as the queue's "breaching soon"
SEVERITIES = [value for value, _ in Severity.choices]
SEVERITY_LABELS = dict(Severity.choices)
# The columns of exposure tables: the four that have windows, then what could not be scored.
MAIN_SEVERITIES = ("critical", "high", "medium", "low", "unknown")


@dataclass(frozen=True)
class DeadlineBadge:
    """A finding's remediation deadline, drawn like the helpdesk's SLA badge: css, text, explanation."""

    css: str
    text: str
    title: str


def deadline_badge(finding: Finding, now: datetime) -> DeadlineBadge:
    """From the finding's stored columns only, so a list of findings costs no extra queries."""
    if finding.status == Finding.Status.FIXED:
        when = f" {finding.resolved_at:%Y-%m-%d}" if finding.resolved_at else ""
        return DeadlineBadge("sla-met", "Fixed", f"Resolved{when}. {finding.status_reason}".strip())
    if finding.status == Finding.Status.NOT_AFFECTED:
        return DeadlineBadge("sla-met", "Not affected", finding.status_reason or "Not affected.")
    if finding.status == Finding.Status.RISK_ACCEPTED:
        until = finding.risk_accepted_until
        return DeadlineBadge(
            "sla-paused",
            f"Accepted until {until:%Y-%m-%d}" if until else "Risk accepted",
            f"Opens again after that day. {finding.status_reason}".strip(),
        )
    due = finding.due_at
    if due is None:
        return DeadlineBadge("sla-none", "No deadline", "Severity none carries no remediation deadline.")
    window = f"{finding.window_days}-day window" if finding.window_days else "remediation window"
    reason = f": {finding.window_reason}" if finding.window_reason else ""
    title = f"Remediate by {due:%Y-%m-%d %H:%M} UTC ({window}{reason})."
    left = (due - now).total_seconds()
    if left <= 0:
        return DeadlineBadge("sla-breached", f"overdue by {duration_label(left)}", title)
    css = "sla-soon" if left <= SOON.total_seconds() else "sla-ok"
    return DeadlineBadge(css, f"{duration_label(left)} left", title)


def finding_rows(findings: Iterable[Finding], now: datetime) -> list[tuple[Finding, DeadlineBadge]]:
    return [(finding, deadline_badge(finding, now)) for finding in findings]


STATUS_LABELS = dict(Finding.Status.choices)


def status_cells(by_status: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """Finding counts by status, in the order of the statuses, each with its label."""
    return [
        (status, STATUS_LABELS[status], by_status[status])
        for status in STATUS_LABELS
        if by_status.get(status)
    ]


# --- the portfolio -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of the open-findings chart, measured in the SVG's own units."""

    severity: str
    label: str
    count: int
    y: int
    width: int
    text_x: int


CHART_LABEL_WIDTH = 90
CHART_BAR_SPACE = 260
CHART_ROW = 28


def severity_bars(totals: Mapping[str, int]) -> tuple[list[Bar], int]:
    """Horizontal bars of open findings by severity, most severe first; returns the bars and the height."""
    shown = [s for s in SEVERITIES if s in MAIN_SEVERITIES or totals.get(s)]
    largest = max((totals.get(s, 0) for s in shown), default=0) or 1
    bars = []
    for row, severity in enumerate(shown):
        count = totals.get(severity, 0)
        width = round(count / largest * CHART_BAR_SPACE) if count else 0
        bars.append(
            Bar(
                severity=severity,
                label=SEVERITY_LABELS[severity],
                count=count,
                y=row * CHART_ROW + 6,
                width=max(width, 2) if count else 0,
                text_x=CHART_LABEL_WIDTH + max(width, 2) + 6,
            )
        )
    return bars, len(shown) * CHART_ROW + 8


def exposure_columns(totals: Mapping[str, int]) -> list[str]:
    """The severity columns worth a column: the main ones, and "none" only when something has it."""
    return [s for s in SEVERITIES if s in MAIN_SEVERITIES or totals.get(s)]


def exposure_cells(by_severity: Mapping[str, int], columns: Sequence[str]) -> list[tuple[str, int]]:
    return [(severity, by_severity.get(severity, 0)) for severity in columns]


# --- an advisory -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RangeView:
    """A range as the record gives it; ``intervals`` reads ECOSYSTEM/SEMVER events as version intervals."""

    type: str
    repo: str
    events: list[tuple[str, str]]
    intervals: list[str]

    @property
    def is_git(self) -> bool:
        return self.type == "GIT"


@dataclass(frozen=True)
class PackageView:
    ecosystem: str
    name: str
    purl: str
    ranges: list[RangeView]
    versions: tuple[str, ...]
    fixed: tuple[str, ...]
    last_affected: tuple[str, ...]


@dataclass(frozen=True)
class AdvisoryView:
    """What the advisory page shows of the stored OSV record."""

    packages: list[PackageView]
    references: list[tuple[str, str, bool]]  # type, url, whether it may be a link
    related: tuple[str, ...]
    error: str = ""


def intervals(events: Sequence[tuple[str, str]]) -> list[str]:
    """ECOSYSTEM/SEMVER events as intervals, in record order: ">= 3.0, < 3.1.12", "all versions"."""
    result: list[str] = []
    start: str | None = None
    for kind, version in events:
        if kind == "introduced":
            if start is not None:
                result.append(_open_interval(start))
            start = version
        elif kind in ("fixed", "last_affected") and start is not None:
            low = "" if start == "0" else f">= {start}, "
            high = f"< {version}" if kind == "fixed" else f"<= {version}"
            result.append(low + high)
            start = None
        elif kind == "limit" and start is not None:
            low = "" if start == "0" else f">= {start}, "
            result.append(f"{low}< {version} (limit)")
            start = None
    if start is not None:
        result.append(_open_interval(start))
    return result


def _open_interval(start: str) -> str:
    return "all versions" if start == "0" else f">= {start} (no fix yet)"


def is_web_link(url: str) -> bool:
    """Only http(s) references become links: a record's `javascript:` URL must stay text."""
    return url.lower().startswith(("https://", "http://"))


def advisory_view(advisory: Advisory) -> AdvisoryView:
    """Parse the stored record for display; a record that no longer parses shows its raw fields."""
    try:
        record = osv.parse_record(advisory.record)
    except osv.OsvError as error:
        return AdvisoryView(packages=[], references=[], related=(), error=str(error))
    packages = []
    for affected in record.affected:
        ranges = [
            RangeView(
                type=rng.type,
                repo=rng.repo or "",
                events=[(event.kind, event.version) for event in rng.events],
                intervals=[] if rng.type == "GIT" else intervals([(e.kind, e.version) for e in rng.events]),
            )
            for rng in affected.ranges
        ]
        packages.append(
            PackageView(
                ecosystem=affected.ecosystem,
                name=affected.name,
                purl=affected.purl or "",
                ranges=ranges,
                versions=affected.versions,
                fixed=affected.fixed_versions(),
                last_affected=affected.last_affected_versions(),
            )
        )
    references = [(kind, url, is_web_link(url)) for kind, url in record.references]
    return AdvisoryView(packages=packages, references=references, related=record.related)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def split_list(text: str) -> list[str]:
    """A list typed into one box: commas, spaces or new lines separate; duplicates collapse."""
    items = [part.strip() for part in text.replace(",", " ").split()]
    return list(dict.fromkeys(item for item in items if item))


def vendor_packages(
    rows: Iterable[Mapping[str, Any]], kept: Iterable[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """The range rows that name another package, grouped into the service's ``additional_packages``.

    Each row is one range; rows naming the same package give it several ranges. What the rows cannot say
    (listed versions, a remediation text: written through the API) is ``kept`` from the saved packages.
    """
    saved = {(p.get("ecosystem"), p.get("package")): p for p in kept}
    packages: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        ecosystem, name = str(row.get("ecosystem") or ""), str(row.get("package") or "").strip()
        if not ecosystem and not name:
            continue
        entry = packages.get((ecosystem, name))
        if entry is None:
            before = saved.get((ecosystem, name), {})
            entry = {"ecosystem": ecosystem, "package": name, "ranges": []}
            entry |= {key: before[key] for key in ("affected_versions", "remediation") if before.get(key)}
            packages[(ecosystem, name)] = entry
        entry["ranges"] += vendor_ranges([row])
    return list(packages.values())


def vendor_ranges(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Range rows of the form as the service takes them; a row with neither version is left out."""
    result = []
    for row in rows:
        introduced = str(row.get("introduced") or "").strip()
        fixed = str(row.get("fixed") or "").strip()
        if not introduced and not fixed:
            continue
        entry = {"introduced": introduced or "0"}
        if fixed:
            entry["fixed"] = fixed
        result.append(entry)
    return result


def sbom_scanning_refusal(entitlements: Entitlements, plans: Sequence[PlanRef]) -> str:
    """Why a customer's plan does not scan SBOMs, naming the plan that does; empty when it does. Pages
    say this instead of offering an upload that ends in a refusal, or counting findings never looked for."""
    try:
        check_feature(entitlements, feature="sbom_scanning", plans=plans)
    except EntitlementDenied as exc:
        which = f"the {exc.allowed_by} plan does" if exc.allowed_by else "an enterprise agreement can add it"
        return f"Your plan does not include SBOM scanning ({entitlements.plan_label}); {which}."
    return ""
