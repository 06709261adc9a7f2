"""The security pages through the Django test client: every page for staff and customers, empty states,
form errors, uploads (a bad file stores nothing), VEX, vendor advisories with four eyes, notices, tenancy
(another customer's pages answer 404) and query counts that do not grow with the rows.

Data is built through the services from real third-party data (tests/security/web_fixtures.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.customers.models import Deployment
from ossdesk.customers.services import deployment_create
from ossdesk.domain.inventory import InventoryError, parse
from ossdesk.security import services
from ossdesk.security.models import Component, Finding, Notice, Sbom, VendorAdvisory, VexStatement
from tests.accounts.factories import staff_user
from tests.security.web_fixtures import (
    COMPOSER_LOCK,
    NOT_JSON,
    PACKAGE_LOCK,
    REQUIREMENTS,
    SYSTEM,
    Estate,
    build_estate,
    client_for,
    isolate_files,
    needs_shared,
    upload,
)

pytestmark = [pytest.mark.django_db, needs_shared]
FINDING_LINK = re.compile(r'<a href="/security/findings/(\d+)/">')
DEPLOYMENT_LINK = re.compile(r'<a href="/security/deployments/(\d+)/">')


@pytest.fixture(autouse=True)
def files(settings: Any, tmp_path: Path) -> Path:
    return isolate_files(settings, tmp_path)


@pytest.fixture
def estate(customers: dict[str, dict[str, Any]], staff: dict[str, User]) -> Estate:
    return build_estate(customers, staff)


def _analyst(estate: Estate) -> Client:
    return client_for(estate["staff"][Role.SECURITY_ANALYST])


def _customer(estate: Estate, key: str = "acme", who: str = "admin") -> Client:
    return client_for(estate["customers"][key][who].user)


def _text(response: Any) -> str:
    return response.content.decode()


def _finding_ids(response: Any) -> set[int]:
    return {int(pk) for pk in FINDING_LINK.findall(_text(response))}


def _finding(estate: Estate, key: str, package: str) -> Finding:
    return next(f for f in estate[key]["findings"] if f.name == package)


# --- every page, staff and customer -------------------------------------------------------------------------


def _pages(estate: Estate) -> list[tuple[str, str]]:
    acme = estate["acme"]
    flask = _finding(estate, "acme", "flask")
    notice = acme["notices"][0]
    return [
        ("/security/", "<h1>"),
        ("/security/advisories/", "<h1>Advisories</h1>"),
        ("/security/advisories/PYSEC-2023-74/", "<h1>PYSEC-2023-74</h1>"),
        ("/security/advisories/OSV-2023-1161/", "<h1>OSV-2023-1161</h1>"),
        ("/security/deployments/", "<h1>Deployments"),
        (f"/security/deployments/{acme['deployments']['web'].pk}/", "<h1>web</h1>"),
        ("/security/findings/", "<h1>Findings</h1>"),
        (f"/security/findings/{flask.pk}/", "flask 0.12.2"),
        ("/security/vex/", "<h1>VEX statements</h1>"),
        ("/security/vendor-advisories/", "<h1>Vendor advisories</h1>"),
        ("/security/notices/", "<h1>Security notices</h1>"),
        (f"/security/notices/{notice.pk}/", notice.advisory.osv_id),
    ]


@pytest.mark.parametrize("who", ["analyst", "engineer", "customer admin", "customer contact"])
def test_every_page_renders(who: str, estate: Estate) -> None:
    client = {
        "analyst": lambda: _analyst(estate),
        "engineer": lambda: client_for(estate["staff"][Role.ENGINEER]),
        "customer admin": lambda: _customer(estate),
        "customer contact": lambda: _customer(estate, who="contact"),
    }[who]()
    for url, marker in _pages(estate):
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        assert marker in text, url
        assert '<a href="/security/" aria-current="page">Security</a>' in text, url  # the nav entry


def test_security_needs_signing_in(estate: Estate) -> None:
    response = Client().get("/security/")
    assert response.status_code == 302
    assert "/signin/" in response["Location"]


def test_nav_has_security_for_staff_and_customers(estate: Estate) -> None:
    for client in (_analyst(estate), _customer(estate)):
        assert '<a href="/security/" >Security</a>' in _text(client.get("/tickets/"))


# --- the portfolio ------------------------------------------------------------------------------------------


def test_staff_portfolio_shows_exposure_top_advisories_and_a_chart(estate: Estate) -> None:
    text = _text(_analyst(estate).get("/security/"))
    assert "<h1>Security portfolio</h1>" in text
    acme, globex = estate["customers"]["acme"]["org"], estate["customers"]["globex"]["org"]
    assert f'?organization={acme.pk}">Acme</a>' in text
    assert f'?organization={globex.pk}">Globex</a>' in text
    # Top advisories: the PyPI ones reach both customers' `web`.
    for osv_id in ("PYSEC-2023-74", "PYSEC-2021-98", "GHSA-9f46-5r25-5wfm", "GHSA-whgm-jr23-g3j9"):
        assert f'/security/advisories/{osv_id}/#affected">{osv_id}</a>' in text
    assert '<svg class="chart"' in text
    assert '<desc id="chart-desc">Critical: 1; High: 1; Medium: 0; Low: 0; Unknown: 8</desc>' in text
    assert 'action="/security/affected/"' in text


def test_customer_portfolio_shows_only_its_own_findings(estate: Estate) -> None:
    response = _customer(estate, "globex").get("/security/")
    text = _text(response)
    assert "<h1>Your security exposure</h1>" in text
    assert _finding_ids(response) == {f.pk for f in estate["globex"]["findings"]}
    assert "league/flysystem" not in text  # acme's composer.lock
    assert "Acme" not in text
    assert "New advisories for you" in text


def test_portfolio_empty_states(customers: dict[str, Any], staff: dict[str, User]) -> None:
    text = _text(client_for(staff[Role.SECURITY_ANALYST]).get("/security/"))
    assert "No open findings." in text
    assert "No customer has an open finding." in text
    assert "No advisory reaches a deployment." in text
    text = _text(client_for(customers["acme"]["admin"].user).get("/security/"))
    assert "Upload an SBOM or lockfile</a> for each deployment" in text


# --- who is affected ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q", "PYSEC-2023-74", "cve-2023-32681 "])
def test_who_is_affected_leads_to_the_advisory(key: str, estate: Estate) -> None:
    response = _analyst(estate).get("/security/affected/", {"q": key})
    assert response.status_code == 302
    assert response["Location"] == "/security/advisories/PYSEC-2023-74/#affected"


def test_who_is_affected_unknown_or_empty(estate: Estate) -> None:
    client = _analyst(estate)
    response = client.get("/security/affected/", {"q": "CVE-1999-0001"})
    assert response.status_code == 404
    text = _text(response)
    assert "No advisory has the id or alias “CVE-1999-0001”" in text
    assert 'href="/security/advisories/?q=CVE-1999-0001"' in text
    assert client.get("/security/affected/", {"q": ""}).status_code == 400


def test_staff_see_every_affected_customer(estate: Estate) -> None:
    text = _text(_analyst(estate).get("/security/advisories/PYSEC-2023-74/"))
    section = text[text.index('id="affected"') :]
    assert "Affected customers" in section
    assert ">Acme</a>" in section
    assert ">Globex</a>" in section
    assert "1 open" in section


def test_customer_sees_only_its_own_affected_deployments(estate: Estate) -> None:
    response = _customer(estate, "globex").get("/security/advisories/PYSEC-2023-74/")
    text = _text(response)
    section = text[text.index('id="affected"') :]
    assert "Your affected deployments" in section
    assert "Acme" not in text
    requests_finding = _finding(estate, "globex", "requests")
    assert _finding_ids(response) == {requests_finding.pk}
    assert set(DEPLOYMENT_LINK.findall(section)) == {str(estate["globex"]["deployments"]["web"].pk)}


def test_an_alias_redirects_to_the_advisory_and_unknown_is_404(estate: Estate) -> None:
    client = _customer(estate)
    response = client.get("/security/advisories/CVE-2023-32681/")
    assert (response.status_code, response["Location"]) == (302, "/security/advisories/PYSEC-2023-74/")
    assert client.get("/security/advisories/NOPE-1/").status_code == 404


def test_advisory_page_shows_ranges_fixes_and_git_ranges_unevaluated(estate: Estate) -> None:
    client = _analyst(estate)
    text = _text(client.get("/security/advisories/PYSEC-2023-74/"))
    assert "&gt;= 2.3.0, &lt; 2.31.0" in text  # the ECOSYSTEM range as an interval
    assert "introduced <code>2.3.0</code>" in text
    assert "Fixed in: <code>2.31.0</code>" in text
    assert "https://github.com/psf/requests</code>" in text  # the GIT range: repository and commits
    assert "not evaluated" in text
    assert "CVE-2023-32681" in text
    text = _text(client.get("/security/advisories/GHSA-9f46-5r25-5wfm/"))
    assert "<strong>9.8</strong>" in text
    assert "CVSS:3.1/AV:N" in text


def test_advisory_text_is_escaped_and_only_web_links_are_links(estate: Estate, tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    record = {
        "id": "TEST-2024-0001",
        "modified": "2024-01-01T00:00:00Z",
        "summary": "<b>bold</b> summary",
        "details": "first line\n<script>alert(1)</script>",
        "aliases": ["CVE-2099-0001"],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "flask"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.1"}]}],
            }
        ],
        "references": [
            {"type": "WEB", "url": "javascript:alert(1)"},
            {"type": "WEB", "url": "https://example.com/advisory"},
        ],
    }
    (folder / "TEST-2024-0001.json").write_text(json.dumps(record))
    services.advisories_import(actor=SYSTEM, path=folder)
    text = _text(_analyst(estate).get("/security/advisories/TEST-2024-0001/"))
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt; summary" in text
    assert 'href="javascript:' not in text
    assert "<code>javascript:alert(1)</code>" in text
    assert 'href="https://example.com/advisory" rel="noopener noreferrer nofollow"' in text


# --- the advisory list --------------------------------------------------------------------------------------


ADVISORY_ROW = re.compile(r'<td class="nowrap"><a href="/security/advisories/([^/"]+)/">')


def _advisory_ids(response: Any) -> set[str]:
    return set(ADVISORY_ROW.findall(_text(response)))


def test_advisory_search_and_filters(estate: Estate) -> None:
    client = _customer(estate)
    assert len(_advisory_ids(client.get("/security/advisories/"))) == 25
    assert _advisory_ids(client.get("/security/advisories/", {"q": "CVE-2023-32681"})) == {"PYSEC-2023-74"}
    assert _advisory_ids(client.get("/security/advisories/", {"q": "ansi-html"})) == {"GHSA-whgm-jr23-g3j9"}
    assert _advisory_ids(client.get("/security/advisories/", {"severity": "critical"})) == {
        "GHSA-9f46-5r25-5wfm",
        "CVE-2024-51757",
    }
    assert _advisory_ids(client.get("/security/advisories/", {"ecosystem": "Go"})) == {
        "GO-2022-0493",
        "GO-2022-0274",
    }
    response = client.get("/security/advisories/", {"kev": "yes"})
    assert _advisory_ids(response) == set()
    assert "No advisory matches these filters." in _text(response)
    partial = client.get("/security/advisories/", {"q": "flask"}, HTTP_HX_REQUEST="true")
    assert "<html" not in _text(partial)
    assert _advisory_ids(partial) == {"PYSEC-2023-62", "PYSEC-2020-43"}


def _extra_advisories(folder: Path, n: int, **fields: Any) -> None:
    folder.mkdir()
    for i in range(n):
        record = {
            "id": f"TEST-2024-{i:04d}",
            "modified": "2024-01-01T00:00:00Z",
            "summary": f"Test {i}",
            **fields,
        }
        (folder / f"TEST-2024-{i:04d}.json").write_text(json.dumps(record))
    services.advisories_import(actor=SYSTEM, path=folder)


def test_advisory_list_is_paginated_and_keeps_the_filters(estate: Estate, tmp_path: Path) -> None:
    _extra_advisories(tmp_path / "osv", 30)  # 55 advisories: three pages
    client = _customer(estate)
    first = _text(client.get("/security/advisories/"))
    assert "Page 1 of 3 · 55 in all" in first
    assert 'href="?page=2" rel="next"' in first
    filtered = _text(client.get("/security/advisories/", {"severity": "unknown", "page": 2}))
    assert 'href="?severity=unknown&amp;page=1" rel="prev"' in filtered
    assert len(_advisory_ids(client.get("/security/advisories/", {"page": 3}))) == 5


def test_advisory_list_empty(customers: dict[str, Any], staff: dict[str, User]) -> None:
    text = _text(client_for(staff[Role.SECURITY_ANALYST]).get("/security/advisories/"))
    assert "No advisories yet." in text
    assert "ossdesk advisories import" in text


# --- deployments --------------------------------------------------------------------------------------------


def test_deployment_lists_are_scoped(estate: Estate) -> None:
    acme = estate["acme"]["deployments"]
    globex = estate["globex"]["deployments"]
    staff_ids = set(DEPLOYMENT_LINK.findall(_text(_analyst(estate).get("/security/deployments/"))))
    assert staff_ids == {str(d.pk) for d in [*acme.values(), *globex.values()]}
    org = estate["customers"]["acme"]["org"]
    filtered = set(
        DEPLOYMENT_LINK.findall(
            _text(_analyst(estate).get("/security/deployments/", {"organization": org.pk}))
        )
    )
    assert filtered == {str(d.pk) for d in acme.values()}
    # A customer's list is its own, whatever the query string says.
    own = _customer(estate, "globex").get("/security/deployments/", {"organization": org.pk})
    assert set(DEPLOYMENT_LINK.findall(_text(own))) == {str(d.pk) for d in globex.values()}


def test_deployment_list_empty(customers: dict[str, Any], staff: dict[str, User]) -> None:
    text = _text(client_for(customers["acme"]["admin"].user).get("/security/deployments/"))
    assert "Your organisation has no deployments registered." in text
    assert "Register one</a>" in text
    text = _text(client_for(customers["acme"]["contact"].user).get("/security/deployments/"))
    assert "Your organisation's administrator registers them." in text


def test_customer_page_has_a_deployments_section(estate: Estate) -> None:
    client = client_for(estate["staff"][Role.ADMIN])
    org = estate["customers"]["acme"]["org"]
    text = _text(client.get("/customers/acme/"))
    assert 'id="deployments"' in text
    for deployment in estate["acme"]["deployments"].values():
        assert f'<a href="/security/deployments/{deployment.pk}/">{deployment.name}</a>' in text
    assert f'href="/security/deployments/?organization={org.pk}"' in text
    assert f'href="/security/deployments/new/?organization={org.pk}"' in text


def _deployment_data(**overrides: Any) -> dict[str, Any]:
    return {"name": "", "environment": "production", "criticality": "medium", **overrides}


def test_customer_admin_registers_a_deployment(estate: Estate) -> None:
    client = _customer(estate)
    assert client.get("/security/deployments/new/").status_code == 200
    response = client.post(
        "/security/deployments/new/",
        _deployment_data(name="billing", product=estate["product"].pk, internet_facing="on"),
    )
    deployment = Deployment.objects.get(name="billing")
    assert response.status_code == 302
    assert response["Location"] == f"/security/deployments/{deployment.pk}/"
    assert deployment.organization == estate["customers"]["acme"]["org"]
    assert deployment.internet_facing


def test_deployment_form_errors_show_on_their_fields(estate: Estate) -> None:
    client = _customer(estate)
    response = client.post("/security/deployments/new/", _deployment_data(name="", product=""))
    assert response.status_code == 400
    text = _text(response)
    assert text.count('class="field-error"') >= 2
    response = client.post(
        "/security/deployments/new/", _deployment_data(name="WEB", product=estate["product"].pk)
    )
    assert response.status_code == 400
    assert "Acme already has a deployment called WEB." in _text(response)
    assert Deployment.objects.filter(organization=estate["customers"]["acme"]["org"]).count() == 2


def test_deployment_limit_refusal_is_shown(estate: Estate) -> None:
    client = _customer(estate)
    organization = estate["customers"]["acme"]["org"]
    for name in ("three", "four", "five"):
        deployment_create(actor=SYSTEM, organization=organization, name=name, product=estate["product"])
    response = client.post(
        "/security/deployments/new/", _deployment_data(name="six", product=estate["product"].pk)
    )
    assert response.status_code == 400
    assert (
        "Acme&#x27;s subscription includes 5 deployments, all in use; an account manager can add "
        "deployments to the subscription." in _text(response)
    )
    assert not Deployment.objects.filter(name="six").exists()


def test_who_may_register_and_edit_deployments(estate: Estate) -> None:
    assert _customer(estate, who="contact").get("/security/deployments/new/").status_code == 403
    assert client_for(estate["staff"][Role.ENGINEER]).get("/security/deployments/new/").status_code == 403
    admin = client_for(estate["staff"][Role.ADMIN])
    organization = estate["customers"]["globex"]["org"]
    page = _text(admin.get("/security/deployments/new/", {"organization": organization.pk}))
    assert f'<option value="{organization.pk}" selected>Globex</option>' in page
    response = admin.post(
        "/security/deployments/new/",
        _deployment_data(name="batch", product=estate["product"].pk, organization=organization.pk),
    )
    assert response.status_code == 302
    assert Deployment.objects.get(name="batch").organization == organization
    web = estate["acme"]["deployments"]["web"]
    client = _customer(estate)
    response = client.post(
        f"/security/deployments/{web.pk}/edit/",
        _deployment_data(name="web-prod", product=estate["product"].pk, criticality="high"),
    )
    assert response.status_code == 302
    web.refresh_from_db()
    assert (web.name, web.criticality) == ("web-prod", "high")
    assert _customer(estate, who="contact").get(f"/security/deployments/{web.pk}/edit/").status_code == 403


# --- the deployment page, uploads ---------------------------------------------------------------------------


def test_deployment_page_shows_inventory_findings_and_deadlines(estate: Estate) -> None:
    shop = estate["acme"]["deployments"]["shop"]
    flysystem = _finding(estate, "acme", "league/flysystem")
    response = _customer(estate).get(f"/security/deployments/{shop.pk}/")
    text = _text(response)
    assert _finding_ids(response) == {flysystem.pk}
    assert "composer.lock" in text
    assert 'class="sla sla-ok"' in text
    assert re.search(r">6 d 23 h left<|>7 d left<", text)
    sbom = Sbom.objects.get(deployment=shop)
    assert f'href="/security/sboms/{sbom.pk}/download/"' in text
    # Once past its deadline the badge says by how much.
    Finding.objects.filter(pk=flysystem.pk).update(due_at=timezone.now() - timedelta(hours=3, minutes=5))
    text = _text(_customer(estate).get(f"/security/deployments/{shop.pk}/"))
    assert '<span class="sla sla-breached"' in text
    assert ">overdue by 3 h 05 min<" in text


def test_sbom_download_is_an_attachment(estate: Estate) -> None:
    sbom = Sbom.objects.get(deployment=estate["acme"]["deployments"]["shop"])
    response = _customer(estate).get(f"/security/sboms/{sbom.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="composer.lock"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == COMPOSER_LOCK.read_bytes()


def test_upload_a_lockfile_opens_findings(estate: Estate) -> None:
    organization = estate["customers"]["acme"]["org"]
    deployment = deployment_create(
        actor=SYSTEM, organization=organization, name="node", product=estate["product"]
    )
    client = _customer(estate)
    text = _text(client.get(f"/security/deployments/{deployment.pk}/"))
    assert "No SBOM or lockfile uploaded yet" in text
    with PACKAGE_LOCK.open("rb") as handle:
        response = client.post(f"/security/deployments/{deployment.pk}/upload/", {"file": handle})
    assert response.status_code == 302
    assert response["Location"] == f"/security/deployments/{deployment.pk}/#findings"
    page = client.get(response["Location"])
    text = _text(page)
    expected = "my-package-lock.json read as package-lock.json v1: 1 component; findings 1 new, 0 reopened"
    assert f"{expected}, 0 closed." in text
    assert "GHSA-whgm-jr23-g3j9" in text
    assert len(_finding_ids(page)) == 1


def test_a_bad_upload_shows_the_parsers_reason_and_stores_nothing(estate: Estate, files: Path) -> None:
    web = estate["acme"]["deployments"]["web"]
    data = NOT_JSON.read_bytes()
    with pytest.raises(InventoryError) as reason:
        parse("package-lock.json", data)
    before = (
        Sbom.objects.count(),
        Component.objects.count(),
        Finding.objects.count(),
        sorted(files.rglob("*")),
    )
    client = _customer(estate)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("package-lock.json", data, content_type="application/json")
    response = client.post(f"/security/deployments/{web.pk}/upload/", {"file": bad})
    assert response.status_code == 400
    text = _text(response)
    assert f'<p class="field-error" role="alert">{escape(str(reason.value))}</p>' in text
    assert "package-lock.json: line 1: Expecting value" in text
    after = (
        Sbom.objects.count(),
        Component.objects.count(),
        Finding.objects.count(),
        sorted(files.rglob("*")),
    )
    assert after == before
    # An empty file never reaches the service; no file at all is a field error too.
    empty = client.post(
        f"/security/deployments/{web.pk}/upload/", {"file": SimpleUploadedFile("requirements.txt", b"")}
    )
    assert empty.status_code == 400
    assert "The submitted file is empty." in _text(empty)
    missing = client.post(f"/security/deployments/{web.pk}/upload/", {})
    assert missing.status_code == 400
    assert "This field is required." in _text(missing)
    assert Sbom.objects.count() == before[0]


def test_a_plan_without_sbom_scanning_says_so(estate: Estate, tiers: Any) -> None:
    from tests.customers.factories import OrganizationFactory, contact_with_login
    from tests.plans.factories import subscribe

    organization = OrganizationFactory(name="Tiny", slug="tiny")
    today = timezone.localdate()
    subscribe(
        organization,
        tiers["starter"],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
    )
    deployment = deployment_create(
        actor=SYSTEM, organization=organization, name="app", product=estate["product"]
    )
    client = client_for(contact_with_login(organization, role="admin").user)
    text = _text(client.get(f"/security/deployments/{deployment.pk}/"))
    assert "Your plan does not include SBOM scanning" in text
    with REQUIREMENTS.open("rb") as handle:
        response = client.post(f"/security/deployments/{deployment.pk}/upload/", {"file": handle})
    assert response.status_code == 400
    assert not Sbom.objects.filter(deployment=deployment).exists()


# --- tenancy ------------------------------------------------------------------------------------------------


def test_another_customers_pages_answer_404(estate: Estate) -> None:
    globex = _customer(estate, "globex")
    acme = estate["acme"]
    web = acme["deployments"]["web"]
    flask = _finding(estate, "acme", "flask")
    notice = acme["notices"][0]
    sbom = Sbom.objects.filter(deployment=web).first()
    assert sbom is not None
    for url in (
        f"/security/deployments/{web.pk}/",
        f"/security/deployments/{web.pk}/edit/",
        f"/security/findings/{flask.pk}/",
        f"/security/notices/{notice.pk}/",
        f"/security/sboms/{sbom.pk}/download/",
    ):
        assert globex.get(url).status_code == 404, url
    with REQUIREMENTS.open("rb") as handle:
        assert globex.post(f"/security/deployments/{web.pk}/upload/", {"file": handle}).status_code == 404
    assert globex.post(f"/security/findings/{flask.pk}/status/", {"status": "fixed"}).status_code == 404
    vex = {
        "vulnerability": "PYSEC-2023-62",
        "product": "pkg:pypi/flask",
        "scope": "deployment",
        "status": "fixed",
    }
    assert globex.post(f"/security/findings/{flask.pk}/vex/", vex).status_code == 404
    assert globex.post(f"/security/notices/{notice.pk}/acknowledge/").status_code == 404
    flask.refresh_from_db()
    notice.refresh_from_db()
    assert (flask.status, notice.acknowledged_at) == ("open", None)
    assert Sbom.objects.filter(deployment=web).count() == 1
    assert not VexStatement.objects.exists()


def test_customer_finding_list_is_its_own_whatever_the_filters(estate: Estate) -> None:
    acme_org = estate["customers"]["acme"]["org"]
    response = _customer(estate, "globex").get("/security/findings/", {"organization": acme_org.pk})
    assert _finding_ids(response) == {f.pk for f in estate["globex"]["findings"]}
    assert 'name="organization"' not in _text(response)


# --- findings -----------------------------------------------------------------------------------------------


def test_finding_list_filters_and_search(estate: Estate) -> None:
    client = _analyst(estate)
    everyone = {f.pk for key in ("acme", "globex") for f in estate[key]["findings"]}
    assert _finding_ids(client.get("/security/findings/")) == everyone
    acme_org = estate["customers"]["acme"]["org"]
    assert _finding_ids(client.get("/security/findings/", {"organization": acme_org.pk})) == {
        f.pk for f in estate["acme"]["findings"]
    }
    assert _finding_ids(client.get("/security/findings/", {"severity": "critical"})) == {
        _finding(estate, "acme", "league/flysystem").pk
    }
    assert _finding_ids(client.get("/security/findings/", {"q": "CVE-2023-32681"})) == {
        _finding(estate, "acme", "requests").pk,
        _finding(estate, "globex", "requests").pk,
    }
    assert _finding_ids(client.get("/security/findings/", {"q": "urllib3"})) == {
        _finding(estate, "acme", "urllib3").pk,
        _finding(estate, "globex", "urllib3").pk,
    }
    response = client.get("/security/findings/", {"status": "fixed"})
    assert _finding_ids(response) == set()
    assert "No finding" in _text(response)
    partial = client.get("/security/findings/", {"q": "flask"}, HTTP_HX_REQUEST="true")
    assert "<html" not in _text(partial)
    assert len(_finding_ids(partial)) == 2


def test_finding_list_empty(customers: dict[str, Any], staff: dict[str, User]) -> None:
    text = _text(client_for(customers["acme"]["admin"].user).get("/security/findings/"))
    assert "No open findings." in text
    assert 'href="?status=any"' in text


def test_finding_status_changes_and_their_errors(estate: Estate) -> None:
    flask = _finding(estate, "acme", "flask")
    client = _customer(estate, who="contact")
    url = f"/security/findings/{flask.pk}/status/"
    response = client.post(url, {"status": "not_affected", "reason": ""})
    assert response.status_code == 400
    assert "Say why: the next auditor will ask." in _text(response)
    response = client.post(url, {"status": "risk_accepted", "reason": "behind a VPN"})
    assert response.status_code == 400
    assert "A risk is accepted until a date" in _text(response)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url, {"status": "risk_accepted", "reason": "behind a VPN", "until": yesterday})
    assert "The date must be in the future." in _text(response)
    flask.refresh_from_db()
    assert flask.status == "open"
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(url, {"status": "risk_accepted", "reason": "behind a VPN", "until": later})
    assert response.status_code == 302
    flask.refresh_from_db()
    assert (flask.status, flask.status_reason, flask.risk_accepted_until.isoformat()) == (
        "risk_accepted",
        "behind a VPN",
        later,
    )
    text = _text(client.get(f"/security/findings/{flask.pk}/"))
    assert "Finding marked risk accepted." in text
    assert f">Accepted until {later}<" in text
    assert client.post(url, {"status": "open"}).status_code == 302
    flask.refresh_from_db()
    assert flask.status == "open"
    assert client.post(url, {"status": "gone"}).status_code == 400


def test_record_a_vex_statement_from_a_finding(estate: Estate) -> None:
    flask = _finding(estate, "acme", "flask")
    client = _customer(estate)
    page = _text(client.get(f"/security/findings/{flask.pk}/"))
    assert 'value="pkg:pypi/flask@0.12.2"' in page  # the product, prefilled from the finding
    assert 'value="PYSEC-2023-62"' in page
    assert 'value="portfolio"' not in page  # vendor-wide statements are staff business
    url = f"/security/findings/{flask.pk}/vex/"
    data = {"vulnerability": "CVE-2023-30861", "product": "pkg:pypi/flask", "scope": "organization"}
    response = client.post(url, {**data, "status": "not_affected"})
    assert response.status_code == 400
    assert "A not-affected statement needs a justification" in _text(response)
    response = client.post(url, {**data, "status": "affected", "justification": "component_not_present"})
    assert response.status_code == 400
    assert "A justification only goes with not_affected." in _text(response)
    response = client.post(url, {**data, "product": "flask", "status": "fixed"})
    assert "Give the product as a purl" in _text(response)
    assert not VexStatement.objects.exists()
    response = client.post(
        url, {**data, "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}
    )
    assert response.status_code == 302
    statement = VexStatement.objects.get()
    assert (statement.organization, statement.deployment) == (estate["customers"]["acme"]["org"], None)
    flask.refresh_from_db()
    assert flask.status == "not_affected"
    globex_flask = _finding(estate, "globex", "flask")
    globex_flask.refresh_from_db()
    assert globex_flask.status == "open"  # acme's statement says nothing of globex
    assert "VEX statement recorded; 1 finding changed." in _text(
        client.get(f"/security/findings/{flask.pk}/")
    )


def test_staff_outside_security_may_not_record_vex(estate: Estate) -> None:
    flask = _finding(estate, "acme", "flask")
    client = client_for(estate["staff"][Role.ACCOUNT_MANAGER])
    response = client.post(
        f"/security/findings/{flask.pk}/vex/",
        {
            "vulnerability": "PYSEC-2023-62",
            "product": "pkg:pypi/flask",
            "scope": "portfolio",
            "status": "fixed",
        },
    )
    assert response.status_code == 400
    assert "Only security analysts, engineers and customers may record VEX statements." in _text(response)


# --- VEX: list, import, export ------------------------------------------------------------------------------


def _openvex(*statements: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/1",
            "author": "Acme security",
            "timestamp": "2024-05-01T00:00:00Z",
            "version": 1,
            "statements": list(statements),
        }
    ).encode()


def test_vex_import_list_and_export(estate: Estate) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _customer(estate)
    text = _text(client.get("/security/vex/"))
    assert "No VEX statements yet." in text
    assert "/security/vex/export/openvex/" not in text
    document = _openvex(
        {
            "vulnerability": {"name": "CVE-2023-32681"},
            "products": [{"@id": "pkg:pypi/requests"}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
        }
    )
    response = client.post(
        "/security/vex/import/", {"file": SimpleUploadedFile("acme.openvex.json", document)}
    )
    assert response.status_code == 302
    text = _text(client.get("/security/vex/"))
    assert "Imported 1 statement from acme.openvex.json; 1 finding changed." in text
    assert "pkg:pypi/requests" in text
    requests_finding = _finding(estate, "acme", "requests")
    requests_finding.refresh_from_db()
    assert requests_finding.status == "not_affected"
    # Export: the statements as OpenVEX and as CycloneDX.
    openvex = client.get("/security/vex/export/openvex/")
    assert openvex.status_code == 200
    assert openvex["Content-Disposition"].startswith("attachment;")
    exported = json.loads(openvex.content)
    assert exported["@context"] == "https://openvex.dev/ns/v0.2.0"
    assert [s["vulnerability"]["name"] for s in exported["statements"]] == ["CVE-2023-32681"]
    cyclonedx = json.loads(client.get("/security/vex/export/cyclonedx/").content)
    assert cyclonedx["bomFormat"] == "CycloneDX"
    assert cyclonedx["vulnerabilities"][0]["id"] == "CVE-2023-32681"
    # Globex sees none of acme's statements.
    assert "pkg:pypi/requests" not in _text(_customer(estate, "globex").get("/security/vex/"))
    assert client.get("/security/vex/export/spdx/").status_code == 404


def test_vex_import_errors_store_nothing(estate: Estate) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _customer(estate)
    response = client.post(
        "/security/vex/import/", {"file": SimpleUploadedFile("vex.json", b"not json at all")}
    )
    assert response.status_code == 400
    assert "vex.json: neither JSON nor XML" in _text(response)
    document = _openvex(
        {
            "vulnerability": {"name": "CVE-2023-32681"},
            "products": [{"@id": "pkg:pypi/requests"}],
            "status": "fixed",
        },
        {"vulnerability": {"name": "CVE-2023-30861"}, "products": [{"@id": "flask"}], "status": "fixed"},
    )
    response = client.post("/security/vex/import/", {"file": SimpleUploadedFile("two.json", document)})
    assert response.status_code == 400
    assert "two.json: statement 2" in _text(response)
    assert not VexStatement.objects.exists()
    assert Finding.objects.filter(status="fixed").count() == 0


def test_vex_export_refusal_is_explained(estate: Estate) -> None:
    # An OpenVEX document needs at least one statement: the page says so instead of a broken file.
    client = _customer(estate)
    response = client.get("/security/vex/export/openvex/")
    assert (response.status_code, response["Location"]) == (302, "/security/vex/")
    assert "There are no statements to export." in _text(client.get("/security/vex/"))


# --- vendor advisories --------------------------------------------------------------------------------------


def _vendor_post(estate: Estate, *rows: tuple[str, str], **fields: Any) -> dict[str, Any]:
    data = {
        "title": "Flask session cookie leak in vendor builds",
        "summary": "Cached responses may carry another client's session.",
        "details": "Backported fix in 0.12.2-vendor1.",
        "product": estate["product"].pk,
        "ecosystem": "PyPI",
        "package": "flask",
        "affected_versions": "",
        "cves": "cve-2023-30861",
        "aliases": "",
        "cvss_vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "remediation": "Upgrade to 1.0.",
        "ranges-TOTAL_FORMS": str(len(rows)),
        "ranges-INITIAL_FORMS": "0",
        "ranges-MIN_NUM_FORMS": "0",
        "ranges-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for i, (introduced, fixed) in enumerate(rows):
        data[f"ranges-{i}-introduced"] = introduced
        data[f"ranges-{i}-fixed"] = fixed
    return data


def test_vendor_advisory_write_review_publish(estate: Estate) -> None:
    author = _analyst(estate)
    assert "Write the first one" in _text(author.get("/security/vendor-advisories/"))
    assert author.get("/security/vendor-advisories/new/").status_code == 200
    # "Add a range row" keeps what was typed and adds an empty row, focused.
    response = author.post(
        "/security/vendor-advisories/new/", _vendor_post(estate, ("0", "1.0"), add_range="1")
    )
    assert response.status_code == 200
    text = _text(response)
    assert 'name="ranges-TOTAL_FORMS" value="2"' in text
    assert re.search(
        r'<input type="text" name="ranges-1-introduced" id="id_ranges-1-introduced" value=""[^>]* autofocus>',
        text,
    )
    assert "This field is required." not in text  # adding a row is not saving: nothing is marked wrong yet
    text = _text(
        author.post("/security/vendor-advisories/new/", _vendor_post(estate, title="", add_range="1"))
    )
    assert 'name="ranges-TOTAL_FORMS" value="1"' in text
    assert "This field is required." not in text
    assert not VendorAdvisory.objects.exists()
    response = author.post("/security/vendor-advisories/new/", _vendor_post(estate, ("0", "1.0"), ("", "")))
    advisory = VendorAdvisory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/security/vendor-advisories/{advisory.tracking_id}/"
    assert advisory.ranges == [{"introduced": "0", "fixed": "1.0"}]
    assert advisory.cves == ["CVE-2023-30861"]
    # Submit, then the author may not publish (four eyes); another analyst may.
    assert author.post(f"/security/vendor-advisories/{advisory.tracking_id}/submit/").status_code == 302
    response = author.post(f"/security/vendor-advisories/{advisory.tracking_id}/publish/")
    assert response.status_code == 403
    assert "Another analyst reviews and publishes what you wrote (four eyes)." in _text(response)
    reviewer = client_for(staff_user(Role.SECURITY_ANALYST))
    response = reviewer.post(f"/security/vendor-advisories/{advisory.tracking_id}/publish/")
    assert response.status_code == 302
    advisory.refresh_from_db()
    assert (advisory.status, advisory.revision) == ("published", 1)
    text = _text(reviewer.get(response["Location"]))
    assert "revision 1 published: 2 new findings, 2 customer notices." in text
    # Downloads: the OSV record and the CSAF document.
    osv = json.loads(reviewer.get(f"/security/vendor-advisories/{advisory.tracking_id}/osv.json").content)
    assert osv["id"].endswith(advisory.tracking_id)
    assert osv["affected"][0]["ranges"][0]["events"] == [{"introduced": "0"}, {"fixed": "1.0"}]
    csaf = json.loads(reviewer.get(f"/security/vendor-advisories/{advisory.tracking_id}/csaf.json").content)
    assert csaf["document"]["tracking"]["status"] == "final"
    assert reviewer.get(f"/security/vendor-advisories/{advisory.tracking_id}/pdf.json").status_code == 404
    # The advisory page of the published record links back to it.
    assert advisory.advisory is not None
    text = _text(reviewer.get(f"/security/advisories/{advisory.advisory.osv_id}/"))
    assert f'href="/security/vendor-advisories/{advisory.tracking_id}/"' in text


def test_vendor_advisory_with_another_package_tlp_and_withdrawal(estate: Estate, csaf_validator: Any) -> None:
    author = _analyst(estate)
    data = _vendor_post(estate, ("0", "1.0"), ("2.0", "2.1.5-vendor1"), ("", ""), tlp="AMBER")
    data |= {"ranges-1-ecosystem": "Maven", "ranges-1-package": "org.apache.kafka:kafka-clients"}
    data |= {"ranges-2-fixed": "3.7.1-vendor1", "ranges-2-ecosystem": "Maven"}
    data |= {"ranges-2-package": "org.apache.kafka:kafka-clients", "ranges-TOTAL_FORMS": "3"}
    response = author.post("/security/vendor-advisories/new/", data)
    assert response.status_code == 302, _text(response)
    advisory = VendorAdvisory.objects.get()
    assert (advisory.tlp, advisory.ranges) == ("AMBER", [{"introduced": "0", "fixed": "1.0"}])
    assert advisory.additional_packages == [
        {
            "ecosystem": "Maven",
            "package": "org.apache.kafka:kafka-clients",
            "ranges": [
                {"introduced": "2.0", "fixed": "2.1.5-vendor1"},
                {"introduced": "0", "fixed": "3.7.1-vendor1"},
            ],
        }
    ]
    edit_page = _text(author.get(f"/security/vendor-advisories/{advisory.tracking_id}/edit/"))
    assert 'name="ranges-2-package" value="org.apache.kafka:kafka-clients"' in edit_page
    # A row naming half a package is refused on its row.
    half = _vendor_post(estate, ("0", "1.0"), ("0", "2.0")) | {"ranges-1-ecosystem": "Maven"}
    response = author.post(f"/security/vendor-advisories/{advisory.tracking_id}/edit/", half)
    assert response.status_code == 400
    assert "Another package needs both its ecosystem and its name." in _text(response)

    services.vendor_advisory_submit(
        actor=actor_for(estate["staff"][Role.SECURITY_ANALYST]), advisory=advisory
    )
    reviewer = client_for(staff_user(Role.SECURITY_ANALYST))
    assert reviewer.post(f"/security/vendor-advisories/{advisory.tracking_id}/publish/").status_code == 302
    page = f"/security/vendor-advisories/{advisory.tracking_id}/"
    assert "TLP:AMBER" in _text(reviewer.get(page))
    response = reviewer.post(f"{page}withdraw/", {"reason": ""})
    assert response.status_code == 400
    assert "Say why it is withdrawn" in _text(response)
    response = reviewer.post(f"{page}withdraw/", {"reason": "Published for the wrong product."})
    assert response.status_code == 302
    text = _text(reviewer.get(page))
    assert "Withdrawn on" in text
    assert "Published for the wrong product." in text
    document = json.loads(reviewer.get(f"{page}csaf.json").content)
    assert [b["name"] for b in document["product_tree"]["branches"][0]["branches"]] == [
        "flask",
        "org.apache.kafka:kafka-clients",
    ]
    assert document["document"]["distribution"]["tlp"]["label"] == "AMBER"
    report = csaf_validator.check(document)
    assert report.errors() == []
    assert report.warnings("6.2.3", "6.2.10", "6.2.11", "6.2.13") == []


def test_vendor_advisory_edit_keeps_values_and_makes_a_draft(estate: Estate) -> None:
    analyst = actor_for(estate["staff"][Role.SECURITY_ANALYST])
    advisory = services.vendor_advisory_create(
        actor=analyst,
        title="Django backport",
        summary="Fixed in our 1.11 build.",
        product=estate["product"],
        ecosystem="PyPI",
        package="django",
        ranges=[{"introduced": "1.11", "fixed": "1.11.30"}],
        cves=["CVE-2021-33203"],
    )
    services.vendor_advisory_submit(actor=analyst, advisory=advisory)
    client = _analyst(estate)
    text = _text(client.get(f"/security/vendor-advisories/{advisory.tracking_id}/edit/"))
    assert 'value="Django backport"' in text
    assert 'name="ranges-0-fixed" value="1.11.30"' in text
    assert 'value="CVE-2021-33203"' in text
    assert "Saving makes it a draft again" in text
    data = _vendor_post(
        estate, ("1.11", "1.11.31"), title="Django backport, rev 2", package="django", cves=""
    )
    response = client.post(f"/security/vendor-advisories/{advisory.tracking_id}/edit/", data)
    assert response.status_code == 302
    advisory.refresh_from_db()
    assert (advisory.title, advisory.status, advisory.ranges, advisory.cves) == (
        "Django backport, rev 2",
        "draft",
        [{"introduced": "1.11", "fixed": "1.11.31"}],
        [],
    )


def test_vendor_advisory_errors_land_on_their_rows_and_fields(estate: Estate) -> None:
    client = _analyst(estate)
    response = client.post(
        "/security/vendor-advisories/new/",
        _vendor_post(
            estate, ("", ""), ("1.0", "not a version!"), cves="CVE-2023-1 nonsense", cvss_vector="CVSS:9"
        ),
    )
    assert response.status_code == 400
    text = _text(response)
    row = text[text.index('id="id_ranges-1-fixed"') :]
    assert 'class="field-error"' in row[: row.index("</td>")]
    assert "&#x27;NONSENSE&#x27; is not a CVE id" in text
    assert "Not a CVSS 3.x or 4.0 base vector" in text
    response = client.post("/security/vendor-advisories/new/", _vendor_post(estate, title="", package=""))
    assert response.status_code == 400
    assert _text(response).count("This field is required.") == 2
    response = client.post("/security/vendor-advisories/new/", _vendor_post(estate, ("", "")))
    assert response.status_code == 400
    assert "Say which versions are affected: a range or a list of versions." in _text(response)
    assert not VendorAdvisory.objects.exists()


def _published(estate: Estate, **fields: Any) -> VendorAdvisory:
    author = actor_for(estate["staff"][Role.SECURITY_ANALYST])
    advisory = services.vendor_advisory_create(
        actor=author,
        title="Django backport",
        summary="Fixed in our 1.11 build.",
        product=estate["product"],
        ecosystem="PyPI",
        package="django",
        ranges=[{"introduced": "1.11", "fixed": "1.11.30"}],
        **fields,
    )
    services.vendor_advisory_submit(actor=author, advisory=advisory)
    reviewer = actor_for(staff_user(Role.SECURITY_ANALYST))
    return services.vendor_advisory_publish(actor=reviewer, advisory=advisory)[0]


def test_the_canonical_url_serves_the_document_that_names_it(estate: Estate, settings: Any) -> None:
    settings.OSSDESK_VENDOR_URL = "http://testserver"
    public = _published(estate)
    document = services.vendor_csaf(public)
    url = document["document"]["references"][0]["url"]
    path = url.removeprefix("http://testserver")
    assert path == f"/csaf/{public.published_at.year}/{public.tracking_id.lower()}.json"
    response = Client().get(path)  # TLP:CLEAR: public, no sign-in
    assert response.status_code == 200
    assert json.loads(response.content) == document
    assert response["Content-Disposition"] == f'inline; filename="{public.tracking_id.lower()}.json"'

    amber = _published(estate, tlp="AMBER")
    path = f"/csaf/{amber.published_at.year}/{amber.tracking_id.lower()}.json"
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={path}"  # TLP:AMBER: signed-in readers only
    signed_in = _customer(estate).get(path)
    assert signed_in.status_code == 200
    assert json.loads(signed_in.content)["document"]["distribution"]["tlp"]["label"] == "AMBER"
    assert (
        _customer(estate)
        .get(f"/csaf/{amber.published_at.year - 1}/{amber.tracking_id.lower()}.json")
        .status_code
        == 404
    )

    draft = services.vendor_advisory_create(
        actor=actor_for(estate["staff"][Role.SECURITY_ANALYST]),
        title="Not yet",
        summary="Draft.",
        product=estate["product"],
        ecosystem="PyPI",
        package="django",
        ranges=[{"introduced": "0", "fixed": "1.0"}],
    )
    path = f"/csaf/{timezone.now().year}/{draft.tracking_id.lower()}.json"
    assert _analyst(estate).get(path).status_code == 404  # only what was published has a canonical URL


def test_vendor_advisories_for_customers_and_other_staff(estate: Estate) -> None:
    draft = services.vendor_advisory_create(
        actor=actor_for(estate["staff"][Role.SECURITY_ANALYST]),
        title="Draft only",
        summary="Not yet.",
        product=estate["product"],
        ecosystem="PyPI",
        package="django",
        ranges=[{"introduced": "0", "fixed": "1.0"}],
    )
    customer = _customer(estate)
    text = _text(customer.get("/security/vendor-advisories/"))
    assert "Draft only" not in text
    assert "The vendor has published no advisories of its own yet." in text
    assert customer.get(f"/security/vendor-advisories/{draft.tracking_id}/").status_code == 404
    assert customer.get(f"/security/vendor-advisories/{draft.tracking_id}/csaf.json").status_code == 404
    assert customer.get("/security/vendor-advisories/new/").status_code == 403
    engineer = client_for(estate["staff"][Role.ENGINEER])
    assert "Draft only" in _text(engineer.get("/security/vendor-advisories/"))
    assert engineer.get(f"/security/vendor-advisories/{draft.tracking_id}/edit/").status_code == 403
    submit = engineer.post(f"/security/vendor-advisories/{draft.tracking_id}/submit/")
    assert submit.status_code == 403
    assert "Only security analysts may submit vendor advisories." in _text(submit)


# --- notices ------------------------------------------------------------------------------------------------


def test_customer_acknowledges_a_notice(estate: Estate) -> None:
    client = _customer(estate, who="contact")
    notices = estate["acme"]["notices"]
    text = _text(client.get("/security/notices/"))
    for notice in notices:
        assert f'href="/security/notices/{notice.pk}/">{notice.advisory.osv_id}</a>' in text
    assert text.count(">Acknowledge <span") == len(notices)
    assert "Globex" not in text
    notice = notices[0]
    response = client.post(f"/security/notices/{notice.pk}/acknowledge/", {"next": "detail"})
    assert (response.status_code, response["Location"]) == (302, f"/security/notices/{notice.pk}/")
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    text = _text(client.get("/security/notices/"))
    assert f"/security/notices/{notice.pk}/" not in text  # off the "not acknowledged" tab
    assert f"/security/notices/{notice.pk}/" in _text(client.get("/security/notices/", {"show": "all"}))


def test_staff_see_every_notice_with_its_acknowledgement(estate: Estate) -> None:
    notice = estate["acme"]["notices"][0]
    services.notice_acknowledge(actor=actor_for(estate["customers"]["acme"]["admin"].user), notice=notice)
    text = _text(_analyst(estate).get("/security/notices/"))
    shown = {int(pk) for pk in re.findall(r'href="/security/notices/(\d+)/"', text)}
    assert shown == {n.pk for key in ("acme", "globex") for n in estate[key]["notices"]}
    assert "<td>Acme</td>" in text
    assert "<td>Globex</td>" in text
    assert '<span class="sla sla-soon">not yet</span>' in text
    assert "Acknowledge <span" not in text


def test_notice_list_empty(customers: dict[str, Any], staff: dict[str, User]) -> None:
    text = _text(client_for(customers["acme"]["admin"].user).get("/security/notices/"))
    assert "Nothing to acknowledge." in text
    text = _text(client_for(staff[Role.SECURITY_ANALYST]).get("/security/notices/"))
    assert "No notices yet." in text


def test_other_empty_states(customers: dict[str, Any], staff: dict[str, User]) -> None:
    analyst = client_for(staff[Role.SECURITY_ANALYST])
    assert "No VEX statements yet." in _text(analyst.get("/security/vex/"))
    assert "Write the first one" in _text(analyst.get("/security/vendor-advisories/"))
    assert "Nothing waits for review." in _text(
        analyst.get("/security/vendor-advisories/", {"status": "in_review"})
    )
    assert "No deployments registered yet." in _text(analyst.get("/security/deployments/"))


# --- query counts -------------------------------------------------------------------------------------------


def _assert_constant(client: Client, url: str, grow: Callable[[], None], assert_num_queries: Any) -> Any:
    client.get(url)  # warm the caches that outlive a request
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow()
    with assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _more_deployments(estate: Estate, key: str, n: int) -> Callable[[], None]:
    organization = estate["customers"][key]["org"]

    def grow() -> None:
        for i in range(n):
            deployment = deployment_create(
                actor=SYSTEM, organization=organization, name=f"more-{i}", product=estate["product"]
            )
            upload(deployment, REQUIREMENTS, filename="requirements.txt")

    return grow


@pytest.mark.parametrize("who", ["staff", "customer"])
@pytest.mark.parametrize(
    "url", ["/security/", "/security/findings/", "/security/deployments/", "/security/findings/?status=any"]
)
def test_list_query_counts_do_not_grow(
    who: str, url: str, estate: Estate, django_assert_num_queries: Any
) -> None:
    client = _analyst(estate) if who == "staff" else _customer(estate)
    response = _assert_constant(client, url, _more_deployments(estate, "acme", 3), django_assert_num_queries)
    if "findings" in url or (who == "customer" and url == "/security/"):
        # Each new deployment runs the four vulnerable Python packages: 5 + 12 for acme, 10 + 12 in all.
        assert len(_finding_ids(response)) == (22 if who == "staff" else 17)


def test_advisory_pages_query_counts_do_not_grow(estate: Estate, django_assert_num_queries: Any) -> None:
    client = _analyst(estate)
    _assert_constant(client, "/security/advisories/?q=flask", lambda: None, django_assert_num_queries)
    few = CaptureQueriesContext(connection)
    with few:
        client.get("/security/advisories/?ecosystem=Go")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/security/advisories/")  # 25 rows against 2
    _assert_constant(
        client,
        "/security/advisories/PYSEC-2023-74/",
        _more_deployments(estate, "globex", 2),
        django_assert_num_queries,
    )
    customer = _customer(estate)
    _assert_constant(
        customer,
        "/security/advisories/PYSEC-2023-74/",
        _more_deployments(estate, "acme", 2),
        django_assert_num_queries,
    )


def test_notice_vex_and_vendor_lists_query_counts_do_not_grow(
    estate: Estate, django_assert_num_queries: Any
) -> None:
    analyst = _analyst(estate)
    acme = estate["customers"]["acme"]["org"]

    def more_notices() -> None:
        deployment = deployment_create(
            actor=SYSTEM, organization=acme, name="node", product=estate["product"]
        )
        upload(deployment, PACKAGE_LOCK)
        services.notices_send(
            list(Finding.objects.filter(deployment=deployment).values_list("pk", flat=True))
        )

    response = _assert_constant(analyst, "/security/notices/", more_notices, django_assert_num_queries)
    assert Notice.objects.count() == 11
    assert "GHSA-whgm-jr23-g3j9" in _text(response)

    def more_statements() -> None:
        for package in ("flask", "django", "requests", "urllib3"):
            services.vex_record(
                actor=actor_for(estate["staff"][Role.SECURITY_ANALYST]),
                vulnerability="CVE-2023-32681",
                product=f"pkg:pypi/{package}",
                status="under_investigation",
                organization=acme,
            )

    services.vex_record(
        actor=SYSTEM, vulnerability="CVE-2023-30861", product="pkg:pypi/flask", status="under_investigation"
    )
    _assert_constant(analyst, "/security/vex/", more_statements, django_assert_num_queries)

    analyst_actor = actor_for(estate["staff"][Role.SECURITY_ANALYST])

    def more_vendor_advisories() -> None:
        for i in range(3):
            services.vendor_advisory_create(
                actor=analyst_actor,
                title=f"Advisory {i}",
                summary="s",
                product=estate["product"],
                ecosystem="PyPI",
                package="flask",
                ranges=[{"introduced": "0", "fixed": "1.0"}],
            )

    more_vendor_advisories()
    _assert_constant(
        analyst, "/security/vendor-advisories/", more_vendor_advisories, django_assert_num_queries
    )
