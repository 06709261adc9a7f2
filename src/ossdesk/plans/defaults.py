"""The four default tiers of DESIGN.md, seeded on first start and editable afterwards."""

from __future__ import annotations

from typing import Any

OFFICE_HOURS: dict[str, Any] = {
    "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "timezone": None,  # the customer's own time zone
    "holidays_country": None,  # the customer's own country's public holidays
    "holidays_subdiv": None,
}


def _severities(
    rows: dict[str, tuple[str, str | None, str | None, str | None, str | None]],
) -> dict[str, Any]:
    return {
        severity: {
            "coverage": coverage,
            "first_response": first,
            "update_cadence": update,
            "workaround": workaround,
            "resolution": resolution,
        }
        for severity, (coverage, first, update, workaround, resolution) in rows.items()
    }


DEFAULT_PLANS: list[dict[str, Any]] = [
    {
        "code": "community",
        "name": "Community",
        "rank": 0,
        "best_for": "Learning and non-critical use",
        "is_fallback": True,
        "terms": {
            "sla": False,
            "severities": _severities(
                dict.fromkeys(("S1", "S2", "S3", "S4"), ("none", None, None, None, None))
            ),
            "channels": ["kb", "forum", "advisories"],
            "named_contacts": 0,
            "max_deployments": 0,
            "features": [],
            "consulting_hours_per_year": 0,
            "sla_credits": None,
            "calendar": OFFICE_HOURS,
        },
    },
    {
        "code": "starter",
        "name": "Starter",
        "rank": 10,
        "best_for": "Startups and small teams",
        "is_fallback": False,
        "terms": {
            "sla": True,
            "severities": _severities(
                {
                    "S1": ("business_hours", "4bh", "1bd", "3bd", None),
                    "S2": ("business_hours", "8bh", "2bd", "5bd", None),
                    "S3": ("business_hours", "1bd", "5bd", None, None),
                    "S4": ("business_hours", "2bd", None, None, None),
                }
            ),
            "channels": ["portal", "email", "kb", "forum", "advisories"],
            "named_contacts": 2,
            "max_deployments": 3,
            "features": ["advisory_emails"],
            "consulting_hours_per_year": 0,
            "sla_credits": None,
            "calendar": OFFICE_HOURS,
        },
    },
    {
        "code": "business",
        "name": "Business",
        "rank": 20,
        "best_for": "Growing businesses with uptime sensitivity",
        "is_fallback": False,
        "terms": {
            "sla": True,
            "severities": _severities(
                {
                    "S1": ("24x7", "1h", "4h", "24h", None),
                    "S2": ("business_hours", "4bh", "1bd", "3bd", None),
                    "S3": ("business_hours", "1bd", "3bd", None, None),
                    "S4": ("business_hours", "2bd", "5bd", None, None),
                }
            ),
            "channels": ["portal", "email", "phone", "kb", "forum", "advisories"],
            "named_contacts": 5,
            "max_deployments": 20,
            "features": ["advisory_emails", "sbom_scanning", "monitoring"],
            "consulting_hours_per_year": 0,
            "sla_credits": None,
            "calendar": OFFICE_HOURS,
        },
    },
    {
        "code": "enterprise",
        "name": "Enterprise",
        "rank": 30,
        "best_for": "Financial, healthcare, mission-critical infrastructure",
        "is_fallback": False,
        "terms": {
            "sla": True,
            "severities": _severities(
                {
                    "S1": ("24x7", "15m", "1h", "4h", "72h"),
                    "S2": ("24x7", "1h", "4h", "24h", None),
                    "S3": ("24x7", "4h", "24h", None, None),
                    "S4": ("24x7", "1bd", "3bd", None, None),
                }
            ),
            "channels": ["portal", "email", "phone", "dedicated", "kb", "forum", "advisories"],
            "named_contacts": None,
            "max_deployments": None,
            "features": [
                "advisory_emails",
                "sbom_scanning",
                "monitoring",
                "proactive_monitoring",
                "account_manager",
                "compliance_reports",
                "custom_sla",
            ],
            "consulting_hours_per_year": 40,
            "sla_credits": {"percent_per_breach": "5", "cap_percent_per_period": "25", "period": "month"},
            "calendar": OFFICE_HOURS,
        },
    },
]
