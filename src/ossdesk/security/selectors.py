"""Reads of security assurance, scoped by actor: staff see the portfolio, a customer its own organisation.

Advisories themselves are public data (OSV, the vendor's published advisories): anyone signed in may read
them. Which customers an advisory affects is staff knowledge; a customer sees only its own findings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from ossdesk.accounts.actor import Actor
from ossdesk.security.models import (
    SEVERITY_ORDER,
    Advisory,
    AdvisoryAlias,
    Finding,
    Notice,
    Sbom,
    VendorAdvisory,
    VexStatement,
    advisory_public_id,
)

OPEN = Finding.Status.OPEN


def _org_scope(qs: QuerySet[Any], actor: Actor, field_name: str = "organization_id") -> QuerySet[Any]:
    if actor.is_staff:
        return qs
    if not actor.organization_id:
        return qs.none()
    return qs.filter(**{field_name: actor.organization_id})


def advisory_list(
    *, actor: Actor, search: str = "", severity: str = "", ecosystem: str = "", kev: bool | None = None
) -> QuerySet[Advisory]:
    """Advisories, newest change first; `search` matches the id, any alias or the summary."""
    qs = Advisory.objects.defer("record", "details")
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(pk__in=AdvisoryAlias.objects.filter(alias=term.upper()).values("advisory_id"))
            | Q(summary__icontains=term)
            | Q(osv_id__istartswith=term)
        )
    if severity:
        qs = qs.filter(severity=severity)
    if ecosystem:
        qs = qs.filter(packages__ecosystem=ecosystem).distinct()
    if kev is not None:
        qs = qs.filter(kev=kev)
    return qs


def advisory_get(*, actor: Actor, key: str) -> Advisory:
    """An advisory by its id or any alias (CVE-…, GHSA-…)."""
    found = Advisory.objects.filter(osv_id=key).first()
    if found is not None:
        return found
    alias = AdvisoryAlias.objects.filter(alias=key.upper()).select_related("advisory").first()
    if alias is None:
        raise Advisory.DoesNotExist(f"No advisory {key}.")
    return alias.advisory


def finding_list(
    *,
    actor: Actor,
    status: str = "",
    severity: str = "",
    organization_id: int | None = None,
    deployment_id: int | None = None,
    advisory_id: int | None = None,
    search: str = "",
) -> QuerySet[Finding]:
    qs = _org_scope(
        Finding.objects.select_related("advisory", "deployment", "organization").defer(
            "advisory__record", "advisory__details"
        ),
        actor,
    )
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    if deployment_id is not None:
        qs = qs.filter(deployment_id=deployment_id)
    if advisory_id is not None:
        qs = qs.filter(advisory_id=advisory_id)
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(advisory__osv_id__iexact=term)
            | Q(advisory_id__in=AdvisoryAlias.objects.filter(alias=term.upper()).values("advisory_id"))
        )
    return qs


def finding_get(*, actor: Actor, pk: int | str) -> Finding:
    return finding_list(actor=actor).get(pk=pk)


def sbom_list(*, actor: Actor, deployment_id: int | None = None) -> QuerySet[Sbom]:
    qs = _org_scope(
        Sbom.objects.select_related("deployment", "uploaded_by"), actor, "deployment__organization_id"
    )
    if deployment_id is not None:
        qs = qs.filter(deployment_id=deployment_id)
    return qs


def sbom_get(*, actor: Actor, pk: int | str) -> Sbom:
    return sbom_list(actor=actor).get(pk=pk)


def notice_list(*, actor: Actor, unacknowledged: bool = False) -> QuerySet[Notice]:
    qs = _org_scope(
        Notice.objects.select_related("advisory", "organization", "ticket", "acknowledged_by"), actor
    )
    if unacknowledged:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs


def notice_get(*, actor: Actor, pk: int | str) -> Notice:
    return notice_list(actor=actor).get(pk=pk)


def vex_list(*, actor: Actor, vulnerability: str = "") -> QuerySet[VexStatement]:
    """Staff see every statement; a customer its own and the vendor's portfolio-wide ones."""
    qs = VexStatement.objects.select_related("organization", "deployment", "author")
    if not actor.is_staff:
        qs = (
            qs.filter(Q(organization_id=actor.organization_id) | Q(organization__isnull=True))
            if actor.organization_id
            else qs.none()
        )
    if vulnerability:
        qs = qs.filter(vulnerability=vulnerability.strip().upper())
    return qs


def vendor_advisory_list(*, actor: Actor) -> QuerySet[VendorAdvisory]:
    """Staff see drafts; customers see what was published."""
    qs = VendorAdvisory.objects.select_related("product", "author", "reviewer")
    if not actor.is_staff:
        qs = qs.filter(status=VendorAdvisory.Status.PUBLISHED)
    return qs


def vendor_advisory_get(*, actor: Actor, tracking_id: str) -> VendorAdvisory:
    return vendor_advisory_list(actor=actor).get(tracking_id=tracking_id)


def vendor_advisory_at_canonical_url(*, actor: Actor | None, year: int, filename: str) -> VendorAdvisory:
    """The published advisory a CSAF canonical URL (``csaf/<year>/<filename>``) names. Anyone may read one
    labelled TLP:CLEAR, as the label says; any other label needs a signed-in ``actor``. DoesNotExist else."""
    stem = filename.removesuffix(".json")
    qs = VendorAdvisory.objects.filter(
        status=VendorAdvisory.Status.PUBLISHED, published_at__year=year, tracking_id__iexact=stem
    )
    if actor is None:
        qs = qs.filter(tlp=VendorAdvisory.Tlp.CLEAR)
    found = qs.select_related("product").first()
    if found is None or not filename.endswith(".json"):
        raise VendorAdvisory.DoesNotExist(filename)
    return found


@dataclass
class Exposure:
    """Open findings of one customer (or the whole portfolio) by severity."""

    organization_id: int | None
    organization: str
    by_severity: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    deployments: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


@dataclass
class Portfolio:
    customers: list[Exposure]
    advisories: list[dict[str, Any]]
    totals: dict[str, int]
    overdue: int


def portfolio(*, actor: Actor, now: Any, limit: int = 20) -> Portfolio:
    """Exposure by customer and severity, and the advisories reaching most deployments."""
    open_findings = finding_list(actor=actor, status=OPEN)
    per_customer: dict[int, Exposure] = {}
    totals: dict[str, int] = defaultdict(int)
    for org_id, org_name, severity, count in (
        open_findings.values_list("organization_id", "organization__name", "severity")
        .annotate(n=Count("id"))
        .order_by()
    ):
        exposure = per_customer.setdefault(org_id, Exposure(org_id, org_name))
        exposure.by_severity[severity] = exposure.by_severity.get(severity, 0) + count
        totals[severity] += count
    for org_id, overdue, deployments in (
        open_findings.values_list("organization_id")
        .annotate(
            overdue=Count("id", filter=Q(due_at__lt=now)), deployments=Count("deployment_id", distinct=True)
        )
        .order_by()
    ):
        per_customer[org_id].overdue = overdue
        per_customer[org_id].deployments = deployments
    customers = sorted(
        per_customer.values(),
        key=lambda e: tuple(-e.by_severity.get(s, 0) for s in ("critical", "high", "medium", "low")),
    )
    advisories: list[dict[str, Any]] = [
        dict(row)
        for row in open_findings.values(
            "advisory_id",
            "advisory__osv_id",
            "advisory__source",
            "advisory__summary",
            "advisory__severity",
            "advisory__kev",
        )
        .annotate(
            findings=Count("id"),
            customers=Count("organization_id", distinct=True),
            deployments=Count("deployment_id", distinct=True),
        )
        .order_by("-deployments", "advisory__osv_id")[:limit]
    ]
    for row in advisories:
        row["public_id"] = advisory_public_id(row["advisory__osv_id"], row["advisory__source"])
    advisories.sort(key=lambda a: (SEVERITY_ORDER.get(a["advisory__severity"], 9), -a["deployments"]))
    return Portfolio(
        customers=customers,
        advisories=advisories,
        totals=dict(totals),
        overdue=sum(e.overdue for e in customers),
    )


@dataclass
class Affected:
    """Who an advisory affects: per customer, its deployments and open findings."""

    advisory: Advisory
    customers: list[dict[str, Any]]


def who_is_affected(*, actor: Actor, key: str) -> Affected:
    """'Who is affected by CVE-…': the advisory (by id or alias) and each customer it reaches."""
    advisory = advisory_get(actor=actor, key=key)
    rows = (
        finding_list(actor=actor, advisory_id=advisory.pk)
        .values("organization_id", "organization__name", "status")
        .annotate(findings=Count("id"), deployments=Count("deployment_id", distinct=True))
        .order_by("organization__name")
    )
    customers: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = customers.setdefault(
            row["organization_id"],
            {
                "organization_id": row["organization_id"],
                "organization": row["organization__name"],
                "by_status": {},
                "deployments": 0,
            },
        )
        entry["by_status"][row["status"]] = row["findings"]
    # Deployments per customer across statuses (one open and one fixed are two deployments).
    for org_id, deployments in (
        finding_list(actor=actor, advisory_id=advisory.pk)
        .values_list("organization_id")
        .annotate(deployments=Count("deployment_id", distinct=True))
        .order_by()
    ):
        customers[org_id]["deployments"] = deployments
    return Affected(advisory=advisory, customers=list(customers.values()))
