"""The security assurance API through HTTP: deployments and their SBOM uploads, advisories, findings and
their remediation clocks, VEX, vendor advisories (four eyes), notices and the portfolio.

Tenancy: acme's people never read or change globex's deployments, SBOMs, findings, notices or VEX
statements; another organisation's object answers exactly like a missing one (404).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.audit.models import AuditEntry
from ossdesk.customers.models import Deployment
from ossdesk.domain import csaf, vex
from ossdesk.security import services
from ossdesk.security.models import Component, Finding, Notice, Sbom, VendorAdvisory, VexStatement
from ossdesk.security.services import inventories
from tests.accounts.factories import SYSTEM
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe
from tests.security.factories import (
    BATCH_LOCKFILE,
    NPM_LOCKFILE,
    REQUIREMENTS,
    WEB_LOCKFILE,
    Security,
    isolate_files,
    upload,
)

pytestmark = pytest.mark.django_db
Client = Any
TODAY = timezone.localdate()
FLASK_CVE = "CVE-2023-30861"  # PYSEC-2023-62: flask < 2.2.5 / 2.3.0-2.3.2
DJANGO_CVE = "CVE-2021-33203"  # PYSEC-2021-98
REQUESTS_CVE = "CVE-2023-32681"  # PYSEC-2023-74


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    isolate_files(settings, tmp_path)


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def _errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "Invalid input."
    return body["errors"]


def _file(path: Path, name: str | None = None) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name or path.name, path.read_bytes())}


def _finding(deployment: Deployment, package: str) -> Finding:
    return Finding.objects.get(deployment=deployment, name=package)


@pytest.fixture
def clients(
    security: Security, analysts: dict[str, Any], staff: dict[str, Any], client_of: Callable[[Any], Client]
) -> dict[str, Client]:
    """API clients: acme's admin and contact, globex's admin, and the vendor's staff."""
    return {
        "acme": client_of(security["acme"]["admin"]),
        "acme_contact": client_of(security["acme"]["contact"]),
        "globex": client_of(security["globex"]["admin"]),
        "account_manager": client_of(staff["account_manager"]),
        **{role: client_of(user) for role, user in analysts.items()},
    }


# --- deployments --------------------------------------------------------------------------------------------


def test_customer_admin_manages_own_deployments(security: Security, clients: dict[str, Client]) -> None:
    acme, product = security["acme"], security["product"]
    client = clients["acme"]

    created = client.post(
        "/api/deployments/",
        {"name": " payments-prod ", "product": product.pk, "environment": "staging", "internet_facing": True},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["organization"], body["organization_name"], body["name"]) == (
        acme["org"].pk,
        "Acme",
        "payments-prod",
    )
    assert (body["environment"], body["criticality"], body["internet_facing"]) == ("staging", "medium", True)
    assert body["product"] == {"id": product.pk, "name": "Storefront"}
    assert body["version"] is None

    pk = body["id"]
    assert pk in _ids(client.get("/api/deployments/"))
    changed = client.patch(f"/api/deployments/{pk}/", {"criticality": "critical"})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["criticality"] == "critical"
    replaced = client.put(
        f"/api/deployments/{pk}/", {"organization": acme["org"].pk, "name": "payments", "product": product.pk}
    )
    assert replaced.status_code == 200, replaced.json()
    assert replaced.json()["name"] == "payments"
    assert client.delete(f"/api/deployments/{pk}/").status_code == 204
    assert not Deployment.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(object_type="customers.deployment", object_id=str(pk)).count() == 4


def test_staff_create_deployments_for_any_customer_and_filter_by_organization(
    security: Security, staff: dict[str, Any], client_of: Callable[[Any], Client]
) -> None:
    manager = client_of(staff["account_manager"])
    globex = security["globex"]["org"]
    response = manager.post(
        "/api/deployments/",
        {"organization": globex.pk, "name": "globex-api", "product": security["product"].pk},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["organization"] == globex.pk
    listed = manager.get("/api/deployments/", {"organization": globex.pk}).json()["results"]
    assert {d["name"] for d in listed} == {"globex-web", "globex-api"}
    assert manager.post("/api/deployments/", {"name": "x", "product": security["product"].pk}).json()[
        "errors"
    ] == {"organization": ["Say which customer runs the deployment."]}


def test_deployment_input_errors_name_the_field(security: Security, clients: dict[str, Client]) -> None:
    client, product = clients["acme"], security["product"]
    assert "product" in _errors(client.post("/api/deployments/", {"name": "x", "product": 999_999}))
    assert "name" in _errors(client.post("/api/deployments/", {"name": "ACME-web", "product": product.pk}))
    assert "environment" in _errors(
        client.post("/api/deployments/", {"name": "x", "product": product.pk, "environment": "moon"})
    )
    web = security["acme"]["web"]
    assert _errors(
        client.patch(f"/api/deployments/{web.pk}/", {"organization": security["globex"]["org"].pk})
    ) == {"organization": ["A deployment cannot move to another organisation."]}


def test_plain_contact_cannot_add_deployments(security: Security, clients: dict[str, Client]) -> None:
    before = Deployment.objects.count()
    response = clients["acme_contact"].post(
        "/api/deployments/", {"name": "x", "product": security["product"].pk}
    )
    assert response.status_code == 403
    assert Deployment.objects.count() == before


def test_deployment_limit_is_an_entitlement_refusal(security: Security, clients: dict[str, Client]) -> None:
    acme = security["acme"]["org"]
    for n in range(3):  # acme-web and acme-batch exist; the subscription covers five
        Deployment.objects.create(organization=acme, name=f"extra-{n}", product=security["product"])
    response = clients["acme"].post("/api/deployments/", {"name": "sixth", "product": security["product"].pk})
    assert response.status_code == 403
    assert response.json()["code"] == "deployments"
    assert "5 deployments" in response.json()["detail"]


# --- SBOM uploads -------------------------------------------------------------------------------------------


def test_multipart_upload_matches_and_answers_with_the_summary(
    security: Security, clients: dict[str, Client]
) -> None:
    batch = security["acme"]["batch"]
    response = clients["acme"].post(
        f"/api/deployments/{batch.pk}/sboms/", _file(REQUIREMENTS / "my-requirements.txt"), format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    # flask stays; flask-cors and pandas are gone, so their findings close as fixed.
    assert body["match"] == {"created": 0, "reopened": 0, "moved": 0, "closed": 2, "suppressed": 0}
    assert (body["filename"], body["format"], body["component_count"], body["current"]) == (
        "my-requirements.txt",
        body["format"],
        1,
        True,
    )
    assert body["deployment"] == {"id": batch.pk, "name": "acme-batch"}
    assert body["organization"] == security["acme"]["org"].pk
    sbom = Sbom.objects.get(pk=body["id"])
    assert (sbom.uploaded_via, sbom.uploaded_by) == ("api", security["acme"]["admin"].user)
    assert _finding(batch, "pandas").status == Finding.Status.FIXED

    history = clients["acme"].get(f"/api/deployments/{batch.pk}/sboms/").json()
    assert [(s["id"], s["current"]) for s in history["results"]] == [
        (sbom.pk, True),
        (security["acme"]["batch_sbom"].pk, False),
    ]


def test_raw_body_upload_with_filename(security: Security, clients: dict[str, Client]) -> None:
    batch = security["acme"]["batch"]
    response = clients["acme"].post(
        f"/api/deployments/{batch.pk}/sboms/?filename=package-lock.json",
        data=NPM_LOCKFILE.read_bytes(),
        content_type="application/octet-stream",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["match"]["created"] == 1  # ansi-html 0.0.1: GHSA-whgm-jr23-g3j9
    assert response.json()["match"]["closed"] == 3
    finding = _finding(batch, "ansi-html")
    assert (finding.advisory.osv_id, finding.severity, finding.window_days) == (
        "GHSA-whgm-jr23-g3j9",
        "high",
        30,
    )


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"file": SimpleUploadedFile("package-lock.json", b"{not json")}, "package-lock.json"),
        ({"file": SimpleUploadedFile("requirements.txt", b"")}, "empty"),
        ({"file": SimpleUploadedFile("notes.docx", b"PK\x03\x04 something")}, "notes.docx"),
        ({"other": SimpleUploadedFile("requirements.txt", b"flask==1.0")}, "multipart part `file`"),
    ],
    ids=["unreadable", "empty", "unknown-format", "missing"],
)
def test_bad_files_are_400_on_file_and_store_nothing(
    files: dict[str, Any], fragment: str, security: Security, clients: dict[str, Client]
) -> None:
    batch = security["acme"]["batch"]
    before = (Sbom.objects.count(), Component.objects.count())
    response = clients["acme"].post(f"/api/deployments/{batch.pk}/sboms/", files, format="multipart")
    errors = _errors(response)
    assert set(errors) == {"file"}
    assert fragment in errors["file"][0]
    assert (Sbom.objects.count(), Component.objects.count()) == before


def test_raw_body_without_a_filename_says_how_to_send_it(
    security: Security, clients: dict[str, Client]
) -> None:
    batch = security["acme"]["batch"]
    response = clients["acme"].post(
        f"/api/deployments/{batch.pk}/sboms/", data=b"flask==1.0.0\n", content_type="application/octet-stream"
    )
    assert "?filename=" in _errors(response)["file"][0]


def test_upload_over_the_service_limit_is_400(
    security: Security, clients: dict[str, Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventories, "MAX_BYTES", 20)
    batch = security["acme"]["batch"]
    response = clients["acme"].post(
        f"/api/deployments/{batch.pk}/sboms/", _file(WEB_LOCKFILE), format="multipart"
    )
    assert _errors(response) == {
        "file": [f"requirements.txt is {WEB_LOCKFILE.stat().st_size:,} bytes; the limit is 20."]
    }


@pytest.mark.parametrize("raw", [True, False], ids=["raw-body", "multipart"])
def test_upload_over_the_limit_is_refused_before_reading_it(
    raw: bool, security: Security, clients: dict[str, Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ossdesk.security.api import uploads

    monkeypatch.setattr(uploads, "MAX_BYTES", 10)
    url = f"/api/deployments/{security['acme']['batch'].pk}/sboms/"
    if raw:
        response = clients["acme"].post(
            f"{url}?filename=requirements.txt", data=b"flask==1.0.0\n" * 3, content_type="text/plain"
        )
    else:
        response = clients["acme"].post(url, _file(WEB_LOCKFILE), format="multipart")
    errors = _errors(response)
    assert errors["file"][0].startswith("requirements.txt is ")
    assert errors["file"][0].endswith("the limit is 10.")


def test_plan_without_sbom_scanning_is_403_with_the_plan_that_has_it(
    tiers: dict[str, Any], security: Security, client_of: Callable[[Any], Client]
) -> None:
    startup = OrganizationFactory(name="Startup", slug="startup")
    subscribe(
        startup, tiers["starter"], starts_on=TODAY - timedelta(days=1), ends_on=TODAY + timedelta(days=90)
    )
    admin = contact_with_login(startup, role="admin")
    created = client_of(admin).post("/api/deployments/", {"name": "app", "product": security["product"].pk})
    assert created.status_code == 201, created.json()

    response = client_of(admin).post(
        f"/api/deployments/{created.json()['id']}/sboms/", _file(WEB_LOCKFILE), format="multipart"
    )
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["allowed_by"]) == ("feature", "Business")
    assert body["detail"].startswith("Starter does not include SBOM scanning.")
    assert not Sbom.objects.filter(deployment_id=created.json()["id"]).exists()


# --- SBOMs --------------------------------------------------------------------------------------------------


def test_sbom_detail_components_and_download(security: Security, clients: dict[str, Client]) -> None:
    sbom = security["acme"]["web_sbom"]
    client = clients["acme"]
    body = client.get(f"/api/sboms/{sbom.pk}/").json()
    assert (body["filename"], body["component_count"], body["sha256"], body["uploaded_via"]) == (
        "requirements.txt",
        3,
        sbom.sha256,
        "portal",
    )
    assert body["download_url"].endswith(f"/api/sboms/{sbom.pk}/download/")

    page = client.get(body["components_url"], {"page_size": 2}).json()
    assert page["count"] == 3
    assert [(c["name"], c["version"]) for c in page["results"]] == [("django", "1.11.29"), ("flask", "1.0.0")]
    assert page["results"][0]["purl"] == "pkg:pypi/django@1.11.29"

    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == WEB_LOCKFILE.read_bytes()
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"

    assert _ids(client.get("/api/sboms/")) == {
        security["acme"]["web_sbom"].pk,
        security["acme"]["batch_sbom"].pk,
    }
    assert _ids(client.get("/api/sboms/", {"deployment": security["acme"]["batch"].pk})) == {
        security["acme"]["batch_sbom"].pk
    }


# --- advisories ---------------------------------------------------------------------------------------------


@pytest.fixture
def feeds(security: Security) -> None:
    """EPSS and KEV for Flask's CVE, imported through the services from data shaped like the feeds."""
    epss = (
        "#model_version:v2025.03.14,score_date:2026-01-01T00:00:00Z\n"
        f"cve,epss,percentile\n{FLASK_CVE},0.42,0.97\n"
    )
    kev = {
        "vulnerabilities": [
            {
                "cveID": FLASK_CVE,
                "vendorProject": "Pallets",
                "product": "Flask",
                "vulnerabilityName": "Flask session cookie disclosure",
                "dateAdded": "2026-01-02",
                "dueDate": "2026-01-23",
            },
        ]
    }
    services.epss_import(actor=SYSTEM, data=epss.encode(), name="epss.csv")
    services.kev_import(actor=SYSTEM, data=json.dumps(kev).encode(), name="kev.json")


def _osv_ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["osv_id"] for item in response.json()["results"]]


def test_advisory_list_searches_and_filters(
    security: Security, clients: dict[str, Client], feeds: None
) -> None:
    client = clients["acme_contact"]  # advisories are public data: any signed-in user
    assert client.get("/api/advisories/").json()["count"] == 25
    assert _osv_ids(client.get("/api/advisories/", {"search": DJANGO_CVE.lower()})) == ["PYSEC-2021-98"]
    assert _osv_ids(client.get("/api/advisories/", {"search": "GHSA-68w8-qjq3-2gfm"})) == ["PYSEC-2021-98"]
    assert _osv_ids(client.get("/api/advisories/", {"search": "PYSEC-2020-4"})) == ["PYSEC-2020-43"]
    assert "PYSEC-2023-62" in _osv_ids(client.get("/api/advisories/", {"search": "WSGI"}))
    assert set(_osv_ids(client.get("/api/advisories/", {"severity": "high"}))) == {
        "GHSA-whgm-jr23-g3j9",
        "ALPINE-CVE-2025-26519",
    }
    assert _osv_ids(client.get("/api/advisories/", {"ecosystem": "npm"})) == ["GHSA-whgm-jr23-g3j9"]
    assert _osv_ids(client.get("/api/advisories/", {"kev": "true"})) == ["PYSEC-2023-62"]
    assert "PYSEC-2023-62" not in _osv_ids(client.get("/api/advisories/", {"kev": "false", "page_size": 100}))
    assert _osv_ids(client.get("/api/advisories/", {"ordering": "osv_id", "page_size": 1})) == [
        "ALPINE-CVE-2025-26519"
    ]
    assert "record" not in client.get("/api/advisories/").json()["results"][0]  # lists stay light
    assert set(_errors(client.get("/api/advisories/", {"severity": "dire"}))) == {"severity"}


def test_advisory_detail_by_id_or_alias(security: Security, clients: dict[str, Client], feeds: None) -> None:
    client = clients["acme"]
    by_id = client.get("/api/advisories/PYSEC-2023-62/")
    assert by_id.status_code == 200
    body = by_id.json()
    assert client.get(f"/api/advisories/{FLASK_CVE}/").json() == body
    assert client.get(f"/api/advisories/{FLASK_CVE.lower()}/").json() == body
    assert body["aliases"] == [FLASK_CVE, "GHSA-m2qf-hxjv-5gpq"]
    assert body["packages"] == [{"ecosystem": "PyPI", "name": "flask", "fixed": ["2.2.5", "2.3.2"]}]
    assert body["record"]["id"] == "PYSEC-2023-62"
    assert (body["epss"], body["epss_percentile"], body["kev"], body["kev_added"]) == (
        0.42,
        0.97,
        True,
        "2026-01-02",
    )
    assert body["url"].endswith("/api/advisories/PYSEC-2023-62/")
    missing = client.get("/api/advisories/CVE-1999-0001/")
    assert missing.status_code == 404


def test_who_is_affected_shows_staff_every_customer_and_a_customer_itself(
    security: Security, clients: dict[str, Client]
) -> None:
    staff_view = clients["engineer"].get(f"/api/advisories/{FLASK_CVE}/affected/").json()
    assert staff_view["advisory"]["osv_id"] == "PYSEC-2023-62"
    assert [(c["organization_name"], c["by_status"], c["deployments"]) for c in staff_view["customers"]] == [
        ("Acme", {"open": 2}, 2),
        ("Globex", {"open": 1}, 1),
    ]
    for who in ("acme", "acme_contact"):
        response = clients[who].get("/api/advisories/PYSEC-2023-62/affected/")
        assert response.json()["customers"] == [
            {
                "organization": security["acme"]["org"].pk,
                "organization_name": "Acme",
                "by_status": {"open": 2},
                "deployments": 2,
            }
        ]
        assert b"globex" not in response.content.lower()
    assert clients["globex"].get("/api/advisories/PYSEC-2020-43/affected/").json()["customers"] == []


def test_affected_counts_each_customers_deployments_across_statuses(
    security: Security, clients: dict[str, Client]
) -> None:
    acme = security["acme"]
    batch_flask = _finding(acme["batch"], "flask")
    assert (
        clients["acme"].post(f"/api/findings/{batch_flask.pk}/status/", {"status": "fixed"}).status_code
        == 200
    )
    (entry,) = clients["acme"].get(f"/api/advisories/{FLASK_CVE}/affected/").json()["customers"]
    assert entry["by_status"] == {"open": 1, "fixed": 1}
    assert entry["deployments"] == 2  # acme-web (open) and acme-batch (fixed)


# --- findings -----------------------------------------------------------------------------------------------


def test_findings_list_filters_and_order(security: Security, clients: dict[str, Client], feeds: None) -> None:
    acme, globex = security["acme"], security["globex"]
    staff, client = clients["engineer"], clients["acme"]
    assert staff.get("/api/findings/").json()["count"] == 9
    assert client.get("/api/findings/").json()["count"] == 6
    assert _ids(staff.get("/api/findings/", {"organization": globex["org"].pk})) == set(
        Finding.objects.filter(organization=globex["org"]).values_list("pk", flat=True)
    )
    assert _ids(client.get("/api/findings/", {"deployment": acme["batch"].pk})) == set(
        Finding.objects.filter(deployment=acme["batch"]).values_list("pk", flat=True)
    )
    flask = {_finding(acme["web"], "flask").pk, _finding(acme["batch"], "flask").pk}
    assert _ids(client.get("/api/findings/", {"advisory": FLASK_CVE})) == flask
    assert _ids(client.get("/api/findings/", {"advisory": "PYSEC-2023-62"})) == flask
    assert _ids(client.get("/api/findings/", {"advisory": "CVE-1999-0001"})) == set()
    assert _ids(client.get("/api/findings/", {"search": "pandas"})) == {_finding(acme["batch"], "pandas").pk}
    assert _ids(client.get("/api/findings/", {"search": DJANGO_CVE})) == {_finding(acme["web"], "django").pk}
    assert client.get("/api/findings/", {"severity": "high"}).json()["count"] == 0
    assert client.get("/api/findings/", {"status": "open"}).json()["count"] == 6
    # Known exploitation ranks Flask's findings first; the order is the model's priority order.
    first = client.get("/api/findings/").json()["results"][:2]
    assert {f["id"] for f in first} == flask
    assert first[0]["advisory"]["kev"] is True
    by_due = client.get("/api/findings/", {"ordering": "-due_at"}).json()["results"]
    assert [f["due_at"] for f in by_due] == sorted((f["due_at"] for f in by_due), reverse=True)
    assert set(_errors(client.get("/api/findings/", {"status": "gone", "deployment": "x"}))) == {
        "status",
        "deployment",
    }


def test_finding_detail_shows_its_remediation_clock(security: Security, clients: dict[str, Client]) -> None:
    finding = _finding(security["acme"]["web"], "django")
    body = clients["acme"].get(f"/api/findings/{finding.pk}/").json()
    clock = body["remediation"]
    assert body["due_at"] == clock["due_at"]
    assert (clock["name"], clock["state"], clock["target"], clock["breached"]) == (
        "remediation",
        "running",
        "90d",
        False,
    )
    assert clock["window_reason"] == "unscored: medium window"
    assert 90 * 86400 - 60 < clock["remaining_seconds"] <= 90 * 86400
    assert clock["stopped_at"] is None

    # Overdue: a negative remaining time and a breach, as on a ticket's SLA clock.
    Finding.objects.filter(pk=finding.pk).update(
        detected_at=timezone.now() - timedelta(days=10), due_at=timezone.now() - timedelta(hours=2)
    )
    clock = clients["acme"].get(f"/api/findings/{finding.pk}/").json()["remediation"]
    assert (clock["state"], clock["breached"]) == ("breached", True)
    assert -2 * 3600 - 60 < clock["remaining_seconds"] < -2 * 3600 + 60
    assert clock["fraction"] > 1


NOW = timezone.now()
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "due", "resolved", "until", "state", "breached", "remaining"),
    [
        ("open", 10 * DAY, None, None, "running", False, 10 * DAY),
        ("open", -DAY, None, None, "breached", True, -DAY),
        ("fixed", 10 * DAY, -DAY, None, "met", False, 11 * DAY),
        ("fixed", -2 * DAY, -DAY, None, "breached", True, -DAY),
        ("not_affected", 10 * DAY, -DAY, None, "met", False, 11 * DAY),
        ("risk_accepted", 10 * DAY, None, TODAY + timedelta(days=5), "paused", False, 10 * DAY),
        ("open", None, None, None, "idle", False, None),
    ],
    ids=["running", "overdue", "fixed-in-time", "fixed-late", "ruled-out", "risk-accepted", "no-deadline"],
)
def test_remediation_clock_states(
    status: str, due: Any, resolved: Any, until: Any, state: str, breached: bool, remaining: Any
) -> None:
    from ossdesk.security.api.clocks import remediation_clock

    finding = Finding(
        status=status,
        detected_at=NOW - 20 * DAY,
        due_at=NOW + due if due is not None else None,
        window_days=30 if due is not None else None,
        resolved_at=NOW + resolved if resolved is not None else None,
        risk_accepted_until=until,
    )
    clock = remediation_clock(finding, NOW)
    assert (clock["state"], clock["breached"]) == (state, breached)
    expected = int(remaining.total_seconds()) if remaining is not None else None
    assert clock["remaining_seconds"] == expected
    assert clock["stopped_at"] == finding.resolved_at
    assert clock["target"] == ("30d" if due is not None else None)


def test_finding_status_changes(security: Security, clients: dict[str, Client]) -> None:
    finding = _finding(security["acme"]["web"], "requests")
    url = f"/api/findings/{finding.pk}/status/"
    client = clients["acme"]

    fixed = client.post(url, {"status": "fixed"})
    assert fixed.status_code == 200, fixed.json()
    assert fixed.json()["status"] == "fixed"
    assert (fixed.json()["remediation"]["state"], fixed.json()["remediation"]["breached"]) == ("met", False)
    assert fixed.json()["remediation"]["stopped_at"] == fixed.json()["resolved_at"]

    until = (TODAY + timedelta(days=30)).isoformat()
    accepted = client.post(url, {"status": "risk_accepted", "reason": "behind the VPN", "until": until})
    assert accepted.status_code == 200, accepted.json()
    assert (accepted.json()["status"], accepted.json()["risk_accepted_until"]) == ("risk_accepted", until)
    assert accepted.json()["remediation"]["state"] == "paused"
    assert accepted.json()["remediation"]["pause_reason"] == f"risk accepted until {until}"

    assert client.post(url, {"status": "open"}).json()["status"] == "open"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "ignored"}, "status"),
        ({"status": "not_affected"}, "reason"),
        ({"status": "not_affected", "reason": "   "}, "reason"),
        ({"status": "risk_accepted", "reason": "legacy"}, "until"),
        ({"status": "risk_accepted", "reason": "legacy", "until": TODAY.isoformat()}, "until"),
        ({"status": "risk_accepted", "reason": "legacy", "until": "2020-01-01"}, "until"),
        ({"status": "risk_accepted", "reason": "legacy", "until": "someday"}, "until"),
    ],
    ids=["bad-status", "no-reason", "blank-reason", "no-until", "until-today", "past-until", "not-a-date"],
)
def test_finding_status_errors_name_the_field(
    payload: dict[str, Any], field: str, security: Security, clients: dict[str, Client]
) -> None:
    finding = _finding(security["acme"]["web"], "requests")
    before = model_to_dict(Finding.objects.get(pk=finding.pk))
    errors = _errors(clients["acme"].post(f"/api/findings/{finding.pk}/status/", payload))
    assert field in errors
    assert model_to_dict(Finding.objects.get(pk=finding.pk)) == before


# --- VEX ----------------------------------------------------------------------------------------------------


def test_customer_vex_statement_moves_only_its_own_findings(
    security: Security, clients: dict[str, Client]
) -> None:
    acme, globex = security["acme"], security["globex"]
    response = clients["acme"].post(
        "/api/vex/",
        {
            "vulnerability": FLASK_CVE.lower(),
            "product": "pkg:pypi/flask",
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            # A customer cannot aim a statement at another organisation: it is theirs whatever they say.
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["vulnerability"], body["organization"], body["findings_changed"]) == (
        FLASK_CVE,
        acme["org"].pk,
        2,
    )
    assert body["author_label"] == acme["admin"].user.username
    assert _finding(acme["web"], "flask").status == Finding.Status.NOT_AFFECTED
    assert _finding(acme["batch"], "flask").status == Finding.Status.NOT_AFFECTED
    assert _finding(globex["web"], "flask").status == Finding.Status.OPEN
    assert body["id"] in _ids(clients["acme_contact"].get("/api/vex/", {"vulnerability": FLASK_CVE}))
    assert clients["acme"].get(f"/api/vex/{body['id']}/").json()["status"] == "not_affected"


def test_analyst_statement_limited_to_a_deployment(security: Security, clients: dict[str, Client]) -> None:
    acme = security["acme"]
    response = clients["author"].post(
        "/api/vex/",
        {
            "vulnerability": FLASK_CVE,
            "product": "pkg:pypi/flask@1.0.0",
            "status": "fixed",
            "deployment": acme["batch"].pk,
        },
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["organization"], response.json()["deployment"]) == (
        acme["org"].pk,
        acme["batch"].pk,
    )
    assert response.json()["findings_changed"] == 1
    assert _finding(acme["batch"], "flask").status == Finding.Status.FIXED
    assert _finding(acme["web"], "flask").status == Finding.Status.OPEN
    assert (
        clients["account_manager"]
        .post("/api/vex/", {"vulnerability": FLASK_CVE, "product": "pkg:pypi/flask", "status": "fixed"})
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"product": "flask==1.0.0", "status": "fixed"}, "product"),
        (
            {"product": "pkg:pypi/flask", "status": "not_affected", "justification": "trust_me"},
            "justification",
        ),
        ({"product": "pkg:pypi/flask", "status": "not_affected"}, "justification"),
        ({"product": "pkg:pypi/flask", "status": "wontfix"}, "status"),
    ],
    ids=["bad-purl", "unknown-justification", "no-justification", "bad-status"],
)
def test_vex_errors_name_the_field(
    payload: dict[str, Any], field: str, security: Security, clients: dict[str, Client]
) -> None:
    before = VexStatement.objects.count()
    errors = _errors(clients["acme"].post("/api/vex/", {"vulnerability": FLASK_CVE, **payload}))
    assert field in errors
    assert VexStatement.objects.count() == before


def _openvex(statements: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://acme.test/vex/2026-1",
            "author": "Acme security",
            "timestamp": "2026-01-05T10:00:00Z",
            "version": 1,
            "statements": statements,
        }
    ).encode()


def test_vex_import_applies_every_statement(security: Security, clients: dict[str, Client]) -> None:
    acme = security["acme"]
    document = _openvex(
        [
            {
                "vulnerability": {"name": REQUESTS_CVE},
                "products": [{"@id": "pkg:pypi/requests@2.20.0"}],
                "status": "fixed",
            },
            {
                "vulnerability": {"name": DJANGO_CVE},
                "products": [{"@id": "pkg:pypi/django"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_present",
            },
        ]
    )
    response = clients["acme"].post(
        "/api/vex/import/",
        {"file": SimpleUploadedFile("acme.openvex.json", document), "deployment": acme["web"].pk},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["findings_changed"] == 2
    assert sorted((s["vulnerability"], s["status"], s["deployment"]) for s in body["statements"]) == [
        (DJANGO_CVE, "not_affected", acme["web"].pk),
        (REQUESTS_CVE, "fixed", acme["web"].pk),
    ]
    assert {s["source"] for s in body["statements"]} == {"import:acme.openvex.json"}
    assert _finding(acme["web"], "requests").status == Finding.Status.FIXED
    assert _finding(security["globex"]["web"], "requests").status == Finding.Status.OPEN


def test_vex_import_refuses_a_bad_document_whole(security: Security, clients: dict[str, Client]) -> None:
    before = VexStatement.objects.count()
    not_vex = _errors(
        clients["acme"].post(
            "/api/vex/import/", {"file": SimpleUploadedFile("vex.json", b'{"hello": 1}')}, format="multipart"
        )
    )
    assert list(not_vex) == ["file"]
    assert "vex.json" in not_vex["file"][0]
    one_bad = _openvex(
        [
            {
                "vulnerability": {"name": REQUESTS_CVE},
                "products": [{"@id": "pkg:pypi/requests"}],
                "status": "fixed",
            },
            {"vulnerability": {"name": DJANGO_CVE}, "products": [{"@id": "django"}], "status": "fixed"},
        ]
    )
    errors = _errors(
        clients["acme"].post(
            "/api/vex/import/", {"file": SimpleUploadedFile("v.json", one_bad)}, format="multipart"
        )
    )
    assert "statement 2" in errors["file"][0]
    assert VexStatement.objects.count() == before
    assert _finding(security["acme"]["web"], "requests").status == Finding.Status.OPEN


def test_vex_export_as_openvex_and_cyclonedx(security: Security, clients: dict[str, Client]) -> None:
    acme_stmt, _ = services.vex_record(
        actor=SYSTEM,
        vulnerability=FLASK_CVE,
        product="pkg:pypi/flask@1.0.0",
        status="fixed",
        organization=security["acme"]["org"],
    )
    services.vex_record(
        actor=SYSTEM,
        vulnerability=DJANGO_CVE,
        product="pkg:pypi/django",
        status="not_affected",
        justification="component_not_present",
        organization=security["globex"]["org"],
    )
    openvex = clients["acme"].get("/api/vex/export/")
    assert openvex.status_code == 200
    assert openvex["Content-Type"].startswith("application/json")
    assert openvex["Content-Disposition"].startswith("attachment; filename=")
    document = openvex.json()
    assert vex.validate_openvex(document) == []
    assert [s["vulnerability"]["name"] for s in document["statements"]] == [FLASK_CVE]  # not globex's

    cyclonedx = clients["acme"].get("/api/vex/export/", {"format": "cyclonedx"})
    assert cyclonedx.status_code == 200
    assert cyclonedx["Content-Type"].startswith("application/vnd.cyclonedx+json")
    bom = cyclonedx.json()
    assert vex.validate_cyclonedx_vex(bom) == []
    assert [v["id"] for v in bom["vulnerabilities"]] == [FLASK_CVE]

    staff_doc = clients["author"].get("/api/vex/export/", {"vulnerability": DJANGO_CVE}).json()
    assert [s["vulnerability"]["name"] for s in staff_doc["statements"]] == [DJANGO_CVE]
    assert list(_errors(clients["acme"].get("/api/vex/export/", {"format": "spdx"}))) == ["format"]
    assert acme_stmt.pk


def test_openvex_export_says_what_openvex_cannot_hold(security: Security, clients: dict[str, Client]) -> None:
    empty = _errors(clients["acme"].get("/api/vex/export/"))
    assert "at least one statement" in empty["format"][0]
    # An affected statement must say what to do, or OpenVEX could not carry it.
    response = clients["acme"].post(
        "/api/vex/", {"vulnerability": FLASK_CVE, "product": "pkg:pypi/flask", "status": "affected"}
    )
    assert "action_statement" in _errors(response)
    services.vex_record(
        actor=SYSTEM,
        vulnerability=FLASK_CVE,
        product="pkg:pypi/flask",
        status="affected",
        action_statement="Upgrade flask to 2.2.5.",
        organization=security["acme"]["org"],
    )
    assert clients["acme"].get("/api/vex/export/").status_code == 200
    assert clients["acme"].get("/api/vex/export/", {"format": "cyclonedx"}).status_code == 200


def test_a_justification_goes_only_with_not_affected(security: Security, clients: dict[str, Client]) -> None:
    response = clients["acme"].post(
        "/api/vex/",
        {
            "vulnerability": FLASK_CVE,
            "product": "pkg:pypi/flask",
            "status": "fixed",
            "justification": "component_not_present",
        },
    )
    assert "justification" in _errors(response)


# --- vendor advisories --------------------------------------------------------------------------------------


def _vendor_payload(security: Security, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Flask session cookies cached by proxies in Storefront builds",
        "summary": "A caching proxy may send one client's session cookie to another.",
        "product": security["product"].pk,
        "ecosystem": "PyPI",
        "package": "flask",
        "ranges": [{"introduced": "0", "fixed": "2.3.2"}],
        "cves": [FLASK_CVE],
        "cvss_vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "remediation": "Upgrade to 2.3.2 or the vendor build 2.2.5-vendor1.",
        **changes,
    }


def _draft(client: Client, security: Security, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/vendor-advisories/", _vendor_payload(security, **changes))
    assert response.status_code == 201, response.json()
    return response.json()


def test_vendor_advisory_is_written_reviewed_and_published(
    security: Security, clients: dict[str, Client], analysts: dict[str, Any]
) -> None:
    draft = _draft(clients["author"], security)
    tracking = draft["tracking_id"]
    assert tracking == f"OSSDESK-{timezone.now().year}-0001"
    assert (draft["status"], draft["revision"], draft["author"]) == ("draft", 0, analysts["author"].username)
    assert draft["ranges"] == [{"introduced": "0", "fixed": "2.3.2"}]
    url = f"/api/vendor-advisories/{tracking}/"

    # Customers see no drafts, not even by guessing the id.
    assert tracking not in {
        a["tracking_id"] for a in clients["acme"].get("/api/vendor-advisories/").json()["results"]
    }
    assert clients["acme"].get(url).status_code == 404

    changed = clients["author"].patch(url, {"details": "Only with a caching proxy in front."})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["details"] == "Only with a caching proxy in front."
    submitted = clients["author"].post(f"{url}submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "in_review"
    assert "status" in _errors(clients["author"].post(f"{url}submit/"))

    own = clients["author"].post(f"{url}publish/")
    assert own.status_code == 403
    assert "four eyes" in own.json()["detail"]
    published = clients["reviewer"].post(f"{url}publish/")
    assert published.status_code == 200, published.json()
    body = published.json()
    assert (body["advisory"]["status"], body["advisory"]["revision"]) == ("published", 1)
    assert body["advisory"]["reviewer"] == analysts["reviewer"].username
    # Flask 1.0.0 runs in acme-web, acme-batch and globex-web: three findings, two customers told.
    assert (body["osv_id"], body["findings"], body["notices"]) == (f"x_{tracking}", 3, 2)
    assert Finding.objects.filter(advisory__osv_id=body["osv_id"]).count() == 3

    seen = clients["acme"].get(url).json()
    assert seen["status"] == "published"
    assert "author" not in seen
    assert "reviewer" not in seen
    assert clients["acme"].get(f"/api/advisories/{body['osv_id']}/").json()["source"] == "vendor"


def test_vendor_advisory_exports(security: Security, clients: dict[str, Client]) -> None:
    tracking = _draft(clients["author"], security)["tracking_id"]
    draft_csaf = clients["author"].get(f"/api/vendor-advisories/{tracking}/csaf/").json()
    assert draft_csaf["document"]["tracking"]["status"] == "draft"
    clients["author"].post(f"/api/vendor-advisories/{tracking}/submit/")
    clients["reviewer"].post(f"/api/vendor-advisories/{tracking}/publish/")

    record = clients["acme"].get(f"/api/vendor-advisories/{tracking}/osv/").json()
    assert (record["id"], record["upstream"]) == (f"x_{tracking}", [FLASK_CVE])
    assert record["affected"][0]["package"] == {
        "ecosystem": "PyPI",
        "name": "flask",
        "purl": "pkg:pypi/flask",
    }
    assert record["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.3.2"}]}
    ]
    document = clients["acme"].get(f"/api/vendor-advisories/{tracking}/csaf/").json()
    assert document["document"]["tracking"]["id"] == tracking
    assert document["document"]["tracking"]["status"] == "final"
    assert csaf.validate_csaf(document) == []


KAFKA = {
    "ecosystem": "Maven",
    "package": "org.apache.kafka:kafka-clients",
    "ranges": [{"introduced": "3.0.0", "fixed": "3.7.1-vendor1"}],
    "remediation": "Upgrade to 3.7.1-vendor1 from the vendor repository.",
}


def test_vendor_advisory_with_several_packages_and_a_tlp(
    security: Security, clients: dict[str, Client], csaf_validator: Any
) -> None:
    debian = {"ecosystem": "Debian:12", "package": "openssl", "affected_versions": ["3.0.11-1~deb12u2"]}
    draft = _draft(clients["author"], security, additional_packages=[KAFKA, debian], tlp="GREEN")
    tracking = draft["tracking_id"]
    assert (draft["tlp"], draft["additional_packages"]) == ("GREEN", [KAFKA, debian])
    clients["author"].post(f"/api/vendor-advisories/{tracking}/submit/")
    assert clients["reviewer"].post(f"/api/vendor-advisories/{tracking}/publish/").status_code == 200

    record = clients["acme"].get(f"/api/vendor-advisories/{tracking}/osv/").json()
    assert [a["package"]["purl"] for a in record["affected"]] == [
        "pkg:pypi/flask",
        "pkg:maven/org.apache.kafka/kafka-clients",
        "pkg:deb/debian/openssl?distro=debian-12",
    ]
    document = clients["acme"].get(f"/api/vendor-advisories/{tracking}/csaf/").json()
    assert [b["name"] for b in document["product_tree"]["branches"][0]["branches"]] == [
        "flask",
        "org.apache.kafka:kafka-clients",
        "openssl",
    ]
    assert document["document"]["distribution"]["tlp"]["label"] == "GREEN"
    report = csaf_validator.check(document)
    assert report.errors() == []
    assert report.warnings("6.2.3", "6.2.10", "6.2.11", "6.2.13") == []


def test_vendor_advisory_is_withdrawn_with_a_final_revision(
    security: Security, clients: dict[str, Client], csaf_validator: Any
) -> None:
    tracking = _draft(clients["author"], security)["tracking_id"]
    url = f"/api/vendor-advisories/{tracking}/"
    assert "status" in _errors(clients["author"].post(f"{url}withdraw/", {"reason": "Not yet published."}))
    clients["author"].post(f"{url}submit/")
    clients["reviewer"].post(f"{url}publish/")
    assert Finding.objects.filter(advisory__osv_id=f"x_{tracking}", status=Finding.Status.OPEN).count() == 3

    assert clients["acme"].post(f"{url}withdraw/", {"reason": "Mistake."}).status_code == 403
    assert "reason" in _errors(clients["author"].post(f"{url}withdraw/", {"reason": "  "}))
    response = clients["author"].post(
        f"{url}withdraw/", {"reason": "The vendor builds never shipped the bug."}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["revision"]) == ("published", 2)
    assert body["withdrawn_reason"] == "The vendor builds never shipped the bug."
    assert body["withdrawn_at"]
    # The findings it opened close: the advisory database holds its OSV record as withdrawn.
    statuses = set(Finding.objects.filter(advisory__osv_id=f"x_{tracking}").values_list("status", flat=True))
    assert statuses == {Finding.Status.NOT_AFFECTED}
    assert clients["acme"].get(f"{url}osv/").json()["withdrawn"]

    document = clients["acme"].get(f"{url}csaf/").json()
    tracking_info = document["document"]["tracking"]
    assert (tracking_info["status"], tracking_info["version"]) == ("final", "2")
    assert (
        tracking_info["revision_history"][-1]["summary"]
        == "Withdrawn: The vendor builds never shipped the bug."
    )
    assert document["document"]["notes"][0]["title"] == "Withdrawn"
    assert csaf_validator.check(document).errors() == []

    assert "status" in _errors(clients["author"].post(f"{url}withdraw/", {"reason": "Again."}))
    assert "status" in _errors(clients["author"].patch(url, {"title": "Back from the dead"}))


def test_admin_may_publish_own_advisory(security: Security, clients: dict[str, Client]) -> None:
    tracking = _draft(clients["admin"], security)["tracking_id"]
    assert clients["admin"].post(f"/api/vendor-advisories/{tracking}/submit/").status_code == 200
    response = clients["admin"].post(f"/api/vendor-advisories/{tracking}/publish/")
    assert response.status_code == 200, response.json()
    assert response.json()["advisory"]["status"] == "published"


def test_vendor_advisory_writes_are_for_analysts(security: Security, clients: dict[str, Client]) -> None:
    before = VendorAdvisory.objects.count()
    for who in ("acme", "acme_contact", "engineer"):
        response = clients[who].post("/api/vendor-advisories/", _vendor_payload(security))
        assert response.status_code == 403, who
    assert VendorAdvisory.objects.count() == before

    tracking = _draft(clients["author"], security)["tracking_id"]
    clients["author"].post(f"/api/vendor-advisories/{tracking}/submit/")
    clients["reviewer"].post(f"/api/vendor-advisories/{tracking}/publish/")
    published = model_to_dict(VendorAdvisory.objects.get(tracking_id=tracking))
    for suffix, method, payload in [
        ("", "patch", {"title": "Nothing to see"}),
        ("submit/", "post", None),
        ("publish/", "post", None),
    ]:
        response = getattr(clients["acme"], method)(f"/api/vendor-advisories/{tracking}/{suffix}", payload)
        assert response.status_code == 403, suffix
    assert model_to_dict(VendorAdvisory.objects.get(tracking_id=tracking)) == published
    assert clients["author"].delete(f"/api/vendor-advisories/{tracking}/").status_code == 405


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ranges": [{"introduced": "0", "fixed": "not a version!"}]}, "ranges.0.fixed"),
        ({"ranges": [{"introduced": "1.0.0.0.0-beta..1"}]}, "ranges.0.introduced"),
        ({"ranges": [], "affected_versions": ["1.0", "§"]}, "affected_versions.1"),
        ({"ranges": []}, "ranges"),
        ({"ecosystem": "Fortran"}, "ecosystem"),
        ({"cves": ["GHSA-1234"]}, "cves.0"),
        ({"cvss_vector": "CVSS:3.1/AV:X"}, "cvss_vector"),
        ({"product": 999_999}, "product"),
        ({"tlp": "PURPLE"}, "tlp"),
        ({"ecosystem": "PyPI:3"}, "ecosystem"),
        (
            {"additional_packages": [{"ecosystem": "SemVer", "package": "x", "affected_versions": ["1.0"]}]},
            "additional_packages.0.ecosystem",
        ),
        (
            {"additional_packages": [{"ecosystem": "PyPI", "package": "jinja2", "ranges": []}]},
            "additional_packages.0.ranges",
        ),
        (
            {"additional_packages": [{"ecosystem": "PyPI", "package": "flask", "ranges": [{}]}]},
            "additional_packages",
        ),
    ],
    ids=[
        "fixed",
        "introduced",
        "listed",
        "none",
        "ecosystem",
        "cve",
        "cvss",
        "product",
        "tlp",
        "release-of-a-registry",
        "package-ecosystem",
        "package-versions",
        "package-twice",
    ],
)
def test_vendor_advisory_errors_name_the_field(
    changes: dict[str, Any], field: str, security: Security, clients: dict[str, Client]
) -> None:
    errors = _errors(clients["author"].post("/api/vendor-advisories/", _vendor_payload(security, **changes)))
    assert field in errors, errors
    assert not VendorAdvisory.objects.exists()


# --- notices ------------------------------------------------------------------------------------------------


def test_notices_list_and_acknowledge(security: Security, clients: dict[str, Client]) -> None:
    acme = security["acme"]["org"]
    client = clients["acme_contact"]
    own = set(Notice.objects.filter(organization=acme).values_list("pk", flat=True))
    assert len(own) == 5
    assert _ids(client.get("/api/notices/")) == own
    assert _ids(clients["engineer"].get("/api/notices/")) == set(Notice.objects.values_list("pk", flat=True))

    notice = Notice.objects.get(organization=acme, advisory__osv_id="PYSEC-2023-62")
    listed = client.get(f"/api/notices/{notice.pk}/").json()
    assert (listed["advisory"]["osv_id"], listed["deployments"], listed["findings"]) == (
        "PYSEC-2023-62",
        ["acme-batch", "acme-web"],
        2,
    )
    assert "ticket_error" not in listed  # the vendor's internal reason
    assert "ticket_error" in clients["engineer"].get(f"/api/notices/{notice.pk}/").json()

    response = client.post(f"/api/notices/{notice.pk}/acknowledge/")
    assert response.status_code == 200, response.json()
    assert response.json()["acknowledged_by"] == security["acme"]["contact"].user.username
    assert response.json()["acknowledged_at"] is not None
    assert _ids(client.get("/api/notices/", {"unacknowledged": "true"})) == own - {notice.pk}
    assert client.get("/api/notices/", {"unacknowledged": "false"}).json()["count"] == 5


# --- portfolio ----------------------------------------------------------------------------------------------


def test_portfolio_by_customer_and_severity(security: Security, clients: dict[str, Client]) -> None:
    Finding.objects.filter(name="pandas").update(due_at=timezone.now() - timedelta(days=1))
    body = clients["engineer"].get("/api/portfolio").json()
    assert [
        (c["organization_name"], c["by_severity"], c["total"], c["overdue"], c["deployments"])
        for c in body["customers"]
    ] == [("Acme", {"unknown": 6}, 6, 1, 2), ("Globex", {"unknown": 3}, 3, 0, 1)]
    assert (body["totals"], body["overdue"]) == ({"unknown": 9}, 1)
    top = body["advisories"][0]
    assert (top["osv_id"], top["findings"], top["customers"], top["deployments"]) == (
        "PYSEC-2023-62",
        3,
        2,
        3,
    )

    own = clients["acme"].get("/api/portfolio")
    assert [c["organization_name"] for c in own.json()["customers"]] == ["Acme"]
    assert own.json()["advisories"][0]["customers"] == 1
    assert b"globex" not in own.content.lower()


# --- tenancy ------------------------------------------------------------------------------------------------


@pytest.fixture
def globex_statement(security: Security, actor_of: Callable[[Any], Any]) -> VexStatement:
    statement, _ = services.vex_record(
        actor=actor_of(security["globex"]["admin"]),
        vulnerability=REQUESTS_CVE,
        product="pkg:pypi/requests",
        status="under_investigation",
    )
    return statement


def _objects(security: Security, statement: VexStatement) -> dict[str, tuple[str, int, int]]:
    """Per resource: its URL prefix, globex's object and a missing id."""
    globex = security["globex"]

    def missing(model: Any) -> int:
        return model.objects.order_by("-pk").first().pk + 1000

    return {
        "deployments": ("deployments", globex["web"].pk, missing(Deployment)),
        "sboms": ("sboms", globex["web_sbom"].pk, missing(Sbom)),
        "findings": ("findings", _finding(globex["web"], "flask").pk, missing(Finding)),
        "notices": ("notices", Notice.objects.filter(organization=globex["org"]).first().pk, missing(Notice)),
        "vex": ("vex", statement.pk, missing(VexStatement)),
    }


READS = [
    ("deployments", ""),
    ("deployments", "sboms/"),
    ("sboms", ""),
    ("sboms", "components/"),
    ("sboms", "download/"),
    ("findings", ""),
    ("notices", ""),
    ("vex", ""),
]


def _world(security: Security) -> dict[str, Any]:
    return {
        "deployments": list(Deployment.objects.order_by("pk").values()),
        "sboms": Sbom.objects.count(),
        "components": Component.objects.count(),
        "findings": list(Finding.objects.order_by("pk").values()),
        "notices": list(Notice.objects.order_by("pk").values()),
        "vex": VexStatement.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize(("resource", "suffix"), READS, ids=[f"{r}/{s}" for r, s in READS])
def test_reads_of_another_organisations_objects_are_404(
    resource: str, suffix: str, security: Security, clients: dict[str, Client], globex_statement: VexStatement
) -> None:
    prefix, foreign, missing = _objects(security, globex_statement)[resource]
    for who in ("acme", "acme_contact"):
        response = clients[who].get(f"/api/{prefix}/{foreign}/{suffix}")
        assert response.status_code == 404, (who, resource, suffix)
        assert response.json() == clients[who].get(f"/api/{prefix}/{missing}/{suffix}").json(), (
            who,
            resource,
        )
        assert b"globex" not in response.content.lower()
    assert clients["engineer"].get(f"/api/{prefix}/{foreign}/{suffix}").status_code == 200  # the control


WRITES: list[tuple[str, str, str, Any]] = [
    ("deployments", "patch", "", {"name": "mole"}),
    ("deployments", "delete", "", None),
    ("deployments", "post", "sboms/", "upload"),
    ("findings", "post", "status/", {"status": "fixed"}),
    ("notices", "post", "acknowledge/", None),
]


@pytest.mark.parametrize(
    ("resource", "method", "suffix", "payload"), WRITES, ids=[f"{w[1]}-{w[0]}/{w[2]}" for w in WRITES]
)
def test_writes_to_another_organisations_objects_are_404_and_change_nothing(
    resource: str,
    method: str,
    suffix: str,
    payload: Any,
    security: Security,
    clients: dict[str, Client],
    globex_statement: VexStatement,
) -> None:
    prefix, foreign, missing = _objects(security, globex_statement)[resource]
    before = _world(security)
    for who in ("acme", "acme_contact"):
        answers = []
        for pk in (foreign, missing):
            if payload == "upload":
                response = clients[who].post(
                    f"/api/{prefix}/{pk}/{suffix}", _file(WEB_LOCKFILE), format="multipart"
                )
            else:
                response = getattr(clients[who], method)(f"/api/{prefix}/{pk}/{suffix}", payload)
            answers.append((response.status_code, response.json()))
        assert answers[0] == answers[1], (who, resource, suffix)
        assert answers[0][0] == 404, (who, resource, suffix)
    assert _world(security) == before


def test_lists_and_filters_show_only_own_objects(
    security: Security, clients: dict[str, Client], globex_statement: VexStatement
) -> None:
    acme, globex = security["acme"], security["globex"]
    org = globex["org"].pk
    for who in ("acme", "acme_contact"):
        client = clients[who]
        for prefix in ("deployments", "sboms", "findings", "notices", "vex"):
            response = client.get(f"/api/{prefix}/", {"page_size": 500})
            assert response.status_code == 200, (who, prefix)
            assert b"globex" not in response.content.lower(), (who, prefix)
            organizations = {item.get("organization") for item in response.json()["results"]}
            assert organizations <= {acme["org"].pk, None}, (who, prefix)
        # Filters aimed at globex's objects find nothing, exactly as for ids that do not exist.
        for prefix, params in [
            ("deployments", {"organization": org}),
            ("sboms", {"deployment": globex["web"].pk}),
            ("findings", {"organization": org}),
            ("findings", {"deployment": globex["web"].pk}),
            ("vex", {"vulnerability": REQUESTS_CVE}),
        ]:
            assert client.get(f"/api/{prefix}/", params).json()["results"] == [], (who, prefix, params)
        assert client.get("/api/findings/", {"search": "globex"}).json()["results"] == []
        assert client.get(f"/api/deployments/{acme['web'].pk}/sboms/").json()["count"] == 1
    # The control: staff find globex's objects with the same filters.
    assert clients["engineer"].get("/api/findings/", {"organization": org}).json()["count"] == 3
    assert clients["engineer"].get("/api/vex/", {"vulnerability": REQUESTS_CVE}).json()["count"] == 1


def test_customer_cannot_aim_writes_at_another_organisation(
    security: Security, clients: dict[str, Client]
) -> None:
    globex = security["globex"]
    before = _world(security)
    for who in ("acme", "acme_contact"):
        client = clients[who]
        statement = {"vulnerability": FLASK_CVE, "product": "pkg:pypi/flask", "status": "fixed"}
        assert client.post("/api/vex/", {**statement, "organization": globex["org"].pk}).status_code == 404
        assert client.post("/api/vex/", {**statement, "deployment": globex["web"].pk}).status_code == 404
        imported = client.post(
            "/api/vex/import/",
            {
                "file": SimpleUploadedFile(
                    "v.json",
                    _openvex(
                        [
                            {
                                "vulnerability": {"name": FLASK_CVE},
                                "products": [{"@id": "pkg:pypi/flask"}],
                                "status": "fixed",
                            }
                        ]
                    ),
                ),
                "deployment": globex["web"].pk,
            },
            format="multipart",
        )
        assert imported.status_code == 404
        created = client.post(
            "/api/deployments/",
            {"organization": globex["org"].pk, "name": "mole", "product": security["product"].pk},
        )
        assert created.status_code == 404
    assert _world(security) == before


# --- query counts -------------------------------------------------------------------------------------------


def _assert_constant(client: Client, url: str, grow: Callable[[], None], assert_num_queries: Any) -> None:
    client.get(url)  # the first use of a token records when it was used
    with CaptureQueriesContext(connection) as few:
        first = client.get(url)
    assert first.status_code == 200
    grow()
    with assert_num_queries(len(few.captured_queries)):
        second = client.get(url)
    assert second.json()["count"] > first.json()["count"]


def test_sbom_history_and_components_take_constant_queries(
    security: Security, clients: dict[str, Client], django_assert_num_queries: Any
) -> None:
    web = security["acme"]["web"]
    _assert_constant(
        clients["acme"],
        f"/api/deployments/{web.pk}/sboms/",
        lambda: [upload(web, path) for path in (BATCH_LOCKFILE, NPM_LOCKFILE, WEB_LOCKFILE)],
        django_assert_num_queries,
    )
    sbom = Sbom.objects.get(deployment=web, current=True)
    _assert_constant(
        clients["acme"],
        f"/api/sboms/{sbom.pk}/components/",
        lambda: Component.objects.bulk_create(
            Component(
                sbom=sbom, deployment=web, ecosystem="PyPI", name=f"p{i}", name_key=f"p{i}", version="1"
            )
            for i in range(10)
        ),
        django_assert_num_queries,
    )


@pytest.mark.parametrize("who", ["engineer", "acme"])
def test_affected_and_portfolio_take_constant_queries(
    who: str, security: Security, clients: dict[str, Client], django_assert_num_queries: Any
) -> None:
    client = clients[who]
    client.get("/api/portfolio")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/portfolio")
        client.get(f"/api/advisories/{FLASK_CVE}/affected/")
    acme = security["acme"]
    for n in range(3):
        deployment = Deployment.objects.create(
            organization=acme["org"], name=f"more-{n}", product=security["product"]
        )
        upload(deployment, WEB_LOCKFILE)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/api/portfolio")
        client.get(f"/api/advisories/{FLASK_CVE}/affected/")


# --- schema -------------------------------------------------------------------------------------------------


def test_schema_lists_security_assurance_without_new_warnings(clients: dict[str, Client]) -> None:
    document = yaml.safe_load(clients["engineer"].get("/api/schema/").content)
    paths = document["paths"]
    for path in (
        "/api/deployments/",
        "/api/deployments/{id}/",
        "/api/deployments/{id}/sboms/",
        "/api/sboms/",
        "/api/sboms/{id}/",
        "/api/sboms/{id}/components/",
        "/api/sboms/{id}/download/",
        "/api/advisories/",
        "/api/advisories/{osv_id}/",
        "/api/advisories/{osv_id}/affected/",
        "/api/findings/",
        "/api/findings/{id}/",
        "/api/findings/{id}/status/",
        "/api/vex/",
        "/api/vex/{id}/",
        "/api/vex/import/",
        "/api/vex/export/",
        "/api/vendor-advisories/",
        "/api/vendor-advisories/{tracking_id}/",
        "/api/vendor-advisories/{tracking_id}/submit/",
        "/api/vendor-advisories/{tracking_id}/publish/",
        "/api/vendor-advisories/{tracking_id}/withdraw/",
        "/api/vendor-advisories/{tracking_id}/osv/",
        "/api/vendor-advisories/{tracking_id}/csaf/",
        "/api/notices/",
        "/api/notices/{id}/",
        "/api/notices/{id}/acknowledge/",
        "/api/portfolio",
    ):
        assert path in paths, path
    upload_body = paths["/api/deployments/{id}/sboms/"]["post"]["requestBody"]["content"]
    assert set(upload_body) == {"multipart/form-data", "application/octet-stream"}
    assert "post" not in paths["/api/findings/"]  # findings change through their actions only
    assert "delete" not in paths["/api/vendor-advisories/{tracking_id}/"]
    assert set(paths["/api/vex/export/"]["get"]["responses"]["200"]["content"]) == {
        "application/json",
        "application/vnd.cyclonedx+json",
    }
    # Generating the schema warns about nothing these endpoints add (no enum renamed, no name clash).
    err = io.StringIO()
    call_command("spectacular", "--validate", stdout=io.StringIO(), stderr=err)
    for line in err.getvalue().splitlines():
        assert "security" not in line, line
        assert "customers" not in line, line
        for name in ("status", "severity", "source", "state", "environment", "criticality", "justification"):
            assert f'fields named "{name}"' not in line, line
        assert "identical names" not in line, line
