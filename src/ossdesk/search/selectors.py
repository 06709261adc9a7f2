"""Full-text search over the index, scoped by who asks — in the SQL, before ranking and paging.

- staff: every document, internal notes, drafts and internal articles included;
- a customer contact: its organisation's tickets and their public messages, and the published articles
  the knowledge base lets it read (kb.selectors.article_audience decides, checked against the live
  article row, so a change of visibility applies at once, before the index catches up);
- anyone else: published public articles;
- everyone (staff, customers, anyone else): forum threads and replies that are not hidden, checked against
  the live forum rows (like kb's articles), so hiding or showing applies at once; staff find hidden ones.

SQLite ranks with FTS5's bm25() (title weighted 10 to the body's 1) and cuts snippets with snippet();
PostgreSQL ranks with ts_rank_cd() over the weighted tsvector and cuts snippets with ts_headline().
Highlights come back marked with two private-use characters; `marked_html` escapes the text, then turns
them into <mark>, so no indexed text is ever HTML. Only table names, fixed SQL and placeholders are
formatted into the queries (hence the S608 waivers); everything a person typed is a parameter.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import nh3
from django.db import connection
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ossdesk.accounts.actor import Actor
from ossdesk.forum.models import Post, Thread
from ossdesk.kb.models import Article, ArticleStatus
from ossdesk.kb.rendering import render_markdown
from ossdesk.kb.selectors import article_audience
from ossdesk.search import query as search_query
from ossdesk.search.models import Document, Kind
from ossdesk.tickets.models import Ticket

PER_PAGE = 20
MAX_PER_PAGE = 100
START, STOP = "\ue000", "\ue001"  # highlight markers: private-use characters no text needs
NO_TAG = "<\u200b"  # how PostgreSQL is shown a `<` (see migration 0002_fulltext)
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
_SPACE = re.compile(r"\s+")
# What is left of Markdown that a snippet's cut left unpaired: "…Promote** the", "runbook](https://…)".
_CUT_MARKDOWN = re.compile(r"\*{2,}|_{2,}|`+|\]\([^)\s]*\)")
# Kinds a customer may find inside its own organisation, and kinds anyone may find by visibility.
TENANT_KINDS = (Kind.TICKET, Kind.MESSAGE)
CATALOGUE_KINDS = (Kind.ARTICLE,)
FORUM_KINDS = (Kind.FORUM, Kind.FORUM_REPLY)  # public: anyone finds what is not hidden
# Kinds whose pages render their body from Markdown, so their snippets are shown as that text; a ticket
# message's page shows it as written, and so does its snippet.
MARKDOWN_KINDS = (Kind.ARTICLE, Kind.FORUM, Kind.FORUM_REPLY)
_DOCS, _TICKETS, _ARTICLES = Document._meta.db_table, Ticket._meta.db_table, Article._meta.db_table
_THREADS, _POSTS = Thread._meta.db_table, Post._meta.db_table


@dataclass(frozen=True)
class Hit:
    """One result: what it is, where it lives, and its highlighted title and snippet (safe HTML)."""

    kind: str
    object_id: int
    ticket_id: int | None
    thread_id: int | None
    slug: str
    title: str
    title_html: SafeString
    snippet_html: SafeString
    is_public: bool
    visibility: str
    published: bool
    status: str
    updated_at: datetime
    score: float

    @property
    def url(self) -> str:
        if self.kind == Kind.ARTICLE:
            return reverse("web:kb-article", kwargs={"slug": self.slug})
        if self.kind in FORUM_KINDS:
            if self.thread_id is None:  # deleted since indexed (staff only see it, until the purge)
                return reverse("web:forum")
            url = reverse("web:forum-thread", kwargs={"pk": self.thread_id})
            return f"{url}#post-{self.object_id}" if self.kind == Kind.FORUM_REPLY else url
        return reverse("web:ticket", kwargs={"pk": self.ticket_id})


@dataclass(frozen=True)
class SearchResults:
    """One page of ranked hits, the total under the current filters and the count per kind."""

    q: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, int] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0


def marked_html(text: str) -> SafeString:
    """Escape `text`, then mark what the engine highlighted; stray markers are dropped."""
    escaped = str(escape(text.replace(NO_TAG, "<")))
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above


def snippet_text(snippet: str) -> str:
    """A snippet of Markdown (articles and forum posts are written in it) as the plain text a reader
    sees: rendered, then stripped of its tags, on one line. The highlight markers are private-use
    characters, which Markdown and the sanitiser leave alone."""
    rendered = render_markdown(snippet.replace(NO_TAG, "<"))
    text = _CUT_MARKDOWN.sub("", html.unescape(nh3.clean(rendered, tags=set())))
    return _SPACE.sub(" ", text).strip()


@dataclass
class _Where:
    """AND-ed SQL conditions on the document alias `d`, with their parameters in order."""

    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(f"({c})" for c in self.conditions) or "1 = 1"


def _placeholders(values: tuple[Any, ...] | list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _scope(actor: Actor, where: _Where) -> None:
    """Tenancy: the documents `actor` may find. Staff: all. Nobody else sees an unknown kind."""
    if actor.is_staff:
        return
    # The forum is public; the live rows decide what is hidden (the index holds hidden posts for staff).
    forum = (
        f"d.kind = %s AND EXISTS (SELECT 1 FROM {_THREADS} f WHERE f.id = d.object_id"  # noqa: S608
        " AND NOT f.hidden)"
        f" OR d.kind = %s AND EXISTS (SELECT 1 FROM {_POSTS} p JOIN {_THREADS} f ON f.id = p.thread_id"
        " WHERE p.id = d.object_id AND NOT p.hidden AND NOT f.hidden)"
    )
    forum_params = [Kind.FORUM, Kind.FORUM_REPLY]
    audience = sorted(article_audience(actor) or ())
    published = ArticleStatus.PUBLISHED.value
    catalogue = (
        f"d.kind IN ({_placeholders(CATALOGUE_KINDS)}) AND d.organization_id IS NULL"  # noqa: S608
        " AND d.published"
        f" AND d.visibility IN ({_placeholders(audience)})"
        f" AND EXISTS (SELECT 1 FROM {_ARTICLES} a WHERE a.id = d.object_id"
        f" AND a.status = %s AND a.visibility IN ({_placeholders(audience)}))"
    )
    catalogue_params = [*CATALOGUE_KINDS, *audience, published, *audience]
    if actor.is_customer and actor.organization_id is not None:
        own = f"d.kind IN ({_placeholders(TENANT_KINDS)}) AND d.organization_id = %s AND d.is_public"
        where.add(
            f"({own}) OR ({catalogue}) OR ({forum})",
            *TENANT_KINDS,
            actor.organization_id,
            *catalogue_params,
            *forum_params,
        )
    else:
        where.add(f"({catalogue}) OR ({forum})", *catalogue_params, *forum_params)


def _day_start(day: date) -> Any:
    return connection.ops.adapt_datetimefield_value(datetime.combine(day, time.min, tzinfo=UTC))


def _filters(
    where: _Where,
    *,
    organization_id: int | None,
    product_id: int | None,
    status: str | None,
    date_from: date | None,
    date_to: date | None,
) -> None:
    if organization_id is not None:
        where.add("d.organization_id = %s", organization_id)
    if product_id is not None:
        where.add("d.product_id = %s", product_id)
    if status:
        where.add("d.status = %s", status)
    if date_from is not None:
        where.add("d.updated_at >= %s", _day_start(date_from))
    if date_to is not None:
        where.add("d.updated_at < %s", _day_start(date_to + timedelta(days=1)))


class _Engine:
    """The vendor's full-text SQL: the tables, the match condition, the score (higher is better) and the
    highlighted title and snippet; each as SQL on the document alias `d` with its parameters."""

    tables = f"{_DOCS} d"

    def __init__(self, terms: list[search_query.Term]) -> None:
        self.terms = terms

    def match(self) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def score(self) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def highlights(self) -> tuple[str, list[Any]]:
        raise NotImplementedError


class _Fts5(_Engine):
    tables = f"search_fts JOIN {_DOCS} d ON d.id = search_fts.rowid"

    def match(self) -> tuple[str, list[Any]]:
        return "search_fts MATCH %s", [search_query.fts5_match(self.terms)]

    def score(self) -> tuple[str, list[Any]]:
        return "-bm25(search_fts, 10.0, 1.0)", []

    def highlights(self) -> tuple[str, list[Any]]:
        title = f"highlight(search_fts, 0, '{START}', '{STOP}')"
        snippet = (
            f"CASE WHEN d.body = '' THEN {title} "
            f"ELSE snippet(search_fts, 1, '{START}', '{STOP}', '…', 24) END"
        )
        return f"{title}, {snippet}", []


class _Postgres(_Engine):
    OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"

    def tsquery(self) -> tuple[str, list[Any]]:
        parts = ["websearch_to_tsquery('english', %s)"]
        params = [search_query.websearch_text(self.terms)]
        for prefix in search_query.tsquery_prefixes(self.terms):
            parts.append("to_tsquery('english', %s)")
            params.append(prefix)
        return "(" + " && ".join(parts) + ")", params

    def match(self) -> tuple[str, list[Any]]:
        tsquery, params = self.tsquery()
        return f"d.search_vector @@ {tsquery}", params

    def score(self) -> tuple[str, list[Any]]:
        tsquery, params = self.tsquery()
        return f"ts_rank_cd(d.search_vector, {tsquery})", params

    def highlights(self) -> tuple[str, list[Any]]:
        tsquery, params = self.tsquery()
        text = "replace(CASE WHEN d.body = '' THEN d.title ELSE d.body END, '<', '<' || chr(8203))"
        title = f"ts_headline('english', replace(d.title, '<', '<' || chr(8203)), {tsquery}, %s)"
        body = f"ts_headline('english', {text}, {tsquery}, %s)"
        return f"{title}, {body}", [*params, f"{self.OPTIONS}, HighlightAll=true", *params, self.OPTIONS]


def _engine(terms: list[search_query.Term]) -> _Engine | None:
    if connection.vendor == "sqlite":
        return _Fts5(terms)
    if connection.vendor == "postgresql":
        return _Postgres(terms)
    return None


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(str(value))
    assert parsed is not None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def search(
    *,
    actor: Actor,
    q: str,
    kinds: tuple[str, ...] | list[str] = (),
    organization_id: int | None = None,
    product_id: int | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """The documents `actor` may read that hold every term of `q`, best first, one page of them.

    `facets` counts the matches per kind under every filter but the kinds, so a page can offer them.
    """
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    terms = search_query.parse(q)
    engine = _engine(terms)
    if not terms or engine is None:
        return SearchResults(
            q=q, hits=[], total=0, page=1, per_page=per_page, facets=dict.fromkeys(Kind.values, 0)
        )
    match, match_params = engine.match()
    where = _Where()
    where.add(match, *match_params)
    _scope(actor, where)
    _filters(
        where,
        organization_id=organization_id,
        product_id=product_id,
        status=status,
        date_from=date_from,
        date_to=date_to,
    )
    counted = _run(
        f"SELECT d.kind, COUNT(*) FROM {engine.tables} WHERE {where.sql} GROUP BY d.kind",  # noqa: S608
        where.params,
    )
    facets = dict.fromkeys(Kind.values, 0) | {str(kind): int(n) for kind, n in counted}
    wanted = [k for k in kinds if k in Kind.values]
    if wanted:
        where.add(f"d.kind IN ({_placeholders(wanted)})", *wanted)
    total = sum(n for kind, n in facets.items() if not wanted or kind in wanted)
    page = min(max(page, 1), max(1, -(-total // per_page)))
    results = SearchResults(q=q, hits=[], total=total, page=page, per_page=per_page, facets=facets)
    if total == 0:
        return results
    score, score_params = engine.score()
    ranked = _run(
        f"SELECT d.id, {score} AS score FROM {engine.tables} WHERE {where.sql} "  # noqa: S608
        "ORDER BY score DESC, d.updated_at DESC, d.id DESC LIMIT %s OFFSET %s",
        [*score_params, *where.params, per_page, (page - 1) * per_page],
    )
    scores = {row[0]: float(row[1]) for row in ranked}
    return replace(results, hits=_hits(engine, scores))


_HIT_COLUMNS = (
    "d.id, d.kind, d.object_id, d.ticket_id, d.is_public, d.visibility, d.published, d.status, d.updated_at, "
    "d.title, COALESCE(t.subject, ''), COALESCE(a.slug, ''), "
    "f.id, COALESCE(f.title, ''), f.hidden, fp.hidden"
)


def _hits(engine: _Engine, scores: dict[int, float]) -> list[Hit]:
    """The page's documents with highlights, in rank order: highlighting costs, so only for these."""
    ids = list(scores)
    highlights, highlight_params = engine.highlights()
    match, match_params = engine.match()
    rows = _run(
        f"SELECT {_HIT_COLUMNS}, {highlights} FROM {engine.tables} "  # noqa: S608
        f"LEFT JOIN {_TICKETS} t ON t.id = d.ticket_id "
        f"LEFT JOIN {_ARTICLES} a ON a.id = d.object_id AND d.kind = 'article' "
        f"LEFT JOIN {_POSTS} fp ON fp.id = d.object_id AND d.kind = 'forum_reply' "
        f"LEFT JOIN {_THREADS} f ON f.id = CASE d.kind WHEN 'forum' THEN d.object_id "
        "WHEN 'forum_reply' THEN fp.thread_id END "
        f"WHERE {match} AND d.id IN ({_placeholders(ids)})",
        [*highlight_params, *match_params, *ids],
    )
    by_id = {}
    for row in rows:
        pk, kind, object_id, ticket_id, is_public, visibility, published, status, updated = row[:9]
        title, subject, slug, thread_id, thread_title, thread_hidden, post_hidden = row[9:16]
        title_marked, snippet_marked = row[16:]
        if kind in FORUM_KINDS:
            # Hidden or not is read live, like the scope; a hidden hit reaches staff only.
            subject, is_public = thread_title, not (thread_hidden or post_hidden)
        by_id[pk] = Hit(
            kind=kind,
            object_id=object_id,
            ticket_id=ticket_id,
            thread_id=thread_id,
            slug=slug,
            title=title if kind in (Kind.ARTICLE, Kind.FORUM) else subject,
            # A message's title is its ticket's subject, which the message's document does not hold;
            # a forum reply's, its thread's title.
            title_html=(
                marked_html(subject)
                if kind in (Kind.MESSAGE, Kind.FORUM_REPLY)
                else marked_html(title_marked or "")
            ),
            snippet_html=marked_html(
                snippet_text(snippet_marked or "") if kind in MARKDOWN_KINDS else snippet_marked or ""
            ),
            is_public=bool(is_public),
            visibility=visibility,
            published=bool(published),
            status=status,
            updated_at=_aware(updated),
            score=scores[pk],
        )
    return [by_id[pk] for pk in ids if pk in by_id]
