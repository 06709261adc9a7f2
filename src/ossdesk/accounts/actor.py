"""Who is acting: a staff member by role, a customer contact of one organisation, or the system."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ossdesk.accounts.models import STAFF_ROLES, Role

if TYPE_CHECKING:
    from ossdesk.accounts.models import User

NAME_WITH_ADDRESS = re.compile(r"^(?P<name>[^<>]*\S)\s*<[^<>\s@]+@[^<>\s]+>$")


@dataclass(frozen=True)
class Actor:
    """The one object every service and selector takes to decide scope and permission."""

    user: User | None
    role: str
    organization_id: int | None
    label: str  # the audit log's name for them: a username, "mail", "e-mail from <address>"
    is_customer_admin: bool = False
    name: str = ""  # what pages and mails call them; empty: the label

    @property
    def display_name(self) -> str:
        """The name people read on a ticket or in a mail: "Erin Weber", not "erin"."""
        return self.name or self.label

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES or self.is_system

    @property
    def is_system(self) -> bool:
        """ossdesk itself (an integration or a background task), not a person."""
        return self.role == Role.SYSTEM

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @classmethod
    def system(cls, label: str = Role.SYSTEM.value, *, name: str = "") -> Actor:
        """An integration or a background task acting on its own behalf."""
        return cls(user=None, role=Role.SYSTEM, organization_id=None, label=label, name=name)


def actor_for(user: User) -> Actor:
    """Resolve a signed-in user to an Actor; a customer without an active contact has no organisation."""
    if not getattr(user, "is_authenticated", False):
        return Actor(user=None, role=Role.ANONYMOUS, organization_id=None, label="anonymous")
    label, name = f"{user.username}", str(user)
    if user.role in STAFF_ROLES:
        return Actor(user=user, role=user.role, organization_id=None, label=label, name=name)
    contact = getattr(user, "contact", None)
    if contact is None or not contact.is_active:
        return Actor(user=user, role=Role.CUSTOMER, organization_id=None, label=label, name=name)
    return Actor(
        user=user,
        role=Role.CUSTOMER,
        organization_id=contact.organization_id,
        label=label,
        # Contact.Role lives in customers, above accounts in the layer order: its value, spelt out.
        is_customer_admin=contact.role == "admin",
        name=name if user.display_name or user.get_full_name() else contact.name or name,
    )


def shown_name(user: User | None, label: str) -> str:
    """The name to show for who wrote or did something, recorded as `user` and `label`: the person's
    display name while they have a user, else the label without an e-mail address (labels written
    before names were stored read "erin" or "Ana Lima <ana@acme.example>")."""
    if user is not None:
        return str(user)
    match = NAME_WITH_ADDRESS.match(label.strip())
    return match.group("name") if match else label
