"""Moderation by staff: hiding and showing threads and replies, locking threads, banning members. Every
moderation says why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import (
    can_moderate_forum,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import snapshot
from ossdesk.forum.models import Ban, Post, Thread, ThreadStatus
from ossdesk.forum.services.rules import UNAUDITED, forum_audit, reason_given


def _set_hidden(actor: Actor, item: Thread | Post, *, hidden: bool, reason: str) -> dict[str, Any]:
    before = snapshot(item, exclude=UNAUDITED)
    item.hidden = hidden
    item.hidden_reason = reason if hidden else ""
    item.hidden_by = actor.user if hidden else None
    item.hidden_at = timezone.now() if hidden else None
    item.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
    return before


@transaction.atomic
def thread_hide(*, actor: Actor, thread: Thread, reason: str) -> Thread:
    """Take a thread out of public view (spam, abuse, personal data); staff still see it."""
    require(can_moderate_forum(actor), "Only the support team may hide threads.")
    reason = reason_given(reason)
    before = _set_hidden(actor, thread, hidden=True, reason=reason)
    forum_audit(actor, "action", thread, before, operation="hide", reason=reason)
    return thread


@transaction.atomic
def thread_unhide(*, actor: Actor, thread: Thread, reason: str) -> Thread:
    require(can_moderate_forum(actor), "Only the support team may show hidden threads.")
    reason = reason_given(reason)
    before = _set_hidden(actor, thread, hidden=False, reason=reason)
    forum_audit(actor, "action", thread, before, operation="unhide", reason=reason)
    return thread


@transaction.atomic
def post_hide(*, actor: Actor, post: Post, reason: str) -> Post:
    """Take a reply out of public view; a hidden reply is no longer the accepted answer."""
    require(can_moderate_forum(actor), "Only the support team may hide replies.")
    reason = reason_given(reason)
    before = _set_hidden(actor, post, hidden=True, reason=reason)
    forum_audit(actor, "action", post, before, operation="hide", reason=reason)
    thread = post.thread
    if thread.accepted_post_id == post.pk:
        thread_before = snapshot(thread, exclude=UNAUDITED)
        thread.accepted_post = None
        thread.save(update_fields=["accepted_post"])
        forum_audit(actor, "action", thread, thread_before, operation="unaccept", reason=reason)
    return post


@transaction.atomic
def post_unhide(*, actor: Actor, post: Post, reason: str) -> Post:
    require(can_moderate_forum(actor), "Only the support team may show hidden replies.")
    reason = reason_given(reason)
    before = _set_hidden(actor, post, hidden=False, reason=reason)
    forum_audit(actor, "action", post, before, operation="unhide", reason=reason)
    return post


def _set_status(actor: Actor, thread: Thread, status: str, reason: str, operation: str) -> Thread:
    require(can_moderate_forum(actor), "Only the support team may lock or unlock threads.")
    reason = reason_given(reason)
    if thread.status == status:
        return thread
    before = snapshot(thread, exclude=UNAUDITED)
    thread.status = status
    thread.save(update_fields=["status"])
    forum_audit(actor, "action", thread, before, operation=operation, reason=reason)
    return thread


@transaction.atomic
def thread_lock(*, actor: Actor, thread: Thread, reason: str) -> Thread:
    """No more replies from members (staff may still reply)."""
    return _set_status(actor, thread, ThreadStatus.LOCKED, reason, "lock")


@transaction.atomic
def thread_unlock(*, actor: Actor, thread: Thread, reason: str) -> Thread:
    return _set_status(actor, thread, ThreadStatus.OPEN, reason, "unlock")


@transaction.atomic
def ban_create(*, actor: Actor, user: User, reason: str, until: datetime | None = None) -> Ban:
    """Bar a member from writing until `until` (for good when None); they can still read."""
    require(can_moderate_forum(actor), "Only the support team may ban members.")
    reason = reason_given(reason)
    if user.is_vendor_staff:
        raise ValidationError({"user": "Staff cannot be banned from the forum."})
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": "A ban ends in the future; leave it empty for a permanent one."})
    ban = Ban.objects.create(user=user, until=until, reason=reason, banned_by=actor.user)
    forum_audit(actor, "create", ban, reason=reason)
    return ban


@transaction.atomic
def ban_lift(*, actor: Actor, ban: Ban, reason: str) -> Ban:
    """End a ban early; the record stays."""
    require(can_moderate_forum(actor), "Only the support team may lift bans.")
    reason = reason_given(reason)
    if ban.lifted_at is not None:
        return ban
    before = snapshot(ban)
    ban.lifted_at, ban.lifted_by, ban.lifted_reason = timezone.now(), actor.user, reason
    ban.save(update_fields=["lifted_at", "lifted_by", "lifted_reason"])
    forum_audit(actor, "update", ban, before, operation="lift", reason=reason)
    return ban
