"""The security pages in Debian's Chromium: a customer admin uploads a lockfile with the keyboard and sees
findings with deadline badges; an analyst asks who is affected by a CVE."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ossdesk.accounts.models import Role
from ossdesk.customers.services import deployment_create
from tests.accounts.factories import PASSWORD
from tests.browser.keyboard import shot, sign_in_with_keyboard, tab_to
from tests.security.web_fixtures import (
    PACKAGE_LOCK,
    SYSTEM,
    Estate,
    build_estate,
    isolate_files,
    needs_shared,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, needs_shared]


@pytest.fixture
def estate(customers: dict[str, Any], staff: dict[str, Any], settings: Any, tmp_path: Path) -> Estate:
    isolate_files(settings, tmp_path)
    return build_estate(customers, staff)


def test_customer_admin_uploads_a_lockfile_with_the_keyboard(
    page: Any, live_server: Any, estate: Estate
) -> None:
    acme = estate["customers"]["acme"]
    deployment = deployment_create(
        actor=SYSTEM, organization=acme["org"], name="node", product=estate["product"]
    )
    sign_in_with_keyboard(page, live_server.url, acme["admin"].user.username, PASSWORD)
    page.goto(f"{live_server.url}/security/deployments/")
    with page.expect_navigation():
        tab_to(page, f'a[href="/security/deployments/{deployment.pk}/"]')
        page.keyboard.press("Enter")
    assert "No SBOM or lockfile uploaded yet" in page.locator("main").inner_text()
    # The file input takes the focus with Tab; the file is given to it as the OS dialog would (headless
    # Chromium opens that dialog on Space only sometimes under load); Tab, Enter submits.
    tab_to(page, "input[type=file]")
    page.locator("input[type=file]").set_input_files(str(PACKAGE_LOCK))
    page.locator("input[type=file]").focus()
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    main = page.locator("main").inner_text()
    summary = "1 component; findings 1 new, 0 reopened, 0 closed."
    assert f"my-package-lock.json read as package-lock.json v1: {summary}" in main
    rows = page.locator("table.findings tbody tr")
    assert rows.count() == 1
    assert "GHSA-whgm-jr23-g3j9" in rows.first.inner_text()
    badge = rows.first.locator(".sla")
    assert re.fullmatch(r"(29 d 23 h|30 d) left", badge.inner_text())
    assert "sla-ok" in (badge.get_attribute("class") or "")
    assert "Remediate by" in (badge.get_attribute("title") or "")
    shot(page, "security-deployment-upload")
    page.goto(f"{live_server.url}/security/")
    assert page.locator("svg.chart").is_visible()
    shot(page, "security-customer-portfolio")


def test_analyst_asks_who_is_affected_by_a_cve(page: Any, live_server: Any, estate: Estate) -> None:
    sign_in_with_keyboard(page, live_server.url, estate["staff"][Role.SECURITY_ANALYST].username, PASSWORD)
    page.goto(f"{live_server.url}/security/")
    shot(page, "security-portfolio")
    tab_to(page, "#id_q")
    page.keyboard.type("CVE-2023-32681")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/security/advisories/PYSEC-2023-74/#affected")
    affected = page.locator("#affected").inner_text()
    assert "Affected customers" in affected
    assert "Acme" in affected
    assert "Globex" in affected
    assert ">= 2.3.0, < 2.31.0" in page.locator("main").inner_text()
    shot(page, "security-who-is-affected")
    # Live filtering of the advisory list follows the typing (htmx), and the URL follows too.
    page.goto(f"{live_server.url}/security/advisories/")
    page.locator("#id_q").fill("flask")
    page.wait_for_function("document.querySelectorAll('#advisory-rows tbody tr').length === 2")
    assert "q=flask" in page.url
    shot(page, "security-advisories")


def test_security_pages_fit_a_phone(phone: Any, live_server: Any, estate: Estate) -> None:
    acme = estate["customers"]["acme"]
    sign_in_with_keyboard(phone, live_server.url, acme["admin"].user.username, PASSWORD)
    for url in ("/security/", f"/security/deployments/{estate['acme']['deployments']['shop'].pk}/"):
        phone.goto(f"{live_server.url}{url}")
        # Nothing wider than the screen except inside scrollable tables.
        assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, url
    shot(phone, "security-deployment-phone")
