"""Rate limits of the forum: how many threads and replies a member may write in a while, counted from the
database (so they hold across processes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ossdesk.accounts.access import (
    can_moderate_forum,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.forum.models import Post, Thread


class RateLimited(Exception):
    """Too many threads or replies in a short time; `retry_after` says in how many seconds to try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` of something per `window`."""

    limit: int
    window: timedelta
    window_label: str


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def rate_limits(*, new_account: bool) -> dict[str, RateLimit]:
    """The limits for a member; accounts younger than OSSDESK_FORUM_NEW_ACCOUNT_DAYS get stricter ones."""
    prefix = "OSSDESK_FORUM_NEW_ACCOUNT_" if new_account else "OSSDESK_FORUM_"
    return {
        "thread": RateLimit(
            _setting(f"{prefix}THREADS_PER_HOUR", 3 if new_account else 10), timedelta(hours=1), "hour"
        ),
        "post": RateLimit(
            _setting(f"{prefix}POSTS_PER_10_MINUTES", 5 if new_account else 20),
            timedelta(minutes=10),
            "10 minutes",
        ),
    }


def _is_new_account(user: User, now: datetime) -> bool:
    return user.date_joined > now - timedelta(days=_setting("OSSDESK_FORUM_NEW_ACCOUNT_DAYS", 3))


def _waittext_checked(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def check_rate(actor: Actor, kind: str) -> None:
    """Refuse one more thread or reply beyond the member's limit. Staff are not limited."""
    if actor.user is None or can_moderate_forum(actor):
        return
    # Lock the member's row so that two requests at once cannot both pass the count (any process).
    user = User.objects.select_for_update().get(pk=actor.user.pk)
    now = timezone.now()
    new_account = _is_new_account(user, now)
    rule = rate_limits(new_account=new_account)[kind]
    model = Thread if kind == "thread" else Post
    recent = list(
        model.objects.filter(author_id=user.pk, created_at__gt=now - rule.window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: rule.limit]
    )
    if len(recent) < rule.limit:
        return
    retry_after = max(1, int((recent[-1] + rule.window - now).total_seconds()) + 1)
    what = "new threads" if kind == "thread" else "replies"
    who = " for a new account" if new_account else ""
    raise RateLimited(
        f"You have posted {len(recent)} {what} in the last {rule.window_label}, the most allowed{who}. "
        f"Please try again in {_waittext_checked(retry_after)}.",
        retry_after=retry_after,
    )
