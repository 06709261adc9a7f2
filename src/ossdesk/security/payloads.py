"""The `data` of finding.* and advisory.published webhook events, built from the objects they are about.

A payload carries what a receiver needs to act and to fetch more through the API (ids and paths),
and nothing a customer may not see. Shapes are documented in docs/webhooks.md; add fields, never
rename or remove them.
"""

from __future__ import annotations

from typing import Any

from ossdesk.security.models import Advisory, Finding, VendorAdvisory
from ossdesk.webhooks.policy import wire_time


def finding_payload(finding: Finding) -> dict[str, Any]:
    """For finding.created and finding.closed (advisory: its OSV id)."""
    return {
        "id": finding.pk,
        "organization": finding.organization_id,
        "deployment": finding.deployment_id,
        # One query unless the caller loaded the advisory (select_related("advisory")).
        "advisory": finding.advisory.osv_id,
        "ecosystem": finding.ecosystem,
        "package": finding.name,
        "version": finding.version,
        "purl": finding.purl,
        "fixed_versions": list(finding.fixed_versions or []),
        "status": finding.status,
        "severity": finding.severity,
        "detected_at": wire_time(finding.detected_at),
        "due_at": wire_time(finding.due_at),
        "resolved_at": wire_time(finding.resolved_at),
        "api_url": f"/api/findings/{finding.pk}/",
    }


def advisory_payload(advisory: VendorAdvisory | Advisory) -> dict[str, Any]:
    """For advisory.published: a vendor advisory once published, or an imported OSV advisory."""
    if isinstance(advisory, VendorAdvisory):
        return {
            "source": "vendor",
            "id": advisory.tracking_id,
            "title": advisory.title,
            "summary": advisory.summary,
            "ecosystem": advisory.ecosystem,
            "package": advisory.package,
            "packages": [
                {"ecosystem": advisory.ecosystem, "package": advisory.package},
                *(
                    {"ecosystem": p.get("ecosystem"), "package": p.get("package")}
                    for p in advisory.additional_packages
                ),
            ],
            "tlp": advisory.tlp,
            "cves": list(advisory.cves or []),
            "aliases": list(advisory.aliases or []),
            "revision": advisory.revision,
            "published_at": wire_time(advisory.published_at),
            "api_url": f"/api/vendor-advisories/{advisory.tracking_id}/",
        }
    return {
        "source": "osv",
        "id": advisory.osv_id,
        "title": advisory.summary,
        "summary": advisory.summary,
        "ecosystems": list(advisory.ecosystems or []),
        "aliases": list(advisory.aliases or []),
        "severity": advisory.severity,
        "cvss_score": advisory.cvss_score,
        "kev": advisory.kev,
        "published_at": wire_time(advisory.published),
        "api_url": f"/api/advisories/{advisory.osv_id}/",
    }
