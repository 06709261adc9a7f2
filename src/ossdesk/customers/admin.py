from __future__ import annotations

from typing import Any

from django.contrib import admin

from ossdesk.customers import services
from ossdesk.customers.models import Contact, Organization
from ossdesk.doors.admin import ServiceAdmin


def _create_org(actor: Any, **fields: Any) -> Organization:
    return services.organization_create(actor=actor, **fields)


def _update_org(actor: Any, obj: Organization, **changes: Any) -> Organization:
    changes.pop("slug", None)
    return services.organization_update(actor=actor, organization=obj, **changes)


def _delete_org(actor: Any, obj: Organization) -> None:
    services.organization_delete(actor=actor, organization=obj)


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin[Organization]):
    list_display = ["name", "country", "timezone", "account_manager"]
    search_fields = ["name", "slug"]
    list_filter = ["country"]
    fields = [
        "name",
        "slug",
        "country",
        "subdivision",
        "timezone",
        "compliance_frameworks",
        "account_manager",
        "notes",
    ]
    create_service = _create_org
    update_service = _update_org
    delete_service = _delete_org


def _create_contact(actor: Any, **fields: Any) -> Contact:
    fields.pop("user", None)
    fields.pop("is_active", None)
    return services.contact_create(actor=actor, **fields)


def _update_contact(actor: Any, obj: Contact, **changes: Any) -> Contact:
    return services.contact_update(actor=actor, contact=obj, **changes)


def _delete_contact(actor: Any, obj: Contact) -> None:
    services.contact_delete(actor=actor, contact=obj)


@admin.register(Contact)
class ContactAdmin(ServiceAdmin[Contact]):
    list_display = ["name", "email", "organization", "role", "is_named", "is_active"]
    search_fields = ["name", "email", "organization__name"]
    list_filter = ["role", "is_named", "is_active"]
    fields = ["organization", "name", "email", "phone", "role", "is_named", "reachable_24x7", "is_active"]
    create_service = _create_contact
    update_service = _update_contact
    delete_service = _delete_contact
