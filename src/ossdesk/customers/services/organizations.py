"""Writes of customer organisations: creating, changing (what staff and what the customer may change) and
deleting them."""

from __future__ import annotations

from typing import Any, Never
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ossdesk.accounts.access import (
    can_delete_customers,
    can_edit_organization,
    can_manage_customers,
    is_account_holder_role,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Framework, Organization
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
