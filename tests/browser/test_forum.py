"""The forum in a real browser: a customer asks with the keyboard, another member answers, the asker
accepts the answer."""

from __future__ import annotations

import pytest

from ossdesk.demo import demo_seed
from tests.browser.keyboard import shot, sign_in_with_keyboard, type_into_focused

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo(tiers):
    demo_seed()


def test_customer_asks_with_the_keyboard_another_answers_and_it_is_accepted(browser, page, live_server, demo):
    base = live_server.url
    sign_in_with_keyboard(page, base, "ingrid@fjord.example")
    page.goto(f"{base}/forum/")
    page.get_by_role("link", name="PostgreSQL").click()
    page.get_by_role("link", name="Ask a question").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The title has focus; Tab reaches the details; Ctrl+Enter posts.
    type_into_focused(page, "#id_title", "WAL keeps growing on the replica")
    page.keyboard.press("Tab")
    page.keyboard.type("Since Tuesday `pg_wal` grows by 10 GB a day. <script>alert(1)</script>")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "/forum/t/" in page.url
    thread_url = page.url.split("#")[0]
    assert page.locator("h1").inner_text() == "WAL keeps growing on the replica"
    assert page.locator("#question code").inner_text() == "pg_wal"
    assert page.locator("#question script").count() == 0

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    answerer = other.new_page()
    answerer.set_default_timeout(10_000)
    sign_in_with_keyboard(answerer, base, "dana@meridian.example")
    answerer.goto(thread_url)
    answerer.locator("#id_body").fill("Check for an inactive replication slot: `pg_replication_slots`.")
    with answerer.expect_navigation():
        answerer.get_by_role("button", name="Post answer").click()
    assert "Your answer is posted." in answerer.locator("ul.messages").inner_text()
    assert answerer.get_by_role("button", name="Accept this answer").count() == 0  # not her question
    other.close()

    page.goto(thread_url)
    reply = page.locator("article.forum-post").first
    assert "inactive replication slot" in reply.inner_text()
    with page.expect_navigation():
        reply.get_by_role("button", name="Accept this answer").click()
    assert "Answer accepted" in page.locator("ul.messages").inner_text()
    assert page.locator("article.forum-post.accepted .tag.answered").inner_text() == "Accepted answer"
    shot(page, "forum-thread-accepted")
    page.get_by_role("link", name="PostgreSQL").first.click()
    page.wait_for_load_state()
    assert "Answered" in page.locator("#forum-rows").inner_text()
