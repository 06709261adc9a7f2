"""The diff of desired hits against stored findings: plan it (nothing written), then apply it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ossdesk.domain.remediation import priority, remediation_window
from ossdesk.security.matching.context import RunContext
from ossdesk.security.matching.events import emit_finding_events
from ossdesk.security.matching.results import Change, Hit, Key, Match
from ossdesk.security.matching.vex import VEX_TO_STATUS, vex_reason
from ossdesk.security.models import Finding


@dataclass
class Plan:
    result: Match
    to_create: list[Finding]
    updates: list[Finding]


def plan_diff(desired: dict[Key, Hit], existing_qs: Any, *, now: datetime) -> Plan:
    """The diff of desired matches against stored findings, as unsaved rows and named changes."""
    result = Match()
    existing: dict[Key, Finding] = {
        (f.deployment_id, f.advisory_id, f.ecosystem, f.name_key): f
        for f in existing_qs.only(
            "id",
            "deployment_id",
            "advisory_id",
            "ecosystem",
            "name",
            "name_key",
            "version",
            "status",
            "status_reason",
            "severity",
            "organization_id",
        )
    }
    context = RunContext(
        {k[1] for k in desired} | {k[1] for k in existing}, {k[0] for k in desired} | {k[0] for k in existing}
    )
    to_create: list[Finding] = []
    updates: list[Finding] = []
    for key, hit in desired.items():
        deployment_id, advisory_id, ecosystem, name_key = key
        found = existing.get(key)
        if found is not None:
            changed = False
            if found.version != hit.version:
                found.version, found.purl, found.fixed_versions = hit.version, hit.purl, list(hit.fixed)
                result.moved += 1
                changed = True
            if found.status == Finding.Status.FIXED and not found.status_reason.startswith("VEX"):
                found.status, found.resolved_at = Finding.Status.OPEN, None
                found.status_reason = f"affected version {hit.version} is back"
                result.reopened += 1
                result.reopening.append(_change(context, found, found.status_reason))
                changed = True
            if changed:
                updates.append(found)
            continue
        severity, kev, epss, ids = context.advisories[advisory_id]
        org_id, criticality, exposed = context.deployments[deployment_id]
        days, frameworks = context.terms(org_id)
        window = remediation_window(severity, days_by_severity=days, frameworks=frameworks, kev=kev)
        finding = Finding(
            organization_id=org_id,
            deployment_id=deployment_id,
            advisory_id=advisory_id,
            ecosystem=ecosystem,
            name=hit.name,
            name_key=name_key,
            version=hit.version,
            purl=hit.purl,
            fixed_versions=list(hit.fixed),
            severity=severity,
            priority=priority(severity, kev=kev, epss=epss, criticality=criticality, internet_facing=exposed),
            detected_at=now,
            due_at=window.due(now),
            window_days=window.days,
            window_reason=window.reason,
        )
        statement = context.vex.decide(ids, org_id, deployment_id, hit.purl)
        if statement is not None and VEX_TO_STATUS[statement.status] != Finding.Status.OPEN:
            finding.status = VEX_TO_STATUS[statement.status]
            finding.status_reason = vex_reason(statement)
            finding.resolved_at = now
            result.suppressed += 1
        else:
            result.new.append(_change(context, finding, ""))
        to_create.append(finding)
    for key, found in existing.items():
        if key in desired or found.status not in (Finding.Status.OPEN, Finding.Status.RISK_ACCEPTED):
            continue
        if key[1] in context.withdrawn:
            found.status, found.status_reason = Finding.Status.NOT_AFFECTED, "the advisory was withdrawn"
        else:
            found.status, found.status_reason = Finding.Status.FIXED, "no longer runs an affected version"
        found.resolved_at = now
        updates.append(found)
        result.closed += 1
        result.closing.append(_change(context, found, found.status_reason))
    result.created = len(to_create)
    return Plan(result, to_create, updates)


def _change(context: RunContext, finding: Finding, reason: str) -> Change:
    return Change(
        advisory=context.public_ids.get(finding.advisory_id, str(finding.advisory_id)),
        severity=finding.severity,
        package=finding.name,
        version=finding.version,
        reason=reason,
        finding=finding.pk,
    )


@transaction.atomic
def apply_diff(desired: dict[Key, Hit], existing_qs: Any, *, now: datetime | None) -> Match:
    plan = plan_diff(desired, existing_qs, now=now or timezone.now())
    result, updates = plan.result, plan.updates
    created = Finding.objects.bulk_create(plan.to_create, batch_size=2000)
    result.created = len(created)
    result.opened = [f.pk for f in created if f.status == Finding.Status.OPEN and f.pk is not None]
    # `new` was planned in creation order, one entry per open finding: now they have ids.
    result.new = [replace(change, finding=pk) for change, pk in zip(result.new, result.opened, strict=True)]
    if updates:
        Finding.objects.bulk_update(
            updates,
            ["version", "purl", "fixed_versions", "status", "status_reason", "resolved_at"],
            batch_size=1000,
        )
    emit_finding_events(result.opened, [f.pk for f in updates if f.status != Finding.Status.OPEN])
    return result
