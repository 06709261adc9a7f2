"""The search index: one row per searchable thing (a ticket, a message, an article, a forum thread or reply).

The full-text part lives beside the table and is created by the migrations per database vendor:

- SQLite: `search_fts`, an FTS5 table whose content is this table (`content_rowid` = `id`), kept in step by
  the triggers `search_document_ai/ad/au`. Django rebuilds a SQLite table on some schema changes, which
  drops its triggers: a migration that alters this table must create them again (a test checks they exist).
- PostgreSQL: the stored generated column `search_vector` (title weighted A, body B) with a GIN index.

The columns copied from the source rows are what tenancy needs, so that the selector scopes in SQL.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    """What a document stands for. A forum thread (its title and question) and each of its replies are
    documents of their own, like a ticket and its messages, so that a hidden reply is withheld on its own."""

    TICKET = "ticket", "Tickets"
    MESSAGE = "message", "Messages"
    ARTICLE = "article", "Articles"
    FORUM = "forum", "Forum"
    FORUM_REPLY = "forum_reply", "Forum replies"


class Document(models.Model):
    """One searchable thing, copied from its source row by the search services; never edited by hand."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField(
        help_text="The source row's id (ticket, message, article, forum thread or post)"
    )
    ticket_id = models.BigIntegerField(null=True, blank=True, help_text="Tickets and messages: the ticket")
    organization_id = models.BigIntegerField(
        null=True, blank=True, help_text="Whose it is; empty = not an organisation's (articles, forum)"
    )
    product_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=30, blank=True, help_text="Tickets and messages: the ticket's status"
    )
    is_public = models.BooleanField(
        default=True, help_text="False for internal notes: staff only (forum: the live rows decide)"
    )
    visibility = models.CharField(
        max_length=20, blank=True, help_text="Articles: public, customers, internal"
    )
    published = models.BooleanField(default=True, help_text="False for draft articles: staff only")
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(help_text="When the source last changed (a message: when written)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once")]
        indexes = [models.Index(fields=["organization_id", "kind"], name="search_document_org")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SweepMark(models.Model):
    """How far the periodic sweep got: the next one looks at rows changed since `swept_to` (less an
    overlap) and at messages with an id above `last_message_id`."""

    name = models.CharField(max_length=40, unique=True)
    swept_to = models.DateTimeField()
    last_message_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.swept_to:%Y-%m-%d %H:%M:%S}"
