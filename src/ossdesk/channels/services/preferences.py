"""People's mail preferences: read once per person in a sweep, and changed by the person."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record
from ossdesk.channels.models import Delivery, NotificationPreference
from ossdesk.channels.selectors import preference_kinds, preferences_for


class PreferenceCache:
    """Preferences of the people one sweep mails, read once per person."""

    def __init__(self) -> None:
        self._by_user: dict[int | None, dict[str, Delivery]] = {}

    def delivery(self, user: User | None, kind: str) -> Delivery:
        key = user.pk if user is not None else None
        if key not in self._by_user:
            self._by_user[key] = preferences_for(user)
        return self._by_user[key][kind]


@transaction.atomic
def notification_preferences_set(
    *, actor: Actor, user: User, choices: Mapping[str, str]
) -> dict[str, Delivery]:
    """Store a person's choices (only the kinds they can receive); people change only their own."""
    if actor.user_id != user.pk:
        raise PermissionDenied("People choose their own mail.")
    allowed = set(preference_kinds(user))
    errors = {
        kind: f"Choose from {', '.join(Delivery.values)}."
        for kind, value in choices.items()
        if kind in allowed and value not in Delivery.values
    }
    unknown = sorted(set(choices) - allowed)
    if unknown:
        errors["__all__"] = f"Not a kind of mail you receive: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    before = {k: str(v) for k, v in preferences_for(user).items() if k in allowed}
    for kind, value in choices.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": value})
    after = preferences_for(user)
    audit_record(
        actor=actor,
        action="update",
        object_type="channels.notificationpreference",
        object_id=user.pk,
        object_repr=f"mail preferences of {user}",
        before=before,
        after={k: str(v) for k, v in after.items() if k in allowed},
    )
    return after
