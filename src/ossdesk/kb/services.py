"""Writes of the knowledge base: articles and their links to tickets. Staff write; every write is audited.

The rendered HTML is produced here, on every save, from the Markdown source: no page renders Markdown
or marks unsanitised text safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Never

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ossdesk.accounts.access import can_link_articles, can_write_articles, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.kb.models import Article, ArticleLink, ArticleStatus, Visibility
from ossdesk.kb.rendering import plain_summary, render_markdown
from ossdesk.products.models import Product, ProductVersion
from ossdesk.tickets.models import Ticket
from ossdesk.unset import UNSET, Unset, given

# Paths below /kb/ that an article's slug must not take.
RESERVED_SLUGS = frozenset({"new", "preview", "suggest", "tickets", "links"})
UNAUDITED = frozenset({"body_html", "summary"})  # derived from `body`, which is audited


WRITERS_ONLY = "Only support staff write knowledge-base articles."
LINKERS_ONLY = "Only support staff link articles to tickets."
UNLINKERS_ONLY = "Only support staff unlink articles from tickets."


def _unique_slug(wanted: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(wanted)[:200] or "article"
    if base in RESERVED_SLUGS:
        base = f"{base}-article"
    others = Article.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_versions(product: Product | None, versions: Iterable[ProductVersion]) -> list[ProductVersion]:
    chosen = list(versions)
    if chosen and product is None:
        raise ValidationError({"product_versions": "Choose the product before its versions."})
    stray = [str(v) for v in chosen if product is not None and v.product_id != product.pk]
    if stray:
        raise ValidationError({"product_versions": f"Not versions of {product}: {', '.join(stray)}."})
    return chosen


def _render(article: Article) -> None:
    article.body_html = render_markdown(article.body)
    article.summary = plain_summary(article.body_html)


def _audit(actor: Actor, action: str, article: Article, before: dict[str, Any] | None = None) -> None:
    after = snapshot(article, exclude=UNAUDITED) if action != "delete" else None
    audit_record(actor=actor, action=action, instance=article, before=before, after=after)


@transaction.atomic
def article_create(
    *,
    actor: Actor,
    title: str,
    body: str,
    visibility: str = Visibility.CUSTOMERS,
    product: Product | None = None,
    product_versions: Iterable[ProductVersion] = (),
    slug: str = "",
    from_ticket: Ticket | None = None,
) -> Article:
    """A new draft; `article_publish` makes it readable beyond staff."""
    require(can_write_articles(actor), WRITERS_ONLY)
    versions = _check_versions(product, product_versions)
    article = Article(
        title=title.strip(),
        slug=_unique_slug(slug or title),
        body=body,
        visibility=visibility,
        product=product,
        author=actor.user,
        from_ticket=from_ticket,
        status=ArticleStatus.DRAFT,
    )
    _render(article)
    article.full_clean()
    article.save()
    article.product_versions.set(versions)
    _audit(actor, "create", article)
    return article


@transaction.atomic
def article_update(
    *,
    actor: Actor,
    article: Article,
    title: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    body: str | Unset = UNSET,
    visibility: str | Unset = UNSET,
    product: Product | Unset | None = UNSET,
    product_versions: Iterable[ProductVersion] | Unset = UNSET,
    from_ticket: Ticket | Unset | None = UNSET,
    **refused: Never,
) -> Article:
    """Change the title, slug, body, visibility, product and versions or the source ticket; what is left
    out keeps its value (product=None: no product). Another field (a door passes its form's or its
    serializer's fields) is refused: "This field cannot be changed here."."""
    require(can_write_articles(actor), WRITERS_ONLY)
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "This field cannot be changed here."))
    changes = given(
        title=title,
        slug=slug,
        body=body,
        visibility=visibility,
        product=product,
        product_versions=product_versions,
        from_ticket=from_ticket,
    )
    before = snapshot(article, exclude=UNAUDITED)
    versions = changes.pop("product_versions", None)
    if "slug" in changes:
        wanted = changes.pop("slug") or changes.get("title") or article.title
        if wanted != article.slug:
            article.slug = _unique_slug(wanted, exclude_pk=article.pk)
    for key, value in changes.items():
        setattr(article, key, value.strip() if key == "title" else value)
    if versions is None and "product" in changes:
        versions = [v for v in article.product_versions.all() if v.product_id == article.product_id]
    checked = _check_versions(
        article.product, versions if versions is not None else article.product_versions.all()
    )
    _render(article)
    article.full_clean()
    article.save()
    article.product_versions.set(checked)
    _audit(actor, "update", article, before)
    return article


@transaction.atomic
def article_publish(*, actor: Actor, article: Article) -> Article:
    require(can_write_articles(actor), WRITERS_ONLY)
    if article.is_published:
        return article
    before = snapshot(article, exclude=UNAUDITED)
    article.status = ArticleStatus.PUBLISHED
    article.published_at = article.published_at or timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    _audit(actor, "action", article, before)
    return article


@transaction.atomic
def article_unpublish(*, actor: Actor, article: Article) -> Article:
    """Back to a draft: only staff read it until it is published again."""
    require(can_write_articles(actor), WRITERS_ONLY)
    if not article.is_published:
        return article
    before = snapshot(article, exclude=UNAUDITED)
    article.status = ArticleStatus.DRAFT
    article.save(update_fields=["status", "updated_at"])
    _audit(actor, "action", article, before)
    return article


@transaction.atomic
def article_delete(*, actor: Actor, article: Article) -> None:
    require(can_write_articles(actor), WRITERS_ONLY)
    _audit(actor, "delete", article, snapshot(article, exclude=UNAUDITED))
    article.delete()


@transaction.atomic
def article_link_ticket(*, actor: Actor, article: Article, ticket: Ticket) -> ArticleLink:
    """Link an article to a ticket (staff); linking it again changes nothing."""
    require(can_link_articles(actor), LINKERS_ONLY)
    existing = ArticleLink.objects.filter(article=article, ticket=ticket).first()
    if existing is not None:
        return existing
    link = ArticleLink(
        article=article,
        ticket=ticket,
        linked_by=actor.user,
        linked_by_label=actor.label,
        linked_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:  # linked by someone else a moment ago
        return ArticleLink.objects.get(article=article, ticket=ticket)
    audit_record(
        actor=actor,
        action="create",
        instance=link,
        after=snapshot(link),
        organization_id=ticket.organization_id,
    )
    return link


@transaction.atomic
def article_unlink_ticket(*, actor: Actor, link: ArticleLink) -> None:
    require(can_link_articles(actor), UNLINKERS_ONLY)
    organization_id = link.ticket.organization_id
    audit_record(
        actor=actor, action="delete", instance=link, before=snapshot(link), organization_id=organization_id
    )
    link.delete()
