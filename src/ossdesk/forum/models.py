"""The community forum: public threads per product, their replies, and bans.

A thread's question is its own `body`; replies are `Post`s. Markdown sources are kept as written and
the services store their sanitised rendering (`body_html`, kb's renderer), the only HTML a page shows.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from ossdesk.kb.models import Article
from ossdesk.products.models import Product
from ossdesk.tickets.models import Ticket


class ThreadStatus(models.TextChoices):
    OPEN = "open", "Open"
    LOCKED = "locked", "Locked"


class Thread(models.Model):
    """A question asked in a product's forum, with what moderation and staff did to it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="forum_threads")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown")
    body_html = models.TextField(blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_threads"
    )
    status = models.CharField(max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    accepted_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_threads",
        help_text="The private case the thread was turned into",
    )
    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_threads",
        help_text="The knowledge-base article drafted from the thread",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now, help_text="For ordering by activity")

    class Meta:
        ordering = ["-last_post_at", "-pk"]
        indexes = [
            models.Index(fields=["product", "hidden", "-last_post_at"]),
            models.Index(fields=["author", "created_at"]),
            models.Index(fields=["created_at"]),  # the search sweep's "new since"
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status == ThreadStatus.LOCKED

    @property
    def is_answered(self) -> bool:
        return self.accepted_post_id is not None


class Post(models.Model):
    """A reply in a thread; the thread's author (or staff) may accept one as the answer."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_posts"
    )
    body = models.TextField(help_text="Markdown")
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["author", "created_at"]),
            # The search sweep's "new or edited since": one index for each side of its OR.
            models.Index(fields=["created_at"]),
            models.Index(fields=["edited_at"]),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"


class Ban(models.Model):
    """A user barred from writing in the forum until `until` (never ending when empty), or until lifted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_bans")
    until = models.DateTimeField(null=True, blank=True, help_text="Empty = permanent")
    reason = models.CharField(max_length=300)
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "lifted_at"])]

    def __str__(self) -> str:
        return f"Ban of {self.user_id}"

    def in_force(self, at: datetime | None = None) -> bool:
        """Whether the ban still bars the user at `at` (now by default)."""
        moment = at or timezone.now()
        return self.lifted_at is None and (self.until is None or self.until > moment)
