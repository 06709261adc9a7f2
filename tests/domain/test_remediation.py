"""Remediation windows (DESIGN.md: 7/30/90/180 days; PCI DSS critical within a month) and priority."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ossdesk.domain.entitlements import Terms
from ossdesk.domain.remediation import priority, remediation_window
from ossdesk.plans.defaults import DEFAULT_PLANS


@pytest.mark.parametrize(
    ("severity", "days"), [("critical", 7), ("high", 30), ("medium", 90), ("low", 180), ("unknown", 90)]
)
def test_default_windows(severity, days):
    assert remediation_window(severity).days == days


def test_severity_none_has_no_deadline():
    window = remediation_window("none")
    assert window.days is None
    assert window.due(datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_agreement_days_replace_the_defaults():
    assert remediation_window("high", days_by_severity={"high": 14}).days == 14
    assert remediation_window("medium", days_by_severity={"high": 14}).days == 90


def test_pci_dss_caps_critical_at_a_month():
    window = remediation_window("critical", days_by_severity={"critical": 45}, frameworks=["PCI-DSS"])
    assert (window.days, window.reason) == (30, "PCI DSS 6.3.3: critical patches within one month")
    # A shorter window stays; other frameworks and other severities are untouched.
    assert remediation_window("critical", frameworks=["PCI-DSS"]).days == 7
    assert remediation_window("critical", days_by_severity={"critical": 45}, frameworks=["HIPAA"]).days == 45
    assert remediation_window("high", days_by_severity={"high": 60}, frameworks=["PCI-DSS"]).days == 60


def test_known_exploited_takes_the_critical_window():
    window = remediation_window("low", kev=True, days_by_severity={"critical": 10})
    assert window.days == 10
    assert "KEV" in window.reason
    assert remediation_window("none", kev=True).days == 7
    window = remediation_window("medium", kev=True, frameworks=["PCI-DSS"], days_by_severity={"critical": 60})
    assert window.days == 30


def test_due_counts_calendar_days():
    detected = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    assert remediation_window("critical").due(detected) == datetime(2026, 4, 3, 12, 0, tzinfo=UTC)


def test_terms_carry_remediation_days_and_validate_them():
    terms = dict(DEFAULT_PLANS[0]["terms"])
    assert Terms.from_dict(terms).remediation_days == {"critical": 7, "high": 30, "medium": 90, "low": 180}
    terms["remediation_days"] = {"critical": 3}
    assert Terms.from_dict(terms).remediation_days["critical"] == 3
    terms["remediation_days"] = {"critical": 0, "urgent": 2}
    with pytest.raises(ValueError, match=r"remediation_days\.critical: 0 is not a whole number") as raised:
        Terms.from_dict(terms)
    assert "remediation_days.urgent" in raised.value.errors


def test_priority_orders_severity_first_then_exploitation_then_exposure():
    low_exposed = priority("low", kev=False, epss=0.99, criticality="critical", internet_facing=True)
    medium_quiet = priority("medium", epss=0.0, criticality="low")
    assert medium_quiet > low_exposed
    assert priority("high", kev=True) > priority("high", epss=0.97)
    assert priority("high", epss=0.5) > priority("high", epss=0.1)
    assert priority("high", internet_facing=True) > priority("high")
