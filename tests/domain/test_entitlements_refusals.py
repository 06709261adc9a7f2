"""Plan terms that do not validate: each malformed field is named with the message a plan editor sees."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from ossdesk.domain.entitlements import (
    PlanRef,
    SubscriptionTerm,
    Terms,
    TermsError,
    check_channel,
    check_feature,
    effective_entitlements,
    feature_get,
    validate_overrides,
)
from ossdesk.plans.defaults import DEFAULT_PLANS

PLANS = {
    spec["code"]: PlanRef(spec["code"], spec["name"], spec["rank"], spec["terms"]) for spec in DEFAULT_PLANS
}
ALL = list(PLANS.values())
NOON = datetime(2026, 6, 15, 12, tzinfo=UTC)


def enterprise_with(mutate) -> dict:
    terms = copy.deepcopy(PLANS["enterprise"].terms)
    mutate(terms)
    return terms


def errors_of(terms) -> dict[str, str]:
    with pytest.raises(TermsError) as caught:
        Terms.from_dict(terms)
    return caught.value.errors


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (lambda t: t.update(sla="yes"), "sla", "must be true or false"),
        (lambda t: t.update(severities=["S1", "S2"]), "severities", "must map S1..S4 to their terms"),
        (
            lambda t: t["severities"]["S1"].update(escalate_after="1h"),
            "severities.S1",
            "unknown keys: escalate_after",
        ),
        (
            lambda t: t["severities"].update(S5={"coverage": "none"}),
            "severities",
            "unknown severities: S5",
        ),
        (
            lambda t: t.update(sla_credits="5 %"),
            "sla_credits",
            "must be null or an object with percent_per_breach, cap_percent_per_period, period",
        ),
        (
            lambda t: t.update(
                sla_credits={"percent_per_breach": "five", "cap_percent_per_period": "25", "period": "month"}
            ),
            "sla_credits.percent_per_breach",
            "'five' is not a number",
        ),
        (lambda t: t.update(calendar="office hours"), "calendar", "must be an object with weekly hours"),
        (
            lambda t: t["calendar"].update(holidays="DE"),
            "calendar",
            "unknown keys: holidays",
        ),
        (
            lambda t: t["calendar"].update(weekly="9 to 5"),
            "calendar.weekly",
            'must map weekdays (mon..sun) to lists of ["HH:MM", "HH:MM"]',
        ),
        (
            lambda t: t["calendar"]["weekly"].update(mon="09:00-17:00"),
            "calendar.weekly.mon",
            "must be a list of [start, end] pairs",
        ),
        (
            lambda t: t["calendar"]["weekly"].update(wed=[["9am", "5pm"]]),
            "calendar.weekly.wed[0]",
            "['9am', '5pm'] is not a pair of HH:MM times",
        ),
        (
            lambda t: t.update(remediation_days=[7, 30, 90, 180]),
            "remediation_days",
            "must map critical/high/medium/low to a number of days",
        ),
    ],
)
def test_malformed_terms_name_the_field_and_the_problem(mutate, path, message):
    assert errors_of(enterprise_with(mutate))[path] == message


def test_terms_that_are_not_an_object_are_refused():
    assert errors_of(["sla", True]) == {"terms": "must be an object"}


def test_overrides_that_are_not_an_object_are_refused():
    with pytest.raises(TermsError) as caught:
        validate_overrides(PLANS["enterprise"].terms, ["sla"])
    assert caught.value.errors == {"overrides": "must be an object of plan terms"}
    assert str(caught.value) == "overrides: must be an object of plan terms"


def test_an_unknown_severity_is_refused_with_the_valid_ones():
    terms = Terms.from_dict(PLANS["enterprise"].terms)
    with pytest.raises(ValueError, match=r"^unknown severity 'S0'; use one of S1, S2, S3, S4$"):
        terms.severity("S0")


def test_feature_registry_lookup():
    assert feature_get("sbom_scanning").label == "SBOM scanning"
    assert feature_get("monitoring").available is False
    with pytest.raises(KeyError):
        feature_get("telepathy")


def test_included_channel_and_feature_pass_and_products_are_covered():
    subscription = SubscriptionTerm(
        id=1,
        plan=PLANS["enterprise"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        products=frozenset({7}),
        deployments=1,
    )
    enterprise = effective_entitlements(
        at=NOON,
        timezone="Europe/Berlin",
        subscriptions=[subscription],
        agreements=(),
        fallback=PLANS["community"],
    )
    assert check_channel(enterprise, channel="dedicated", plans=ALL) is None
    assert check_feature(enterprise, feature="compliance_reports", plans=ALL) is None
    assert enterprise.covers_product(7)
    assert not enterprise.covers_product(8)


def test_remediation_days_override_some_severities_and_refuse_bad_ones():
    terms = Terms.from_dict(enterprise_with(lambda t: t.update(remediation_days={"critical": 3})))
    assert terms.remediation_days == {"critical": 3, "high": 30, "medium": 90, "low": 180}
    errors = errors_of(enterprise_with(lambda t: t.update(remediation_days={"urgent": 1, "high": 0})))
    assert errors == {
        "remediation_days.urgent": "is not one of critical, high, medium, low",
        "remediation_days.high": "0 is not a whole number of days >= 1",
    }


def test_a_severity_refuses_an_unknown_clock():
    s1 = Terms.from_dict(PLANS["enterprise"].terms).severity("S1")
    with pytest.raises(ValueError, match=r"^unknown clock 'lunch'$"):
        s1.target("lunch")
