"""Turn entitlements and plan terms into rows a template can lay out: the customer pages, the plan
comparison and the ticket form all show terms the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ossdesk.domain.entitlements import (
    CHANNEL_LABELS,
    CHANNELS,
    CLOCKS,
    FEATURE_REGISTRY,
    SEVERITY_DEFINITIONS,
    Terms,
)
from ossdesk.domain.sla import TARGET_LABELS

CLOCK_LABELS = TARGET_LABELS  # a plan's targets, headed as ossdesk.domain.sla's clock registry says
COVERAGE_LABELS = {"24x7": "24/7", "business_hours": "Business hours", "none": "Not covered"}


@dataclass(frozen=True)
class FeatureRow:
    """A feature as a page lists it: "on" (included and working), "off" (not included) or "coming"
    (included in the terms, not built yet: never shown as if it worked)."""

    label: str
    state: str
    available: bool


def feature_rows(terms: Terms) -> list[FeatureRow]:
    rows = []
    for feature in FEATURE_REGISTRY:
        included = feature.code in terms.features
        state = "off" if not included else "on" if feature.available else "coming"
        rows.append(FeatureRow(feature.label, state, feature.available))
    return rows


def _feature_cell(feature_available: bool, included: bool) -> str:
    if not included:
        return "—"
    return "✓" if feature_available else "coming"


@dataclass(frozen=True)
class SeverityRow:
    severity: str
    definition: str
    coverage: str
    targets: list[tuple[str, str]]


def severity_rows(terms: Terms) -> list[SeverityRow]:
    rows = []
    for severity, item in terms.severities.items():
        targets = [
            (CLOCK_LABELS[c], item.target(c).label() if item.target(c) else "—")  # type: ignore[union-attr]
            for c in CLOCKS
        ]
        rows.append(
            SeverityRow(
                severity,
                SEVERITY_DEFINITIONS[severity],
                COVERAGE_LABELS[item.coverage] if terms.sla else "Best effort",
                targets,
            )
        )
    return rows


def terms_summary(terms: Terms) -> dict[str, Any]:
    """Everything a person compares between plans, in display form."""
    return {
        "sla": terms.sla,
        "severities": severity_rows(terms),
        "channels": [(CHANNEL_LABELS[c], c in terms.channels) for c in CHANNELS],
        "features": feature_rows(terms),
        "named_contacts": "Unlimited" if terms.named_contacts is None else str(terms.named_contacts),
        "max_deployments": "Unlimited" if terms.max_deployments is None else str(terms.max_deployments),
        "consulting_hours": terms.consulting_hours_per_year,
        "sla_credits": (
            f"{terms.sla_credits.percent_per_breach}% per breach, capped at "
            f"{terms.sla_credits.cap_percent_per_period}% a {terms.sla_credits.period}"
        )
        if terms.sla_credits
        else "—",
    }


def comparison_rows(plans: list[tuple[str, Terms]]) -> list[tuple[str, list[str]]]:
    """Rows of the side-by-side plan comparison: a label and one cell per plan."""
    rows: list[tuple[str, list[str]]] = []
    rows.append(("SLA", ["Yes" if t.sla else "Best effort" for _, t in plans]))
    for severity, definition in SEVERITY_DEFINITIONS.items():
        cells = []
        for _, terms in plans:
            item = terms.severity(severity)
            first = item.target("first_response")
            if not terms.sla or not item.allowed:
                cells.append("—")
            else:
                cells.append(f"{first.label() if first else 'no target'} · {COVERAGE_LABELS[item.coverage]}")
        rows.append((f"{severity} first response — {definition.lower()}", cells))
    for severity in SEVERITY_DEFINITIONS:
        rows.append(
            (
                f"{severity} updates every",
                [
                    (
                        t.severity(severity).target("update_cadence").label()  # type: ignore[union-attr]
                        if t.sla and t.severity(severity).target("update_cadence")
                        else "—"
                    )
                    for _, t in plans
                ],
            )
        )
    for channel in CHANNELS:
        rows.append((CHANNEL_LABELS[channel], ["✓" if channel in t.channels else "—" for _, t in plans]))
    rows.append(
        (
            "Named contacts",
            ["Unlimited" if t.named_contacts is None else str(t.named_contacts) for _, t in plans],
        )
    )
    for feature in FEATURE_REGISTRY:
        label = feature.label if feature.available else f"{feature.label} (coming)"
        rows.append((label, [_feature_cell(feature.available, feature.code in t.features) for _, t in plans]))
    rows.append(("Consulting hours a year", [str(t.consulting_hours_per_year or "—") for _, t in plans]))
    rows.append(
        (
            "SLA credits",
            [f"{t.sla_credits.percent_per_breach}% per breach" if t.sla_credits else "—" for _, t in plans],
        )
    )
    return rows
