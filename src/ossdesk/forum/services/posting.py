"""Asking and answering: threads, replies, edits and the accepted answer. Anyone signed in and not banned
writes, within the rate limits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_accept_answer, can_edit_post, refuse
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import snapshot
from ossdesk.forum.models import Post, Thread
from ossdesk.forum.services.rates import check_rate
from ossdesk.forum.services.rules import (
    BODY_MAX,
    TITLE_MAX,
    UNAUDITED,
    forum_audit,
    is_locked_for,
    text_checked,
    write_refusal,
)
from ossdesk.kb.rendering import render_markdown
from ossdesk.products.models import Product


@transaction.atomic
def thread_create(*, actor: Actor, product: Product, title: str, body: str) -> Thread:
    """Ask a question in a product's forum."""
    refuse(write_refusal(actor))
    errors = {}
    try:
        title = text_checked("title", title, limit=TITLE_MAX, wanted="Say in a line what you want to know.")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        body = text_checked(
            "body", body, limit=BODY_MAX, wanted="Describe the question: versions, what you tried."
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    check_rate(actor, "thread")
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
    forum_audit(actor, "create", thread)
    return thread


@transaction.atomic
def post_create(*, actor: Actor, thread: Thread, body: str) -> Post:
    """Answer in a thread; a locked thread takes replies from staff only."""
    refuse(write_refusal(actor))
    if is_locked_for(actor, thread):
        raise PermissionDenied("This thread is locked: it takes no more replies.")
    body = text_checked("body", body, limit=BODY_MAX, wanted="Write a reply first.")
    check_rate(actor, "post")
    now = timezone.now()
    post = Post.objects.create(
        thread=thread, author=actor.user, body=body, body_html=render_markdown(body), created_at=now
    )
    Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
    thread.last_post_at = now
    forum_audit(actor, "create", post)
    return post


@transaction.atomic
def post_edit(*, actor: Actor, post: Post, body: str) -> Post:
    """Its author corrects a reply (while the thread is open); staff may edit any."""
    refuse(write_refusal(actor))
    if not can_edit_post(actor, post.author_id):
        raise PermissionDenied("Only its author may edit a reply.")
    if is_locked_for(actor, post.thread):
        raise PermissionDenied("This thread is locked: its replies can no longer be edited.")
    body = text_checked("body", body, limit=BODY_MAX, wanted="A reply cannot be empty; ask staff to hide it.")
    before = snapshot(post, exclude=UNAUDITED)
    post.body, post.body_html, post.edited_at = body, render_markdown(body), timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    forum_audit(actor, "update", post, before)
    return post


@transaction.atomic
def thread_accept(*, actor: Actor, thread: Thread, post: Post) -> Thread:
    """Mark a reply as the answer (the thread's author or staff); accepting another replaces it."""
    if not can_accept_answer(actor, thread.author_id):
        raise PermissionDenied("Only the person who asked, or the support team, accepts an answer.")
    refuse(write_refusal(actor))
    if post.thread_id != thread.pk or post.hidden:
        raise ValidationError({"post": "Choose a visible reply of this thread."})
    if thread.accepted_post_id == post.pk:
        return thread
    before = snapshot(thread, exclude=UNAUDITED)
    thread.accepted_post = post
    thread.save(update_fields=["accepted_post"])
    forum_audit(actor, "action", thread, before, operation="accept")
    return thread


@transaction.atomic
def thread_unaccept(*, actor: Actor, thread: Thread) -> Thread:
    if not can_accept_answer(actor, thread.author_id):
        raise PermissionDenied("Only the person who asked, or the support team, changes the answer.")
    refuse(write_refusal(actor))
    if thread.accepted_post_id is None:
        return thread
    before = snapshot(thread, exclude=UNAUDITED)
    thread.accepted_post = None
    thread.save(update_fields=["accepted_post"])
    forum_audit(actor, "action", thread, before, operation="unaccept")
    return thread
