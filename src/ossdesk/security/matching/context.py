"""Per-run lookups the diff and the re-ranking share: advisories, deployments, customers' terms."""

from __future__ import annotations

from ossdesk.customers.models import Deployment, Organization
from ossdesk.plans.selectors import entitlements_for
from ossdesk.security.matching.lookup import chunks
from ossdesk.security.matching.vex import VexIndex
from ossdesk.security.models import Advisory, advisory_public_id


class RunContext:
    """Per-run lookups: advisories' severity and ids, deployments' exposure, customers' terms, VEX."""

    def __init__(self, advisory_ids: set[int], deployment_ids: set[int]) -> None:
        self.advisories: dict[int, tuple[str, bool, float | None, set[str]]] = {}
        self.public_ids: dict[int, str] = {}  # what the diff calls each advisory (OSSDESK-…, not x_…)
        self.withdrawn: set[int] = set()
        for chunk in chunks(sorted(advisory_ids)):
            for pk, osv_id, source, severity, kev, epss, aliases, withdrawn in Advisory.objects.filter(
                pk__in=chunk
            ).values_list("pk", "osv_id", "source", "severity", "kev", "epss", "aliases", "withdrawn"):
                self.advisories[pk] = (severity, kev, epss, {osv_id, *aliases})
                self.public_ids[pk] = advisory_public_id(osv_id, source)
                if withdrawn is not None:
                    self.withdrawn.add(pk)
        self.deployments: dict[int, tuple[int, str, bool]] = {}
        for chunk in chunks(sorted(deployment_ids)):
            for pk, org_id, criticality, exposed in Deployment.objects.filter(pk__in=chunk).values_list(
                "pk", "organization_id", "criticality", "internet_facing"
            ):
                self.deployments[pk] = (org_id, criticality, exposed)
        self._terms: dict[int, tuple[dict[str, int], list[str]]] = {}
        self.vex = VexIndex()

    def terms(self, organization_id: int) -> tuple[dict[str, int], list[str]]:
        found = self._terms.get(organization_id)
        if found is None:
            organization = Organization.objects.get(pk=organization_id)
            days = dict(entitlements_for(organization=organization).terms.remediation_days)
            found = self._terms[organization_id] = (days, list(organization.compliance_frameworks or []))
        return found
