"""What staff make of a thread: a paying customer's question becomes a private ticket, an answered one a
knowledge-base article draft."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from ossdesk.accounts.access import (
    can_moderate_forum,
    can_write_articles,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import snapshot
from ossdesk.customers.models import Contact
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.forum.models import Post, Thread, ThreadStatus
from ossdesk.forum.presenters import public_name
from ossdesk.forum.services.rules import UNAUDITED, forum_audit
from ossdesk.kb import services as kb_services
from ossdesk.kb.models import Article, Visibility
from ossdesk.kb.rendering import render_markdown
from ossdesk.plans.selectors import entitlements_for
from ossdesk.tickets.models import Channel, Ticket
from ossdesk.tickets.services import ticket_create

MOVED_TO_TICKET = (
    "Our support team has moved this question to a private ticket with the person who asked it, "
    "so that it can be handled under their support plan. The thread is locked."
)


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
    forum_audit(actor, "create", note)
    before = snapshot(thread, exclude=UNAUDITED)
    thread.ticket, thread.status, thread.last_post_at = ticket, ThreadStatus.LOCKED, now
    thread.save(update_fields=["ticket", "status", "last_post_at"])
    forum_audit(
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
    forum_audit(actor, "action", thread, before, operation="to_article")
    return article
