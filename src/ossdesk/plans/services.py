"""Writes of plans, subscriptions and agreements. Each validates, writes and audits in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Never

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.access import (
    can_delete_customers,
    can_manage_catalogue,
    can_manage_customers,
    is_account_holder_role,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Organization
from ossdesk.domain.entitlements import Terms, TermsError, check_deployments, validate_overrides
from ossdesk.plans.defaults import DEFAULT_PLANS
from ossdesk.plans.hooks import terms_changed
from ossdesk.plans.models import Agreement, Plan, Subscription
from ossdesk.plans.selectors import plan_ref, plan_refs
from ossdesk.products.models import Product
from ossdesk.unset import UNSET, Unset, given


def _validate_terms(terms: Any, field: str = "terms") -> None:
    try:
        Terms.from_dict(terms)
    except TermsError as exc:
        raise ValidationError(
            {field: [f"{path}: {message}" for path, message in exc.errors.items()]}
        ) from None


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The term ends before it starts."})


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    rank: int,
    terms: dict[str, Any],
    best_for: str = "",
    is_fallback: bool = False,
) -> Plan:
    require(can_manage_catalogue(actor), "Only admins change plans.")
    _validate_terms(terms)
    plan = Plan(code=code, name=name, rank=rank, terms=terms, best_for=best_for, is_fallback=is_fallback)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="create", instance=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Actor,
    plan: Plan,
    name: str | Unset = UNSET,
    rank: int | Unset = UNSET,
    terms: dict[str, Any] | Unset = UNSET,
    best_for: str | Unset = UNSET,
    **refused: Never,
) -> Plan:
    """Change a plan; what is left out keeps its value. Another field (a door passes its form's or its
    serializer's fields) is refused: "This field cannot be changed." (the code and the fallback flag)."""
    require(can_manage_catalogue(actor), "Only admins change plans.")
    before = snapshot(plan)
    if refused:
        raise ValidationError(dict.fromkeys(refused, "This field cannot be changed."))
    changes = given(name=name, rank=rank, terms=terms, best_for=best_for)
    if "terms" in changes:
        _validate_terms(changes["terms"])
    for key, value in changes.items():
        setattr(plan, key, value)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="update", instance=plan, before=before, after=snapshot(plan))
    if before["terms"] != snapshot(plan)["terms"]:
        organization_ids = sorted(set(plan.subscriptions.values_list("organization_id", flat=True)))
        terms_changed(organization_ids=organization_ids)
    return plan


def plans_seed_defaults(*, actor: Actor) -> list[Plan]:
    """Create the four default tiers if absent; existing (possibly edited) plans are left alone."""
    created = []
    for spec in DEFAULT_PLANS:
        if not Plan.objects.filter(code=spec["code"]).exists():
            created.append(plan_create(actor=actor, **spec))
    return created


@transaction.atomic
def subscription_create(
    *,
    actor: Actor,
    organization: Organization,
    plan: Plan,
    starts_on: date,
    ends_on: date,
    products: Iterable[Product] = (),
    deployments: int = 1,
) -> Subscription:
    require(can_manage_customers(actor), "Only admins and account managers change subscriptions.")
    _check_period(starts_on, ends_on)
    if plan.is_fallback:
        raise ValidationError({"plan": f"{plan.name} applies without a subscription; choose a paid plan."})
    check_deployments(plan_ref(plan), deployments=deployments, plans=plan_refs())
    subscription = Subscription(
        organization=organization, plan=plan, starts_on=starts_on, ends_on=ends_on, deployments=deployments
    )
    subscription.full_clean()
    subscription.save()
    subscription.products.set(list(products))
    audit_record(
        actor=actor,
        action="create",
        instance=subscription,
        after=snapshot(subscription),
        organization_id=organization.pk,
    )
    return subscription


@transaction.atomic
def subscription_update(
    *,
    actor: Actor,
    subscription: Subscription,
    plan: Plan | Unset = UNSET,
    starts_on: date | Unset = UNSET,
    ends_on: date | Unset = UNSET,
    deployments: int | Unset = UNSET,
    products: Iterable[Product] | Unset = UNSET,
    **refused: Never,
) -> Subscription:
    """Change a subscription; what is left out keeps its value. Another field is refused: "This field
    cannot be changed." (a subscription stays with its organisation)."""
    require(can_manage_customers(actor), "Only admins and account managers change subscriptions.")
    before = snapshot(subscription)
    if refused:
        raise ValidationError(dict.fromkeys(refused, "This field cannot be changed."))
    changes = given(plan=plan, starts_on=starts_on, ends_on=ends_on, deployments=deployments)
    for key, value in changes.items():
        setattr(subscription, key, value)
    _check_period(subscription.starts_on, subscription.ends_on)
    if subscription.plan.is_fallback:
        raise ValidationError({"plan": f"{subscription.plan.name} applies without a subscription."})
    check_deployments(plan_ref(subscription.plan), deployments=subscription.deployments, plans=plan_refs())
    subscription.full_clean()
    subscription.save()
    if products is not UNSET and products is not None:  # None, from a dict of fields, keeps them too
        subscription.products.set(list(products))
    audit_record(
        actor=actor,
        action="update",
        instance=subscription,
        before=before,
        after=snapshot(subscription),
        organization_id=subscription.organization_id,
    )
    _contract_changed(subscription.organization_id)
    return subscription


@transaction.atomic
def subscription_delete(*, actor: Actor, subscription: Subscription) -> None:
    require(can_delete_customers(actor), "Only admins delete subscriptions.")
    before = snapshot(subscription)
    audit_record(
        actor=actor,
        action="delete",
        instance=subscription,
        before=before,
        organization_id=subscription.organization_id,
    )
    subscription.delete()


def _validate_overrides(organization: Organization, overrides: Any) -> None:
    base = Plan.objects.filter(subscriptions__organization=organization).order_by("-rank").first()
    base = base or Plan.objects.order_by("-rank").first()
    if base is None:
        raise ValidationError({"overrides": "No plans exist yet; run `ossdesk seed`."})
    try:
        validate_overrides(base.terms, overrides)
    except TermsError as exc:
        raise ValidationError(
            {"overrides": [f"{path}: {message}" for path, message in exc.errors.items()]}
        ) from None


def _check_account_manager(user: User | None) -> None:
    if user is not None and not is_account_holder_role(user.role):
        raise ValidationError({"account_manager": f"{user} is not an account manager."})


@transaction.atomic
def agreement_create(
    *,
    actor: Actor,
    organization: Organization,
    reference: str,
    starts_on: date,
    ends_on: date,
    overrides: dict[str, Any] | None = None,
    account_manager: User | None = None,
    consulting_hours_bank: Decimal = Decimal(0),
    fee_per_period: Decimal = Decimal(0),
    currency: str = "EUR",
    notes: str = "",
) -> Agreement:
    require(can_manage_customers(actor), "Only admins and account managers change agreements.")
    _check_period(starts_on, ends_on)
    overrides = overrides or {}
    _validate_overrides(organization, overrides)
    _check_account_manager(account_manager)
    agreement = Agreement(
        organization=organization,
        reference=reference,
        starts_on=starts_on,
        ends_on=ends_on,
        overrides=overrides,
        account_manager=account_manager,
        consulting_hours_bank=consulting_hours_bank,
        fee_per_period=fee_per_period,
        currency=currency,
        notes=notes,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        actor=actor,
        action="create",
        instance=agreement,
        after=snapshot(agreement),
        organization_id=organization.pk,
    )
    _contract_changed(organization.pk)
    return agreement


def _contract_changed(organization_id: int) -> None:
    """Deadlines of the customer's open tickets follow the new terms, once this transaction commits."""
    terms_changed(organization_ids=[organization_id])


@transaction.atomic
def agreement_update(
    *,
    actor: Actor,
    agreement: Agreement,
    reference: str | Unset = UNSET,
    starts_on: date | Unset = UNSET,
    ends_on: date | Unset = UNSET,
    overrides: dict[str, Any] | Unset = UNSET,
    account_manager: User | Unset | None = UNSET,
    consulting_hours_bank: Decimal | Unset = UNSET,
    fee_per_period: Decimal | Unset = UNSET,
    currency: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    **refused: Never,
) -> Agreement:
    """Change an agreement; what is left out keeps its value (account_manager=None removes the manager).
    Another field is refused: "This field cannot be changed." (an agreement stays with its organisation)."""
    require(can_manage_customers(actor), "Only admins and account managers change agreements.")
    before = snapshot(agreement)
    if refused:
        raise ValidationError(dict.fromkeys(refused, "This field cannot be changed."))
    changes = given(
        reference=reference,
        starts_on=starts_on,
        ends_on=ends_on,
        overrides=overrides,
        account_manager=account_manager,
        consulting_hours_bank=consulting_hours_bank,
        fee_per_period=fee_per_period,
        currency=currency,
        notes=notes,
    )
    for key, value in changes.items():
        setattr(agreement, key, value)
    _check_period(agreement.starts_on, agreement.ends_on)
    if "overrides" in changes:
        _validate_overrides(agreement.organization, agreement.overrides)
    _check_account_manager(agreement.account_manager)
    agreement.full_clean()
    agreement.save()
    audit_record(
        actor=actor,
        action="update",
        instance=agreement,
        before=before,
        after=snapshot(agreement),
        organization_id=agreement.organization_id,
    )
    _contract_changed(agreement.organization_id)
    return agreement


@transaction.atomic
def agreement_delete(*, actor: Actor, agreement: Agreement) -> None:
    require(can_delete_customers(actor), "Only admins delete agreements.")
    audit_record(
        actor=actor,
        action="delete",
        instance=agreement,
        before=snapshot(agreement),
        organization_id=agreement.organization_id,
    )
    organization_id = agreement.organization_id
    agreement.delete()
    _contract_changed(organization_id)
