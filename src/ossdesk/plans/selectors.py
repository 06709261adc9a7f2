"""Reads of plans, subscriptions, agreements and effective entitlements, scoped by actor."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.customers.models import Organization
from ossdesk.domain.entitlements import (
    AgreementTerm,
    Entitlements,
    PlanRef,
    SubscriptionTerm,
    effective_entitlements,
)
from ossdesk.memo import memoized
from ossdesk.plans.models import Agreement, Plan, Subscription


def plan_list() -> QuerySet[Plan]:
    """Plans are the vendor's public price list: everyone signed in may read them."""
    return Plan.objects.all()


def plan_refs() -> list[PlanRef]:
    return [plan_ref(p) for p in _plans()]


def _plans() -> list[Plan]:
    """Every plan, by rank: read once per unit of work (see ossdesk.memo)."""
    return memoized("plans.all", lambda: list(Plan.objects.order_by("rank")))


def plan_ref(plan: Plan) -> PlanRef:
    return PlanRef(code=plan.code, name=plan.name, rank=plan.rank, terms=plan.terms)


def fallback_plan() -> Plan:
    plan = next((p for p in _plans() if p.is_fallback), None)
    if plan is None:
        raise LookupError("no fallback plan: run `ossdesk seed` to create the default tiers")
    return plan


def _scoped(qs: QuerySet[Any], actor: Actor, organization_id: int | None) -> QuerySet[Any]:
    if not actor.is_staff:
        qs = qs.filter(organization_id=actor.organization_id) if actor.organization_id else qs.none()
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs


def subscription_list(*, actor: Actor, organization_id: int | None = None) -> QuerySet[Subscription]:
    qs = Subscription.objects.select_related("organization", "plan").prefetch_related("products")
    return _scoped(qs, actor, organization_id)


def agreement_list(*, actor: Actor, organization_id: int | None = None) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related("organization", "account_manager")
    return _scoped(qs, actor, organization_id)


def current_plan_names(
    *, actor: Actor, organization_ids: list[int], on: date | None = None
) -> dict[int, str]:
    """The plan in force on a day for each of a page of customers, in one query."""
    on = on or timezone.now().date()
    best: dict[int, tuple[int, str]] = {}
    rows = (
        subscription_list(actor=actor)
        .filter(organization_id__in=organization_ids, starts_on__lte=on, ends_on__gte=on)
        .values_list("organization_id", "plan__rank", "plan__name")
    )
    for org_id, rank, name in rows:
        if org_id not in best or rank > best[org_id][0]:
            best[org_id] = (rank, name)
    return {org_id: name for org_id, (_, name) in best.items()}


def entitlements_for(*, organization: Organization, at: datetime | None = None) -> Entitlements:
    """The organisation's entitlements in force at `at` (now by default)."""
    subscriptions, agreements = memoized(
        ("plans.terms", organization.pk), lambda: _contract_terms(organization.pk)
    )
    return effective_entitlements(
        at=at or timezone.now(),
        timezone=organization.timezone,
        subscriptions=subscriptions,
        agreements=agreements,
        fallback=plan_ref(fallback_plan()),
    )


def _contract_terms(organization_id: int) -> tuple[list[SubscriptionTerm], list[AgreementTerm]]:
    subscriptions = [
        SubscriptionTerm(
            id=s.pk,
            plan=plan_ref(s.plan),
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            products=frozenset(p.pk for p in s.products.all()),
            deployments=s.deployments,
        )
        for s in Subscription.objects.filter(organization_id=organization_id)
        .select_related("plan")
        .prefetch_related("products")
    ]
    agreements = [
        AgreementTerm(
            id=a.pk,
            reference=a.reference,
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            overrides=a.overrides,
            account_manager=str(a.account_manager) if a.account_manager else None,
        )
        for a in Agreement.objects.filter(organization_id=organization_id).select_related("account_manager")
    ]
    return subscriptions, agreements
