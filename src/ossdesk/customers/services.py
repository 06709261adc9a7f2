"""Writes of organisations and contacts; the plan's seat count is enforced here."""

from __future__ import annotations

import secrets
from typing import Any, Never
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ossdesk.accounts.access import (
    can_delete_customers,
    can_edit_organization,
    can_manage_contacts,
    can_manage_customers,
    is_account_holder_role,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.hooks import (
    contact_proof_requested,
    entitlements_for,
    plan_refs,
    reachability_changed,
)
from ossdesk.customers.models import Contact, Deployment, Framework, Organization
from ossdesk.customers.proof import ProofLinkError, proof_claim, proof_token
from ossdesk.customers.selectors import named_contact_count
from ossdesk.domain.entitlements import (
    EntitlementDenied,
    Entitlements,
    cheapest_plan_allowing,
    check_named_contact_seats,
)
from ossdesk.products.models import Product, ProductVersion
from ossdesk.unset import UNSET, Unset, given

SUPPORTED_COUNTRIES = frozenset(holidays_lib.list_supported_countries())


def _validate_organization_fields(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "timezone" in fields:
        try:
            ZoneInfo(str(fields["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = f"{fields['timezone']!r} is not an IANA time zone such as Europe/Berlin."
    if "country" in fields:
        country = str(fields["country"]).upper()
        fields["country"] = country
        if len(country) != 2 or not country.isalpha():
            errors["country"] = "Use the two-letter ISO 3166 code, such as DE or US."
        elif country not in SUPPORTED_COUNTRIES:
            # Business-hour calendars load the country's public holidays; an unknown code fails there.
            errors["country"] = f"{country} is not an ISO 3166 country code with known public holidays."
    subdivision = fields.get("subdivision")
    if subdivision and "country" in fields and "country" not in errors:
        known = holidays_lib.list_supported_countries().get(fields["country"], [])
        if subdivision.upper() not in known:
            errors["subdivision"] = (
                f"{subdivision} is not a subdivision of {fields['country']} with known public "
                f"holidays{' (' + ', '.join(known[:12]) + ' …)' if known else ''}."
            )
        else:
            fields["subdivision"] = subdivision.upper()
    if "compliance_frameworks" in fields:
        frameworks = fields["compliance_frameworks"]
        valid = set(Framework.values)
        if not isinstance(frameworks, list) or not all(f in valid for f in frameworks):
            errors["compliance_frameworks"] = f"Choose from {', '.join(sorted(valid))}."
        else:
            fields["compliance_frameworks"] = sorted(set(frameworks))
    if "account_manager" in fields and fields["account_manager"] is not None:
        manager = fields["account_manager"]
        if not is_account_holder_role(manager.role):
            errors["account_manager"] = f"{manager} is not an account manager."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_create(
    *,
    actor: Actor,
    name: str,
    country: str,
    timezone: str = "UTC",
    subdivision: str = "",
    compliance_frameworks: list[str] | None = None,
    account_manager: User | None = None,
    notes: str = "",
    slug: str = "",
) -> Organization:
    require(can_manage_customers(actor), "Only admins and account managers add customers.")
    fields: dict[str, Any] = {
        "name": name.strip(),
        "country": country,
        "timezone": timezone,
        "subdivision": subdivision,
        "compliance_frameworks": compliance_frameworks or [],
        "account_manager": account_manager,
        "notes": notes,
    }
    _validate_organization_fields(fields)
    organization = Organization(slug=slug or slugify(name)[:80], **fields)
    organization.full_clean()
    organization.save()
    audit_record(
        actor=actor,
        action="create",
        instance=organization,
        after=snapshot(organization),
        organization_id=organization.pk,
    )
    return organization


CUSTOMER_EDITABLE = frozenset({"timezone"})
STAFF_EDITABLE = frozenset(
    {"name", "country", "subdivision", "timezone", "compliance_frameworks", "account_manager", "notes"}
)


@transaction.atomic
def organization_update(
    *,
    actor: Actor,
    organization: Organization,
    name: str | Unset = UNSET,
    country: str | Unset = UNSET,
    subdivision: str | Unset = UNSET,
    timezone: str | Unset = UNSET,
    compliance_frameworks: list[str] | Unset = UNSET,
    account_manager: User | Unset | None = UNSET,
    notes: str | Unset = UNSET,
    **refused: Never,
) -> Organization:
    """Change an organisation; what is left out keeps its value (account_manager=None: none). Staff change
    these fields, a customer only its time zone; any other field (a door passes its form's or its
    serializer's fields: the slug) is refused like them: "You may not change this field."."""
    require(can_edit_organization(actor, organization.pk), "You may not change this organisation.")
    editable = STAFF_EDITABLE if can_manage_customers(actor) else CUSTOMER_EDITABLE
    changes = given(
        name=name,
        country=country,
        subdivision=subdivision,
        timezone=timezone,
        compliance_frameworks=compliance_frameworks,
        account_manager=account_manager,
        notes=notes,
    )
    not_editable = (set(changes) - editable) | set(refused)
    if not_editable:
        raise ValidationError(dict.fromkeys(sorted(not_editable), "You may not change this field."))
    _validate_organization_fields(changes)
    before = snapshot(organization)
    for key, value in changes.items():
        setattr(organization, key, value)
    organization.full_clean()
    organization.save()
    audit_record(
        actor=actor,
        action="update",
        instance=organization,
        before=before,
        after=snapshot(organization),
        organization_id=organization.pk,
    )
    return organization


@transaction.atomic
def organization_delete(*, actor: Actor, organization: Organization) -> None:
    require(can_delete_customers(actor), "Only admins delete customers.")
    audit_record(
        actor=actor,
        action="delete",
        instance=organization,
        before=snapshot(organization),
        organization_id=organization.pk,
    )
    User.objects.filter(contact__organization=organization).update(is_active=False)
    organization.delete()


def _check_seat(organization: Organization, *, adding_named: bool) -> None:
    if not adding_named:
        return
    check_named_contact_seats(
        entitlements_for(organization=organization),
        named_now=named_contact_count(organization=organization),
        plans=plan_refs(),
        organisation=organization.name,
    )


@transaction.atomic
def contact_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    email: str,
    phone: str = "",
    role: str = Contact.Role.CONTACT,
    is_named: bool = True,
    reachable_24x7: bool = False,
    portal_access: bool = False,
    password: str | None = None,
) -> Contact:
    """Add a contact; a named contact needs a free seat; portal access creates a sign-in.

    A contact a customer adds must prove its address: a link is mailed to it, and until it is followed
    another organisation's claim on the address wins and no sign-in exists. The answer is the same
    whether or not the address is known elsewhere, so it tells nobody which addresses are."""
    require(can_manage_contacts(actor, organization.pk), "You may not add contacts to this organisation.")
    by_customer = actor.is_customer
    email = email.strip().lower()
    if Contact.objects.filter(organization=organization, email=email).exists():
        raise ValidationError({"email": f"{email} is already a contact of {organization.name}."})
    if role not in Contact.Role.values:
        raise ValidationError({"role": f"Choose from {', '.join(Contact.Role.values)}."})
    _check_seat(organization, adding_named=is_named)
    contact = Contact(
        organization=organization,
        name=name.strip(),
        email=email,
        phone=phone,
        role=role,
        is_named=is_named,
        reachable_24x7=reachable_24x7,
        verified_at=None if by_customer else timezone.now(),  # the vendor's staff vouch for an address
    )
    contact.full_clean()
    if portal_access and by_customer:
        contact.pending_password = make_password(password or None)
    elif portal_access:
        contact.user = _portal_user(email=email, name=name, password=password)
    contact.save()
    audit_record(
        actor=actor,
        action="create",
        instance=contact,
        after=snapshot(contact),
        organization_id=organization.pk,
    )
    if contact.reachable_24x7:
        reachability_changed(organization=organization)
    if by_customer:
        _ask_for_proof(contact)
    return contact


def _ask_for_proof(contact: Contact) -> None:
    """Queue the mail with the link in the outbox, in the same transaction as the contact."""
    contact_proof_requested(contact=contact, token=proof_token(contact.pk, contact.email))


@transaction.atomic
def contact_address_prove(*, token: str) -> Contact:
    """The address's owner followed the mailed link: the contact's claim on it stands, and a sign-in
    asked for is created (unless the address signs in already, which its owner may now be told)."""
    contact_id, email = proof_claim(token)
    contact = Contact.objects.select_for_update().filter(pk=contact_id, email=email, is_active=True).first()
    if contact is None:
        raise ProofLinkError("This confirmation link is not valid any more.")
    if contact.verified_at is not None:
        return contact
    before = snapshot(contact)
    contact.verified_at = timezone.now()
    if contact.pending_password and not User.objects.filter(email__iexact=contact.email).exists():
        contact.user = _portal_user(email=contact.email, name=contact.name, password=None)
        contact.user.password = contact.pending_password
        contact.user.save(update_fields=["password"])
    contact.pending_password = ""
    contact.save(update_fields=["verified_at", "user", "pending_password"])
    audit_record(
        actor=Actor.system(f"address proof <{contact.email}>"),
        action="update",
        instance=contact,
        before=before,
        after=snapshot(contact),
        organization_id=contact.organization_id,
    )
    return contact


def _portal_user(*, email: str, name: str, password: str | None) -> User:
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"{email} already signs in to ossdesk; use another address."})
    first, _, last = name.strip().partition(" ")
    user = User(username=email, email=email, first_name=first[:150], last_name=last[:150], role=Role.CUSTOMER)
    user.set_password(password or secrets.token_urlsafe(24))
    user.save()
    return user


@transaction.atomic
def contact_update(
    *,
    actor: Actor,
    contact: Contact,
    name: str | Unset = UNSET,
    phone: str | Unset = UNSET,
    role: str | Unset = UNSET,
    is_named: bool | Unset = UNSET,
    reachable_24x7: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    **refused: Never,
) -> Contact:
    """Change a contact; what is left out keeps its value. Another field (a door passes its form's or its
    serializer's fields: the organisation, the address) is refused: "This field cannot be changed."."""
    require(can_manage_contacts(actor, contact.organization_id), "You may not change this contact.")
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "This field cannot be changed."))
    changes = given(
        name=name,
        phone=phone,
        role=role,
        is_named=is_named,
        reachable_24x7=reachable_24x7,
        is_active=is_active,
    )
    becomes_named = (
        changes.get("is_named", contact.is_named)
        and changes.get("is_active", contact.is_active)
        and not (contact.is_named and contact.is_active)
    )
    _check_seat(contact.organization, adding_named=bool(becomes_named))
    demoted = changes.get("role", contact.role) != Contact.Role.ADMIN
    if demoted or not changes.get("is_active", True):
        _keep_an_admin(actor, contact, field="role" if demoted else "is_active")
    before = snapshot(contact)
    for key, value in changes.items():
        setattr(contact, key, value)
    contact.full_clean()
    contact.save()
    if contact.user_id and "is_active" in changes:
        User.objects.filter(pk=contact.user_id).update(is_active=contact.is_active)
    audit_record(
        actor=actor,
        action="update",
        instance=contact,
        before=before,
        after=snapshot(contact),
        organization_id=contact.organization_id,
    )
    if before["reachable_24x7"] != contact.reachable_24x7 or before["is_active"] != contact.is_active:
        reachability_changed(organization=contact.organization)
    return contact


def _keep_an_admin(actor: Actor, contact: Contact, *, field: str) -> None:
    """A customer cannot remove, demote or deactivate their organisation's last admin who signs in:
    nobody there could manage contacts, deployments or tokens again (the vendor's staff still can)."""
    if not actor.is_customer or not _signs_in_as_admin(contact):
        return
    others = Contact.objects.filter(
        organization_id=contact.organization_id,
        role=Contact.Role.ADMIN,
        is_active=True,
        user__is_active=True,
    ).exclude(pk=contact.pk)
    if not others.exists():
        message = (
            f"{contact.name} is the last admin of {contact.organization.name}; make another contact an "
            "admin first, or the organisation is locked out."
        )
        raise ValidationError({field: message})


def _signs_in_as_admin(contact: Contact) -> bool:
    return (
        contact.role == Contact.Role.ADMIN
        and contact.is_active
        and contact.user_id is not None
        and User.objects.filter(pk=contact.user_id, is_active=True).exists()
    )


@transaction.atomic
def contact_delete(*, actor: Actor, contact: Contact) -> None:
    require(can_manage_contacts(actor, contact.organization_id), "You may not remove this contact.")
    _keep_an_admin(actor, contact, field="non_field_errors")
    audit_record(
        actor=actor,
        action="delete",
        instance=contact,
        before=snapshot(contact),
        organization_id=contact.organization_id,
    )
    if contact.user_id:
        User.objects.filter(pk=contact.user_id).update(is_active=False)
    organization, was_reachable = contact.organization, contact.reachable_24x7
    contact.delete()
    if was_reachable:
        reachability_changed(organization=organization)


# --- deployments ------------------------------------------------------------------------------------------

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
