"""`{% ticket_articles ticket %}`: the knowledge-base box of the ticket page's sidebar."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from ossdesk.accounts.access import can_link_articles
from ossdesk.doors.actor import request_actor
from ossdesk.kb import selectors
from ossdesk.kb.models import ArticleStatus
from ossdesk.tickets.models import Ticket

register = template.Library()
CHOICES_LIMIT = 200


@register.inclusion_tag("kb/_ticket_articles.html", takes_context=True)
def ticket_articles(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """Linked articles the reader may see; for staff, also the form to link one (suggestions first)."""
    actor = request_actor(context["request"])
    links = list(selectors.ticket_article_links(actor=actor, ticket=ticket))
    may_link = can_link_articles(actor)
    result: dict[str, Any] = {"ticket": ticket, "links": links, "is_staff": may_link}
    if may_link:
        linked = {link.article_id for link in links}
        suggested = [
            a
            for a in selectors.article_suggest(actor=actor, text=ticket.subject, product_id=ticket.product_id)
            if a.pk not in linked
        ]
        others = (
            selectors.article_list(actor=actor)
            .filter(Q(product_id=ticket.product_id) | Q(product__isnull=True))
            .exclude(pk__in=linked | {a.pk for a in suggested})
            .select_related(None)
            .prefetch_related(None)
            .only("pk", "title", "status")
            .order_by("title")[:CHOICES_LIMIT]
        )
        result.update(suggested=suggested, others=list(others), draft=ArticleStatus.DRAFT)
    result["csrf_token"] = context.get("csrf_token")
    return result
