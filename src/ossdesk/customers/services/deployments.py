"""Writes of a customer's deployments: registering them (within what the subscription bought), changing
and removing them."""

from __future__ import annotations

from typing import Any, Never

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.access import (
    can_edit_organization,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.hooks import entitlements_for, plan_refs
from ossdesk.customers.models import Deployment, Organization
from ossdesk.domain.entitlements import (
    EntitlementDenied,
    Entitlements,
    cheapest_plan_allowing,
)
from ossdesk.products.models import Product, ProductVersion
from ossdesk.unset import UNSET, Unset, given

DEPLOYMENT_FIELDS = ("name", "environment", "product", "version", "criticality", "internet_facing")


def deployments_included(entitlements: Entitlements) -> int | None:
    """How many deployments a customer may register: what its subscription bought (the plan only caps the
    purchase), or the fallback plan's own limit without one; None is no limit."""
    if entitlements.subscription is not None:
        return entitlements.subscription.deployments
    return entitlements.terms.max_deployments


def _check_deployment_limit(organization: Organization) -> None:
    """A customer runs as many deployments as its subscription includes (the plan caps the purchase)."""
    entitlements = entitlements_for(organization=organization)
    limit = deployments_included(entitlements)
    if limit is None:
        return
    count = Deployment.objects.filter(organization=organization).count()
    if count < limit:
        return
    plan_cap = entitlements.terms.max_deployments
    if entitlements.subscription is not None and (plan_cap is None or plan_cap > count):
        # The plan allows more: the subscription bought fewer. No other plan is needed.
        raise EntitlementDenied(
            f"{organization.name}'s subscription includes {limit} deployment{'s' if limit != 1 else ''}, "
            "all in use; an account manager can add deployments to the subscription.",
            code="deployments",
            plan_hint=False,
        )
    current_rank = entitlements.plan.rank
    allowing = cheapest_plan_allowing(
        [p for p in plan_refs() if p.rank > current_rank],
        lambda t: t.max_deployments is None or t.max_deployments > count,
    )
    raise EntitlementDenied(
        f"{organization.name}'s {entitlements.plan_label} subscription covers {limit} "
        f"deployment{'s' if limit != 1 else ''}, all in use.",
        code="deployments",
        allowed_by=allowing.name if allowing else None,
    )


def _validate_deployment(
    organization: Organization, fields: dict[str, Any], *, instance: Deployment | None
) -> None:
    errors: dict[str, str] = {}
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = "Name the deployment, e.g. payments-prod."
    elif (
        Deployment.objects.filter(organization=organization, name__iexact=name)
        .exclude(pk=instance.pk if instance else 0)
        .exists()
    ):
        errors["name"] = f"{organization.name} already has a deployment called {name}."
    if fields.get("environment") not in Deployment.Environment.values:
        errors["environment"] = f"Choose from {', '.join(Deployment.Environment.values)}."
    if fields.get("criticality") not in Deployment.Criticality.values:
        errors["criticality"] = f"Choose from {', '.join(Deployment.Criticality.values)}."
    product, version = fields.get("product"), fields.get("version")
    if product is None:
        errors["product"] = "Say which product the deployment runs."
    elif version is not None and version.product_id != product.pk:
        errors["version"] = f"{version} is not a version of {product.name}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deployment_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    product: Product | None,
    version: ProductVersion | None = None,
    environment: str = Deployment.Environment.PRODUCTION,
    criticality: str = Deployment.Criticality.MEDIUM,
    internet_facing: bool = False,
) -> Deployment:
    """Register a deployment the customer runs; the subscription says how many it may have."""
    require(
        can_edit_organization(actor, organization.pk), "You may not add deployments to this organisation."
    )
    fields = {
        "name": name.strip(),
        "product": product,
        "version": version,
        "environment": environment,
        "criticality": criticality,
        "internet_facing": internet_facing,
    }
    _validate_deployment(organization, fields, instance=None)
    _check_deployment_limit(organization)
    deployment = Deployment.objects.create(organization=organization, **fields)
    audit_record(
        actor=actor,
        action="create",
        instance=deployment,
        after=snapshot(deployment),
        organization_id=organization.pk,
    )
    return deployment


@transaction.atomic
def deployment_update(
    *,
    actor: Actor,
    deployment: Deployment,
    name: str | Unset = UNSET,
    environment: str | Unset = UNSET,
    product: Product | Unset | None = UNSET,
    version: ProductVersion | Unset | None = UNSET,
    criticality: str | Unset = UNSET,
    internet_facing: bool | Unset = UNSET,
    **refused: Never,
) -> Deployment:
    """Change a deployment; what is left out keeps its value (version=None: no particular version).
    Another field (a door passes its form's or its serializer's fields) is refused: "Not a field of a
    deployment."."""
    require(can_edit_organization(actor, deployment.organization_id), "You may not change this deployment.")
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "Not a field of a deployment."))
    changes = given(
        name=name,
        environment=environment,
        product=product,
        version=version,
        criticality=criticality,
        internet_facing=internet_facing,
    )
    fields = {name: getattr(deployment, name) for name in DEPLOYMENT_FIELDS} | changes
    if isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].strip()
    _validate_deployment(deployment.organization, fields, instance=deployment)
    before = snapshot(deployment)
    for key, value in fields.items():
        setattr(deployment, key, value)
    deployment.save()
    audit_record(
        actor=actor,
        action="update",
        instance=deployment,
        before=before,
        after=snapshot(deployment),
        organization_id=deployment.organization_id,
    )
    return deployment


@transaction.atomic
def deployment_delete(*, actor: Actor, deployment: Deployment) -> None:
    require(can_edit_organization(actor, deployment.organization_id), "You may not remove this deployment.")
    audit_record(
        actor=actor,
        action="delete",
        instance=deployment,
        before=snapshot(deployment),
        organization_id=deployment.organization_id,
    )
    deployment.delete()
