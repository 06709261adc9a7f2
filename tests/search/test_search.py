"""Full-text search: parsing, ranking, snippets, the tenancy matrix, filters, pages, freshness, rebuild.

Every test here runs on SQLite (FTS5) and, in the PostgreSQL pass, on PostgreSQL (tsvector + GIN); the two
that look at the vendor's own objects carry the `sqlite_only` / `postgres` markers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.cli import main as cli_main
from ossdesk.kb import services as kb_services
from ossdesk.kb.models import Article, Visibility
from ossdesk.plans.services import subscription_update
from ossdesk.products.models import Product
from ossdesk.search import query
from ossdesk.search.models import Document, Kind
from ossdesk.search.selectors import SearchResults, marked_html, search
from ossdesk.search.services import (
    search_index_article,
    search_index_message,
    search_index_ticket,
    search_purge,
    search_reindex,
    search_sweep,
)
from ossdesk.tickets import services as ticket_services
from ossdesk.tickets.models import Message, Ticket
from tests.accounts.factories import SYSTEM

World = dict[str, Any]
ANONYMOUS = Actor(user=None, role="anonymous", organization_id=None, label="anonymous")


# --- parsing: no database --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fts5"),
    [
        ("vacuum bloat", '"vacuum" "bloat"'),
        ('"wal replay" stalls', '"wal replay" "stalls"'),
        ("upgr*", '"upgr"*'),
        ("up*", '"up"'),  # too short a prefix: the word itself
        ('"', ""),
        ("*", ""),
        ("AND OR", '"and" "or"'),
        ("NEAR(", '"near"'),
        ("NEAR(a b, 2)", '"near a" "b" "2"'),  # punctuation inside a token joins its words
        ('"unclosed phrase', '"unclosed phrase"'),
        ("col:value -x ^y", '"col value" "x" "y"'),
        ("foo-bar", '"foo bar"'),
        ("Vacuum vacuum", '"vacuum"'),
        ("", ""),
    ],
)
def test_parse_makes_every_input_a_quoted_fts5_query(text: str, fts5: str) -> None:
    assert query.fts5_match(query.parse(text)) == fts5


def test_parse_for_postgres_quotes_words_and_builds_prefix_lexemes() -> None:
    terms = query.parse('"wal replay" or -upgr* x')
    assert query.websearch_text(terms) == '"wal replay" "or" "x"'
    assert query.tsquery_prefixes(terms) == ["'upgr':*"]


def test_parse_bounds_the_input() -> None:
    assert len(query.parse(" ".join(f"w{n}" for n in range(100)))) == query.MAX_TERMS


def test_marked_html_escapes_first_then_marks() -> None:
    html = marked_html('<script>alert("x")</script> \ue000vacuum\ue001 \ue000stray')
    assert html == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>vacuum</mark> stray"


# --- the world -------------------------------------------------------------------------------------------


def _publish(title: str, body: str, visibility: str, product: Product | None = None) -> Article:
    article = kb_services.article_create(
        actor=SYSTEM, title=title, body=body, visibility=visibility, product=product
    )
    return kb_services.article_publish(actor=SYSTEM, article=article)


@pytest.fixture
def world(customers: dict[str, dict[str, Any]], staff: dict[str, User], settings: Any) -> World:
    """acme and globex (Business: portal and knowledge base) with a replication ticket each, replies, an
    internal note, and an article of each visibility plus a draft; then one sweep indexes it all."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    postgres = Product.objects.create(name="PostgreSQL", slug="postgresql")
    kafka = Product.objects.create(name="Apache Kafka", slug="kafka")
    engineer = staff[Role.ENGINEER]
    world: World = {"postgres": postgres, "kafka": kafka, "engineer": engineer}
    for key, entry in customers.items():
        subscription_update(
            actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[postgres, kafka]
        )
        ticket = ticket_services.ticket_create(
            actor=actor_for(entry["contact"].user),
            organization=entry["org"],
            product=postgres,
            severity="S3",
            subject=f"{key} replication lag after failover",
            body=f"Replication broke: WAL replay stalls on the standby; {key}secret details inside.",
        )
        reply = ticket_services.ticket_reply(
            actor=actor_for(engineer), ticket=ticket, body="Raise wal_keep_size and check replication slots."
        )
        note = ticket_services.ticket_reply(
            actor=actor_for(engineer),
            ticket=ticket,
            body=f"Internal: {key} zebracorn misconfigured replication again.",
            public=False,
        )
        world[key] = {**entry, "ticket": ticket, "reply": reply, "note": note}
    world["articles"] = {
        "public": _publish(
            "Replication tuning", "Streaming replication basics.", Visibility.PUBLIC, postgres
        ),
        "customers": _publish("Replication for customers", "Slots and replication.", Visibility.CUSTOMERS),
        "internal": _publish("Runbook: replication emergency", "Page the DBA.", Visibility.INTERNAL),
        "draft": kb_services.article_create(
            actor=SYSTEM, title="Draft on replication", body="Not ready.", visibility=Visibility.PUBLIC
        ),
    }
    search_sweep()
    return world


def _found(results: SearchResults) -> set[tuple[str, int]]:
    return {(hit.kind, hit.object_id) for hit in results.hits}


def _doc(kind: str, obj: Any) -> tuple[str, int]:
    return (kind, obj.pk)


def _first_message(ticket: Ticket) -> Message:
    return ticket.messages.order_by("pk").first()


def _customer(world: World, key: str = "acme", who: str = "contact") -> Actor:
    return actor_for(world[key][who].user)


# --- the tenancy matrix ----------------------------------------------------------------------------------


def test_staff_find_everything(world: World) -> None:
    found = _found(search(actor=actor_for(world["engineer"]), q="replication", per_page=100))
    for key in ("acme", "globex"):
        assert _doc("ticket", world[key]["ticket"]) in found
        assert _doc("message", world[key]["reply"]) in found
        assert _doc("message", world[key]["note"]) in found
    assert {_doc("article", a) for a in world["articles"].values()} <= found


@pytest.mark.parametrize("who", ["admin", "contact"])
def test_customer_finds_own_public_documents_and_its_articles_only(world: World, who: str) -> None:
    acme, articles = world["acme"], world["articles"]
    results = search(actor=_customer(world, who=who), q="replication", per_page=100)
    assert _found(results) == {
        _doc("ticket", acme["ticket"]),
        _doc("message", _first_message(acme["ticket"])),
        _doc("message", acme["reply"]),
        _doc("article", articles["public"]),
        _doc("article", articles["customers"]),
    }
    assert results.total == 5
    assert results.facets == {"ticket": 1, "message": 2, "article": 2, "forum": 0, "forum_reply": 0}
    html = "".join(hit.snippet_html + hit.title_html for hit in results.hits).lower()
    assert "globex" not in html
    assert "zebracorn" not in html


@pytest.mark.parametrize(
    "q", ["globexsecret", "globex", "zebracorn", "acme zebracorn", "runbook", "draft", "emergency"]
)
def test_customer_never_finds_another_organisation_or_staff_only_text(world: World, q: str) -> None:
    for who in ("admin", "contact"):
        results = search(actor=_customer(world, who=who), q=q)
        assert (results.total, results.hits, sum(results.facets.values())) == (0, [], 0), (who, q)
    assert search(actor=actor_for(world["engineer"]), q=q).total > 0  # the control: the text is indexed


def test_customer_filtering_by_another_organisation_gets_nothing(world: World) -> None:
    globex = world["globex"]["org"].pk
    results = search(actor=_customer(world), q="replication", organization_id=globex)
    assert results.total == 0
    staff = search(actor=actor_for(world["engineer"]), q="replication", organization_id=globex)
    assert staff.total == 4  # globex's ticket, first message, reply, note


def test_anonymous_and_customers_without_organisation_find_public_articles_only(world: World) -> None:
    world["acme"]["contact"].is_active = False
    world["acme"]["contact"].save(update_fields=["is_active"])
    expected = {_doc("article", world["articles"]["public"])}
    assert _found(search(actor=ANONYMOUS, q="replication")) == expected
    assert _found(search(actor=actor_for(world["acme"]["contact"].user), q="replication")) == expected


def test_article_visibility_change_applies_before_the_index_catches_up(world: World) -> None:
    article = world["articles"]["customers"]
    customer = _customer(world)
    assert _doc("article", article) in _found(search(actor=customer, q="slots"))
    kb_services.article_update(actor=SYSTEM, article=article, visibility=Visibility.INTERNAL)
    assert _doc("article", article) not in _found(search(actor=customer, q="slots"))  # no sweep yet
    kb_services.article_unpublish(actor=SYSTEM, article=world["articles"]["public"])
    assert search(actor=ANONYMOUS, q="replication").total == 0


# --- ranking and snippets --------------------------------------------------------------------------------


def test_title_match_ranks_above_body_match_and_more_mentions_rank_higher(world: World) -> None:
    body_only = _publish("Checklist", "Before you start: what about pgbouncer pooling?", Visibility.PUBLIC)
    title = _publish("Pgbouncer pooling modes", "Session, transaction, statement.", Visibility.PUBLIC)
    search_sweep()
    hits = search(actor=ANONYMOUS, q="pgbouncer").hits
    assert [hit.object_id for hit in hits] == [title.pk, body_only.pk]
    assert hits[0].score > hits[1].score

    ticket = world["acme"]["ticket"]
    staff = actor_for(world["engineer"])
    once = ticket_services.ticket_reply(actor=staff, ticket=ticket, body="A checkpoint ran at noon today.")
    many = ticket_services.ticket_reply(
        actor=staff, ticket=ticket, body="Checkpoint, checkpoint: the checkpoint timeout was hit."
    )
    search_sweep()
    assert [hit.object_id for hit in search(actor=staff, q="checkpoint").hits] == [many.pk, once.pk]


def test_phrase_and_prefix(world: World) -> None:
    staff = actor_for(world["engineer"])
    first = _first_message(world["acme"]["ticket"])
    assert _doc("message", first) in _found(search(actor=staff, q='"WAL replay"'))
    assert _doc("message", first) not in _found(search(actor=staff, q='"replay WAL"'))
    assert _doc("message", first) in _found(search(actor=staff, q="stal*"))
    assert _doc("ticket", world["acme"]["ticket"]) in _found(search(actor=staff, q="replic* failov*"))


def test_snippets_are_escaped_html_with_marks(world: World, client: Client) -> None:
    ticket = world["acme"]["ticket"]
    contact = world["acme"]["contact"].user
    ticket_services.ticket_reply(
        actor=actor_for(contact),
        ticket=ticket,
        body='Our log shows <script>alert("pwned")</script> then <b>x</b>',
    )
    search_sweep()
    hit = search(actor=actor_for(contact), q="pwned").hits[0]
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "<mark>pwned</mark>" in hit.snippet_html
    client.force_login(contact)
    page = client.get("/search/", {"q": "pwned"}).content.decode()
    assert "&lt;script&gt;alert" in page
    assert "<script>alert" not in page
    assert "<mark>pwned</mark>" in page


def test_subject_is_escaped_in_titles(world: World) -> None:
    ticket = world["acme"]["ticket"]
    Ticket.objects.filter(pk=ticket.pk).update(
        subject="<img src=x onerror=alert(1)> lag", updated_at=timezone.now()
    )
    search_sweep()
    hits = search(actor=_customer(world), q="onerror").hits
    assert hits
    assert all("<img" not in hit.title_html for hit in hits)


# --- filters and pages -----------------------------------------------------------------------------------


def test_filters_by_kind_product_status_and_date(world: World) -> None:
    staff = actor_for(world["engineer"])
    results = search(actor=staff, q="replication", kinds=["article"])
    assert {hit.kind for hit in results.hits} == {"article"}
    assert results.total == 4
    assert results.facets["message"] == 6  # facets ignore the kind filter
    assert search(actor=staff, q="replication", kinds=["ticket", "message"]).total == 8
    by_product = search(actor=staff, q="replication", product_id=world["postgres"].pk)
    assert by_product.total == 9  # both tickets and their six messages, and the public article
    assert search(actor=staff, q="replication", product_id=world["kafka"].pk).total == 0

    ticket_services.ticket_set_status(actor=staff, ticket=world["acme"]["ticket"], status="solved")
    search_sweep()
    solved = search(actor=staff, q="replication", status="solved")
    assert _found(solved) == {
        _doc("ticket", world["acme"]["ticket"]),
        *{_doc("message", m) for m in world["acme"]["ticket"].messages.all()},
    }
    today = timezone.localdate()
    assert search(actor=staff, q="replication", date_from=today, date_to=today).total == 12
    assert search(actor=staff, q="replication", date_to=today - timedelta(days=1)).total == 0
    assert search(actor=staff, q="replication", date_from=today + timedelta(days=1)).total == 0


def test_pages_count_only_what_the_actor_may_see(world: World) -> None:
    acme, globex = world["acme"]["ticket"], world["globex"]["ticket"]
    staff = actor_for(world["engineer"])
    for n in range(23):
        for ticket in (acme, globex):
            ticket_services.ticket_reply(
                actor=staff, ticket=ticket, body=f"Heartbeat {n} seen at the primary."
            )
        ticket_services.ticket_reply(actor=staff, ticket=acme, body=f"Heartbeat {n} (note)", public=False)
    search_sweep()
    customer = _customer(world)
    seen: list[int] = []
    for page in (1, 2, 3):
        results = search(actor=customer, q="heartbeat", page=page, per_page=10)
        assert (results.total, results.num_pages, results.page) == (23, 3, page)
        seen += [hit.object_id for hit in results.hits]
    assert len(seen) == len(set(seen)) == 23
    assert search(actor=customer, q="heartbeat", page=99, per_page=10).page == 3  # past the end: the last
    assert search(actor=staff, q="heartbeat", per_page=10).total == 69


# --- bad input -------------------------------------------------------------------------------------------

BAD_QUERIES = [
    '"',
    "AND OR",
    "*",
    "NEAR(",
    "NEAR(replication",
    ")",
    "a*",
    "-",
    "^",
    "title:x",
    "'",
    "\\",
    "%",
]


@pytest.mark.parametrize("q", BAD_QUERIES)
def test_bad_query_syntax_never_fails(world: World, q: str, client: Client, api_client_for: Any) -> None:
    search(actor=actor_for(world["engineer"]), q=q)
    client.force_login(world["engineer"])
    assert client.get("/search/", {"q": q}).status_code == 200
    assert api_client_for(world["engineer"]).get("/api/search/", {"q": q}).status_code == 200
    assert Client().get("/search/", {"q": q}).status_code == 200


def test_near_is_an_ordinary_word(world: World) -> None:
    assert search(actor=actor_for(world["engineer"]), q="NEAR(replication").total == 0
    assert search(actor=actor_for(world["engineer"]), q='replication "').total > 0


# --- keeping the index current ---------------------------------------------------------------------------


def test_sweep_indexes_new_replies_and_changed_articles(world: World) -> None:
    staff = actor_for(world["engineer"])
    reply = ticket_services.ticket_reply(
        actor=staff, ticket=world["acme"]["ticket"], body="Try pg_rewind now."
    )
    article = world["articles"]["public"]
    kb_services.article_update(actor=SYSTEM, article=article, title="Replication and pg_rewind")
    assert search(actor=staff, q="pg_rewind").total == 0  # not yet swept
    report = search_sweep()
    assert report.messages >= 1
    assert report.articles == 1
    assert _found(search(actor=staff, q="pg_rewind")) == {_doc("message", reply), _doc("article", article)}
    assert search_sweep().messages == 0  # nothing new: nothing rewritten


def test_sweep_drops_deleted_articles_and_purge_deleted_tickets(world: World) -> None:
    staff = actor_for(world["engineer"])
    kb_services.article_delete(actor=SYSTEM, article=world["articles"]["internal"])
    search_sweep()
    assert search(actor=staff, q="runbook").total == 0
    ticket = world["globex"]["ticket"]
    Message.objects.filter(ticket=ticket).delete()
    assert search_purge() == 3
    assert search(actor=staff, q="zebracorn").total == 1


def test_per_object_services(world: World) -> None:
    staff = actor_for(world["engineer"])
    ticket = world["acme"]["ticket"]
    Ticket.objects.filter(pk=ticket.pk).update(subject="Quorum lost")
    message = world["acme"]["reply"]
    Message.objects.filter(pk=message.pk).update(body="Fencing the old primary.")
    article = world["articles"]["public"]
    Article.objects.filter(pk=article.pk).update(body="Logical decoding notes.")
    search_index_ticket(ticket)
    search_index_message(message)
    search_index_article(article)
    assert _found(search(actor=staff, q="quorum")) == {_doc("ticket", ticket)}
    assert _found(search(actor=staff, q="fencing")) == {_doc("message", message)}
    assert _found(search(actor=staff, q="logical decoding")) == {_doc("article", article)}
    Article.objects.filter(pk=article.pk).delete()
    search_index_article(article)
    assert not Document.objects.filter(kind=Kind.ARTICLE, object_id=article.pk).exists()


def test_reindex_rebuilds_from_scratch(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    before = Document.objects.count()
    assert before == 2 + 6 + 4
    Document.objects.all().delete()
    assert search(actor=actor_for(world["engineer"]), q="replication").total == 0
    assert cli_main(["search", "reindex"]) == 0
    assert "documents in the index" in capsys.readouterr().out
    assert Document.objects.count() == before
    assert search(actor=actor_for(world["engineer"]), q="replication").total == 12
    assert search_reindex().documents == 0  # nothing changed: nothing rewritten


# --- the doors -------------------------------------------------------------------------------------------


def test_api_pages_filters_and_tenancy(world: World, api_client_for: Callable[[User], APIClient]) -> None:
    api = api_client_for(world["acme"]["contact"].user)
    body = api.get("/api/search/", {"q": "replication", "page_size": 2}).json()
    assert (body["count"], len(body["results"]), body["previous"]) == (5, 2, None)
    assert "page=2" in body["next"]
    assert body["facets"] == {"ticket": 1, "message": 2, "article": 2, "forum": 0, "forum_reply": 0}
    last = api.get("/api/search/", {"q": "replication", "page_size": 2, "page": 3}).json()
    assert (len(last["results"]), last["next"]) == (1, None)
    kinds = api.get("/api/search/", {"q": "replication", "kind": "ticket,article"}).json()
    assert {hit["kind"] for hit in kinds["results"]} == {"ticket", "article"}
    foreign = api.get("/api/search/", {"q": "replication", "organization": world["globex"]["org"].pk})
    missing = api.get("/api/search/", {"q": "replication", "organization": 999_999})
    assert foreign.json() == missing.json()
    assert foreign.json()["count"] == 0
    assert b"globex" not in api.get("/api/search/", {"q": "globex"}).content.lower()
    assert api.get("/api/search/", {"q": "x", "kind": "wiki"}).status_code == 400
    assert api.get("/api/search/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "facets": {"ticket": 0, "message": 0, "article": 0, "forum": 0, "forum_reply": 0},
        "results": [],
    }
    hit = api.get("/api/search/", {"q": "failover", "kind": "ticket"}).json()["results"][0]
    assert hit["url"] == f"/tickets/{world['acme']['ticket'].pk}/"
    assert APIClient().get("/api/search/", {"q": "replication"}).status_code in {401, 403}


def test_api_query_count_is_constant(
    world: World, api_client_for: Callable[[User], APIClient], django_assert_max_num_queries: Any
) -> None:
    api = api_client_for(world["engineer"])
    for n in range(30):
        ticket_services.ticket_reply(actor=SYSTEM, ticket=world["acme"]["ticket"], body=f"Lag {n} seconds.")
    search_sweep()
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/search/", {"q": "lag", "page_size": 50}).json()["results"]) == 32


def test_search_page(world: World, client: Client) -> None:
    client.force_login(world["acme"]["contact"].user)
    page = client.get("/search/", {"q": "replication"}).content.decode()
    assert "5 results" in page
    assert 'Messages <span class="muted">2</span>' in page
    assert f"/tickets/{world['acme']['ticket'].pk}/" in page
    assert "globex" not in page.lower()
    assert 'role="search"' in page
    empty = client.get("/search/", {"q": "nothingmatchesthis"}).content.decode()
    assert "Nothing matches" in empty
    assert "Type words to search" in client.get("/search/").content.decode()
    partial = client.get("/search/", {"q": "replication", "kind": "article"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<section id="search-results"')
    anonymous = Client().get("/search/", {"q": "replication"}).content.decode()
    assert "<mark>Replication</mark> tuning" in anonymous
    assert "failover" not in anonymous


# --- the vendors' own objects ----------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_sqlite_fts5_table_and_triggers_exist(db: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'search_%' ORDER BY name")
        names = {name for _, name in cursor.fetchall()}
    assert {"search_fts", "search_document_ai", "search_document_ad", "search_document_au"} <= names


@pytest.mark.postgres
def test_postgres_gin_index_exists_and_is_used(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_vector'")
        (definition,) = cursor.fetchone()
        assert "gin (search_vector)" in definition.lower()
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM search_document "
            "WHERE search_vector @@ websearch_to_tsquery('english', 'x')"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "search_document_vector" in plan


@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_the_minute_sweep_finds_new_forum_posts_by_index_not_by_reading_the_tables() -> None:
    plans = []
    for sql in (
        "SELECT id FROM forum_thread WHERE created_at >= %s",
        "SELECT id FROM forum_post WHERE created_at >= %s OR edited_at >= %s",
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", ["2026-01-01"] * sql.count("%s"))
            plans.append(" | ".join(str(row[-1]) for row in cursor.fetchall()))
    assert "USING COVERING INDEX" in plans[0] or "USING INDEX" in plans[0], plans[0]
    assert "SCAN" not in plans[1], plans[1]
    assert plans[1].count("USING INDEX") == 2, plans[1]
