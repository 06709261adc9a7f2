"""Writes of staff accounts and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_create_api_token, can_manage_catalogue, can_revoke_api_token, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import STAFF_ROLES, ApiToken, Notification, Role, User
from ossdesk.accounts.selectors import notification_list
from ossdesk.audit.services import audit_record, snapshot

TOKEN_PREFIX = "osd_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def staff_user_create(
    *, actor: Actor, username: str, email: str, role: str, password: str | None = None, display_name: str = ""
) -> User:
    require(can_manage_catalogue(actor), "Only admins add staff.")
    if role not in STAFF_ROLES:
        raise ValidationError({"role": f"Choose a staff role: {', '.join(sorted(STAFF_ROLES))}."})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"{username} is taken."})
    user = User(
        username=username,
        email=email.lower(),
        role=role,
        display_name=display_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password or secrets.token_urlsafe(24))
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor, action="create", instance=user, after=snapshot(user, exclude=frozenset({"last_login"}))
    )
    return user


def admin_ensure(
    *, username: str = "admin", email: str = "admin@localhost", password: str | None
) -> tuple[User, str | None]:
    """Make sure an admin account exists; returns it and the password when one was generated."""
    existing = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if existing is not None:
        if password and not existing.check_password(password) and existing.username == username:
            existing.set_password(password)
            existing.save(update_fields=["password"])
        return existing, None
    generated = None if password else secrets.token_urlsafe(12)
    user = staff_user_create(
        actor=Actor.system("setup"),
        username=username,
        email=email,
        role=Role.ADMIN,
        password=password or generated,
        display_name="Administrator",
    )
    return user, generated


@transaction.atomic
def api_token_create(
    *, actor: Actor, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the key is returned this once and only its hash is stored."""
    if not can_create_api_token(actor, user.pk):
        raise ValidationError({"user": "You may only create tokens for yourself."})
    if not name.strip():
        raise ValidationError({"name": "Give the token a name, such as 'CI' or 'monitoring'."})
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=prefix, key_hash=ApiToken.hash_key(key), expires_at=expires_at
    )
    audit_record(actor=actor, action="create", instance=token, after=snapshot(token))
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if not can_revoke_api_token(actor, token.user_id):
        raise ValidationError({"token": "You may only revoke your own tokens."})
    if token.revoked_at is None:
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="update", instance=token, before=before, after=snapshot(token))
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The live token for a presented key, or None; records its last use at most once a minute."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    prefix = key[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not secrets.compare_digest(token.key_hash, ApiToken.hash_key(key)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# Marking one's own notice read changes nothing anyone else sees, so it is not audited.
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.user_id:
        raise Notification.DoesNotExist("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, actor: Actor) -> int:
    return notification_list(actor=actor, unread=True).update(read_at=timezone.now())
