"""Entitlement rules: validation, overrides, what is in force when, and refusals that name a plan."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from ossdesk.domain.entitlements import (
    AgreementTerm,
    EntitlementDenied,
    PlanRef,
    SubscriptionTerm,
    TargetDuration,
    Terms,
    TermsError,
    check_channel,
    check_feature,
    check_named_contact_seats,
    check_severity,
    effective_entitlements,
    merge_terms,
    validate_overrides,
)
from ossdesk.plans.defaults import DEFAULT_PLANS

PLANS = {
    spec["code"]: PlanRef(spec["code"], spec["name"], spec["rank"], spec["terms"]) for spec in DEFAULT_PLANS
}
ALL = list(PLANS.values())


def sub(
    plan: str, start: date, end: date, sid: int = 1, products: frozenset[int] = frozenset({7})
) -> SubscriptionTerm:
    return SubscriptionTerm(
        id=sid, plan=PLANS[plan], starts_on=start, ends_on=end, products=products, deployments=1
    )


def effective(at: datetime, subs=(), agreements=(), tz: str = "Europe/Berlin"):
    return effective_entitlements(
        at=at, timezone=tz, subscriptions=subs, agreements=agreements, fallback=PLANS["community"]
    )


@pytest.mark.parametrize("code", ["community", "starter", "business", "enterprise"])
def test_default_tiers_validate(code):
    terms = Terms.from_dict(PLANS[code].terms)
    assert set(terms.severities) == {"S1", "S2", "S3", "S4"}


def test_default_tiers_match_design_first_response_targets():
    expected = {
        "starter": ["4bh", "8bh", "1bd", "2bd"],
        "business": ["1h", "4bh", "1bd", "2bd"],
        "enterprise": ["15m", "1h", "4h", "1bd"],
    }
    for code, targets in expected.items():
        terms = Terms.from_dict(PLANS[code].terms)
        assert [str(terms.severity(s).target("first_response")) for s in ("S1", "S2", "S3", "S4")] == targets
    business = Terms.from_dict(PLANS["business"].terms)
    assert [business.severity(s).coverage for s in ("S1", "S2", "S3", "S4")] == [
        "24x7",
        "business_hours",
        "business_hours",
        "business_hours",
    ]
    assert Terms.from_dict(PLANS["community"].terms).sla is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", TargetDuration(15, "m")),
        ("1h", TargetDuration(1, "h")),
        ("4bh", TargetDuration(4, "bh")),
        (" 2bd ", TargetDuration(2, "bd")),
    ],
)
def test_duration_parse(text, expected):
    assert TargetDuration.parse(text) == expected


@pytest.mark.parametrize("text", ["", "15", "15x", "0m", "-1h", "1.5h", "h"])
def test_duration_rejects(text):
    with pytest.raises(ValueError, match="is not a duration"):
        TargetDuration.parse(text)


def test_duration_labels_and_minutes():
    assert TargetDuration(1, "bd").label() == "1 business day"
    assert TargetDuration(4, "bh").label() == "4 business hours"
    assert TargetDuration(90, "m").minutes == 90
    assert TargetDuration(4, "bh").minutes == 240
    with pytest.raises(ValueError):
        _ = TargetDuration(1, "bd").minutes


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda t: t["severities"]["S1"].update(first_response="15x"), "severities.S1.first_response"),
        (lambda t: t["severities"]["S2"].update(coverage="always"), "severities.S2.coverage"),
        (lambda t: t["severities"].pop("S3"), "severities.S3"),
        (lambda t: t.update(channels=["portal", "pigeon"]), "channels"),
        (lambda t: t.update(features=["telepathy"]), "features"),
        (lambda t: t.update(named_contacts=-1), "named_contacts"),
        (lambda t: t.update(consulting_hours_per_year="lots"), "consulting_hours_per_year"),
        (lambda t: t.update(colour="blue"), "colour"),
        (lambda t: t.pop("sla"), "sla"),
        (lambda t: t["calendar"]["weekly"].update(mon=[["17:00", "09:00"]]), "calendar.weekly.mon[0]"),
        (
            lambda t: t["calendar"]["weekly"].update(tue=[["09:00", "13:00"], ["12:00", "17:00"]]),
            "calendar.weekly.tue",
        ),
        (lambda t: t["calendar"]["weekly"].update(funday=[]), "calendar.weekly.funday"),
        (lambda t: t["calendar"].update(timezone="Mars/Olympus"), "calendar.timezone"),
        (lambda t: t["calendar"].update(holidays_country="Germany"), "calendar.holidays_country"),
        (
            lambda t: t.update(
                sla_credits={"percent_per_breach": "150", "cap_percent_per_period": "10", "period": "month"}
            ),
            "sla_credits.percent_per_breach",
        ),
        (
            lambda t: t.update(
                sla_credits={"percent_per_breach": "5", "cap_percent_per_period": "10", "period": "fortnight"}
            ),
            "sla_credits.period",
        ),
    ],
)
def test_terms_errors_name_the_field(mutate, path):
    terms = copy.deepcopy(PLANS["enterprise"].terms)
    mutate(terms)
    with pytest.raises(TermsError) as caught:
        Terms.from_dict(terms)
    assert path in caught.value.errors, caught.value.errors


def test_merge_overrides_only_what_is_named():
    merged = merge_terms(PLANS["enterprise"].terms, {"severities": {"S1": {"first_response": "10m"}}})
    assert merged["severities"]["S1"]["first_response"] == "10m"
    assert merged["severities"]["S1"]["update_cadence"] == "1h"
    assert merged["severities"]["S2"] == PLANS["enterprise"].terms["severities"]["S2"]
    assert PLANS["enterprise"].terms["severities"]["S1"]["first_response"] == "15m"  # base untouched


def test_validate_overrides_rejects_unknown_terms_and_bad_values():
    with pytest.raises(TermsError) as caught:
        validate_overrides(PLANS["enterprise"].terms, {"discount": 50})
    assert "discount" in caught.value.errors
    with pytest.raises(TermsError) as caught:
        validate_overrides(PLANS["enterprise"].terms, {"severities": {"S1": {"first_response": "soon"}}})
    assert "severities.S1.first_response" in caught.value.errors


NOON = datetime(2026, 6, 15, 12, tzinfo=UTC)


def test_no_subscription_falls_back_to_community():
    result = effective(NOON)
    assert result.source == "fallback"
    assert result.plan.code == "community"
    assert not result.terms.sla
    assert result.products == frozenset()


def test_expired_subscription_falls_back_to_community():
    result = effective(NOON, [sub("business", date(2025, 1, 1), date(2026, 6, 14))])
    assert result.plan.code == "community"


def test_subscription_boundaries_follow_the_customers_local_date():
    # 2026-06-14 23:30 UTC is already 2026-06-15 in Berlin (UTC+2) but still 2026-06-14 in New York.
    at = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
    subs = [sub("starter", date(2026, 6, 15), date(2026, 12, 31))]
    assert effective(at, subs, tz="Europe/Berlin").plan.code == "starter"
    assert effective(at, subs, tz="America/New_York").plan.code == "community"
    # The last day counts in full, to local midnight.
    end = [sub("starter", date(2026, 1, 1), date(2026, 6, 14))]
    assert effective(at, end, tz="America/New_York").plan.code == "starter"
    assert effective(at, end, tz="Europe/Berlin").plan.code == "community"


def test_highest_ranked_subscription_wins():
    subs = [
        sub("starter", date(2026, 1, 1), date(2026, 12, 31), sid=1),
        sub("enterprise", date(2026, 6, 1), date(2026, 6, 30), sid=2),
        sub("business", date(2026, 3, 1), date(2026, 12, 31), sid=3),
    ]
    assert effective(NOON, subs).plan.code == "enterprise"
    assert effective(datetime(2026, 7, 15, tzinfo=UTC), subs).plan.code == "business"


def test_agreement_overrides_plan_terms_while_in_force():
    agreement = AgreementTerm(
        id=1,
        reference="EA-1",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 30),
        overrides={"severities": {"S1": {"first_response": "5m"}}, "named_contacts": 50},
    )
    subs = [sub("enterprise", date(2026, 1, 1), date(2026, 12, 31))]
    during = effective(NOON, subs, [agreement])
    assert during.source == "agreement"
    assert str(during.terms.severity("S1").target("first_response")) == "5m"
    assert during.terms.named_contacts == 50
    assert during.plan_label == "Enterprise (agreement EA-1)"
    after = effective(datetime(2026, 7, 1, 12, tzinfo=UTC), subs, [agreement])
    assert after.source == "subscription"
    assert str(after.terms.severity("S1").target("first_response")) == "15m"


def test_agreement_never_stands_alone():
    agreement = AgreementTerm(
        id=1,
        reference="EA-1",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        overrides={"named_contacts": 50},
    )
    assert effective(NOON, [], [agreement]).plan.code == "community"


def test_naive_instant_is_refused():
    with pytest.raises(ValueError, match="aware"):
        effective(datetime(2026, 6, 15, 12))


def test_seat_refusal_names_the_plan_that_allows_it():
    starter = effective(NOON, [sub("starter", date(2026, 1, 1), date(2026, 12, 31))])
    check_named_contact_seats(starter, named_now=1, plans=ALL, organisation="Acme")
    with pytest.raises(EntitlementDenied) as caught:
        check_named_contact_seats(starter, named_now=2, plans=ALL, organisation="Acme")
    assert caught.value.code == "named_contact_seats"
    assert caught.value.allowed_by == "Business"
    assert "Starter allows 2 named contacts and Acme already has 2" in str(caught.value)
    business = effective(NOON, [sub("business", date(2026, 1, 1), date(2026, 12, 31))])
    with pytest.raises(EntitlementDenied) as caught:
        check_named_contact_seats(business, named_now=5, plans=ALL, organisation="Acme")
    assert caught.value.allowed_by == "Enterprise"
    enterprise = effective(NOON, [sub("enterprise", date(2026, 1, 1), date(2026, 12, 31))])
    check_named_contact_seats(enterprise, named_now=10_000, plans=ALL, organisation="Acme")


def test_channel_severity_feature_refusals():
    community = effective(NOON)
    with pytest.raises(EntitlementDenied) as caught:
        check_severity(community, severity="S1", plans=ALL)
    assert caught.value.allowed_by == "Starter"
    assert "does not cover S1" in str(caught.value)
    starter = effective(NOON, [sub("starter", date(2026, 1, 1), date(2026, 12, 31))])
    check_severity(starter, severity="S1", plans=ALL)
    with pytest.raises(EntitlementDenied) as caught:
        check_channel(starter, channel="phone", plans=ALL)
    assert caught.value.allowed_by == "Business"
    with pytest.raises(EntitlementDenied) as caught:
        check_channel(starter, channel="dedicated", plans=ALL)
    assert caught.value.allowed_by == "Enterprise"
    with pytest.raises(EntitlementDenied) as caught:
        check_feature(starter, feature="sbom_scanning", plans=ALL)
    assert caught.value.allowed_by == "Business"
    with pytest.raises(EntitlementDenied) as caught:
        check_feature(starter, feature="compliance_reports", plans=ALL)
    assert caught.value.allowed_by == "Enterprise"


def test_refusal_without_any_plan_points_to_an_agreement():
    starter = effective(NOON, [sub("starter", date(2026, 1, 1), date(2026, 12, 31))])
    with pytest.raises(EntitlementDenied) as caught:
        check_channel(starter, channel="phone", plans=[PLANS["community"], PLANS["starter"]])
    assert caught.value.allowed_by is None
    assert "enterprise agreement" in str(caught.value)


def test_deployment_limit_names_the_plan():
    from ossdesk.domain.entitlements import check_deployments

    check_deployments(PLANS["starter"], deployments=3, plans=ALL)
    with pytest.raises(EntitlementDenied) as caught:
        check_deployments(PLANS["starter"], deployments=4, plans=ALL)
    assert caught.value.allowed_by == "Business"
    assert "Starter covers up to 3 deployments, not 4." in str(caught.value)
    check_deployments(PLANS["enterprise"], deployments=100_000, plans=ALL)
