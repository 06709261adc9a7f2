"""Honest pages in Debian's Chromium: what a person sees is laid out as meant, loads nothing from other
hosts, and the browser reports no error while it is shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from ossdesk.demo import demo_seed
from tests.browser.keyboard import shot, sign_in_with_keyboard

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo(tiers: Any) -> None:
    demo_seed()


def _console_errors(page: Any) -> list[str]:
    """Collect what the page logs as an error (htmx logs a bad hx-trigger as `htmx:syntax:error`)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_security_notices_list_is_a_table_not_a_badge(page: Any, live_server: Any, demo: None) -> None:
    sign_in_with_keyboard(page, live_server.url, "sasha")
    page.goto(f"{live_server.url}/security/notices/?show=all")
    table = page.locator("table.list.notices")
    assert table.count() == 1
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    # Every row spans the table's width, header cells line up above their columns.
    assert table.evaluate("t => t.rows[0].getBoundingClientRect().width") == pytest.approx(
        table.evaluate("t => t.getBoundingClientRect().width"), abs=1
    )
    # The header's badge keeps its own layout (a flex item of the header, so "flex").
    badge = page.locator("header.top a.notices")
    assert badge.evaluate("a => getComputedStyle(a).display") in {"flex", "inline-flex"}
    shot(page, "security-notices")


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("erin", "/search/?q=postgresql"),
        ("erin", "/tickets/"),
        ("erin", "/security/findings/"),
        ("erin", "/security/advisories/"),
        ("erin", "/kb/"),
        ("dana@meridian.example", "/tickets/"),
        ("dana@meridian.example", "/tickets/new/"),
    ],
)
def test_live_pages_log_no_errors(page: Any, live_server: Any, demo: None, user: str, path: str) -> None:
    sign_in_with_keyboard(page, live_server.url, user)
    errors = _console_errors(page)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert errors == []


def test_search_filters_apply_live(page: Any, live_server: Any, demo: None) -> None:
    """A `from:` list in parentheses reaches every select and date field of the search form."""
    sign_in_with_keyboard(page, live_server.url, "erin")
    errors = _console_errors(page)
    page.goto(f"{live_server.url}/search/?q=postgresql")
    with page.expect_request(lambda r: "/search/" in r.url and "status=open" in r.url):
        page.locator("#search-status").select_option("open")
    with page.expect_request(lambda r: "/search/" in r.url and "date_from=2026-01-01" in r.url):
        page.locator("#search-from").fill("2026-01-01")
    assert errors == []


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_api_docs_request_nothing_from_other_hosts(
    page: Any, live_server: Any, tiers: Any, path: str
) -> None:
    """Every request the browser makes (fonts, images, scripts, the schema) goes to this server."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    # The reference is drawn (from the schema), not just the page shell.
    page.locator("h1, h2", has_text="ossdesk API").first.wait_for(timeout=60_000)
    # data: and blob: (Redoc's search worker) are made in the page, not fetched from a host.
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
    assert hosts == {urlsplit(live_server.url).hostname}, requested


HEADER_SHARE_LIMIT = 0.15  # of a 390×844 phone's first screen


@pytest.mark.parametrize("user", ["erin", "dana@meridian.example"])
def test_phone_header_is_a_collapsible_menu(phone: Any, live_server: Any, demo: None, user: str) -> None:
    sign_in_with_keyboard(phone, live_server.url, user)
    phone.goto(f"{live_server.url}/tickets/")
    header = phone.locator("header.top")
    height = header.evaluate("h => h.getBoundingClientRect().height")
    assert height <= 844 * HEADER_SHARE_LIMIT, height
    menu = phone.locator("#top-menu")
    assert not menu.is_visible()
    toggle = phone.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false"
    shot(phone, f"phone-header-{user.split('@')[0]}")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    assert phone.locator("#top-menu").get_by_role("link", name="Security", exact=True).is_visible()
    assert phone.locator("#top-search-q").is_visible()
    shot(phone, f"phone-menu-{user.split('@')[0]}")


def _right_edges(page: Any, selector: str) -> list[float]:
    return page.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().right)")


@pytest.mark.parametrize("user", ["sasha", "dana@meridian.example"])
def test_phone_security_tabs_stay_on_screen(phone: Any, live_server: Any, demo: None, user: str) -> None:
    sign_in_with_keyboard(phone, live_server.url, user)
    phone.goto(f"{live_server.url}/security/")
    width = phone.evaluate("window.innerWidth")
    edges = _right_edges(phone, "nav.security-tabs a")
    assert len(edges) >= 6
    assert max(edges) <= width, edges
    shot(phone, f"phone-security-tabs-{user.split('@')[0]}")


def test_queue_updated_column_fits_1280(page: Any, live_server: Any, demo: None) -> None:
    sign_in_with_keyboard(page, live_server.url, "erin")
    page.goto(f"{live_server.url}/tickets/?view=all")
    width = page.evaluate("window.innerWidth")
    updated = _right_edges(page, "table.queue th:last-child, table.queue td.updated")
    assert len(updated) > 1
    assert max(updated) <= width, updated
    # Nor is it hidden inside the table's scroll box.
    wrap = page.locator(".table-wrap:has(table.queue)")
    assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") <= 0
    shot(page, "queue-1280")


@pytest.mark.parametrize("user", ["erin", "dana@meridian.example"])
def test_home_pages_fit_a_phone(phone: Any, live_server: Any, demo: None, user: str) -> None:
    sign_in_with_keyboard(phone, live_server.url, user)
    assert phone.url == f"{live_server.url}/"
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(phone, f"phone-home-{user.split('@')[0]}")
