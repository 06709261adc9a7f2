"""What every write of the forum checks and records: who may write now (the gates are in
accounts/access.py; bans are checked here), the texts and the reason a moderation gives, the audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from ossdesk.accounts.access import (
    can_moderate_forum,
    can_write_forum,
)
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.forum.models import Ban, Post, Thread
from ossdesk.forum.selectors import ban_in_force

UNAUDITED = frozenset({"body_html"})  # derived from `body`, which is audited
TITLE_MAX = 200
BODY_MAX = 20_000
REASON_MAX = 300


def write_refusal(actor: Actor) -> str | None:
    """Why the actor may not write in the forum now, or None when they may."""
    if not can_write_forum(actor):
        return "Sign in to ask or answer in the forum."
    if actor.user is None or can_moderate_forum(actor):  # the system, or staff: no ban applies
        return None
    if not actor.user.is_active:
        return "This account is disabled."
    ban = ban_in_force(user_id=actor.user.pk)
    if ban is None:
        return None
    until = "for good" if ban.until is None else f"until {date_format(ban.until, 'DATETIME_FORMAT')}"
    return f"You may not write in the forum {until}: {ban.reason}"


def reason_given(reason: str) -> str:
    """The reason a moderation gives, required and cut to REASON_MAX; it is kept in the audit log."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the reason is kept in the audit log."})
    return reason[:REASON_MAX]


def text_checked(field: str, value: str, *, limit: int, wanted: str) -> str:
    """A title or body, stripped; refused (ValidationError on `field`) when empty or longer than `limit`."""
    value = value.strip()
    if not value:
        raise ValidationError({field: wanted})
    if len(value) > limit:
        raise ValidationError({field: f"At most {limit} characters, please ({len(value)} given)."})
    return value


def forum_audit(
    actor: Actor,
    action: str,
    instance: Thread | Post | Ban,
    before: dict[str, Any] | None = None,
    *,
    operation: str = "",
    reason: str = "",
    organization_id: int | None = None,
) -> None:
    """Audit a forum write: the row's fields (not the derived HTML), the operation and the reason."""
    after = snapshot(instance, exclude=UNAUDITED)
    if operation:
        after["operation"] = operation
    if reason:
        after["reason"] = reason
    audit_record(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=after,
        organization_id=organization_id,
    )


def is_locked_for(actor: Actor, thread: Thread) -> bool:
    """Whether the thread is locked for this actor: staff still reply in a locked thread."""
    return thread.is_locked and not can_moderate_forum(actor)
