"""Writes of the forum: asking, answering, accepting, moderating, and what staff make of a thread.

Anyone signed in and not banned writes, within rate limits counted from the database (so they hold
across processes); staff moderate, and every moderation says why. Every write is audited; the Markdown
is rendered and sanitised here, with the knowledge base's renderer, on every save.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from ossdesk.accounts.access import (
    can_accept_answer,
    can_edit_post,
    can_moderate_forum,
    can_write_articles,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Contact
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.forum.models import Ban, Post, Thread, ThreadStatus
from ossdesk.forum.presenters import public_name
from ossdesk.forum.selectors import ban_in_force
from ossdesk.kb import services as kb_services
from ossdesk.kb.models import Article, Visibility
from ossdesk.kb.rendering import render_markdown
from ossdesk.plans.selectors import entitlements_for
from ossdesk.products.models import Product
from ossdesk.tickets.models import Channel, Ticket
from ossdesk.tickets.services import ticket_create

UNAUDITED = frozenset({"body_html"})  # derived from `body`, which is audited
TITLE_MAX = 200
BODY_MAX = 20_000
REASON_MAX = 300
MOVED_TO_TICKET = (
    "Our support team has moved this question to a private ticket with the person who asked it, "
    "so that it can be handled under their support plan. The thread is locked."
)


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


def _wait_text(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _check_rate(actor: Actor, kind: str) -> None:
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
        f"Please try again in {_wait_text(retry_after)}.",
        retry_after=retry_after,
    )


# --- who may write now (the gates are in accounts/access.py) ----------------------------------------------


def write_refusal(actor: Actor) -> str | None:
    """Why the actor may not write in the forum now, or None when they may."""
    if actor.user is None and actor.role != Role.SYSTEM:
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


def _require_writer(actor: Actor) -> None:
    refusal = write_refusal(actor)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the reason is kept in the audit log."})
    return reason[:REASON_MAX]


def _text(field: str, value: str, *, limit: int, wanted: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: wanted})
    if len(value) > limit:
        raise ValidationError({field: f"At most {limit} characters, please ({len(value)} given)."})
    return value


def _audit(
    actor: Actor,
    action: str,
    instance: Thread | Post | Ban,
    before: dict[str, Any] | None = None,
    *,
    operation: str = "",
    reason: str = "",
    organization_id: int | None = None,
) -> None:
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


def _locked_for(actor: Actor, thread: Thread) -> bool:
    return thread.is_locked and not can_moderate_forum(actor)


# --- asking and answering ---------------------------------------------------------------------------------


@transaction.atomic
def thread_create(*, actor: Actor, product: Product, title: str, body: str) -> Thread:
    """Ask a question in a product's forum."""
    _require_writer(actor)
    errors = {}
    try:
        title = _text("title", title, limit=TITLE_MAX, wanted="Say in a line what you want to know.")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        body = _text("body", body, limit=BODY_MAX, wanted="Describe the question: versions, what you tried.")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    _check_rate(actor, "thread")
    now = timezone.now()
    thread = Thread.objects.create(
        product=product,
        title=title,
        body=body,
        body_html=render_markdown(body),
        author=actor.user,
        created_at=now,
        last_post_at=now,
    )
    _audit(actor, "create", thread)
    return thread


@transaction.atomic
def post_create(*, actor: Actor, thread: Thread, body: str) -> Post:
    """Answer in a thread; a locked thread takes replies from staff only."""
    _require_writer(actor)
    if _locked_for(actor, thread):
        raise PermissionDenied("This thread is locked: it takes no more replies.")
    body = _text("body", body, limit=BODY_MAX, wanted="Write a reply first.")
    _check_rate(actor, "post")
    now = timezone.now()
    post = Post.objects.create(
        thread=thread, author=actor.user, body=body, body_html=render_markdown(body), created_at=now
    )
    Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
    thread.last_post_at = now
    _audit(actor, "create", post)
    return post


@transaction.atomic
def post_edit(*, actor: Actor, post: Post, body: str) -> Post:
    """Its author corrects a reply (while the thread is open); staff may edit any."""
    _require_writer(actor)
    if not can_edit_post(actor, post.author_id):
        raise PermissionDenied("Only its author may edit a reply.")
    if _locked_for(actor, post.thread):
        raise PermissionDenied("This thread is locked: its replies can no longer be edited.")
    body = _text("body", body, limit=BODY_MAX, wanted="A reply cannot be empty; ask staff to hide it.")
    before = snapshot(post, exclude=UNAUDITED)
    post.body, post.body_html, post.edited_at = body, render_markdown(body), timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    _audit(actor, "update", post, before)
    return post


@transaction.atomic
def thread_accept(*, actor: Actor, thread: Thread, post: Post) -> Thread:
    """Mark a reply as the answer (the thread's author or staff); accepting another replaces it."""
    if not can_accept_answer(actor, thread.author_id):
        raise PermissionDenied("Only the person who asked, or the support team, accepts an answer.")
    _require_writer(actor)
    if post.thread_id != thread.pk or post.hidden:
        raise ValidationError({"post": "Choose a visible reply of this thread."})
    if thread.accepted_post_id == post.pk:
        return thread
    before = snapshot(thread, exclude=UNAUDITED)
    thread.accepted_post = post
    thread.save(update_fields=["accepted_post"])
    _audit(actor, "action", thread, before, operation="accept")
    return thread


@transaction.atomic
def thread_unaccept(*, actor: Actor, thread: Thread) -> Thread:
    if not can_accept_answer(actor, thread.author_id):
        raise PermissionDenied("Only the person who asked, or the support team, changes the answer.")
    _require_writer(actor)
    if thread.accepted_post_id is None:
        return thread
    before = snapshot(thread, exclude=UNAUDITED)
    thread.accepted_post = None
    thread.save(update_fields=["accepted_post"])
    _audit(actor, "action", thread, before, operation="unaccept")
    return thread


# --- moderation (staff) -----------------------------------------------------------------------------------


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
    reason = _reason(reason)
    before = _set_hidden(actor, thread, hidden=True, reason=reason)
    _audit(actor, "action", thread, before, operation="hide", reason=reason)
    return thread


@transaction.atomic
def thread_unhide(*, actor: Actor, thread: Thread, reason: str) -> Thread:
    require(can_moderate_forum(actor), "Only the support team may show hidden threads.")
    reason = _reason(reason)
    before = _set_hidden(actor, thread, hidden=False, reason=reason)
    _audit(actor, "action", thread, before, operation="unhide", reason=reason)
    return thread


@transaction.atomic
def post_hide(*, actor: Actor, post: Post, reason: str) -> Post:
    """Take a reply out of public view; a hidden reply is no longer the accepted answer."""
    require(can_moderate_forum(actor), "Only the support team may hide replies.")
    reason = _reason(reason)
    before = _set_hidden(actor, post, hidden=True, reason=reason)
    _audit(actor, "action", post, before, operation="hide", reason=reason)
    thread = post.thread
    if thread.accepted_post_id == post.pk:
        thread_before = snapshot(thread, exclude=UNAUDITED)
        thread.accepted_post = None
        thread.save(update_fields=["accepted_post"])
        _audit(actor, "action", thread, thread_before, operation="unaccept", reason=reason)
    return post


@transaction.atomic
def post_unhide(*, actor: Actor, post: Post, reason: str) -> Post:
    require(can_moderate_forum(actor), "Only the support team may show hidden replies.")
    reason = _reason(reason)
    before = _set_hidden(actor, post, hidden=False, reason=reason)
    _audit(actor, "action", post, before, operation="unhide", reason=reason)
    return post


def _set_status(actor: Actor, thread: Thread, status: str, reason: str, operation: str) -> Thread:
    require(can_moderate_forum(actor), "Only the support team may lock or unlock threads.")
    reason = _reason(reason)
    if thread.status == status:
        return thread
    before = snapshot(thread, exclude=UNAUDITED)
    thread.status = status
    thread.save(update_fields=["status"])
    _audit(actor, "action", thread, before, operation=operation, reason=reason)
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
    reason = _reason(reason)
    if user.is_vendor_staff:
        raise ValidationError({"user": "Staff cannot be banned from the forum."})
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": "A ban ends in the future; leave it empty for a permanent one."})
    ban = Ban.objects.create(user=user, until=until, reason=reason, banned_by=actor.user)
    _audit(actor, "create", ban, reason=reason)
    return ban


@transaction.atomic
def ban_lift(*, actor: Actor, ban: Ban, reason: str) -> Ban:
    """End a ban early; the record stays."""
    require(can_moderate_forum(actor), "Only the support team may lift bans.")
    reason = _reason(reason)
    if ban.lifted_at is not None:
        return ban
    before = snapshot(ban)
    ban.lifted_at, ban.lifted_by, ban.lifted_reason = timezone.now(), actor.user, reason
    ban.save(update_fields=["lifted_at", "lifted_by", "lifted_reason"])
    _audit(actor, "update", ban, before, operation="lift", reason=reason)
    return ban


# --- what staff make of a thread --------------------------------------------------------------------------


def paying_contact(thread: Thread) -> Contact:
    """The named contact of a paying customer covering the thread's product, behind its author.

    Raises EntitlementDenied saying why not: no customer behind the author, no paid subscription in
    force, the product not covered, or the author not a named contact.
    """
    name = public_name(thread.author)
    contact = (
        Contact.objects.select_related("organization")
        .filter(user_id=thread.author_id, is_active=True)
        .first()
        if thread.author_id is not None
        else None
    )
    if contact is None:
        raise EntitlementDenied(
            f"{name} is not a contact of any customer: no paying customer is behind this thread. "
            "Answer it in the forum.",
            code="no_customer",
            plan_hint=False,
        )
    organization = contact.organization
    entitlements = entitlements_for(organization=organization)
    if entitlements.source == "fallback":
        raise EntitlementDenied(
            f"{organization.name} has no paid subscription in force ({entitlements.plan_label}): "
            "no paying customer is behind this thread. Answer it in the forum.",
            code="not_paying",
            plan_hint=False,
        )
    if not entitlements.covers_product(thread.product_id):
        raise EntitlementDenied(
            f"{organization.name}'s {entitlements.plan_label} subscription does not cover "
            f"{thread.product.name}; answer it in the forum, or an account manager can add the product.",
            code="product",
            plan_hint=False,
        )
    if not contact.is_named:
        raise EntitlementDenied(
            f"{contact.name} is not a named contact of {organization.name}; only named contacts' "
            "questions become tickets.",
            code="named_contact",
            plan_hint=False,
        )
    return contact


@transaction.atomic
def thread_to_ticket(*, actor: Actor, thread: Thread, severity: str = "S4") -> Ticket:
    """Turn a paying customer's thread into a private ticket raised by their contact, and lock the
    thread with a public note that does not reveal the ticket."""
    require(can_moderate_forum(actor), "Only the support team may turn threads into tickets.")
    thread = (
        Thread.objects.select_for_update(of=("self",)).select_related("product", "author").get(pk=thread.pk)
    )
    if thread.ticket_id is not None:
        raise ValidationError({"ticket": "This thread has already been turned into a ticket."})
    contact = paying_contact(thread)
    body = (
        f"{thread.body}\n\n---\nRaised from the community forum thread “{thread.title}” "
        f"(/forum/t/{thread.pk}/), asked {date_format(thread.created_at, 'DATE_FORMAT')}."
    )
    ticket = ticket_create(
        actor=actor,
        organization=contact.organization,
        product=thread.product,
        subject=thread.title,
        body=body,
        severity=severity,
        channel=Channel.PORTAL,
        contact=contact,
    )
    now = timezone.now()
    note = Post.objects.create(
        thread=thread,
        author=actor.user,
        body=MOVED_TO_TICKET,
        body_html=render_markdown(MOVED_TO_TICKET),
        created_at=now,
    )
    _audit(actor, "create", note)
    before = snapshot(thread, exclude=UNAUDITED)
    thread.ticket, thread.status, thread.last_post_at = ticket, ThreadStatus.LOCKED, now
    thread.save(update_fields=["ticket", "status", "last_post_at"])
    _audit(
        actor,
        "action",
        thread,
        before,
        operation="to_ticket",
        organization_id=contact.organization_id,
    )
    return ticket


def _article_body(thread: Thread, answer: Post) -> str:
    return (
        f"## Question\n\n{thread.body}\n\n## Answer\n\n{answer.body}\n\n"
        f"_Drafted from the community forum thread “{thread.title}”._\n"
    )


@transaction.atomic
def thread_to_article(*, actor: Actor, thread: Thread) -> Article:
    """Draft a public knowledge-base article from an answered thread: its question and accepted answer."""
    if not can_write_articles(actor):
        raise PermissionDenied("Only support staff write knowledge-base articles.")
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("product", "accepted_post")
        .get(pk=thread.pk)
    )
    if thread.article_id is not None:
        raise ValidationError({"article": "An article has already been drafted from this thread."})
    answer = thread.accepted_post
    if answer is None or answer.hidden:
        raise ValidationError({"article": "Accept an answer before drafting an article from the thread."})
    article = kb_services.article_create(
        actor=actor,
        title=thread.title,
        body=_article_body(thread, answer),
        visibility=Visibility.PUBLIC,
        product=thread.product,
    )
    before = snapshot(thread, exclude=UNAUDITED)
    thread.article = article
    thread.save(update_fields=["article"])
    _audit(actor, "action", thread, before, operation="to_article")
    return article
