"""Full-text search over the forum: threads and replies, hidden ones for staff only, the product filter,
the sweep, the rebuild, the purge and the doors.

Runs on SQLite (FTS5) and, in the PostgreSQL pass, on PostgreSQL (tsvector + GIN).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.forum import services as forum_services
from ossdesk.forum.models import Post, Thread
from ossdesk.products.models import Product
from ossdesk.search.models import Document, Kind
from ossdesk.search.selectors import SearchResults, search
from ossdesk.search.services import (
    search_index_forum_thread,
    search_purge,
    search_reindex,
    search_reindex_total,
    search_sweep,
)

World = dict[str, Any]
ANONYMOUS = Actor(user=None, role="anonymous", organization_id=None, label="anonymous")
REASON = "Spam, removed by moderation."


@pytest.fixture
def forum(customers: dict[str, dict[str, Any]], staff: dict[str, User], settings: Any) -> World:
    """A PostgreSQL thread asked by acme's contact with a staff reply and a hidden reply, a Kafka thread,
    and a hidden PostgreSQL thread; then one sweep indexes it all."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    postgres = Product.objects.create(name="PostgreSQL", slug="postgresql")
    kafka = Product.objects.create(name="Apache Kafka", slug="kafka")
    engineer = staff[Role.ENGINEER]
    moderator = actor_for(engineer)
    asker = actor_for(customers["acme"]["contact"].user)
    thread = forum_services.thread_create(
        actor=asker, product=postgres, title="Autovacuum never finishes", body="Our bloated table grows."
    )
    reply = forum_services.post_create(
        actor=moderator, thread=thread, body="Look for sessions idle in transaction."
    )
    spam = forum_services.post_create(actor=moderator, thread=thread, body="Cheap zebracorn pills here.")
    forum_services.post_hide(actor=moderator, post=spam, reason=REASON)
    kafka_thread = forum_services.thread_create(
        actor=moderator, product=kafka, title="Consumer lag after rebalance", body="Autovacuum? No, Kafka."
    )
    hidden = forum_services.thread_create(
        actor=moderator, product=postgres, title="Leaked credentials", body="Autovacuum password hunter2."
    )
    forum_services.thread_hide(actor=moderator, thread=hidden, reason=REASON)
    search_sweep()
    return {
        "postgres": postgres,
        "kafka": kafka,
        "engineer": engineer,
        "staff": moderator,
        "customer": actor_for(customers["globex"]["contact"].user),
        "asker": asker,
        "thread": thread,
        "reply": reply,
        "spam": spam,
        "kafka_thread": kafka_thread,
        "hidden": hidden,
    }


def _found(results: SearchResults) -> set[tuple[str, int]]:
    return {(hit.kind, hit.object_id) for hit in results.hits}


def _thread(thread: Thread) -> tuple[str, int]:
    return (Kind.FORUM, thread.pk)


def _reply(post: Post) -> tuple[str, int]:
    return (Kind.FORUM_REPLY, post.pk)


def _readers(forum: World) -> dict[str, Actor]:
    return {"anonymous": ANONYMOUS, "customer": forum["customer"], "staff": forum["staff"]}


# --- who finds what --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["anonymous", "customer", "staff"])
def test_thread_is_found_by_its_question_and_by_a_reply(forum: World, reader: str) -> None:
    actor = _readers(forum)[reader]
    thread, reply = forum["thread"], forum["reply"]
    by_question = search(actor=actor, q="bloated table")
    assert _found(by_question) == {_thread(thread)}
    assert by_question.hits[0].url == f"/forum/t/{thread.pk}/"
    assert "<mark>bloated</mark>" in by_question.hits[0].snippet_html
    by_title = search(actor=actor, q="autovacuum finishes")
    assert _found(by_title) == {_thread(thread)}
    by_reply = search(actor=actor, q="idle transaction")
    assert _found(by_reply) == {_reply(reply)}
    hit = by_reply.hits[0]
    assert (hit.thread_id, hit.title, hit.is_public) == (thread.pk, thread.title, True)
    assert hit.url == f"/forum/t/{thread.pk}/#post-{reply.pk}"
    assert by_reply.facets["forum_reply"] == 1


@pytest.mark.parametrize("reader", ["anonymous", "customer"])
def test_hidden_reply_finds_nothing_but_for_staff(forum: World, reader: str) -> None:
    actor, staff, spam = _readers(forum)[reader], forum["staff"], forum["spam"]
    results = search(actor=actor, q="zebracorn")
    assert (results.total, sum(results.facets.values())) == (0, 0)
    staff_hits = search(actor=staff, q="zebracorn").hits
    assert [(hit.kind, hit.object_id, hit.is_public) for hit in staff_hits] == [
        (Kind.FORUM_REPLY, spam.pk, False)
    ]
    # Showing and hiding again apply at once, before any sweep: the live rows decide.
    forum_services.post_unhide(actor=staff, post=spam, reason="A false alarm.")
    assert _found(search(actor=actor, q="zebracorn")) == {_reply(spam)}
    forum_services.post_hide(actor=staff, post=forum["reply"], reason=REASON)
    assert search(actor=actor, q="idle transaction").total == 0
    assert search(actor=staff, q="idle transaction").total == 1


@pytest.mark.parametrize("reader", ["anonymous", "customer"])
def test_hidden_thread_is_found_by_staff_only(forum: World, reader: str) -> None:
    actor, staff, hidden = _readers(forum)[reader], forum["staff"], forum["hidden"]
    answer = forum_services.post_create(actor=staff, thread=hidden, body="Rotate the hunter2 secret.")
    search_sweep()
    assert search(actor=actor, q="hunter2").total == 0  # neither the thread nor its visible reply
    assert _found(search(actor=actor, q="autovacuum")) == {
        _thread(forum["thread"]),
        _thread(forum["kafka_thread"]),
    }
    staff_hits = search(actor=staff, q="hunter2").hits
    assert {(hit.kind, hit.object_id, hit.is_public) for hit in staff_hits} == {
        (Kind.FORUM, hidden.pk, False),
        (Kind.FORUM_REPLY, answer.pk, False),
    }
    forum_services.thread_unhide(actor=staff, thread=hidden, reason="Credentials rotated.")
    assert _found(search(actor=actor, q="hunter2")) == {_thread(hidden), _reply(answer)}


def test_product_and_kind_filters(forum: World) -> None:
    staff, kafka, postgres = forum["staff"], forum["kafka"], forum["postgres"]
    assert _found(search(actor=ANONYMOUS, q="autovacuum", product_id=kafka.pk)) == {
        _thread(forum["kafka_thread"])
    }
    assert _found(search(actor=ANONYMOUS, q="autovacuum", product_id=postgres.pk)) == {
        _thread(forum["thread"])
    }
    assert _found(search(actor=staff, q="idle", product_id=postgres.pk)) == {_reply(forum["reply"])}
    assert search(actor=staff, q="idle", product_id=kafka.pk).total == 0
    assert search(actor=staff, q="autovacuum", kinds=["forum_reply"]).total == 0
    assert search(actor=staff, q="autovacuum", kinds=["forum"]).total == 3
    # The forum has no ticket status and no organisation: those filters leave it out.
    assert search(actor=staff, q="autovacuum", status="open").total == 0


# --- keeping the index current ---------------------------------------------------------------------------


def test_sweep_picks_up_new_threads_new_and_edited_replies(forum: World) -> None:
    staff, asker = forum["staff"], forum["asker"]
    thread = forum_services.thread_create(
        actor=staff, product=forum["postgres"], title="Checkpoint storms", body="Every five minutes."
    )
    reply = forum_services.post_create(actor=asker, thread=forum["thread"], body="Found a pgbouncer leak.")
    forum_services.post_edit(actor=staff, post=forum["reply"], body="Look for wraparound warnings.")
    assert search(actor=ANONYMOUS, q="checkpoint").total == 0  # not yet swept
    assert search(actor=ANONYMOUS, q="pgbouncer").total == 0
    report = search_sweep()
    assert report.forum == 3
    assert _found(search(actor=ANONYMOUS, q="checkpoint storms")) == {_thread(thread)}
    assert _found(search(actor=ANONYMOUS, q="pgbouncer")) == {_reply(reply)}
    assert _found(search(actor=ANONYMOUS, q="wraparound")) == {_reply(forum["reply"])}
    assert search(actor=ANONYMOUS, q="idle transaction").total == 0  # the edit replaced the words
    assert search_sweep().forum == 0  # nothing new: nothing rewritten


def test_reindex_includes_the_forum(forum: World) -> None:
    assert search_reindex_total() == 3 + 2  # three threads and two replies; nothing else on this desk
    forum_documents = Document.objects.filter(kind__in=[Kind.FORUM, Kind.FORUM_REPLY])
    assert forum_documents.count() == 5
    Document.objects.all().delete()
    progress: list[int] = []
    assert search_reindex(progress=progress.append).documents == 5
    assert sum(progress) == 5
    assert _found(search(actor=ANONYMOUS, q="idle")) == {_reply(forum["reply"])}
    assert search(actor=forum["staff"], q="zebracorn").total == 1
    assert search_reindex().documents == 0


def test_per_object_service_and_purge_of_deleted_threads(forum: World) -> None:
    staff, thread = forum["staff"], forum["thread"]
    Thread.objects.filter(pk=thread.pk).update(title="Autovacuum and wraparound")
    search_index_forum_thread(thread)
    assert _found(search(actor=ANONYMOUS, q="wraparound")) == {_thread(thread)}

    Post.objects.filter(pk=forum["reply"].pk).delete()
    assert search_purge() == 1  # the hourly purge
    forum["kafka_thread"].delete()
    search_sweep()  # drops deleted threads
    assert search(actor=staff, q="rebalance").total == 0
    Thread.objects.filter(pk=thread.pk).delete()  # with its replies
    search_index_forum_thread(thread)
    assert (
        not Document.objects.filter(kind__in=[Kind.FORUM, Kind.FORUM_REPLY])
        .exclude(object_id=forum["hidden"].pk)
        .exists()
    )


# --- the doors -------------------------------------------------------------------------------------------


def test_search_page_rows_and_facets(forum: World) -> None:
    thread, reply = forum["thread"], forum["reply"]
    page = Client().get("/search/", {"q": "autovacuum"}).content.decode()
    assert 'Forum <span class="muted">2</span>' in page
    assert f'href="/forum/t/{thread.pk}/"' in page
    assert f'href="/forum/t/{forum["kafka_thread"].pk}/"' in page
    assert "Leaked" not in page
    replies = Client().get("/search/", {"q": "idle"}).content.decode()
    assert f'href="/forum/t/{thread.pk}/#post-{reply.pk}"' in replies
    assert "Forum · reply" in replies
    assert 'Forum replies <span class="muted">1</span>' in replies
    staff_page = Client()
    staff_page.force_login(forum["engineer"])
    hidden = staff_page.get("/search/", {"q": "zebracorn"}).content.decode()
    assert "Forum · reply · <strong>hidden</strong>" in hidden


def test_api_includes_the_kind_and_the_thread(
    forum: World,
    api_client_for: Callable[[User], APIClient],
    django_assert_max_num_queries: Any,
) -> None:
    staff = api_client_for(forum["engineer"])
    with django_assert_max_num_queries(8):
        body = staff.get("/api/search/", {"q": "autovacuum"}).json()
    assert {(h["kind"], h["is_public"]) for h in body["results"]} == {("forum", True), ("forum", False)}
    assert len(body["results"]) == 3
    customer = User.objects.get(pk=forum["customer"].user_id)
    api = api_client_for(customer)
    body = api.get("/api/search/", {"q": "autovacuum idle"}).json()
    assert body["count"] == 0  # every term in one document: the question and the reply are two
    body = api.get("/api/search/", {"q": "autovacuum", "kind": "forum"}).json()
    assert body["facets"]["forum"] == 2
    hit = next(h for h in body["results"] if h["id"] == forum["thread"].pk)
    assert (hit["kind"], hit["thread"], hit["ticket"], hit["url"]) == (
        "forum",
        forum["thread"].pk,
        None,
        f"/forum/t/{forum['thread'].pk}/",
    )
    reply = api.get("/api/search/", {"q": "idle", "kind": "forum_reply"}).json()["results"][0]
    assert (reply["kind"], reply["id"], reply["thread"], reply["title"]) == (
        "forum_reply",
        forum["reply"].pk,
        forum["thread"].pk,
        "Autovacuum never finishes",
    )
