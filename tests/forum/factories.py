"""Builders for the forum tests: threads, answers and accounts old enough for the ordinary rate limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import User
from ossdesk.forum import services
from ossdesk.forum.models import Post, Thread
from ossdesk.products.models import Product

World = dict[str, Any]


def established(user: User) -> User:
    """Make an account old enough for the ordinary (not the new-account) rate limits."""
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=400))
    user.refresh_from_db()
    return user


def ask(user: User, product: Product, title: str = "How do I vacuum?", body: str = "Details.") -> Thread:
    return services.thread_create(actor=actor_for(user), product=product, title=title, body=body)


def answer(user: User, thread: Thread, body: str = "Like this.") -> Post:
    return services.post_create(actor=actor_for(user), thread=thread, body=body)
