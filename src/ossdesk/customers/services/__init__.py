"""Writes of customers, by concern: organisations, contacts (the plan's seat count is enforced here) and
deployments. Callers import from here."""

from __future__ import annotations

from ossdesk.customers.services.contacts import (
    contact_address_prove,
    contact_create,
    contact_delete,
    contact_update,
)
from ossdesk.customers.services.deployments import (
    DEPLOYMENT_FIELDS,
    deployment_create,
    deployment_delete,
    deployment_update,
    deployments_included,
)
from ossdesk.customers.services.organizations import (
    CUSTOMER_EDITABLE,
    STAFF_EDITABLE,
    SUPPORTED_COUNTRIES,
    organization_create,
    organization_delete,
    organization_update,
)

__all__ = [
    "CUSTOMER_EDITABLE",
    "DEPLOYMENT_FIELDS",
    "STAFF_EDITABLE",
    "SUPPORTED_COUNTRIES",
    "contact_address_prove",
    "contact_create",
    "contact_delete",
    "contact_update",
    "deployment_create",
    "deployment_delete",
    "deployment_update",
    "deployments_included",
    "organization_create",
    "organization_delete",
    "organization_update",
]
