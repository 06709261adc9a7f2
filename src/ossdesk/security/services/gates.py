"""Who may do what in security assurance: the analysts' gate and a customer's reach to a deployment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role
from ossdesk.customers.models import Deployment

ANALYSTS = frozenset({Role.ADMIN, Role.SECURITY_ANALYST, "system"})


def require_analyst(actor: Actor, what: str) -> None:
    if actor.role not in ANALYSTS:
        raise PermissionDenied(f"Only security analysts may {what}.")


def require_deployment_access(actor: Actor, deployment: Deployment) -> None:
    if actor.is_staff:
        return
    if actor.organization_id != deployment.organization_id:
        raise Deployment.DoesNotExist("No such deployment.")
