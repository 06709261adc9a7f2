"""Security services against real data: OSV imports, inventories, matching, deadlines, VEX, notices,
EPSS/KEV, vendor advisories. Expectations come from the advisories' own ranges and `versions` lists."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Notification, Role
from ossdesk.audit.models import AuditEntry
from ossdesk.customers.services import deployment_create
from ossdesk.domain import csaf
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.plans.services import agreement_create
from ossdesk.products.models import Product
from ossdesk.security import services
from ossdesk.security.matching import match_all
from ossdesk.security.models import Advisory, AdvisoryAlias, Component, Finding, Notice, Sbom, VexStatement
from ossdesk.tickets.models import Ticket
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OFFLINE = SHARED / "advisories" / "osv-scanner-offline-dbs"
SYSTEM = Actor.system("tests")

pytestmark = pytest.mark.skipif(not OFFLINE.is_dir(), reason="../shared/data is not beside the checkout")


def _record(relative: str) -> dict:
    return json.loads((OFFLINE / relative).read_text())


def _import(path: Path = OFFLINE, **kwargs):
    return services.advisories_import(actor=SYSTEM, path=path, **kwargs)


def _requirements(*pins: str) -> bytes:
    return ("\n".join(pins) + "\n").encode()


@pytest.fixture
def product(db) -> Product:
    return ProductFactory(
        name="Django support", slug="django-support", ecosystem="PyPI", package_name="django"
    )


@pytest.fixture
def deployments(customers, product):
    acme, globex = customers["acme"]["org"], customers["globex"]["org"]
    return {
        "acme-web": deployment_create(actor=SYSTEM, organization=acme, name="web", product=product),
        "acme-api": deployment_create(
            actor=SYSTEM,
            organization=acme,
            name="api",
            product=product,
            criticality="high",
            internet_facing=True,
        ),
        "globex-web": deployment_create(actor=SYSTEM, organization=globex, name="web", product=product),
    }


def _upload(deployment, data: bytes, filename: str = "requirements.txt"):
    return services.sbom_upload(actor=SYSTEM, deployment=deployment, filename=filename, data=data)


# --- import -----------------------------------------------------------------------------------------------


def test_import_of_the_offline_dump_is_complete_and_idempotent(db):
    files = sorted(OFFLINE.rglob("*.json"))
    ids = {json.loads(f.read_text())["id"] for f in files}
    first = _import()
    assert first.rejected == []
    assert first.seen == len(files)
    assert first.added == len(ids) == Advisory.objects.count()
    # The same id under two folders (GIT/ and PyPI/PYSEC-2020-148) is one advisory.
    assert first.added + first.unchanged + first.updated == len(files)
    again = _import()
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(files))
    assert Advisory.objects.count() == len(ids)
    # Aliases find the advisory.
    django = AdvisoryAlias.objects.get(alias="CVE-2021-33203").advisory
    assert django.osv_id == "PYSEC-2021-98"
    assert set(django.packages.values_list("ecosystem", "name_key")) == {("PyPI", "django")}


def test_bad_records_are_reported_and_the_rest_imports(db, tmp_path):
    (tmp_path / "good.json").write_bytes((OFFLINE / "PyPI" / "PYSEC-2021-98.json").read_bytes())
    (tmp_path / "broken.json").write_text('{"id": "X-1", "modified": ')
    (tmp_path / "no-id.json").write_text('{"modified": "2024-01-01T00:00:00Z"}')
    bad_event = _record("PyPI/PYSEC-2020-73.json")
    bad_event["affected"][0]["ranges"][0]["events"] = [{"fixed": "1.0"}]
    (tmp_path / "bad-event.json").write_text(json.dumps(bad_event))
    (tmp_path / "README.md").write_text("not a record")
    report = _import(tmp_path)
    assert report.added == 1
    reasons = dict(report.rejected)
    assert set(reasons) == {"broken.json", "no-id.json", "bad-event.json"}
    assert "not valid JSON" in reasons["broken.json"]
    assert "id" in reasons["no-id.json"]
    assert "introduced" in reasons["bad-event.json"]
    assert list(Advisory.objects.values_list("osv_id", flat=True)) == ["PYSEC-2021-98"]


def test_import_is_incremental_by_modified(db, tmp_path):
    record = _record("PyPI/PYSEC-2021-98.json")
    (tmp_path / "r.json").write_text(json.dumps(record))
    _import(tmp_path)
    # Same modified, different bytes: the stored record stays.
    record["summary"] = "edited without a new modified"
    (tmp_path / "r.json").write_text(json.dumps(record))
    report = _import(tmp_path)
    assert (report.updated, report.unchanged) == (0, 1)
    assert Advisory.objects.get().summary != "edited without a new modified"
    record["modified"] = "2030-01-01T00:00:00Z"
    (tmp_path / "r.json").write_text(json.dumps(record))
    report = _import(tmp_path)
    assert report.updated == 1
    assert Advisory.objects.get().summary == "edited without a new modified"


def test_import_tarball_and_zip(db, tmp_path):
    folder = tmp_path / "dump"
    shutil.copytree(OFFLINE / "PyPI", folder / "PyPI")
    zipped = shutil.make_archive(str(tmp_path / "pypi"), "zip", folder)
    report = _import(Path(zipped))
    assert report.added == 6
    tarred = shutil.make_archive(str(tmp_path / "pypi"), "gztar", folder)
    assert _import(Path(tarred)).unchanged == 6


# --- inventory and matching -------------------------------------------------------------------------------


def test_sbom_match_follows_the_records_ranges_and_versions(deployments):
    _import()
    django = _record("PyPI/PYSEC-2021-98.json")["affected"][0]
    flask = _record("PyPI/PYSEC-2023-62.json")["affected"][0]
    affected_django = django["versions"][-1]  # listed by the record as affected
    assert affected_django in django["versions"]
    fixed_flask = "2.2.5"  # the record's fixed event
    assert {"fixed": fixed_flask} in next(r for r in flask["ranges"] if r["type"] == "ECOSYSTEM")["events"]
    sbom, result = _upload(
        deployments["acme-web"], _requirements(f"django=={affected_django}", f"flask=={fixed_flask}")
    )
    assert sbom.component_count == 2
    assert result.created == 1
    finding = Finding.objects.get(deployment=deployments["acme-web"])
    assert (finding.advisory.osv_id, finding.name, finding.version) == (
        "PYSEC-2021-98",
        "django",
        affected_django,
    )
    assert finding.fixed_versions == ["2.2.24", "3.1.12", "3.2.4"]
    assert finding.status == Finding.Status.OPEN
    assert finding.organization == deployments["acme-web"].organization


def test_newer_sbom_without_the_affected_version_closes_the_finding_as_fixed(deployments):
    _import()
    _upload(deployments["acme-web"], _requirements("django==3.2.3"))
    finding = Finding.objects.get()
    assert finding.status == Finding.Status.OPEN
    _, result = _upload(deployments["acme-web"], _requirements("django==3.2.4"))
    assert result.closed == 1
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FIXED
    assert finding.resolved_at is not None
    assert finding.status_reason == "no longer runs an affected version"
    # History stays: both SBOMs, only the newest current.
    assert list(Sbom.objects.values_list("current", flat=True)) == [True, False]
    assert Component.objects.filter(current=True).count() == 1
    # The affected version coming back reopens the same finding.
    _, result = _upload(deployments["acme-web"], _requirements("django==3.2.1"))
    finding.refresh_from_db()
    assert (result.reopened, finding.status, finding.version) == (1, Finding.Status.OPEN, "3.2.1")
    assert Finding.objects.count() == 1


def test_importing_an_advisory_finds_every_affected_deployment_without_a_rescan(deployments, tmp_path):
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    _upload(deployments["acme-api"], _requirements("django==3.2.4"))  # fixed
    _upload(deployments["globex-web"], _requirements("django==2.2.0"))
    assert Finding.objects.count() == 0
    (tmp_path / "r.json").write_bytes((OFFLINE / "PyPI" / "PYSEC-2021-98.json").read_bytes())
    report = _import(tmp_path)
    assert report.findings == 2
    assert set(
        Finding.objects.values_list("deployment__organization__slug", "deployment__name", "version")
    ) == {
        ("acme", "web", "3.1.0"),
        ("globex", "web", "2.2.0"),
    }


def test_a_bad_upload_is_refused_with_the_parsers_reason_and_stores_nothing(deployments, settings):
    files = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    before = sorted(files.rglob("*")) if files.exists() else []
    with pytest.raises(ValidationError) as raised:
        _upload(deployments["acme-web"], b'{"lockfileVersion": 2, "packages": ', "package-lock.json")
    assert "package-lock.json" in raised.value.message_dict["file"][0]
    with pytest.raises(ValidationError, match="empty"):
        _upload(deployments["acme-web"], b"")
    assert Sbom.objects.count() == Component.objects.count() == 0
    assert (sorted(files.rglob("*")) if files.exists() else []) == before


def test_sbom_scanning_is_an_entitlement(tiers, product):
    organization = OrganizationFactory(name="Smallco", slug="smallco")
    today = timezone.localdate()
    subscribe(
        organization, tiers["starter"], starts_on=today, ends_on=today + timedelta(days=30), deployments=2
    )
    admin = contact_with_login(organization, role="admin")
    deployment = deployment_create(actor=SYSTEM, organization=organization, name="shop", product=product)
    with pytest.raises(EntitlementDenied, match="Starter does not include SBOM scanning") as raised:
        services.sbom_upload(
            actor=actor_for(admin.user),
            deployment=deployment,
            filename="requirements.txt",
            data=b"django==3.2.0\n",
        )
    assert raised.value.allowed_by == "Business"


def test_deployments_are_limited_by_the_subscription(customers, product):
    acme = customers["acme"]["org"]
    for n in range(5):
        deployment_create(actor=SYSTEM, organization=acme, name=f"d{n}", product=product)
    # Business allows 20; the subscription bought 5: no other plan is needed, only more deployments.
    with pytest.raises(EntitlementDenied, match="subscription includes 5 deployments, all in use") as raised:
        deployment_create(actor=SYSTEM, organization=acme, name="one-more", product=product)
    assert raised.value.allowed_by is None
    with pytest.raises(ValidationError) as raised:
        deployment_create(actor=SYSTEM, organization=customers["globex"]["org"], name=" ", product=None)
    assert set(raised.value.message_dict) == {"name", "product"}


def test_full_rematch_gives_the_same_findings(deployments):
    _import()
    _upload(deployments["acme-web"], _requirements("django==3.1.0", "flask==2.2.4", "requests==2.30.0"))
    _upload(deployments["globex-web"], _requirements("urllib3==1.25.8", "pandas==1.1.1"))
    before = set(Finding.objects.values_list("deployment_id", "advisory__osv_id", "version", "status"))
    assert len(before) >= 4
    result = match_all()
    assert (result.created, result.closed, result.moved) == (0, 0, 0)
    assert (
        set(Finding.objects.values_list("deployment_id", "advisory__osv_id", "version", "status")) == before
    )


def test_withdrawn_advisory_closes_its_findings_as_not_affected(deployments, tmp_path):
    record = _record("PyPI/PYSEC-2021-98.json")
    (tmp_path / "r.json").write_text(json.dumps(record))
    _import(tmp_path)
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    record["withdrawn"] = record["modified"] = "2030-01-01T00:00:00Z"
    (tmp_path / "r.json").write_text(json.dumps(record))
    _import(tmp_path)
    finding = Finding.objects.get()
    assert (finding.status, finding.status_reason) == (
        Finding.Status.NOT_AFFECTED,
        "the advisory was withdrawn",
    )


# --- deadlines and priority -------------------------------------------------------------------------------


def _cvss_record(tmp_path, vector: str, osv_id: str = "TEST-2026-1") -> None:
    record = _record("PyPI/PYSEC-2021-98.json")
    record["id"] = osv_id
    record["aliases"] = ["CVE-2099-0001"]
    record["severity"] = [{"type": "CVSS_V3", "score": vector}]
    (tmp_path / f"{osv_id}.json").write_text(json.dumps(record))


CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8 (NVD's example for this vector)
MEDIUM = "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N"  # 4.6


def test_remediation_deadline_follows_severity_terms_and_frameworks(deployments, tmp_path, staff):
    acme = deployments["acme-web"].organization
    acme.compliance_frameworks = ["PCI-DSS"]
    acme.save()
    today = timezone.localdate()
    agreement_create(
        actor=SYSTEM,
        organization=acme,
        reference="ACME-1",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=300),
        overrides={"remediation_days": {"critical": 45, "medium": 60}},
    )
    _cvss_record(tmp_path, CRITICAL)
    _cvss_record(tmp_path, MEDIUM, "TEST-2026-2")
    _import(tmp_path)
    assert Advisory.objects.get(osv_id="TEST-2026-1").cvss_score == 9.8
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    _upload(deployments["globex-web"], _requirements("django==3.1.0"))
    windows = {
        (f.organization.slug, f.advisory.osv_id): (f.severity, f.window_days, f.due_at - f.detected_at)
        for f in Finding.objects.select_related("organization", "advisory")
    }
    assert windows[("acme", "TEST-2026-1")] == ("critical", 30, timedelta(days=30))  # PCI DSS caps the 45
    assert windows[("acme", "TEST-2026-2")] == ("medium", 60, timedelta(days=60))  # the agreement's
    assert windows[("globex", "TEST-2026-1")] == ("critical", 7, timedelta(days=7))  # the plan default
    assert windows[("globex", "TEST-2026-2")] == ("medium", 90, timedelta(days=90))


def test_epss_and_kev_rank_findings_and_kev_tightens_the_deadline(deployments, tmp_path):
    _cvss_record(tmp_path, MEDIUM)
    _import(tmp_path)
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    finding = Finding.objects.get()
    assert finding.window_days == 90
    first_priority = finding.priority
    epss = tmp_path / "epss.csv"
    epss.write_text(
        "#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z\n"
        "cve,epss,percentile\nCVE-2099-0001,0.91234,0.99871\nCVE-2099-9999,0.1,0.5\nnot-a-cve,0.1,0.2\n"
    )
    report = services.epss_import(actor=SYSTEM, data=epss.read_bytes(), name=epss.name)
    assert (report.rows, len(report.rejected), report.advisories) == (2, 1, 1)
    advisory = Advisory.objects.get()
    assert (advisory.epss, advisory.epss_percentile) == (0.91234, 0.99871)
    finding.refresh_from_db()
    assert finding.priority > first_priority
    kev = tmp_path / "kev.json"
    kev.write_text(
        json.dumps(
            {
                "catalogVersion": "2026.11.27",
                "vulnerabilities": [
                    {
                        "cveID": "CVE-2099-0001",
                        "vendorProject": "Django",
                        "product": "Django",
                        "vulnerabilityName": "Test",
                        "dateAdded": "2026-11-20",
                        "dueDate": "2026-12-11",
                        "knownRansomwareCampaignUse": "Unknown",
                    }
                ],
            }
        )
    )
    assert services.kev_import(actor=SYSTEM, data=kev.read_bytes(), name=kev.name).rows == 1
    advisory.refresh_from_db()
    finding.refresh_from_db()
    assert advisory.kev
    assert finding.window_days == 7
    assert "KEV" in finding.window_reason
    with pytest.raises(ValidationError, match="header"):
        services.epss_import(actor=SYSTEM, data=b"a,b,c\n1,2,3\n", name="bad.csv")


# --- finding status, VEX ----------------------------------------------------------------------------------


def test_risk_acceptance_needs_a_reason_and_a_future_date_and_expires(deployments, staff):
    _import()
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    finding = Finding.objects.get()
    analyst = actor_for(staff[Role.SECURITY_ANALYST])
    with pytest.raises(ValidationError) as raised:
        services.finding_set_status(actor=analyst, finding=finding, status="risk_accepted")
    assert set(raised.value.message_dict) == {"reason", "until"}
    with pytest.raises(ValidationError, match="future"):
        services.finding_set_status(
            actor=analyst,
            finding=finding,
            status="risk_accepted",
            reason="WAF rule",
            until=timezone.localdate(),
        )
    until = timezone.localdate() + timedelta(days=10)
    services.finding_set_status(
        actor=analyst, finding=finding, status="risk_accepted", reason="WAF rule", until=until
    )
    assert services.risk_acceptances_expire(today=until) == 0
    assert services.risk_acceptances_expire(today=until + timedelta(days=1)) == 1
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    assert "expired" in finding.status_reason


def test_customers_change_only_their_own_findings(deployments, customers):
    _import()
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    finding = Finding.objects.get()
    globex_admin = actor_for(customers["globex"]["admin"].user)
    with pytest.raises(Finding.DoesNotExist):
        services.finding_set_status(actor=globex_admin, finding=finding, status="fixed")


def test_vex_not_affected_suppresses_findings_with_an_audit_trail(deployments, customers):
    _import()
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    _upload(deployments["globex-web"], _requirements("django==3.1.0"))
    acme_admin = actor_for(customers["acme"]["admin"].user)
    with pytest.raises(ValidationError) as raised:
        services.vex_record(
            actor=acme_admin, vulnerability="CVE-2021-33203", product="django", status="not_affected"
        )
    assert set(raised.value.message_dict) == {"product", "justification"}
    statement, changed = services.vex_record(
        actor=acme_admin,
        vulnerability="CVE-2021-33203",  # an alias of PYSEC-2021-98
        product="pkg:pypi/django",
        status="not_affected",
        justification="vulnerable_code_not_in_execute_path",
    )
    assert changed == 1
    assert statement.organization == customers["acme"]["org"]  # a customer speaks for its own organisation
    statuses = dict(Finding.objects.values_list("organization__slug", "status"))
    assert statuses == {"acme": "not_affected", "globex": "open"}
    finding = Finding.objects.get(organization__slug="acme")
    assert finding.status_reason.startswith("VEX not affected")
    assert AuditEntry.objects.filter(
        action="update", object_id=str(finding.pk), object_type="security.finding"
    ).exists()
    # A new deployment of acme that runs the same version is suppressed at once.
    deployment = deployment_create(
        actor=SYSTEM,
        organization=customers["acme"]["org"],
        name="batch",
        product=deployments["acme-web"].product,
    )
    _, result = _upload(deployment, _requirements("django==3.1.0"))
    assert result.suppressed == 1
    assert Finding.objects.get(deployment=deployment).status == Finding.Status.NOT_AFFECTED


def test_vex_import_is_all_or_nothing(deployments, customers):
    _import()
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/1",
        "author": "Acme security",
        "timestamp": "2026-11-27T10:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2021-33203"},
                "products": [{"@id": "pkg:pypi/django@3.1.0"}],
                "status": "not_affected",
                "justification": "component_not_present",
            },
            {
                "vulnerability": {"name": "CVE-2099-1"},
                "products": [{"@id": "django"}],
                "status": "affected",
                "action_statement": "upgrade",
            },
        ],
    }
    actor = actor_for(customers["acme"]["admin"].user)
    with pytest.raises(ValidationError, match="statement 2"):
        services.vex_import(actor=actor, data=json.dumps(document).encode(), filename="acme.openvex.json")
    assert VexStatement.objects.count() == 0
    assert Finding.objects.get().status == Finding.Status.OPEN
    document["statements"].pop()
    created, changed = services.vex_import(
        actor=actor, data=json.dumps(document).encode(), filename="acme.openvex.json"
    )
    assert (len(created), changed) == (1, 1)
    assert Finding.objects.get().status == Finding.Status.NOT_AFFECTED


# --- notices ----------------------------------------------------------------------------------------------


def test_notices_reach_exactly_the_affected_customers(deployments, customers, tmp_path):
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    _upload(deployments["acme-api"], _requirements("django==3.1.1"))
    _upload(deployments["globex-web"], _requirements("django==3.2.4"))  # fixed version
    (tmp_path / "r.json").write_bytes((OFFLINE / "PyPI" / "PYSEC-2021-98.json").read_bytes())
    report = _import(tmp_path)
    assert report.notices == 1
    notice = Notice.objects.get()
    assert notice.organization == customers["acme"]["org"]
    assert (notice.findings, notice.deployments) == (2, ["api", "web"])
    recipients = set(
        Notification.objects.filter(kind="security_notice").values_list("recipient_id", flat=True)
    )
    acme_users = {customers["acme"][k].user_id for k in ("admin", "contact")}
    globex_users = {customers["globex"][k].user_id for k in ("admin", "contact")}
    assert acme_users <= recipients
    assert not recipients & globex_users
    # Acknowledged once; another customer cannot.
    with pytest.raises(Notice.DoesNotExist):
        services.notice_acknowledge(actor=actor_for(customers["globex"]["admin"].user), notice=notice)
    services.notice_acknowledge(actor=actor_for(customers["acme"]["contact"].user), notice=notice)
    notice.refresh_from_db()
    assert notice.acknowledged_by == customers["acme"]["contact"].user
    # Re-importing the unchanged record notifies nobody again.
    count = Notification.objects.count()
    _import(tmp_path)
    assert Notification.objects.count() == count


def test_enterprise_customer_with_a_critical_finding_gets_a_security_ticket(tiers, product, tmp_path):
    organization = OrganizationFactory(name="Bank", slug="bank")
    today = timezone.localdate()
    subscribe(
        organization,
        tiers["enterprise"],
        starts_on=today,
        ends_on=today + timedelta(days=300),
        products=[product],
        deployments=3,
    )
    contact_with_login(organization, role="admin")
    deployment = deployment_create(actor=SYSTEM, organization=organization, name="core", product=product)
    _upload(deployment, _requirements("django==3.1.0"))
    _cvss_record(tmp_path, CRITICAL)
    _import(tmp_path)
    notice = Notice.objects.get()
    assert notice.severity == "critical"
    assert notice.ticket is not None, notice.ticket_error
    ticket = Ticket.objects.get()
    assert ticket.organization == organization
    assert ticket.deployment == deployment
    assert "TEST-2026-1" in ticket.subject


def test_business_customer_with_a_critical_finding_gets_no_ticket(deployments, tmp_path):
    _upload(deployments["acme-web"], _requirements("django==3.1.0"))
    _cvss_record(tmp_path, CRITICAL)
    _import(tmp_path)
    assert Notice.objects.get().ticket is None
    assert Ticket.objects.count() == 0


# --- vendor advisories ------------------------------------------------------------------------------------

OSV_SCHEMA = SHARED / "osv-schema" / "validation" / "schema.json"


def _vendor(actor, product, **changes):
    fields = {
        "title": "Django: SQL injection in QuerySet.order_by backported fix",
        "summary": "Our 3.2 builds carry the upstream fix as 3.2.4+vendor1.",
        "details": "Upgrade from the vendor repository.",
        "product": product,
        "ecosystem": "PyPI",
        "package": "django",
        "ranges": [{"introduced": "3.2", "fixed": "3.2.4+vendor1"}],
        "affected_versions": [],
        "cves": ["CVE-2099-0002"],
        "aliases": [],
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
        "remediation": "Install 3.2.4+vendor1 from https://packages.vendor.example/",
    }
    fields.update(changes)
    return services.vendor_advisory_create(actor=actor, **fields)


def test_vendor_advisory_review_publish_and_exports(deployments, staff, product):
    author = actor_for(staff[Role.SECURITY_ANALYST])
    _upload(deployments["acme-web"], _requirements("django==3.2.3"))
    _upload(deployments["globex-web"], _requirements("django==3.2.4+vendor1"))
    advisory = _vendor(author, product)
    assert advisory.tracking_id == f"OSSDESK-{timezone.now().year}-0001"
    services.vendor_advisory_submit(actor=author, advisory=advisory)
    with pytest.raises(PermissionDenied, match="four eyes"):
        services.vendor_advisory_publish(actor=author, advisory=advisory)
    with pytest.raises(PermissionDenied):
        services.vendor_advisory_publish(actor=actor_for(staff[Role.ENGINEER]), advisory=advisory)
    advisory, report = services.vendor_advisory_publish(actor=actor_for(staff[Role.ADMIN]), advisory=advisory)
    assert (advisory.status, advisory.revision) == ("published", 1)
    assert advisory.advisory.source == Advisory.Source.VENDOR
    assert advisory.advisory.severity == "critical"
    # Exactly the deployment running an affected build has a finding and a notice.
    assert list(Finding.objects.values_list("deployment__organization__slug", "version")) == [
        ("acme", "3.2.3")
    ]
    assert report.notices == 1
    record = services.vendor_osv(advisory)
    jsonschema.validate(record, json.loads(OSV_SCHEMA.read_text()))
    document = csaf.to_csaf(services.vendor_document(advisory))
    assert csaf.validate_csaf(document) == []
    assert document["document"]["tracking"]["status"] == "final"
    assert document["document"]["tracking"]["id"] == advisory.tracking_id


def test_vendor_advisory_field_errors(staff, product):
    author = actor_for(staff[Role.SECURITY_ANALYST])
    with pytest.raises(ValidationError) as raised:
        _vendor(
            author,
            product,
            ecosystem="PyPI",
            ranges=[{"introduced": "3.2", "fixed": "not a version!"}],
            cves=["2099-1"],
            cvss_vector="CVSS:3.1/AV:X",
        )
    assert set(raised.value.message_dict) == {"ranges.0.fixed", "cves.0", "cvss_vector"}
    with pytest.raises(ValidationError) as raised:
        _vendor(author, product, ecosystem="Cobol", title="")
    assert set(raised.value.message_dict) == {"ecosystem", "title"}
    with pytest.raises(PermissionDenied):
        _vendor(actor_for(staff[Role.ENGINEER]), product)


def test_vex_import_refuses_a_statement_without_products(deployments, customers):
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/2",
        "author": "Acme security",
        "timestamp": "2026-11-27T10:00:00Z",
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": "CVE-2021-33203"},
                "status": "not_affected",
                "justification": "component_not_present",
            }
        ],
    }
    actor = actor_for(customers["acme"]["admin"].user)
    with pytest.raises(ValidationError, match=r"statement 1 \(CVE-2021-33203\) names no product"):
        services.vex_import(actor=actor, data=json.dumps(document).encode(), filename="acme.openvex.json")
    assert VexStatement.objects.count() == 0


def test_the_same_record_twice_in_one_import_keeps_the_newer(db, tmp_path):
    record = _record("PyPI/PYSEC-2021-98.json")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "r.json").write_text(json.dumps(record))
    record["modified"] = "2030-01-01T00:00:00Z"
    record["summary"] = "the newer copy"
    (tmp_path / "b" / "r.json").write_text(json.dumps(record))
    report = _import(tmp_path)
    assert (report.added, report.rejected) == (1, [])
    advisory = Advisory.objects.get()
    assert advisory.summary == "the newer copy"
    assert advisory.packages.count() == 1
    assert AdvisoryAlias.objects.filter(advisory=advisory, alias="CVE-2021-33203").count() == 1
