"""Reads of the forum, scoped by who asks.

- anyone, signed in or not: threads and replies that are not hidden;
- staff: everything, hidden content included (with who hid it and why), and the bans.

The forum is public: no organisation scoping applies to what people wrote, and nothing here reveals a
thread's ticket or a poster's organisation to anyone but staff.
"""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.forum.models import Ban, Post, Thread
from ossdesk.kb import matching
from ossdesk.products.models import Product
from ossdesk.products.selectors import product_list


def _threads(actor: Actor) -> QuerySet[Thread]:
    qs = Thread.objects.all()
    return qs if actor.is_staff else qs.filter(hidden=False)


def _posts(actor: Actor) -> QuerySet[Post]:
    qs = Post.objects.all()
    return qs if actor.is_staff else qs.filter(hidden=False, thread__hidden=False)


def forum_list(*, actor: Actor) -> QuerySet[Product]:
    """Every product's forum, with its thread counts and latest activity, in one query."""
    visible = Q() if actor.is_staff else Q(forum_threads__hidden=False)
    return (
        product_list()
        .prefetch_related(None)
        .annotate(
            thread_count=Count("forum_threads", filter=visible),
            answered_count=Count(
                "forum_threads", filter=visible & Q(forum_threads__accepted_post__isnull=False)
            ),
            last_post_at=Max("forum_threads__last_post_at", filter=visible),
        )
        .order_by("name")
    )


def forum_get(*, slug: str) -> Product:
    """The product whose forum this is (every product has one)."""
    return product_list().prefetch_related(None).get(slug=slug)


def thread_list(
    *,
    actor: Actor,
    product_id: int | None = None,
    answered: bool | None = None,
    search: str = "",
    author_id: int | None = None,
) -> QuerySet[Thread]:
    """Threads the actor may read, newest activity first, with their reply counts; `search` keeps those
    whose title holds every term."""
    reply_filter = Q() if actor.is_staff else Q(posts__hidden=False)
    qs = (
        _threads(actor)
        .select_related("product", "author", "accepted_post")
        .annotate(reply_count=Count("posts", filter=reply_filter))
    )
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if answered is not None:
        qs = qs.filter(accepted_post__isnull=not answered)
    if author_id is not None:
        qs = qs.filter(author_id=author_id)
    for term in matching.terms(search):
        qs = qs.filter(title__icontains=term)
    return qs.order_by("-last_post_at", "-pk")


def thread_get(*, actor: Actor, pk: int) -> Thread:
    """One thread the actor may read; a hidden one is, for anyone but staff, like a missing one."""
    return (
        _threads(actor)
        .select_related("product", "author", "hidden_by", "accepted_post", "ticket", "article")
        .get(pk=pk)
    )


def post_list(*, actor: Actor, thread: Thread | None = None) -> QuerySet[Post]:
    """Replies the actor may read (in threads the actor may read), oldest first; of one thread if given."""
    qs = _posts(actor).select_related("author", "hidden_by")
    if thread is not None:
        qs = qs.filter(thread=thread)
    return qs.order_by("created_at", "pk")


def post_get(*, actor: Actor, pk: int) -> Post:
    """One reply the actor may read, in a thread the actor may read."""
    return _posts(actor).select_related("thread", "thread__product", "author", "hidden_by").get(pk=pk)


def ban_list(*, actor: Actor, in_force: bool | None = None) -> QuerySet[Ban]:
    """Bans, newest first: staff only (anyone else gets none)."""
    if not actor.is_staff:
        return Ban.objects.none()
    qs = Ban.objects.select_related("user", "banned_by", "lifted_by")
    if in_force is not None:
        now = timezone.now()
        active = Q(lifted_at__isnull=True) & (Q(until__isnull=True) | Q(until__gt=now))
        qs = qs.filter(active) if in_force else qs.exclude(active)
    return qs.order_by("-created_at", "-pk")


def ban_get(*, actor: Actor, pk: int) -> Ban:
    if not actor.is_staff:
        raise Ban.DoesNotExist("No such ban.")
    return ban_list(actor=actor).get(pk=pk)


def ban_in_force(*, user_id: int) -> Ban | None:
    """The ban that bars the user now, the longest-running first; None when they may write."""
    now = timezone.now()
    return (
        Ban.objects.filter(user_id=user_id, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by(F("until").desc(nulls_first=True), "-pk")
        .first()
    )


def forum_user_get(*, actor: Actor, pk: int) -> User:
    """A user staff are about to ban; anyone else, or a missing user, gets DoesNotExist."""
    if not actor.is_staff:
        raise User.DoesNotExist("No such user.")
    return User.objects.get(pk=pk)
