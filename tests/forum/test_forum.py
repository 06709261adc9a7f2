"""The community forum: public reading, writing when signed in and not banned, accepting answers,
moderation, rate limits, safe rendering, turning threads into tickets and articles, the API's
permissions, query counts and the demo threads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.audit.models import AuditEntry
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.forum import selectors, services
from ossdesk.forum.demo import THREADS, demo_forum
from ossdesk.forum.models import Ban, Post, Thread
from ossdesk.kb.models import Article, ArticleStatus, Visibility
from ossdesk.tickets.models import Ticket
from tests.accounts.factories import SYSTEM
from tests.forum.factories import World, answer, ask, established

ANONYMOUS = Actor(user=None, role="anonymous", organization_id=None, label="anonymous")
AUDIT_ACTIONS = {"create", "update", "delete", "action"}
HOSTILE = (
    "<script>alert('xss')</script><img src=x onerror=alert(1)> "
    '[link](javascript:alert(2)) <a href="https://example.com" onclick="alert(3)">ok</a> **bold**'
)


def _actor(user: Any) -> Actor:
    return actor_for(user)


# --- reading ------------------------------------------------------------------------------------------------


def test_anonymous_reads_forums_threads_and_replies(forum: World, web_for: Callable[..., Client]) -> None:
    client = web_for(None)
    index = client.get("/forum/").content.decode()
    assert "PostgreSQL" in index
    assert "1 thread" in index
    listing = client.get("/forum/postgresql/").content.decode()
    assert "Autovacuum never finishes" in listing
    assert "Sign in to ask" in listing
    page = client.get(f"/forum/t/{forum['thread'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<strong>huge</strong>" in html
    assert "<code>idle in transaction</code>" in html
    assert "Sign in</a> to answer" in html
    # Members are never named by their e-mail address (customers' user names are addresses).
    assert forum["asker"].email not in html
    api = Client().get("/api/forum/threads/").json()
    assert [t["title"] for t in api["results"]] == ["Autovacuum never finishes"]
    assert api["results"][0]["reply_count"] == 1
    posts = Client().get(f"/api/forum/threads/{forum['thread'].pk}/posts/").json()
    assert [p["body"] for p in posts["results"]] == ["Check `idle in transaction`."]
    assert "ticket" not in api["results"][0]  # staff-only fields stay out of public answers


def test_missing_forum_and_thread_are_404(forum: World, web_for: Callable[..., Client]) -> None:
    client = web_for(None)
    assert client.get("/forum/nothing-here/").status_code == 404
    assert client.get("/forum/t/999999/").status_code == 404
    assert Client().get("/api/forum/threads/999999/").status_code == 404


def test_list_filters_search_and_pagination(forum: World, web_for: Callable[..., Client]) -> None:
    asker = established(forum["asker"])
    ask(asker, forum["postgres"], "Replication slot keeps growing")
    answered = ask(asker, forum["postgres"], "Which index for LIKE queries?")
    reply = answer(forum["engineer"], answered)
    services.thread_accept(actor=_actor(asker), thread=answered, post=reply)
    client = web_for(None)
    only = client.get("/forum/postgresql/", {"state": "answered"}).content.decode()
    assert "Which index for LIKE queries?" in only
    assert "Replication slot" not in only
    open_ = client.get("/forum/postgresql/", {"state": "unanswered"}).content.decode()
    assert "Replication slot" in open_
    assert "Which index" not in open_
    found = client.get("/forum/postgresql/", {"q": "slot growing"}).content.decode()
    assert "Replication slot keeps growing" in found
    assert "Autovacuum" not in found
    partial = client.get("/forum/postgresql/", {"q": "slot"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="forum-rows"')
    api = Client().get("/api/forum/threads/", {"answered": "true"}).json()
    assert [t["title"] for t in api["results"]] == ["Which index for LIKE queries?"]
    assert Client().get("/api/forum/threads/", {"search": "slot"}).json()["count"] == 1
    assert Client().get("/api/forum/threads/", {"product": forum["kafka"].pk}).json()["count"] == 0
    for n in range(25):
        Thread.objects.create(product=forum["postgres"], title=f"Bulk {n}", body="b", author=asker)
    page2 = client.get("/forum/postgresql/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in page2


# --- writing ------------------------------------------------------------------------------------------------


def test_writing_needs_sign_in(forum: World, web_for: Callable[..., Client]) -> None:
    client = web_for(None)
    response = client.post("/forum/postgresql/new/", {"title": "Spam", "body": "Spam"})
    assert response.status_code == 302
    assert "/signin/" in response["Location"]
    assert client.post(f"/forum/t/{forum['thread'].pk}/reply/", {"body": "x"}).status_code == 302
    api = Client()
    thread_payload = {"product": forum["postgres"].pk, "title": "Spam", "body": "Spam"}
    assert api.post("/api/forum/threads/", thread_payload).status_code in {401, 403}
    assert api.post(f"/api/forum/threads/{forum['thread'].pk}/posts/", {"body": "x"}).status_code in {
        401,
        403,
    }
    with pytest.raises(PermissionDenied):
        services.thread_create(actor=ANONYMOUS, product=forum["postgres"], title="t", body="b")
    assert Thread.objects.count() == 1
    assert Post.objects.count() == 1


def test_any_signed_in_member_asks_and_answers(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    """Customers of any tier, members without an organisation, and staff."""
    loner = web_for(forum["loner"])
    response = loner.post("/forum/postgresql/new/", {"title": "First question", "body": "Hello *all*"})
    assert response.status_code == 302
    thread = Thread.objects.get(title="First question")
    assert response["Location"] == f"/forum/t/{thread.pk}/"
    assert (thread.author, thread.body_html) == (forum["loner"], "<p>Hello <em>all</em></p>")
    bakery = web_for(forum["bakery"]["contact"].user)
    response = bakery.post(f"/forum/t/{thread.pk}/reply/", {"body": "Welcome!"})
    assert response.status_code == 302
    api = api_client_for(forum["engineer"])
    created = api.post(f"/api/forum/threads/{thread.pk}/posts/", {"body": "From the team."})
    assert created.status_code == 201
    assert created.json()["author_is_staff"] is True
    assert [p.body for p in thread.posts.all()] == ["Welcome!", "From the team."]
    empty = loner.post("/forum/postgresql/new/", {"title": "  ", "body": ""})
    assert empty.status_code == 400


def test_every_write_is_audited_with_an_allowed_action(forum: World) -> None:
    start = AuditEntry.objects.order_by("-seq").first().seq
    staff = _actor(forum["engineer"])
    thread, reply = forum["thread"], forum["reply"]
    services.post_edit(actor=_actor(forum["globex"]["contact"].user), post=reply, body="Edited.")
    services.thread_accept(actor=_actor(forum["asker"]), thread=thread, post=reply)
    services.thread_lock(actor=staff, thread=thread, reason="Resolved")
    services.thread_unlock(actor=staff, thread=thread, reason="More to say")
    services.post_hide(actor=staff, post=reply, reason="Off topic")
    services.post_unhide(actor=staff, post=reply, reason="Misjudged")
    services.thread_hide(actor=staff, thread=thread, reason="Spam")
    services.thread_unhide(actor=staff, thread=thread, reason="Not spam")
    ban = services.ban_create(actor=staff, user=forum["loner"], reason="Spam links")
    services.ban_lift(actor=staff, ban=ban, reason="Apologised")
    entries = list(AuditEntry.objects.filter(seq__gt=start).order_by("seq"))
    assert {e.action for e in entries} <= AUDIT_ACTIONS
    operations = [e.after.get("operation") for e in entries]
    assert operations == [
        None,
        "accept",
        "lock",
        "unlock",
        "hide",
        "unaccept",  # a hidden reply is no longer the answer
        "unhide",
        "hide",
        "unhide",
        None,
        "lift",
    ]
    assert [e.after.get("reason") for e in entries if e.after.get("operation") == "lock"] == ["Resolved"]
    assert entries[0].before["body"] == "Check `idle in transaction`."
    assert entries[0].after["body"] == "Edited."


# --- accepting ----------------------------------------------------------------------------------------------


def test_author_accepts_an_answer_on_the_page(forum: World, web_for: Callable[..., Client]) -> None:
    thread, reply = forum["thread"], forum["reply"]
    client = web_for(forum["asker"])
    assert "Accept this answer" in client.get(f"/forum/t/{thread.pk}/").content.decode()
    response = client.post(f"/forum/t/{thread.pk}/accept/", {"post": reply.pk})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.accepted_post == reply
    html = web_for(None).get(f"/forum/t/{thread.pk}/").content.decode()
    assert "Accepted answer" in html
    client.post(f"/forum/t/{thread.pk}/accept/", {"unaccept": "1"})
    thread.refresh_from_db()
    assert thread.accepted_post is None


def test_only_author_or_staff_accept(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread, reply = forum["thread"], forum["reply"]
    other = forum["globex"]["admin"].user
    assert "Accept this answer" not in web_for(other).get(f"/forum/t/{thread.pk}/").content.decode()
    assert web_for(other).post(f"/forum/t/{thread.pk}/accept/", {"post": reply.pk}).status_code == 403
    assert (
        api_client_for(other).post(f"/api/forum/threads/{thread.pk}/accept/", {"post": reply.pk}).status_code
        == 403
    )
    assert Client().post(f"/api/forum/threads/{thread.pk}/accept/", {"post": reply.pk}).status_code in {
        401,
        403,
    }
    with pytest.raises(PermissionDenied):
        services.thread_accept(actor=ANONYMOUS, thread=thread, post=reply)
    thread.refresh_from_db()
    assert thread.accepted_post is None
    response = api_client_for(forum["engineer"]).post(
        f"/api/forum/threads/{thread.pk}/accept/", {"post": reply.pk}
    )
    assert response.status_code == 200
    assert (response.json()["accepted_post"], response.json()["answered"]) == (reply.pk, True)


def test_accept_only_a_visible_reply_of_the_thread(forum: World, api_client_for: Any) -> None:
    other_thread = ask(forum["loner"], forum["postgres"], "Another")
    stray = answer(forum["loner"], other_thread)
    asker = _actor(forum["asker"])
    with pytest.raises(ValidationError):
        services.thread_accept(actor=asker, thread=forum["thread"], post=stray)
    response = api_client_for(forum["asker"]).post(
        f"/api/forum/threads/{forum['thread'].pk}/accept/", {"post": stray.pk}
    )
    assert response.status_code == 404
    services.post_hide(actor=_actor(forum["engineer"]), post=forum["reply"], reason="Wrong")
    with pytest.raises(ValidationError):
        services.thread_accept(actor=asker, thread=forum["thread"], post=forum["reply"])


# --- moderation ---------------------------------------------------------------------------------------------


def test_hidden_thread_is_invisible_to_the_public_and_visible_to_staff(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread = forum["thread"]
    services.thread_hide(actor=_actor(forum["engineer"]), thread=thread, reason="Personal data in the post")
    for user in (None, forum["asker"], forum["globex"]["contact"].user):
        client = web_for(user)
        assert "Autovacuum" not in client.get("/forum/postgresql/").content.decode()
        assert client.get(f"/forum/t/{thread.pk}/").status_code == 404
        assert "0 threads" in client.get("/forum/").content.decode()
    assert Client().get(f"/api/forum/threads/{thread.pk}/").status_code == 404
    assert Client().get(f"/api/forum/threads/{thread.pk}/posts/").status_code == 404
    assert Client().get(f"/api/forum/posts/{forum['reply'].pk}/").status_code == 404
    assert Client().get("/api/forum/threads/").json()["count"] == 0
    staff = web_for(forum["engineer"])
    html = staff.get(f"/forum/t/{thread.pk}/").content.decode()
    assert "Personal data in the post" in html
    assert "Unhide thread" in html
    assert "Autovacuum" in staff.get("/forum/postgresql/").content.decode()
    item = api_client_for(forum["engineer"]).get(f"/api/forum/threads/{thread.pk}/").json()
    assert (item["hidden"], item["hidden_reason"]) == (True, "Personal data in the post")


def test_hidden_reply_is_invisible_to_the_public_and_visible_to_staff(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread, reply = forum["thread"], forum["reply"]
    staff = web_for(forum["engineer"])
    response = staff.post(f"/forum/p/{reply.pk}/moderate/", {"action": "hide", "reason": "Rude"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.hidden, reply.hidden_reason, reply.hidden_by) == (True, "Rude", forum["engineer"])
    public = web_for(None).get(f"/forum/t/{thread.pk}/").content.decode()
    assert "idle in transaction" not in public
    assert "0 replies" in public
    assert "idle in transaction" in staff.get(f"/forum/t/{thread.pk}/").content.decode()
    assert Client().get(f"/api/forum/threads/{thread.pk}/posts/").json()["count"] == 0
    assert Client().get("/api/forum/threads/").json()["results"][0]["reply_count"] == 0
    staff_posts = api_client_for(forum["engineer"]).get(f"/api/forum/threads/{thread.pk}/posts/").json()
    assert staff_posts["results"][0]["hidden_reason"] == "Rude"


def test_moderation_needs_a_reason_and_staff(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread = forum["thread"]
    with pytest.raises(ValidationError):
        services.thread_hide(actor=_actor(forum["engineer"]), thread=thread, reason="  ")
    customer = api_client_for(forum["asker"])
    for verb in ("hide", "lock", "unhide", "unlock"):
        assert customer.post(f"/api/forum/threads/{thread.pk}/{verb}/", {"reason": "x"}).status_code == 403
    assert customer.post(f"/api/forum/posts/{forum['reply'].pk}/hide/", {"reason": "x"}).status_code == 403
    assert (
        web_for(forum["asker"]).post(f"/forum/t/{thread.pk}/moderate/", {"action": "hide"}).status_code == 403
    )
    staff = api_client_for(forum["engineer"])
    assert staff.post(f"/api/forum/threads/{thread.pk}/lock/", {}).status_code == 400
    thread.refresh_from_db()
    assert (thread.hidden, thread.status) == (False, "open")


def test_lock_prevents_replies_except_from_staff(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread = forum["thread"]
    staff = web_for(forum["engineer"])
    staff.post(f"/forum/t/{thread.pk}/moderate/", {"action": "lock", "reason": "Answered elsewhere"})
    thread.refresh_from_db()
    assert thread.is_locked
    member = forum["globex"]["admin"].user
    page = web_for(member).get(f"/forum/t/{thread.pk}/").content.decode()
    assert "This thread is locked" in page
    assert 'id="forum-reply-form"' not in page
    assert web_for(member).post(f"/forum/t/{thread.pk}/reply/", {"body": "me too"}).status_code == 403
    api = api_client_for(member).post(f"/api/forum/threads/{thread.pk}/posts/", {"body": "me too"})
    assert api.status_code == 403
    assert "locked" in api.json()["detail"]
    with pytest.raises(PermissionDenied):
        services.post_edit(actor=_actor(forum["globex"]["contact"].user), post=forum["reply"], body="changed")
    answer(forum["engineer"], thread, "Closing note from the team.")
    services.thread_unlock(actor=_actor(forum["engineer"]), thread=thread, reason="Reopened")
    answer(member, thread, "Now it works.")
    assert thread.posts.count() == 3


def test_ban_prevents_writing_until_it_expires(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    member = forum["globex"]["admin"].user
    staff = web_for(forum["engineer"])
    response = staff.post(
        "/forum/bans/",
        {"user": member.pk, "days": 2, "reason": "Advertising", "next": f"/forum/t/{forum['thread'].pk}/"},
    )
    assert response["Location"] == f"/forum/t/{forum['thread'].pk}/"
    ban = Ban.objects.get(user=member)
    assert ban.until is not None
    assert ban.until > timezone.now() + timedelta(days=1)
    client = web_for(member)
    page = client.get(f"/forum/t/{forum['thread'].pk}/").content.decode()
    assert "You may not write in the forum until" in page
    assert "Advertising" in page
    assert client.post(f"/forum/t/{forum['thread'].pk}/reply/", {"body": "buy"}).status_code == 403
    assert client.post("/forum/postgresql/new/", {"title": "Buy", "body": "now"}).status_code == 403
    api = api_client_for(member)
    assert api.post(f"/api/forum/threads/{forum['thread'].pk}/posts/", {"body": "buy"}).status_code == 403
    assert client.get("/forum/postgresql/").status_code == 200  # still reads
    # Time passes: the ban has expired.
    Ban.objects.filter(pk=ban.pk).update(until=timezone.now() - timedelta(seconds=1))
    assert services.write_refusal(_actor(member)) is None
    answer(member, forum["thread"], "Back, and on topic.")
    assert member.pk in {
        ban.user_id for ban in selectors.ban_list(actor=_actor(forum["engineer"]), in_force=False)
    }


def test_permanent_ban_lasts_until_lifted(forum: World, api_client_for: Any) -> None:
    member = forum["loner"]
    staff = api_client_for(forum["engineer"])
    response = staff.post("/api/forum/bans/", {"user": member.pk, "reason": "Spam bot"})
    assert response.status_code == 201
    assert (response.json()["until"], response.json()["in_force"]) == (None, True)
    with pytest.raises(PermissionDenied, match="for good: Spam bot"):
        ask(member, forum["postgres"])
    lifted = staff.post(f"/api/forum/bans/{response.json()['id']}/lift/", {"reason": "Human after all"})
    assert lifted.json()["in_force"] is False
    ask(member, forum["postgres"])


def test_bans_are_staff_business(forum: World, api_client_for: Any, web_for: Callable[..., Client]) -> None:
    services.ban_create(actor=_actor(forum["engineer"]), user=forum["loner"], reason="Spam")
    customer = api_client_for(forum["asker"])
    assert customer.get("/api/forum/bans/").json()["results"] == []
    ban = Ban.objects.get()
    assert customer.get(f"/api/forum/bans/{ban.pk}/").status_code == 404
    assert customer.post(f"/api/forum/bans/{ban.pk}/lift/", {"reason": "x"}).status_code == 404
    assert (
        customer.post(
            "/api/forum/bans/", {"user": forum["globex"]["admin"].user.pk, "reason": "x"}
        ).status_code
        == 403
    )
    assert web_for(forum["asker"]).get("/forum/bans/").status_code == 403
    assert "Spam" in web_for(forum["engineer"]).get("/forum/bans/").content.decode()
    with pytest.raises(ValidationError):
        services.ban_create(actor=_actor(forum["engineer"]), user=forum["staff"]["admin"], reason="No")
    with pytest.raises(ValidationError):
        services.ban_create(
            actor=_actor(forum["engineer"]),
            user=forum["asker"],
            reason="Past",
            until=timezone.now() - timedelta(days=1),
        )
    assert Ban.objects.count() == 1


# --- rate limits --------------------------------------------------------------------------------------------


@pytest.fixture
def tight(settings: Any) -> Any:
    settings.OSSDESK_FORUM_NEW_ACCOUNT_DAYS = 3
    settings.OSSDESK_FORUM_NEW_ACCOUNT_POSTS_PER_10_MINUTES = 2
    settings.OSSDESK_FORUM_NEW_ACCOUNT_THREADS_PER_HOUR = 1
    settings.OSSDESK_FORUM_POSTS_PER_10_MINUTES = 4
    settings.OSSDESK_FORUM_THREADS_PER_HOUR = 3
    return settings


def test_reply_rate_limit_for_a_new_account(
    forum: World, tight: Any, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    member = forum["loner"]  # joined today
    thread = forum["thread"]
    answer(member, thread, "one")
    answer(member, thread, "two")
    api = api_client_for(member).post(f"/api/forum/threads/{thread.pk}/posts/", {"body": "three"})
    assert api.status_code == 429
    assert "2 replies in the last 10 minutes, the most allowed for a new account" in api.json()["detail"]
    assert 0 < int(api["Retry-After"]) <= 600
    page = web_for(member).post(f"/forum/t/{thread.pk}/reply/", {"body": "three"})
    assert page.status_code == 429
    assert "Please try again in" in page.content.decode()
    assert "three" in page.content.decode()  # what they wrote is kept in the form
    assert Post.objects.filter(author=member).count() == 2
    # Ten minutes later, counted from the database, the window has moved on.
    Post.objects.filter(author=member).update(created_at=timezone.now() - timedelta(minutes=11))
    answer(member, thread, "three")


def test_thread_rate_limit_and_established_accounts(
    forum: World, tight: Any, web_for: Callable[..., Client]
) -> None:
    member = forum["loner"]
    ask(member, forum["postgres"], "one")
    response = web_for(member).post("/forum/postgresql/new/", {"title": "two", "body": "b"})
    assert response.status_code == 429
    assert "1 new threads in the last hour" in response.content.decode()
    api = Client()
    api.force_login(member)
    refused = api.post(
        "/api/forum/threads/",
        {"product": forum["postgres"].pk, "title": "two", "body": "b"},
        content_type="application/json",
    )
    assert refused.status_code == 429
    established(member)  # an older account gets the ordinary limits
    for title in ("two", "three"):
        ask(member, forum["postgres"], title)
    with pytest.raises(services.RateLimited, match="3 new threads in the last hour, the most allowed"):
        ask(member, forum["postgres"], "four")


def test_staff_are_not_rate_limited(forum: World, tight: Any) -> None:
    for n in range(6):
        answer(forum["engineer"], forum["thread"], f"note {n}")


# --- sanitising ---------------------------------------------------------------------------------------------


def test_markdown_is_sanitised_in_threads_and_replies(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread = ask(forum["loner"], forum["postgres"], "<b>Title</b> stays text", HOSTILE)
    reply = answer(forum["loner"], thread, HOSTILE)
    for html in (thread.body_html, reply.body_html):
        lowered = html.lower()
        for bad in ("<script", "onerror", "onclick", "javascript:"):
            assert bad not in lowered, bad
        assert "<strong>bold</strong>" in html
    assert thread.body == HOSTILE  # the source is kept as written
    page = web_for(None).get(f"/forum/t/{thread.pk}/").content.decode()
    assert "alert(" not in page.split("</header>", 1)[1]
    assert "&lt;b&gt;Title&lt;/b&gt; stays text" in page
    edited = services.post_edit(actor=_actor(forum["loner"]), post=reply, body="<script>x()</script>*ok*")
    assert edited.body_html == "<p><em>ok</em></p>"
    assert edited.edited_at is not None


def test_only_the_author_or_staff_edit_a_reply(forum: World, api_client_for: Any) -> None:
    reply = forum["reply"]
    other = api_client_for(forum["asker"]).patch(f"/api/forum/posts/{reply.pk}/", {"body": "mine now"})
    assert other.status_code == 403
    own = api_client_for(forum["globex"]["contact"].user).patch(
        f"/api/forum/posts/{reply.pk}/", {"body": "*fixed*"}
    )
    assert own.status_code == 200
    assert own.json()["body_html"] == "<p><em>fixed</em></p>"


# --- turning a thread into a ticket -------------------------------------------------------------------------


def test_paying_customers_thread_becomes_their_ticket(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread = forum["thread"]  # acme's named contact, Business, PostgreSQL covered
    staff = web_for(forum["engineer"])
    response = staff.post(f"/forum/t/{thread.pk}/moderate/", {"action": "ticket"})
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.organization, ticket.contact, ticket.product) == (
        forum["acme"]["org"],
        forum["acme"]["contact"],
        forum["postgres"],
    )
    assert (ticket.subject, ticket.channel, ticket.severity) == ("Autovacuum never finishes", "portal", "S4")
    assert "Our table is **huge**." in ticket.messages.get().body
    thread.refresh_from_db()
    assert (thread.ticket, thread.status) == (ticket, "locked")
    note = thread.posts.order_by("-pk").first()
    assert "moved this question to a private ticket" in note.body
    # The public sees the note, never the ticket.
    public = web_for(forum["globex"]["admin"].user).get(f"/forum/t/{thread.pk}/").content.decode()
    assert "private ticket" in public
    assert f"/tickets/{ticket.pk}/" not in public
    assert f"#{ticket.pk}" not in public
    assert "ticket" not in Client().get(f"/api/forum/threads/{thread.pk}/").json()
    assert f"/tickets/{ticket.pk}/" in staff.get(f"/forum/t/{thread.pk}/").content.decode()
    # The customer's own ticket list has it; another organisation's does not.
    assert ticket.pk in {
        t["id"] for t in api_client_for(forum["acme"]["admin"].user).get("/api/tickets/").json()["results"]
    }
    assert api_client_for(forum["globex"]["admin"].user).get(f"/api/tickets/{ticket.pk}/").status_code == 404
    again = api_client_for(forum["engineer"]).post(f"/api/forum/threads/{thread.pk}/convert-to-ticket/")
    assert again.status_code == 400
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "product", "code", "says"),
    [
        ("bakery", "postgres", "not_paying", "has no paid subscription in force"),
        ("loner", "postgres", "no_customer", "is not a contact of any customer"),
        ("acme", "kafka", "product", "subscription does not cover Apache Kafka"),
    ],
)
def test_refusals_say_why(
    who: str,
    product: str,
    code: str,
    says: str,
    forum: World,
    web_for: Callable[..., Client],
    api_client_for: Any,
) -> None:
    user = {"bakery": forum["bakery"]["contact"].user, "loner": forum["loner"], "acme": forum["asker"]}[who]
    thread = ask(user, forum[product], "Please help")
    with pytest.raises(EntitlementDenied, match=says) as refused:
        services.thread_to_ticket(actor=_actor(forum["engineer"]), thread=thread)
    assert refused.value.code == code
    api = api_client_for(forum["engineer"]).post(f"/api/forum/threads/{thread.pk}/convert-to-ticket/")
    assert api.status_code == 403
    assert says in api.json()["detail"]
    page = web_for(forum["engineer"]).post(
        f"/forum/t/{thread.pk}/moderate/", {"action": "ticket"}, follow=True
    )
    assert says in page.content.decode()
    assert Ticket.objects.count() == 0
    thread.refresh_from_db()
    assert (thread.ticket, thread.status, thread.posts.count()) == (None, "open", 0)


def test_a_contact_who_is_not_named_is_refused(forum: World) -> None:
    thread = ask(forum["globex"]["contact"].user, forum["postgres"])
    forum["globex"]["contact"].is_named = False
    forum["globex"]["contact"].save()
    with pytest.raises(EntitlementDenied, match="is not a named contact"):
        services.thread_to_ticket(actor=_actor(forum["engineer"]), thread=thread)


def test_another_organisations_thread_cannot_be_hijacked(forum: World, api_client_for: Any) -> None:
    """Customers cannot convert threads at all; staff's conversion follows the author, whatever is sent."""
    globex_thread = ask(forum["globex"]["admin"].user, forum["postgres"], "Globex question")
    acme = api_client_for(forum["acme"]["admin"].user)
    url = f"/api/forum/threads/{globex_thread.pk}/convert-to-ticket/"
    assert acme.post(url, {"organization": forum["acme"]["org"].pk}).status_code == 403
    assert Ticket.objects.count() == 0
    staff = api_client_for(forum["engineer"])
    response = staff.post(url, {"organization": forum["acme"]["org"].pk, "severity": "S3"})
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["ticket"])
    assert (ticket.organization, ticket.severity) == (forum["globex"]["org"], "S3")
    assert acme.get(f"/api/tickets/{ticket.pk}/").status_code == 404


# --- drafting a knowledge-base article ----------------------------------------------------------------------


def test_answered_thread_becomes_a_kb_draft(
    forum: World, web_for: Callable[..., Client], api_client_for: Any
) -> None:
    thread, reply = forum["thread"], forum["reply"]
    staff = api_client_for(forum["engineer"])
    refused = staff.post(f"/api/forum/threads/{thread.pk}/draft-article/")
    assert refused.status_code == 400
    assert "Accept an answer" in str(refused.json())
    services.thread_accept(actor=_actor(forum["asker"]), thread=thread, post=reply)
    customer = api_client_for(forum["asker"]).post(f"/api/forum/threads/{thread.pk}/draft-article/")
    assert customer.status_code == 403
    response = web_for(forum["engineer"]).post(f"/forum/t/{thread.pk}/moderate/", {"action": "article"})
    article = Article.objects.get()
    assert response["Location"] == f"/kb/{article.slug}/"
    assert (article.status, article.visibility, article.product) == (
        ArticleStatus.DRAFT,
        Visibility.PUBLIC,
        forum["postgres"],
    )
    assert article.title == thread.title
    assert "## Question\n\nOur table is **huge**." in article.body
    assert "## Answer\n\nCheck `idle in transaction`." in article.body
    thread.refresh_from_db()
    assert thread.article == article
    assert web_for(None).get(f"/kb/{article.slug}/").status_code == 404  # a draft until staff publish it
    assert staff.post(f"/api/forum/threads/{thread.pk}/draft-article/").status_code == 400
    assert Article.objects.count() == 1


# --- API shape and permissions ------------------------------------------------------------------------------


def test_api_create_thread_and_reply(forum: World, api_client_for: Any) -> None:
    api = api_client_for(forum["loner"])
    created = api.post(
        "/api/forum/threads/", {"product": forum["postgres"].pk, "title": "API question", "body": "`x`"}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["author"], body["body_html"], body["url"]) == (
        "loner",
        "<p><code>x</code></p>",
        f"/forum/t/{body['id']}/",
    )
    assert "hidden_reason" not in body
    reply = api.post(f"/api/forum/threads/{body['id']}/posts/", {"body": "self-answer"})
    assert reply.status_code == 201
    assert api.put(f"/api/forum/threads/{body['id']}/", {"title": "x"}).status_code == 405
    assert api.delete(f"/api/forum/threads/{body['id']}/").status_code == 405
    listed = Client().get("/api/forum/posts/", {"thread": body["id"]}).json()
    assert [p["body"] for p in listed["results"]] == ["self-answer"]


def test_customer_names_do_not_leak_addresses(forum: World) -> None:
    for url in (
        "/api/forum/threads/",
        f"/api/forum/threads/{forum['thread'].pk}/posts/",
        "/api/forum/posts/",
    ):
        content = Client().get(url).content.decode()
        for entry in (forum["acme"], forum["globex"]):
            assert entry["contact"].email not in content, url
            assert entry["org"].name not in content, url


# --- query counts -------------------------------------------------------------------------------------------


def _grow(forum: World, n: int) -> None:
    authors = [forum["loner"], forum["asker"], forum["globex"]["admin"].user]
    for i in range(n):
        thread = Thread.objects.create(
            product=forum["postgres"], title=f"Grown {i}", body="b", author=authors[i % 3]
        )
        post = Post.objects.create(thread=thread, author=authors[(i + 1) % 3], body="a")
        Post.objects.create(thread=thread, author=forum["engineer"], body="s", hidden=i % 2 == 0)
        if i % 2:
            Thread.objects.filter(pk=thread.pk).update(accepted_post=post)
    for i in range(n):
        Post.objects.create(thread=forum["thread"], author=authors[i % 3], body=f"more {i}")


PAGES = ["/forum/", "/forum/postgresql/", "/forum/t/{thread}/"]
ENDPOINTS = [
    "/api/forum/threads/",
    "/api/forum/threads/{thread}/posts/",
    "/api/forum/posts/",
    "/api/forum/bans/",
]


CASES = [("staff", path) for path in PAGES + ENDPOINTS]
CASES += [("anonymous", path) for path in PAGES + ENDPOINTS if "bans" not in path]  # bans need sign-in


@pytest.mark.parametrize(("who", "path"), CASES)
def test_query_count_is_constant(
    who: str,
    path: str,
    forum: World,
    web_for: Callable[..., Client],
    api_client_for: Any,
    django_assert_num_queries: Any,
) -> None:
    if who == "anonymous":
        client: Any = Client() if path.startswith("/api/") else web_for(None)
    else:
        client = api_client_for(forum["engineer"]) if path.startswith("/api/") else web_for(forum["engineer"])
        services.ban_create(actor=_actor(forum["engineer"]), user=forum["loner"], reason="Spam")
    url = path.format(thread=forum["thread"].pk)
    client.get(url)  # a token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(forum, 6)
    for member in (forum["asker"], forum["globex"]["admin"].user):
        if who == "staff":
            services.ban_create(actor=_actor(forum["engineer"]), user=member, reason="More")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- demo ---------------------------------------------------------------------------------------------------


def test_demo_forum(tiers: Any) -> None:
    from ossdesk.demo import demo_seed

    demo_seed()  # the demo seed creates the threads
    assert Thread.objects.count() == len(THREADS)
    assert demo_forum() == 0  # idempotent
    products = {t.product.name for t in Thread.objects.select_related("product")}
    assert products == {"PostgreSQL", "Apache Kafka", "Django", "Kubernetes"}
    assert Thread.objects.filter(accepted_post__isnull=False).exists()
    bakery = Thread.objects.get(author__email="owen@oldmill.example")
    with pytest.raises(EntitlementDenied, match="Old Mill Bakery has no paid subscription"):
        services.thread_to_ticket(actor=SYSTEM, thread=bakery)
    paying = Thread.objects.get(title="Autovacuum never finishes on a 200 GB table")
    ticket = services.thread_to_ticket(actor=SYSTEM, thread=paying)
    assert ticket.organization.name == "Fjord Logistics"
    assert services.thread_to_article(actor=SYSTEM, thread=paying).status == ArticleStatus.DRAFT
