"""Writes to the search index: one document per ticket, message, article, forum thread and forum reply,
copied from its source row.

Each kind has one SELECT that turns source rows into documents; every write (one object, a periodic sweep,
a full rebuild) runs it as `INSERT ... SELECT ... ON CONFLICT DO UPDATE`, so the three paths cannot
disagree and the work happens inside the database, a batch at a time. Documents with nothing changed are
not rewritten. Only table names and placeholders are formatted into the SQL (hence the S608 waivers);
every value is a parameter. The index follows the sources within a sweep (every minute, see tasks.py);
deleted sources leave the index at the next purge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ossdesk.forum.models import Post, Thread
from ossdesk.kb.models import Article, ArticleStatus
from ossdesk.products.models import Product
from ossdesk.search.models import Document, Kind, SweepMark
from ossdesk.tickets.models import Message, Ticket

BODY_LIMIT = 100_000  # characters indexed per document (a pasted log should not outgrow a tsvector)
BATCH = 20_000  # source ids per statement in a rebuild
SWEEP_OVERLAP = timedelta(minutes=2)  # rows committed late, with an earlier timestamp, are still seen
SWEEP = "sweep"

_COLUMNS = (
    "kind, object_id, ticket_id, organization_id, product_id, status, is_public, visibility, published, "
    "title, body, updated_at"
)
_COPIED = _COLUMNS.split(", ")[2:]  # all but the conflict key (kind, object_id)
_TICKETS, _MESSAGES, _ARTICLES = Ticket._meta.db_table, Message._meta.db_table, Article._meta.db_table
_THREADS, _POSTS = Thread._meta.db_table, Post._meta.db_table
_PRODUCTS = Product._meta.db_table
# Source rows as documents, one SELECT per kind; `{where}` narrows them (aliases t, m, a, f, p).
_SOURCES = {
    # A ticket's body is its product's name, so that "postgresql" finds the PostgreSQL tickets.
    Kind.TICKET: (
        f"SELECT 'ticket', t.id, t.id, t.organization_id, t.product_id, t.status, "  # noqa: S608
        f"TRUE, '', TRUE, t.subject, COALESCE(pr.name, ''), t.updated_at FROM {_TICKETS} t "
        f"LEFT JOIN {_PRODUCTS} pr ON pr.id = t.product_id WHERE {{where}}"
    ),
    # A message's title stays empty: the ticket's subject is the ticket's document.
    Kind.MESSAGE: (
        f"SELECT 'message', m.id, m.ticket_id, t.organization_id, t.product_id, "  # noqa: S608
        f"t.status, m.is_public, '', TRUE, '', substr(m.body, 1, {BODY_LIMIT}), m.created_at "
        f"FROM {_MESSAGES} m JOIN {_TICKETS} t ON t.id = m.ticket_id WHERE {{where}}"
    ),
    Kind.ARTICLE: (
        f"SELECT 'article', a.id, NULL, NULL, a.product_id, '', TRUE, a.visibility, "  # noqa: S608
        f"a.status = '{ArticleStatus.PUBLISHED.value}', "
        f"a.title, substr(a.body, 1, {BODY_LIMIT}), a.updated_at FROM {_ARTICLES} a WHERE {{where}}"
    ),
    # Forum threads (title and question) and replies are indexed hidden or not: staff find hidden ones,
    # and for everyone else the selector checks the live rows, so hiding and showing apply at once.
    # A thread's title, question and product never change once asked; a reply changes when edited.
    Kind.FORUM: (
        f"SELECT 'forum', f.id, NULL, NULL, f.product_id, '', TRUE, '', TRUE, "  # noqa: S608
        f"f.title, substr(f.body, 1, {BODY_LIMIT}), f.created_at FROM {_THREADS} f WHERE {{where}}"
    ),
    # A reply's title stays empty, like a message's: the thread's title is the thread's document.
    Kind.FORUM_REPLY: (
        f"SELECT 'forum_reply', p.id, NULL, NULL, f.product_id, '', TRUE, '', TRUE, "  # noqa: S608
        f"'', substr(p.body, 1, {BODY_LIMIT}), COALESCE(p.edited_at, p.created_at) "
        f"FROM {_POSTS} p JOIN {_THREADS} f ON f.id = p.thread_id WHERE {{where}}"
    ),
}
_ALIAS = {Kind.TICKET: "t", Kind.MESSAGE: "m", Kind.ARTICLE: "a", Kind.FORUM: "f", Kind.FORUM_REPLY: "p"}
_SOURCE_MODEL = {
    Kind.TICKET: Ticket,
    Kind.MESSAGE: Message,
    Kind.ARTICLE: Article,
    Kind.FORUM: Thread,
    Kind.FORUM_REPLY: Post,
}


def _upsert_sql(kind: str, where: str) -> str:
    table = Document._meta.db_table
    differs = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    assignments = ", ".join(f"{column} = excluded.{column}" for column in _COPIED)
    changed = " OR ".join(f"{table}.{column} {differs} excluded.{column}" for column in _COPIED)
    return (
        f"INSERT INTO {table} ({_COLUMNS}) {_SOURCES[Kind(kind)].format(where=where)} "
        f"ON CONFLICT (kind, object_id) DO UPDATE SET {assignments} WHERE {changed}"
    )


def _upsert(kind: str, where: str, params: Sequence[Any] = ()) -> int:
    """Copy the source rows of `kind` matching `where` into the index; the number of documents written."""
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(kind, where), list(params))
        written: int = cursor.rowcount  # the DB-API cursor is untyped
        return max(written, 0)


def _when(value: datetime) -> Any:
    """A timestamp as the database compares it with stored ones (SQLite keeps text in UTC)."""
    return connection.ops.adapt_datetimefield_value(value)


def search_index_ticket(ticket: Ticket) -> None:
    """Index a ticket and its messages again (its subject, status or product may have changed)."""
    with transaction.atomic():
        _upsert(Kind.TICKET, "t.id = %s", [ticket.pk])
        _upsert(Kind.MESSAGE, "m.ticket_id = %s", [ticket.pk])


def search_index_message(message: Message) -> None:
    _upsert(Kind.MESSAGE, "m.id = %s", [message.pk])


def search_index_article(article: Article) -> None:
    """Index an article again, or drop it from the index if it was deleted."""
    if not _upsert(Kind.ARTICLE, "a.id = %s", [article.pk]):
        search_purge(kinds=[Kind.ARTICLE], ids=[article.pk])


def search_index_forum_thread(thread: Thread) -> None:
    """Index a forum thread and its replies again, or drop them from the index if the thread was deleted.

    Hiding or showing a thread or reply needs no call: the selector checks the live rows.
    """
    with transaction.atomic():
        _upsert(Kind.FORUM, "f.id = %s", [thread.pk])
        _upsert(Kind.FORUM_REPLY, "p.thread_id = %s", [thread.pk])
        if not Thread.objects.filter(pk=thread.pk).exists():
            # Its replies went with it; their ids are no longer known, so drop every orphaned reply.
            search_purge(kinds=[Kind.FORUM], ids=[thread.pk])
            search_purge(kinds=[Kind.FORUM_REPLY])


def search_purge(*, kinds: Sequence[str] = tuple(Kind), ids: Sequence[int] | None = None) -> int:
    """Drop documents whose source row no longer exists; the number dropped."""
    dropped = 0
    for kind in kinds:
        model = _SOURCE_MODEL[Kind(kind)]
        documents = Document.objects.filter(kind=kind)
        if ids is not None:
            documents = documents.filter(object_id__in=ids)
        # NOT EXISTS, not NOT IN: an anti-join, which stays linear over a million rows on PostgreSQL.
        gone = ~Exists(model._default_manager.filter(pk=OuterRef("object_id")))
        dropped += documents.filter(gone).delete()[0]
    return dropped


@dataclass(frozen=True)
class ReindexReport:
    documents: int
    purged: int


def search_reindex_total() -> int:
    """How many source rows a rebuild reads (for a progress bar)."""
    return sum(model._default_manager.count() for model in _SOURCE_MODEL.values())


def search_reindex(*, progress: Callable[[int], None] | None = None) -> ReindexReport:
    """Rebuild the whole index from the sources, a batch of ids per transaction, and purge what is gone.

    Safe while the desk runs: searches keep answering from the rows not yet rewritten.
    """
    started = timezone.now()
    last_message = _last_message_id()
    written = 0
    for kind, model in _SOURCE_MODEL.items():
        alias = _ALIAS[kind]
        low = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        high = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        if low is None or high is None:
            continue
        for start in range(low, high + 1, BATCH):
            with transaction.atomic():
                written += _upsert(kind, f"{alias}.id >= %s AND {alias}.id < %s", [start, start + BATCH])
            if progress is not None:
                progress(model._default_manager.filter(pk__gte=start, pk__lt=start + BATCH).count())
    purged = search_purge()
    # A rebuild is a sweep of everything: the next sweep carries on from when this one started.
    SweepMark.objects.update_or_create(
        name=SWEEP, defaults={"swept_to": started, "last_message_id": last_message}
    )
    return ReindexReport(documents=written, purged=purged)


def _last_message_id() -> int:
    return Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@dataclass(frozen=True)
class SweepReport:
    tickets: int
    messages: int
    articles: int
    purged: int
    forum: int = 0  # threads and replies


def search_sweep(*, now: datetime | None = None) -> SweepReport:
    """Index what changed since the last sweep: tickets by `updated_at` (with all their messages, as a
    reply touches its ticket), messages by id, articles by `updated_at`, forum threads by `created_at`,
    forum replies by `created_at` or `edited_at`; drop deleted articles and forum threads.

    The first sweep on a desk indexes everything. Deleted tickets, messages and forum replies leave with
    `search_purge`.
    """
    started = now or timezone.now()
    mark = SweepMark.objects.filter(name=SWEEP).first()
    if mark is None:
        report = search_reindex()
        return SweepReport(tickets=0, messages=report.documents, articles=0, purged=report.purged)
    since = _when(mark.swept_to - SWEEP_OVERLAP)
    last_message = _last_message_id()
    with transaction.atomic():
        tickets = _upsert(Kind.TICKET, "t.updated_at >= %s", [since])
        messages = _upsert(
            Kind.MESSAGE,
            f"m.ticket_id IN (SELECT id FROM {_TICKETS} WHERE updated_at >= %s)",  # noqa: S608
            [since],
        )
        messages += _upsert(Kind.MESSAGE, "m.id > %s AND m.id <= %s", [mark.last_message_id, last_message])
        articles = _upsert(Kind.ARTICLE, "a.updated_at >= %s", [since])
        forum = _upsert(Kind.FORUM, "f.created_at >= %s", [since])
        forum += _upsert(Kind.FORUM_REPLY, "p.created_at >= %s OR p.edited_at >= %s", [since, since])
        purged = search_purge(kinds=[Kind.ARTICLE, Kind.FORUM])
        mark.swept_to, mark.last_message_id = started, max(last_message, mark.last_message_id)
        mark.save(update_fields=["swept_to", "last_message_id"])
    return SweepReport(tickets=tickets, messages=messages, articles=articles, purged=purged, forum=forum)
