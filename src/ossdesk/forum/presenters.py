"""How forum members are named in public: never by e-mail address or organisation."""

from __future__ import annotations

from ossdesk.accounts.models import User

FORMER_MEMBER = "Former member"


def public_name(user: User | None) -> str:
    """The name shown beside a thread or reply. Customers' user names are e-mail addresses: only the
    part before the @ is ever shown."""
    if user is None:
        return FORMER_MEMBER
    return user.display_name or user.get_full_name() or user.username.split("@", 1)[0]
