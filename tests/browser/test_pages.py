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
