"""Search finds a ticket by its product's name, and shows snippets as the text a reader sees, not as
Markdown source. On SQLite (FTS5) and, in the PostgreSQL pass, on PostgreSQL."""

from __future__ import annotations

import importlib
from typing import Any

from django.db import connection

from ossdesk.accounts.actor import actor_for
from ossdesk.forum import services as forum_services
from ossdesk.kb.models import Visibility
from ossdesk.search.models import Document, Kind
from ossdesk.search.selectors import NO_TAG, START, STOP, marked_html, search, snippet_text
from ossdesk.search.services import search_index_ticket, search_sweep
from ossdesk.tickets import services as ticket_services
from tests.search.test_search import World, _publish

MARKDOWN = (
    "# Failover checklist\n\n"
    "**Promote** the standby, then see [the runbook](https://docs.example/runbook) and run "
    "`SELECT pg_promote()`.\n\n"
    "- check `wal_keep_size`\n"
    "- > quoted advice about zeppelinfish\n"
)


def _tickets(results: Any) -> set[int]:
    return {hit.ticket_id for hit in results.hits if hit.kind == Kind.TICKET}


def test_product_name_finds_the_customers_tickets(world: World) -> None:
    acme = world["acme"]
    assert "postgres" not in acme["ticket"].subject.lower()  # only its product names it
    for q in ("postgresql", "PostgreSQL", "postgre*"):
        assert _tickets(search(actor=actor_for(acme["contact"].user), q=q)) == {acme["ticket"].pk}, q
    staff = search(actor=actor_for(world["engineer"]), q="postgresql")
    assert _tickets(staff) == {world["acme"]["ticket"].pk, world["globex"]["ticket"].pk}
    assert search(actor=actor_for(acme["contact"].user), q="kafka").total == 0  # no Kafka ticket


def test_changing_a_tickets_product_moves_it_between_names(world: World) -> None:
    ticket = world["acme"]["ticket"]
    ticket.product = world["kafka"]
    ticket.save(update_fields=["product"])
    search_index_ticket(ticket)
    staff = actor_for(world["engineer"])
    assert ticket.pk in _tickets(search(actor=staff, q="kafka"))
    assert ticket.pk not in _tickets(search(actor=staff, q="postgresql"))


def test_migration_fills_in_product_names_of_tickets_indexed_before(world: World) -> None:
    Document.objects.filter(kind=Kind.TICKET).update(body="")  # as indexed before the change
    staff = actor_for(world["engineer"])
    assert _tickets(search(actor=staff, q="postgresql")) == set()
    migration = importlib.import_module("ossdesk.search.migrations.0004_ticket_product_name")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert _tickets(search(actor=staff, q="postgresql")) == {
        world["acme"]["ticket"].pk,
        world["globex"]["ticket"].pk,
    }


def test_article_snippets_show_the_text_not_the_markdown(world: World) -> None:
    _publish("Failover", MARKDOWN, Visibility.CUSTOMERS)
    search_sweep()
    customer = actor_for(world["acme"]["contact"].user)
    for q in ("promote", "zeppelinfish", "runbook"):
        (hit,) = [h for h in search(actor=customer, q=q).hits if h.kind == Kind.ARTICLE]
        snippet = str(hit.snippet_html)
        for source in ("**", "](", "`", "# ", "- ", "&gt;", "https://docs.example"):
            assert source not in snippet, (q, source, snippet)
        assert "<mark>" in snippet, snippet
    (hit,) = search(actor=customer, q="zeppelinfish").hits
    assert "quoted advice about <mark>zeppelinfish</mark>" in str(hit.snippet_html)


def test_forum_snippets_show_the_text_not_the_markdown(world: World) -> None:
    author = world["acme"]["contact"].user
    forum_services.thread_create(
        actor=actor_for(author), product=world["postgres"], title="Promotion order", body=MARKDOWN
    )
    search_sweep()
    (hit,) = search(actor=actor_for(author), q="zeppelinfish").hits
    assert hit.kind == Kind.FORUM
    assert "quoted advice about <mark>zeppelinfish</mark>" in str(hit.snippet_html)
    assert "`" not in str(hit.snippet_html)


def test_message_snippets_stay_as_the_ticket_page_shows_them(world: World) -> None:
    """A ticket's messages are shown as written (not rendered), and so are their snippets."""
    acme = world["acme"]
    ticket_services.ticket_reply(
        actor=actor_for(world["engineer"]), ticket=acme["ticket"], body="run `pg_promote()` on quokkaserver"
    )
    search_sweep()
    (hit,) = search(actor=actor_for(acme["contact"].user), q="quokkaserver").hits
    assert "promote()` on <mark>quokkaserver</mark>" in str(hit.snippet_html)  # its backquotes kept


def test_snippet_text_keeps_highlights_and_escapes_what_was_html() -> None:
    marked = f"**{START}vacuum{STOP}** the `table` <script>x</script> a {NO_TAG}b> c"
    text = snippet_text(marked)
    assert text.startswith(f"{START}vacuum{STOP} the table")
    assert str(marked_html(text)).startswith("<mark>vacuum</mark> the table")
    assert "<script" not in str(marked_html(text))
