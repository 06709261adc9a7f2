"""The web UI in a real browser: keyboard sign-in, live search, the portal on a phone."""

from __future__ import annotations

import pytest

from ossdesk.customers.models import Contact
from ossdesk.demo import demo_seed
from tests.browser.keyboard import shot, sign_in_with_keyboard

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo(tiers):
    demo_seed()


def test_staff_signs_in_with_the_keyboard_and_searches_live(page, live_server, demo):
    sign_in_with_keyboard(page, live_server.url, "alex")
    assert page.url == f"{live_server.url}/"  # the home page: their queue and the desk's SLA state
    page.goto(f"{live_server.url}/customers/")
    rows = page.locator("#customer-rows tbody tr")
    assert rows.count() == 4
    shot(page, "customers")
    # Typing in the search box filters without a page load (htmx), and the URL follows.
    page.locator("#q").fill("fjord")
    page.wait_for_function("document.querySelectorAll('#customer-rows tbody tr').length === 1")
    assert "Fjord Logistics" in page.locator("#customer-rows").inner_text()
    assert "q=fjord" in page.url
    page.get_by_role("link", name="Fjord Logistics").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "Business" in text
    assert "ingrid@fjord.example" in text
    shot(page, "customer")


def test_enterprise_customer_page_shows_agreement_terms(page, live_server, demo):
    sign_in_with_keyboard(page, live_server.url, "erin")
    page.goto(f"{live_server.url}/customers/meridian-health/")
    text = page.locator("main").inner_text()
    assert "Agreement MH-EA-2026-01" in text
    assert "10 min" in text  # S1 first response overridden by the agreement
    shot(page, "meridian")


def test_portal_on_a_phone(phone, live_server, demo):
    sign_in_with_keyboard(phone, live_server.url, "dana@meridian.example")
    assert phone.url == f"{live_server.url}/"  # the home page: open tickets, exposure, raise a ticket
    phone.goto(f"{live_server.url}/portal/")
    text = phone.locator("main").inner_text()
    assert "Meridian Health" in text
    assert "fjord" not in text.lower()
    # Nothing wider than the screen except inside scrollable tables.
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(phone, "portal-phone")


def test_customer_admin_adds_a_contact_and_sees_seat_refusal(page, live_server, demo):
    sign_in_with_keyboard(page, live_server.url, "priya@brightside.example")
    page.goto(f"{live_server.url}/portal/")
    page.get_by_text("Add a contact").click()
    page.locator("#id_name").fill("Third Person")
    page.locator("#id_email").fill("third@brightside.example")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_load_state()
    alert = page.locator(".error").inner_text()
    assert "Starter allows 2 named contacts" in alert
    assert "Business plan allows it" in alert
    assert not Contact.objects.filter(email="third@brightside.example").exists()
    shot(page, "seat-refusal")
    # Not a named contact: no seat needed.
    page.locator("#id_is_named").uncheck()
    page.locator("#id_email").fill("third@brightside.example")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_load_state()
    assert "Third Person added as a contact." in page.locator(".messages").inner_text()
    assert Contact.objects.filter(email="third@brightside.example", is_named=False).exists()


def test_plan_comparison_without_signing_in(page, live_server, tiers):
    page.goto(f"{live_server.url}/plans/")
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert [h.split("\n")[0] for h in headers[1:]] == ["Community", "Starter", "Business", "Enterprise"]
    shot(page, "plans")
