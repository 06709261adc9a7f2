"""Reads of the knowledge base, scoped by who asks.

- anyone (signed in or not): published public articles;
- a customer contact of an organisation whose plan includes the knowledge-base channel: published
  public and customers-only articles;
- staff: everything, drafts and internal runbooks included.
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.db.models import Prefetch, Q, QuerySet

from ossdesk.accounts.actor import Actor
from ossdesk.customers.models import Organization
from ossdesk.kb import matching
from ossdesk.kb.models import Article, ArticleLink, ArticleStatus, Visibility
from ossdesk.plans.selectors import entitlements_for
from ossdesk.products.models import ProductVersion
from ossdesk.tickets.models import Ticket

SUGGESTION_LIMIT = 5
KB_CHANNEL = "kb"


def article_audience(actor: Actor) -> frozenset[str] | None:
    """The visibilities the actor may read (published only); None means staff: everything, drafts too."""
    if actor.is_staff:
        return None
    if actor.is_customer and actor.organization_id is not None:
        organization = Organization.objects.filter(pk=actor.organization_id).first()
        if (
            organization is not None
            and KB_CHANNEL in entitlements_for(organization=organization).terms.channels
        ):
            return frozenset({Visibility.PUBLIC, Visibility.CUSTOMERS})
    return frozenset({Visibility.PUBLIC})


def _visible(actor: Actor) -> QuerySet[Article]:
    qs = Article.objects.all()
    audience = article_audience(actor)
    if audience is None:
        return qs
    return qs.filter(status=ArticleStatus.PUBLISHED, visibility__in=sorted(audience))


def _term_filter(search_terms: list[str], *, every: bool) -> Q:
    clauses = [Q(title__icontains=term) | Q(body__icontains=term) for term in search_terms]
    return reduce(and_ if every else or_, clauses)


def article_list(
    *,
    actor: Actor,
    search: str = "",
    product_id: int | None = None,
    status: str = "",
    visibility: str = "",
) -> QuerySet[Article]:
    """Articles the actor may read, with what a list shows; `search` keeps those holding every term."""
    qs = (
        _visible(actor)
        .select_related("product", "author")
        .prefetch_related(Prefetch("product_versions", queryset=ProductVersion.objects.order_by("version")))
    )
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if status:
        qs = qs.filter(status=status)
    if visibility:
        qs = qs.filter(visibility=visibility)
    search_terms = matching.terms(search)
    if search_terms:
        qs = qs.filter(_term_filter(search_terms, every=True))
    return qs


def article_get(*, actor: Actor, slug: str | None = None, pk: int | None = None) -> Article:
    """One article the actor may read; another's draft or an internal one raises DoesNotExist."""
    qs = article_list(actor=actor).select_related("from_ticket")
    if slug is not None:
        return qs.get(slug=slug)
    if pk is None:
        raise Article.DoesNotExist("Give a slug or an id.")
    return qs.get(pk=pk)


def article_suggest(
    *, actor: Actor, text: str, product_id: int | None = None, limit: int = SUGGESTION_LIMIT
) -> list[Article]:
    """Published articles the actor may read, best match first, for what someone is typing.

    With a product, articles about another product are left out (general ones stay) and the product's
    own rank higher. Kept to this signature so that a full-text engine can replace the body.
    """
    query_terms = matching.terms(text)
    if not query_terms:
        return []
    qs = _visible(actor).filter(status=ArticleStatus.PUBLISHED).filter(_term_filter(query_terms, every=False))
    if product_id is not None:
        qs = qs.filter(Q(product_id=product_id) | Q(product__isnull=True))
    candidates = qs.select_related("product").order_by("-updated_at", "pk")
    ranked = [
        (
            matching.score(
                query_terms,
                title=article.title,
                body=article.body,
                product_match=product_id is not None and article.product_id == product_id,
            ),
            position,
            article,
        )
        for position, article in enumerate(candidates)
    ]
    ranked.sort(key=lambda row: (-row[0], row[1]))
    return [article for points, _, article in ranked[:limit] if points > 0]


def article_ticket_links(*, actor: Actor, article: Article) -> QuerySet[ArticleLink]:
    """The tickets linking an article: staff only (a customer would learn of other organisations' cases)."""
    if not actor.is_staff:
        return ArticleLink.objects.none()
    return (
        ArticleLink.objects.filter(article=article)
        .select_related("ticket", "ticket__organization")
        .order_by("-linked_at", "-pk")
    )


def article_link_get(*, actor: Actor, pk: int) -> ArticleLink:
    """One link, for staff to remove; anyone else gets DoesNotExist."""
    if not actor.is_staff:
        raise ArticleLink.DoesNotExist("No such link.")
    return ArticleLink.objects.select_related("ticket", "article").get(pk=pk)


def ticket_article_links(*, actor: Actor, ticket: Ticket) -> QuerySet[ArticleLink]:
    """The articles linked to a ticket that the actor may read. The caller got `ticket` from the ticket
    selectors, so it is one the actor may see; a customer still sees no internal or draft article."""
    if not actor.is_staff and (
        actor.organization_id is None or ticket.organization_id != actor.organization_id
    ):
        return ArticleLink.objects.none()
    return (
        ArticleLink.objects.filter(ticket=ticket, article__in=_visible(actor))
        .select_related("article", "article__product")
        .order_by("linked_at", "pk")
    )
