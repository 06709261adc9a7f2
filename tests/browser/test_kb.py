"""The knowledge base in a real browser: suggestions appear while a customer writes a ticket."""

from __future__ import annotations

import pytest

from ossdesk.demo import demo_seed
from ossdesk.kb.demo import demo_kb
from tests.browser.keyboard import shot, sign_in_with_keyboard, type_into_focused

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo(tiers):
    demo_seed()
    demo_kb()


def test_customer_sees_a_suggested_article_while_typing_a_ticket(page, live_server, demo):
    sign_in_with_keyboard(page, live_server.url, "ingrid@fjord.example")
    page.goto(f"{live_server.url}/tickets/new/")
    suggestions = page.locator("#kb-suggestions")
    assert suggestions.inner_text().strip() == ""
    page.locator("#id_subject").press_sequentially("Consumer lag keeps growing", delay=20)
    suggestions.get_by_role("link", name="Kafka: consumer lag keeps growing").wait_for()
    assert "Runbook" not in suggestions.inner_text()  # internal articles are for staff only
    shot(page, "kb-suggestions")
    # Choosing a product narrows the suggestions to it (and general articles).
    page.locator("#id_product").select_option(label="PostgreSQL")
    page.wait_for_function(
        "!document.querySelector('#kb-suggestions').innerText.includes('Kafka: consumer lag')"
    )
    page.locator("#id_body").press_sequentially("autovacuum and table bloat", delay=10)
    suggestions.get_by_role("link", name="PostgreSQL: autovacuum, dead tuples and table bloat").wait_for()


def test_knowledge_base_without_signing_in(page, live_server, demo):
    page.goto(f"{live_server.url}/kb/")
    text = page.locator("main").inner_text()
    assert "Kafka: consumer lag keeps growing" in text
    assert "major upgrade checklist" not in text  # customers only
    page.locator("#kb-q").fill("vacuum")
    page.wait_for_function("!document.querySelector('#kb-rows').innerText.includes('Kafka')")
    page.get_by_role("link", name="PostgreSQL: autovacuum, dead tuples and table bloat").click()
    page.wait_for_load_state()
    assert page.locator("article.kb-body h2").first.inner_text() == "Check"


def test_staff_write_an_article_with_the_live_preview(page, live_server, demo):
    sign_in_with_keyboard(page, live_server.url, "erin")
    page.goto(f"{live_server.url}/kb/new/")
    # The title has focus; the keyboard alone fills the form.
    type_into_focused(page, "#id_title", "Checking replication lag")
    page.locator("#id_body").press_sequentially(
        "## Steps\n\n<script>alert(1)</script>Run `SELECT 1`", delay=5
    )
    page.locator("#kb-preview h2").wait_for()
    assert page.locator("#kb-preview code").inner_text() == "SELECT 1"
    assert page.locator("#kb-preview script").count() == 0
    shot(page, "kb-editor")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and publish").click()
    assert page.url.endswith("/kb/checking-replication-lag/")
    assert "published" in page.locator("ul.messages").inner_text()
