"""Writes of organisations and contacts; the plan's seat count is enforced here."""

from __future__ import annotations

import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ossdesk.accounts.access import (
    can_delete_customers,
    can_edit_organization,
    can_manage_contacts,
    can_manage_customers,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Contact, Framework, Organization
from ossdesk.customers.selectors import named_contact_count
from ossdesk.domain.entitlements import check_named_contact_seats
from ossdesk.plans.selectors import entitlements_for, plan_refs

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
        if manager.role not in {Role.ACCOUNT_MANAGER, Role.ADMIN}:
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
def organization_update(*, actor: Actor, organization: Organization, **changes: Any) -> Organization:
    require(can_edit_organization(actor, organization.pk), "You may not change this organisation.")
    editable = STAFF_EDITABLE if can_manage_customers(actor) else CUSTOMER_EDITABLE
    refused = set(changes) - editable
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "You may not change this field."))
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
    """Add a contact; a named contact needs a free seat; portal access creates a sign-in."""
    require(can_manage_contacts(actor, organization.pk), "You may not add contacts to this organisation.")
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
    )
    contact.full_clean()
    if portal_access:
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
        _reachability_changed(organization)
    return contact


def _reachability_changed(organization: Organization) -> None:
    """Open S1 tickets' clocks depend on a contact reachable 24/7 being on record."""
    from ossdesk.tickets.services import organization_reachability_changed  # tickets build on customers

    organization_reachability_changed(organization=organization)


def _portal_user(*, email: str, name: str, password: str | None) -> User:
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"{email} already signs in to ossdesk; use another address."})
    first, _, last = name.strip().partition(" ")
    user = User(username=email, email=email, first_name=first[:150], last_name=last[:150], role=Role.CUSTOMER)
    user.set_password(password or secrets.token_urlsafe(24))
    user.save()
    return user


@transaction.atomic
def contact_update(*, actor: Actor, contact: Contact, **changes: Any) -> Contact:
    require(can_manage_contacts(actor, contact.organization_id), "You may not change this contact.")
    allowed = {"name", "phone", "role", "is_named", "reachable_24x7", "is_active"}
    refused = set(changes) - allowed
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "This field cannot be changed."))
    becomes_named = (
        changes.get("is_named", contact.is_named)
        and changes.get("is_active", contact.is_active)
        and not (contact.is_named and contact.is_active)
    )
    _check_seat(contact.organization, adding_named=bool(becomes_named))
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
        _reachability_changed(contact.organization)
    return contact


@transaction.atomic
def contact_delete(*, actor: Actor, contact: Contact) -> None:
    require(can_manage_contacts(actor, contact.organization_id), "You may not remove this contact.")
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
        _reachability_changed(organization)
