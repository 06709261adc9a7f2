"""Permission gates: one condition a line, so each branch is visible and tested.

Reads are scoped by selectors; these gates decide who may change what.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role


def can_manage_customers(actor: Actor) -> bool:
    """Create or change organisations, subscriptions and agreements."""
    return actor.role in {Role.ADMIN, Role.ACCOUNT_MANAGER, "system"}


def can_delete_customers(actor: Actor) -> bool:
    return actor.role in {Role.ADMIN, "system"}


def can_manage_catalogue(actor: Actor) -> bool:
    """Plans and products are the vendor's catalogue."""
    return actor.role in {Role.ADMIN, "system"}


def can_manage_contacts(actor: Actor, organization_id: int) -> bool:
    if can_manage_customers(actor):
        return True
    return actor.is_customer and actor.is_customer_admin and actor.organization_id == organization_id


def can_edit_organization(actor: Actor, organization_id: int) -> bool:
    if can_manage_customers(actor):
        return True
    return actor.is_customer and actor.is_customer_admin and actor.organization_id == organization_id


def can_view_audit_log(actor: Actor) -> bool:
    return actor.role in {Role.ADMIN, "system"}


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with a message when a gate says no."""
    if not allowed:
        raise PermissionDenied(message)
