"""Entitlements: what a customer may have, from plan terms, agreement overrides and an instant.

Pure Python. A plan's terms and an agreement's overrides are plain dicts (stored as JSON); this
module validates them into frozen dataclasses, merges overrides onto plan terms, and picks what is
in force at an instant. No subscription in force (none, or expired) means the Community fallback.

Terms dict shape (every key of a plan is required; an agreement's overrides give any subset)::

    {
      "sla": true,
      "severities": {"S1": {"coverage": "24x7", "first_response": "15m", "update_cadence": "1h",
                            "workaround": "4h", "resolution": null}, "S2": {...}, "S3": {...}, "S4": {...}},
      "channels": ["portal", "email", "phone", "dedicated", "kb", "advisories"],
      "named_contacts": null,            # null = unlimited
      "max_deployments": null,
      "features": ["sbom_scanning", "monitoring", ...],
      "consulting_hours_per_year": 40,
      "sla_credits": {"percent_per_breach": "5", "cap_percent_per_period": "25", "period": "month"},
      "calendar": {"weekly": {"mon": [["09:00", "17:00"]], ...}, "timezone": null,
                   "holidays_country": null, "holidays_subdiv": null},
      "remediation_days": {"critical": 7, "high": 30, "medium": 90, "low": 180}   # optional
    }

Durations are written with a unit: ``m`` and ``h`` are clock time, ``bh`` business hours and ``bd``
business days on the ticket's calendar.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ossdesk.domain.sla import TARGET_KEYS
from ossdesk.domain.sla import TargetDuration as TargetDuration  # terms are written in it: re-exported

SEVERITIES: tuple[str, ...] = ("S1", "S2", "S3", "S4")
SEVERITY_DEFINITIONS: Mapping[str, str] = {
    "S1": "Production down or data at risk",
    "S2": "Production severely impaired",
    "S3": "Partial, non-critical loss of use",
    "S4": "Question, how-to or cosmetic",
}
CHANNELS: tuple[str, ...] = ("portal", "email", "phone", "dedicated", "kb", "forum", "advisories")
CHANNEL_LABELS: Mapping[str, str] = {
    "portal": "Customer portal",
    "email": "E-mail",
    "phone": "Phone",
    "dedicated": "Dedicated channel",
    "kb": "Knowledge base",
    "forum": "Community forum",
    "advisories": "Public advisories",
}


@dataclass(frozen=True)
class Feature:
    """An optional feature a plan's terms can include.

    `available` says whether ossdesk does it today. A plan may already sell a feature that is still being
    built (its terms are a contract); every page that lists features shows such a one as "coming", never
    as included. The issue that builds a feature switches its flag on here, and nowhere else.
    """

    code: str
    label: str
    available: bool


FEATURE_REGISTRY: tuple[Feature, ...] = (
    Feature("advisory_emails", "Security advisory e-mails", available=True),
    Feature("sbom_scanning", "SBOM scanning", available=True),
    Feature("monitoring", "Monitoring", available=False),
    Feature("proactive_monitoring", "Proactive monitoring", available=False),
    Feature("account_manager", "Account manager", available=True),
    Feature("compliance_reports", "Compliance reports", available=False),
    Feature("custom_sla", "Custom SLAs", available=True),
)
FEATURES: tuple[str, ...] = tuple(f.code for f in FEATURE_REGISTRY)
FEATURE_LABELS: Mapping[str, str] = {f.code: f.label for f in FEATURE_REGISTRY}
_FEATURES_BY_CODE: Mapping[str, Feature] = {f.code: f for f in FEATURE_REGISTRY}


def feature_get(code: str) -> Feature:
    """The registry row of a feature code (KeyError for an unknown one)."""
    return _FEATURES_BY_CODE[code]


COVERAGES: tuple[str, ...] = ("24x7", "business_hours", "none")
# The keys of a severity's terms that set a clock's target: one per kind of clock (ossdesk.domain.sla's
# CLOCK_SPECS), or shared by several.
CLOCKS: tuple[str, ...] = TARGET_KEYS
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CREDIT_PERIODS: tuple[str, ...] = ("month", "quarter", "year")
# Days to remediate a vulnerability finding, by severity (DESIGN.md; DefectDojo's defaults are 7/30/90/120).
REMEDIATION_SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
DEFAULT_REMEDIATION_DAYS: Mapping[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180}

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


class TermsError(ValueError):
    """Terms that do not validate; `errors` maps a field path to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{path}: {message}" for path, message in self.errors.items()))


class EntitlementDenied(Exception):
    """A request the entitlements forbid; says why and which plan would allow it."""

    def __init__(
        self, reason: str, *, code: str, allowed_by: str | None = None, plan_hint: bool = True
    ) -> None:
        self.reason = reason
        self.code = code
        self.allowed_by = allowed_by
        message = reason
        if allowed_by:
            message += f" The {allowed_by} plan allows it."
        elif plan_hint:
            message += " No plan allows it; an enterprise agreement can."
        super().__init__(message)


@dataclass(frozen=True)
class SeverityTerms:
    """Coverage and clock targets for one severity."""

    coverage: str
    targets: Mapping[str, TargetDuration | None]  # by target key (CLOCKS); None: no target

    @property
    def allowed(self) -> bool:
        """Whether cases of this severity may be opened at all."""
        return self.coverage != "none"

    def target(self, clock: str) -> TargetDuration | None:
        """The target a target key (CLOCKS: first_response, update_cadence ...) sets."""
        if clock not in CLOCKS:
            raise ValueError(f"unknown clock {clock!r}")
        return self.targets.get(clock)


@dataclass(frozen=True)
class CalendarTerms:
    """Business hours for SLA clocks; None means the customer's own time zone or country."""

    weekly: Mapping[str, tuple[tuple[str, str], ...]]
    timezone: str | None = None
    holidays_country: str | None = None
    holidays_subdiv: str | None = None


@dataclass(frozen=True)
class SlaCreditTerms:
    """A share of the period's fee credited per breach, capped per period."""

    percent_per_breach: Decimal
    cap_percent_per_period: Decimal
    period: str


@dataclass(frozen=True)
class Terms:
    """A complete, validated set of plan terms."""

    sla: bool
    severities: Mapping[str, SeverityTerms]
    channels: frozenset[str]
    named_contacts: int | None
    max_deployments: int | None
    features: frozenset[str]
    consulting_hours_per_year: int
    sla_credits: SlaCreditTerms | None
    calendar: CalendarTerms
    remediation_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_REMEDIATION_DAYS))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Terms:
        """Validate a full terms dict; raise TermsError naming every bad field."""
        errors: dict[str, str] = {}
        parsed = _parse_terms(raw, errors)
        if errors:
            raise TermsError(errors)
        assert parsed is not None
        return parsed

    def severity(self, severity: str) -> SeverityTerms:
        """Terms for S1..S4."""
        if severity not in self.severities:
            raise ValueError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
        return self.severities[severity]

    def has_feature(self, feature: str) -> bool:
        """Whether an optional feature (FEATURES) is included."""
        return feature in self.features


REQUIRED_KEYS: tuple[str, ...] = (
    "sla",
    "severities",
    "channels",
    "named_contacts",
    "max_deployments",
    "features",
    "consulting_hours_per_year",
    "sla_credits",
    "calendar",
)
OPTIONAL_KEYS: tuple[str, ...] = ("remediation_days",)
TERM_KEYS: tuple[str, ...] = REQUIRED_KEYS + OPTIONAL_KEYS


def _optional_duration(value: Any, path: str, errors: dict[str, str]) -> TargetDuration | None:
    if value is None or value == "":
        return None
    try:
        return TargetDuration.parse(value)
    except ValueError as exc:
        errors[path] = str(exc)
        return None


def _optional_count(value: Any, path: str, errors: dict[str, str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors[path] = f"{value!r} is not a whole number >= 0 (null means unlimited)"
        return None
    return value


def _decimal(value: Any, path: str, errors: dict[str, str]) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[path] = f"{value!r} is not a number"
        return Decimal(0)
    if not number.is_finite() or number < 0 or number > 100:
        errors[path] = f"{value!r} must be a percentage between 0 and 100"
    return number


def _parse_calendar(raw: Any, errors: dict[str, str]) -> CalendarTerms:
    if not isinstance(raw, Mapping):
        errors["calendar"] = "must be an object with weekly hours"
        return CalendarTerms(weekly={})
    unknown = set(raw) - {"weekly", "timezone", "holidays_country", "holidays_subdiv"}
    if unknown:
        errors["calendar"] = f"unknown keys: {', '.join(sorted(unknown))}"
    weekly_raw = raw.get("weekly")
    weekly: dict[str, tuple[tuple[str, str], ...]] = {}
    if not isinstance(weekly_raw, Mapping):
        errors["calendar.weekly"] = 'must map weekdays (mon..sun) to lists of ["HH:MM", "HH:MM"]'
    else:
        for day, intervals in weekly_raw.items():
            path = f"calendar.weekly.{day}"
            if day not in WEEKDAYS:
                errors[path] = f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}"
                continue
            if not isinstance(intervals, list | tuple):
                errors[path] = "must be a list of [start, end] pairs"
                continue
            pairs: list[tuple[str, str]] = []
            for index, pair in enumerate(intervals):
                if (
                    not isinstance(pair, list | tuple)
                    or len(pair) != 2
                    or not all(isinstance(t, str) and _HHMM.match(t) for t in pair)
                ):
                    errors[f"{path}[{index}]"] = f"{pair!r} is not a pair of HH:MM times"
                    continue
                if pair[0] >= pair[1]:
                    errors[f"{path}[{index}]"] = f"{pair[0]}-{pair[1]} ends before it starts"
                    continue
                pairs.append((pair[0], pair[1]))
            pairs.sort()
            for before, after in itertools.pairwise(pairs):
                if after[0] < before[1]:
                    errors[path] = f"intervals {before[0]}-{before[1]} and {after[0]}-{after[1]} overlap"
            weekly[day] = tuple(pairs)
    timezone = raw.get("timezone")
    if timezone is not None:
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            errors["calendar.timezone"] = f"{timezone!r} is not an IANA time zone"
    country = raw.get("holidays_country")
    if country is not None and not (isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country)):
        errors["calendar.holidays_country"] = f"{country!r} is not an ISO 3166 alpha-2 country code"
    return CalendarTerms(
        weekly=weekly, timezone=timezone, holidays_country=country, holidays_subdiv=raw.get("holidays_subdiv")
    )


def _parse_terms(raw: Mapping[str, Any], errors: dict[str, str]) -> Terms | None:
    if not isinstance(raw, Mapping):
        errors["terms"] = "must be an object"
        return None
    for key in REQUIRED_KEYS:
        if key not in raw:
            errors[key] = "is required"
    unknown = set(raw) - set(TERM_KEYS)
    for key in sorted(unknown):
        errors[key] = "is not a plan term"
    if errors:
        return None

    if not isinstance(raw["sla"], bool):
        errors["sla"] = "must be true or false"

    severities: dict[str, SeverityTerms] = {}
    sev_raw = raw["severities"]
    if not isinstance(sev_raw, Mapping):
        errors["severities"] = "must map S1..S4 to their terms"
        sev_raw = {}
    for severity in SEVERITIES:
        entry = sev_raw.get(severity)
        path = f"severities.{severity}"
        if not isinstance(entry, Mapping):
            errors[path] = "is required (coverage and targets)"
            continue
        unknown_keys = set(entry) - {"coverage", *CLOCKS}
        if unknown_keys:
            errors[path] = f"unknown keys: {', '.join(sorted(unknown_keys))}"
        coverage = entry.get("coverage")
        if coverage not in COVERAGES:
            errors[f"{path}.coverage"] = f"{coverage!r} is not one of {', '.join(COVERAGES)}"
        severities[severity] = SeverityTerms(
            coverage=str(coverage),
            targets={
                clock: _optional_duration(entry.get(clock), f"{path}.{clock}", errors) for clock in CLOCKS
            },
        )
    extra = set(sev_raw) - set(SEVERITIES)
    if extra:
        errors["severities"] = f"unknown severities: {', '.join(sorted(extra))}"

    channels = raw["channels"]
    if not isinstance(channels, list | tuple) or not all(c in CHANNELS for c in channels):
        errors["channels"] = f"must be a list drawn from {', '.join(CHANNELS)}"
        channels = []
    features = raw["features"]
    if not isinstance(features, list | tuple) or not all(f in FEATURES for f in features):
        errors["features"] = f"must be a list drawn from {', '.join(FEATURES)}"
        features = []

    hours = raw["consulting_hours_per_year"]
    if isinstance(hours, bool) or not isinstance(hours, int) or hours < 0:
        errors["consulting_hours_per_year"] = f"{hours!r} is not a whole number of hours >= 0"
        hours = 0

    credits_raw = raw["sla_credits"]
    credits: SlaCreditTerms | None = None
    if credits_raw is not None:
        if not isinstance(credits_raw, Mapping):
            errors["sla_credits"] = (
                "must be null or an object with percent_per_breach, cap_percent_per_period, period"
            )
        else:
            period = credits_raw.get("period", "month")
            if period not in CREDIT_PERIODS:
                errors["sla_credits.period"] = f"{period!r} is not one of {', '.join(CREDIT_PERIODS)}"
            credits = SlaCreditTerms(
                percent_per_breach=_decimal(
                    credits_raw.get("percent_per_breach"), "sla_credits.percent_per_breach", errors
                ),
                cap_percent_per_period=_decimal(
                    credits_raw.get("cap_percent_per_period"), "sla_credits.cap_percent_per_period", errors
                ),
                period=str(period),
            )

    terms = Terms(
        sla=bool(raw["sla"]),
        severities=severities,
        channels=frozenset(channels),
        named_contacts=_optional_count(raw["named_contacts"], "named_contacts", errors),
        max_deployments=_optional_count(raw["max_deployments"], "max_deployments", errors),
        features=frozenset(features),
        consulting_hours_per_year=hours,
        sla_credits=credits,
        calendar=_parse_calendar(raw["calendar"], errors),
        remediation_days=_parse_remediation(raw.get("remediation_days"), errors),
    )
    return None if errors else terms


def _parse_remediation(raw: Any, errors: dict[str, str]) -> dict[str, int]:
    """Days per severity; missing severities take the defaults."""
    days = dict(DEFAULT_REMEDIATION_DAYS)
    if raw is None:
        return days
    if not isinstance(raw, Mapping):
        errors["remediation_days"] = "must map critical/high/medium/low to a number of days"
        return days
    for key, value in raw.items():
        if key not in REMEDIATION_SEVERITIES:
            errors[f"remediation_days.{key}"] = f"is not one of {', '.join(REMEDIATION_SEVERITIES)}"
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors[f"remediation_days.{key}"] = f"{value!r} is not a whole number of days >= 1"
        else:
            days[key] = value
    return days


def merge_terms(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge an agreement's overrides onto plan terms: objects merge, anything else replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_terms(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def validate_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> Terms:
    """Check that overrides name only plan terms and that the merged result is valid."""
    if not isinstance(overrides, Mapping):
        raise TermsError({"overrides": "must be an object of plan terms"})
    unknown = set(overrides) - set(TERM_KEYS)
    if unknown:
        raise TermsError(dict.fromkeys(sorted(unknown), "is not a plan term"))
    return Terms.from_dict(merge_terms(base, overrides))


@dataclass(frozen=True)
class PlanRef:
    """A plan as the entitlement rules see it."""

    code: str
    name: str
    rank: int
    terms: Mapping[str, Any]


@dataclass(frozen=True)
class SubscriptionTerm:
    """A subscription's period: in force on local dates starts_on..ends_on inclusive."""

    id: int
    plan: PlanRef
    starts_on: date
    ends_on: date
    products: frozenset[int]
    deployments: int

    def in_force(self, day: date) -> bool:
        """Whether the subscription covers the customer's local date `day`."""
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class AgreementTerm:
    """An enterprise agreement's period and overrides."""

    id: int
    reference: str
    starts_on: date
    ends_on: date
    overrides: Mapping[str, Any]
    account_manager: str | None = None

    def in_force(self, day: date) -> bool:
        """Whether the agreement covers the customer's local date `day`."""
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Entitlements:
    """What a customer is entitled to at one instant, and where each part came from."""

    at: datetime
    plan: PlanRef
    terms: Terms
    source: Literal["fallback", "subscription", "agreement"]
    subscription: SubscriptionTerm | None = None
    agreement: AgreementTerm | None = None
    products: frozenset[int] = field(default_factory=frozenset)

    @property
    def plan_label(self) -> str:
        """The plan's name, with the agreement when one amends it."""
        if self.agreement is not None:
            return f"{self.plan.name} (agreement {self.agreement.reference})"
        return self.plan.name

    def covers_product(self, product_id: int) -> bool:
        """Whether cases about this product are covered (Community covers none)."""
        return product_id in self.products


def effective_entitlements(
    *,
    at: datetime,
    timezone: str,
    subscriptions: Iterable[SubscriptionTerm],
    agreements: Iterable[AgreementTerm],
    fallback: PlanRef,
) -> Entitlements:
    """The entitlements in force at `at` for a customer in `timezone`.

    Rules: subscriptions and agreements run on the customer's local calendar dates (inclusive);
    when several subscriptions are in force the highest-ranked plan wins (a later start breaks a
    tie); an agreement in force amends the subscription in force and never stands alone; with no
    subscription in force the customer falls back to `fallback` (Community).
    """
    if at.tzinfo is None:
        raise ValueError("`at` must be an aware datetime")
    local_day = at.astimezone(ZoneInfo(timezone)).date()
    current = [s for s in subscriptions if s.in_force(local_day)]
    if not current:
        return Entitlements(at=at, plan=fallback, terms=Terms.from_dict(fallback.terms), source="fallback")
    subscription = max(current, key=lambda s: (s.plan.rank, s.starts_on, s.id))
    in_force = [a for a in agreements if a.in_force(local_day)]
    if in_force:
        agreement = max(in_force, key=lambda a: (a.starts_on, a.id))
        terms = validate_overrides(subscription.plan.terms, agreement.overrides)
        return Entitlements(
            at=at,
            plan=subscription.plan,
            terms=terms,
            source="agreement",
            subscription=subscription,
            agreement=agreement,
            products=subscription.products,
        )
    return Entitlements(
        at=at,
        plan=subscription.plan,
        terms=Terms.from_dict(subscription.plan.terms),
        source="subscription",
        subscription=subscription,
        products=subscription.products,
    )


def cheapest_plan_allowing(plans: Sequence[PlanRef], allows: Callable[[Terms], bool]) -> PlanRef | None:
    """The lowest-ranked plan whose terms satisfy `allows`, to name in a refusal."""
    for plan in sorted(plans, key=lambda p: p.rank):
        if allows(Terms.from_dict(plan.terms)):
            return plan
    return None


def check_named_contact_seats(
    entitlements: Entitlements, *, named_now: int, plans: Sequence[PlanRef], organisation: str
) -> None:
    """Refuse one more named contact beyond the seat count."""
    seats = entitlements.terms.named_contacts
    if seats is None or named_now < seats:
        return
    wanted = named_now + 1
    allowing = cheapest_plan_allowing(plans, lambda t: t.named_contacts is None or t.named_contacts >= wanted)
    raise EntitlementDenied(
        f"{entitlements.plan_label} allows {seats} named contact{'s' if seats != 1 else ''} "
        f"and {organisation} already has {named_now}.",
        code="named_contact_seats",
        allowed_by=allowing.name if allowing else None,
    )


def check_channel(entitlements: Entitlements, *, channel: str, plans: Sequence[PlanRef]) -> None:
    """Refuse a support channel the plan does not include."""
    if channel in entitlements.terms.channels:
        return
    allowing = cheapest_plan_allowing(plans, lambda t: channel in t.channels)
    raise EntitlementDenied(
        f"{entitlements.plan_label} does not include the {CHANNEL_LABELS.get(channel, channel)} channel.",
        code="channel",
        allowed_by=allowing.name if allowing else None,
    )


def check_severity(entitlements: Entitlements, *, severity: str, plans: Sequence[PlanRef]) -> None:
    """Refuse a severity the plan does not cover (Community cannot open S1)."""
    if entitlements.terms.sla and entitlements.terms.severity(severity).allowed:
        return
    allowing = cheapest_plan_allowing(plans, lambda t: t.sla and t.severity(severity).allowed)
    raise EntitlementDenied(
        f"{entitlements.plan_label} does not cover {severity} "
        f"({SEVERITY_DEFINITIONS[severity].lower()}) cases.",
        code="severity",
        allowed_by=allowing.name if allowing else None,
    )


def check_feature(entitlements: Entitlements, *, feature: str, plans: Sequence[PlanRef]) -> None:
    """Refuse a feature (SBOM scanning, monitoring ...) the plan does not include."""
    if entitlements.terms.has_feature(feature):
        return
    allowing = cheapest_plan_allowing(plans, lambda t: t.has_feature(feature))
    raise EntitlementDenied(
        f"{entitlements.plan_label} does not include {_in_sentence(FEATURE_LABELS.get(feature, feature))}.",
        code="feature",
        allowed_by=allowing.name if allowing else None,
    )


def _in_sentence(label: str) -> str:
    """A label inside a sentence: "Monitoring" -> "monitoring", but "SBOM scanning" keeps its acronym."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def check_deployments(plan: PlanRef, *, deployments: int, plans: Sequence[PlanRef]) -> None:
    """Refuse a subscription for more deployments than its plan includes."""
    limit = Terms.from_dict(plan.terms).max_deployments
    if limit is None or deployments <= limit:
        return
    allowing = cheapest_plan_allowing(
        plans, lambda t: t.max_deployments is None or t.max_deployments >= deployments
    )
    raise EntitlementDenied(
        f"{plan.name} covers up to {limit} deployment{'s' if limit != 1 else ''}, not {deployments}.",
        code="deployments",
        allowed_by=allowing.name if allowing else None,
    )
