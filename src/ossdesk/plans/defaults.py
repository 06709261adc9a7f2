"""The four default tiers of DESIGN.md, seeded on first start and editable afterwards."""

from __future__ import annotations

from typing import Any

from ossdesk.domain.sla import TARGET_KEYS

OFFICE_HOURS: dict[str, Any] = {
    "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "timezone": None,  # the customer's own time zone
    "holidays_country": None,  # the customer's own country's public holidays
    "holidays_subdiv": None,
}


def _severities(rows: dict[str, tuple[str, dict[str, str]]]) -> dict[str, Any]:
    """Each severity's coverage and targets, every target key of the clock registry written out (None:
    no target, as for a kind of clock these tiers do not set)."""
    for _, targets in rows.values():
        if unknown := set(targets) - set(TARGET_KEYS):
            raise ValueError(f"not the target key of a kind of clock: {', '.join(sorted(unknown))}")
    return {
        severity: {"coverage": coverage, **{key: targets.get(key) for key in TARGET_KEYS}}
        for severity, (coverage, targets) in rows.items()
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
            "severities": _severities(dict.fromkeys(("S1", "S2", "S3", "S4"), ("none", {}))),
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
                    "S1": (
                        "business_hours",
                        {"first_response": "4bh", "update_cadence": "1bd", "workaround": "3bd"},
                    ),
                    "S2": (
                        "business_hours",
                        {"first_response": "8bh", "update_cadence": "2bd", "workaround": "5bd"},
                    ),
                    "S3": ("business_hours", {"first_response": "1bd", "update_cadence": "5bd"}),
                    "S4": ("business_hours", {"first_response": "2bd"}),
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
                    "S1": ("24x7", {"first_response": "1h", "update_cadence": "4h", "workaround": "24h"}),
                    "S2": (
                        "business_hours",
                        {"first_response": "4bh", "update_cadence": "1bd", "workaround": "3bd"},
                    ),
                    "S3": ("business_hours", {"first_response": "1bd", "update_cadence": "3bd"}),
                    "S4": ("business_hours", {"first_response": "2bd", "update_cadence": "5bd"}),
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
                    "S1": (
                        "24x7",
                        {
                            "first_response": "15m",
                            "update_cadence": "1h",
                            "workaround": "4h",
                            "resolution": "72h",
                        },
                    ),
                    "S2": ("24x7", {"first_response": "1h", "update_cadence": "4h", "workaround": "24h"}),
                    "S3": ("24x7", {"first_response": "4h", "update_cadence": "24h"}),
                    "S4": ("24x7", {"first_response": "1bd", "update_cadence": "3bd"}),
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
