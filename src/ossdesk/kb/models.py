"""The knowledge base: articles per product and version, and their links to tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ossdesk.products.models import Product, ProductVersion
from ossdesk.tickets.models import Ticket


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    CUSTOMERS = "customers", "Customers only"
    INTERNAL = "internal", "Internal (staff only)"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(models.Model):
    """A knowledge-base article. `body` is the Markdown source; `body_html` is its sanitised rendering,
    written by the services on every save, and the only HTML a page shows."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    body = models.TextField(help_text="Markdown")
    body_html = models.TextField(blank=True, editable=False)
    summary = models.CharField(max_length=300, blank=True, editable=False, help_text="Plain text, for lists")
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.CUSTOMERS)
    status = models.CharField(max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    product_versions = models.ManyToManyField(
        ProductVersion, blank=True, related_name="articles", help_text="Empty = every version"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="kb_articles"
    )
    from_ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_articles_written",
        help_text="The case this article grew from",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "pk"]
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleLink(models.Model):
    """An article linked to a ticket by staff: the answer, or background for it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="kb_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_by_label = models.CharField(max_length=200)
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "ticket"], name="kb_link_once_per_ticket")]

    def __str__(self) -> str:
        return f"{self.article} on #{self.ticket_id}"
