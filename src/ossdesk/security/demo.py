"""Demo security data: deployments with SBOMs and lockfiles, a handful of real advisories, EPSS/KEV,
a VEX statement, notices (one with a security ticket), a published and a draft vendor advisory.

The advisories are trimmed copies of public OSV records (osv.dev: PYSEC-2021-98, GHSA-jfh8-c2jp-5v3q,
GHSA-26f8-x7cc-wqpc, GO-2023-2102, PYSEC-2023-62, PYSEC-2023-74) with their real ids, aliases, ranges and
CVSS vectors; the KEV rows are CISA's real entries for those CVEs. The EPSS scores are illustrative.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.customers.models import Deployment, Organization
from ossdesk.customers.services import deployment_create
from ossdesk.domain.purl import purl_for
from ossdesk.products.models import Product, ProductVersion
from ossdesk.security import services
from ossdesk.security.models import Finding, Notice

MODIFIED = "2024-06-01T00:00:00Z"


def _record(
    osv_id: str,
    aliases: list[str],
    summary: str,
    ecosystem: str,
    name: str,
    events: list[dict[str, str]],
    vector: str | None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": osv_id,
        "modified": MODIFIED,
        "published": "2021-06-02T00:00:00Z",
        "aliases": aliases,
        "summary": summary,
        "details": f"{summary}. Demo copy of the public OSV record {osv_id} (https://osv.dev/vulnerability/{osv_id}).",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
        "references": [{"type": "ADVISORY", "url": f"https://osv.dev/vulnerability/{osv_id}"}],
    }
    if vector:
        record["severity"] = [{"type": "CVSS_V3", "score": vector}]
    return record


ADVISORIES = [
    _record(
        "PYSEC-2021-98",
        ["CVE-2021-33203", "GHSA-68w8-qjq3-2gfm"],
        "Django admindocs potential directory traversal",
        "PyPI",
        "django",
        [
            {"introduced": "0"},
            {"fixed": "2.2.24"},
            {"introduced": "3.0"},
            {"fixed": "3.1.12"},
            {"introduced": "3.2"},
            {"fixed": "3.2.4"},
        ],
        "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N",
    ),
    _record(
        "GHSA-jfh8-c2jp-5v3q",
        ["CVE-2021-44228"],
        "Remote code injection in Log4j (Log4Shell)",
        "Maven",
        "org.apache.logging.log4j:log4j-core",
        [
            {"introduced": "2.0-beta9"},
            {"fixed": "2.3.1"},
            {"introduced": "2.4"},
            {"fixed": "2.12.2"},
            {"introduced": "2.13.0"},
            {"fixed": "2.15.0"},
        ],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
    ),
    _record(
        "GHSA-26f8-x7cc-wqpc",
        ["CVE-2023-25194"],
        "Apache Kafka Connect API vulnerable to deserialization of untrusted data",
        "Maven",
        "org.apache.kafka:kafka-clients",
        [{"introduced": "2.3.0"}, {"fixed": "3.4.0"}],
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    ),
    _record(
        "GO-2023-2102",
        ["CVE-2023-39325", "CVE-2023-44487", "GHSA-4374-p667-p6c8"],
        "HTTP/2 rapid reset can cause excessive work in net/http",
        "Go",
        "golang.org/x/net",
        [{"introduced": "0"}, {"fixed": "0.17.0"}],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    ),
    _record(
        "PYSEC-2023-62",
        ["CVE-2023-30861", "GHSA-m2qf-hxjv-5gpq"],
        "Flask may cache a session cookie for a different client",
        "PyPI",
        "flask",
        [{"introduced": "0"}, {"fixed": "2.2.5"}, {"introduced": "2.3.0"}, {"fixed": "2.3.2"}],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    ),
    _record(
        "PYSEC-2023-74",
        ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
        "Requests leaks Proxy-Authorization headers on redirects",
        "PyPI",
        "requests",
        [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}],
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
    ),
]

KEV = {
    "vulnerabilities": [
        {
            "cveID": "CVE-2021-44228",
            "vendorProject": "Apache",
            "product": "Log4j2",
            "vulnerabilityName": "Apache Log4j2 Remote Code Execution Vulnerability",
            "dateAdded": "2021-12-10",
            "dueDate": "2021-12-24",
            "knownRansomwareCampaignUse": "Known",
        },
        {
            "cveID": "CVE-2023-44487",
            "vendorProject": "IETF",
            "product": "HTTP/2",
            "vulnerabilityName": "HTTP/2 Rapid Reset Attack Vulnerability",
            "dateAdded": "2023-10-10",
            "dueDate": "2023-10-31",
            "knownRansomwareCampaignUse": "Unknown",
        },
    ]
}
EPSS = (
    "cve,epss,percentile\nCVE-2021-44228,0.944,0.999\nCVE-2023-25194,0.35,0.97\nCVE-2023-44487,0.81,0.99\n"
    "CVE-2023-30861,0.012,0.78\nCVE-2023-32681,0.004,0.71\nCVE-2021-33203,0.02,0.83\n"
)


def _cyclonedx(components: list[tuple[str, str, str]]) -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "components": [
                {
                    "type": "library",
                    "group": group,
                    "name": name,
                    "version": version,
                    "purl": purl_for("Maven", f"{group}:{name}", version),
                }
                for group, name, version in components
            ],
        },
        indent=2,
    ).encode()


# (customer slug, name, product, version, environment, criticality, internet facing, filename, content)
DEPLOYMENTS: list[tuple[str, str, str, str, str, str, bool, str, bytes]] = [
    (
        "fjord-logistics",
        "shipments-prod",
        "Apache Kafka",
        "3.7",
        "production",
        "high",
        True,
        "bom.json",
        _cyclonedx(
            [
                ("org.apache.kafka", "kafka-clients", "3.3.1"),
                ("org.apache.logging.log4j", "log4j-core", "2.17.1"),
                ("com.fasterxml.jackson.core", "jackson-databind", "2.15.2"),
            ]
        ),
    ),
    (
        "fjord-logistics",
        "routing-staging",
        "PostgreSQL",
        "16",
        "staging",
        "medium",
        False,
        "go.mod",
        b"module example.com/fjord/routing\n\ngo 1.21\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.4.3\n"
        b"\tgolang.org/x/net v0.15.0 // indirect\n)\n",
    ),
    (
        "meridian-health",
        "ehr-gateway",
        "Apache Kafka",
        "3.9",
        "production",
        "critical",
        True,
        "bom.json",
        _cyclonedx(
            [
                ("org.apache.logging.log4j", "log4j-core", "2.14.1"),
                ("org.apache.kafka", "kafka-clients", "3.9.0"),
            ]
        ),
    ),
    (
        "meridian-health",
        "patient-portal",
        "Django",
        "4.2",
        "production",
        "high",
        True,
        "requirements.txt",
        b"django==4.2.14\nflask==2.2.4\nrequests==2.28.0\ncertifi==2024.7.4\n",
    ),
]


def demo_security() -> str:
    """Deployments, inventories, advisories and their consequences; returns a one-line summary."""
    actor = Actor.system("demo")
    products = {p.name: p for p in Product.objects.all()}
    organizations = {o.slug: o for o in Organization.objects.all()}
    deployments: dict[str, Deployment] = {}
    for (
        slug,
        name,
        product_name,
        version,
        environment,
        criticality,
        exposed,
        filename,
        content,
    ) in DEPLOYMENTS:
        product = products[product_name]
        deployment = deployment_create(
            actor=actor,
            organization=organizations[slug],
            name=name,
            product=product,
            version=ProductVersion.objects.filter(product=product, version=version).first(),
            environment=environment,
            criticality=criticality,
            internet_facing=exposed,
        )
        services.sbom_upload(actor=actor, deployment=deployment, filename=filename, data=content, via="demo")
        deployments[name] = deployment
    with tempfile.TemporaryDirectory() as folder:
        for record in ADVISORIES:
            (Path(folder) / f"{record['id']}.json").write_text(json.dumps(record))
        report = services.advisories_import(actor=actor, path=Path(folder))
    services.kev_import(
        actor=actor, data=json.dumps(KEV).encode(), name="known_exploited_vulnerabilities.json"
    )
    services.epss_import(actor=actor, data=EPSS.encode(), name="epss_scores-demo.csv")
    dana = User.objects.filter(email="dana@meridian.example").first()
    customer = (
        Actor(
            user=dana,
            role="customer",
            organization_id=organizations["meridian-health"].pk,
            label="dana@meridian.example",
            is_customer_admin=True,
        )
        if dana
        else actor
    )
    services.vex_record(
        actor=customer,
        vulnerability="CVE-2023-32681",
        product="pkg:pypi/requests",
        status="not_affected",
        justification="vulnerable_code_not_in_execute_path",
        impact_statement="The portal never sends requests through an authenticating proxy.",
        organization=organizations["meridian-health"],
        deployment=deployments["patient-portal"],
    )
    sasha = User.objects.filter(username="sasha").first()
    analyst = (
        Actor(user=sasha, role="security_analyst", organization_id=None, label="sasha") if sasha else actor
    )
    django = products["Django"]
    backport = services.vendor_advisory_create(
        actor=analyst,
        title="Django 4.2 LTS: backported fix for a SQL injection in QuerySet.values() on JSONField",
        summary="Our Django 4.2 LTS builds carry the upstream fix for CVE-2024-42005 as 4.2.15+vendor1.",
        details="QuerySet.values() and values_list() on models with a JSONField were subject to SQL "
        "injection "
        "in column aliases via a crafted JSON object key passed as *arg. Upgrade from the vendor repository.",
        product=django,
        ecosystem="PyPI",
        package="django",
        ranges=[{"introduced": "4.2", "fixed": "4.2.15+vendor1"}],
        affected_versions=[],
        cves=["CVE-2024-42005"],
        aliases=[],
        cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        remediation="pip install --index-url https://packages.support.example.com/simple "
        "django==4.2.15+vendor1",
    )
    services.vendor_advisory_submit(actor=analyst, advisory=backport)
    services.vendor_advisory_publish(actor=actor, advisory=backport)
    draft = services.vendor_advisory_create(
        actor=analyst,
        title="Kafka 3.7 clients: backport of the SASL/OAUTHBEARER URL allow-list",
        summary="Builds 3.7.2-vendor2 and later restrict the OAUTHBEARER token endpoint to an allow-list.",
        details="",
        product=products["Apache Kafka"],
        ecosystem="Maven",
        package="org.apache.kafka:kafka-clients",
        ranges=[{"introduced": "3.7.0", "fixed": "3.7.2-vendor2"}],
        affected_versions=[],
        cves=["CVE-2024-31141"],
        aliases=[],
        cvss_vector="",
        remediation="Upgrade to 3.7.2-vendor2 from the vendor Maven repository.",
    )
    # Counted at the end: the published vendor advisory adds its own finding and notice to the import's.
    findings = Finding.objects.filter(deployment__in=deployments.values()).count()
    notices = Notice.objects.filter(organization__in=organizations.values()).count()
    return (
        f"{len(deployments)} deployments, {report.added} advisories, {findings} findings, "
        f"{notices} notices, vendor advisories {backport.tracking_id} (published) and "
        f"{draft.tracking_id} (draft)"
    )
