"""`{{ user|forum_name }}`: how a member is named in the forum (never by e-mail address)."""

from __future__ import annotations

from django import template

from ossdesk.accounts.models import User
from ossdesk.forum.presenters import public_name

register = template.Library()


@register.filter
def forum_name(user: User | None) -> str:
    return public_name(user)


@register.filter
def is_vendor_staff(user: User | None) -> bool:
    return user is not None and user.is_vendor_staff
