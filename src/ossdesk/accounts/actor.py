"""Who is acting: a staff member by role, a customer contact of one organisation, or the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ossdesk.accounts.models import STAFF_ROLES, Role

if TYPE_CHECKING:
    from ossdesk.accounts.models import User


@dataclass(frozen=True)
class Actor:
    """The one object every service and selector takes to decide scope and permission."""

    user: User | None
    role: str
    organization_id: int | None
    label: str
    is_customer_admin: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES or self.role == "system"

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """An integration or a background task acting on its own behalf."""
        return cls(user=None, role="system", organization_id=None, label=label)


def actor_for(user: User) -> Actor:
    """Resolve a signed-in user to an Actor; a customer without an active contact has no organisation."""
    if not getattr(user, "is_authenticated", False):
        return Actor(user=None, role="anonymous", organization_id=None, label="anonymous")
    label = f"{user.username}"
    if user.role in STAFF_ROLES:
        return Actor(user=user, role=user.role, organization_id=None, label=label)
    contact = getattr(user, "contact", None)
    if contact is None or not contact.is_active:
        return Actor(user=user, role=Role.CUSTOMER, organization_id=None, label=label)
    return Actor(
        user=user,
        role=Role.CUSTOMER,
        organization_id=contact.organization_id,
        label=label,
        is_customer_admin=contact.role == "admin",
    )
