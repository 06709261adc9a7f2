"""Re-scoring open findings when their advisories' EPSS or KEV change."""

from __future__ import annotations

from collections.abc import Iterable

from ossdesk.domain.remediation import priority, remediation_window
from ossdesk.security.matching.context import RunContext
from ossdesk.security.matching.lookup import chunks
from ossdesk.security.models import Finding


def rerank(advisory_ids: Iterable[int]) -> int:
    """Re-score open findings of advisories whose EPSS or KEV changed; a KEV listing can only tighten
    a deadline, never extend one already given."""
    ids = sorted(set(advisory_ids))
    changed: list[Finding] = []
    for chunk in chunks(ids):
        findings = list(
            Finding.objects.filter(advisory_id__in=chunk, status=Finding.Status.OPEN).only(
                "id",
                "organization_id",
                "deployment_id",
                "advisory_id",
                "severity",
                "priority",
                "detected_at",
                "due_at",
                "window_days",
                "window_reason",
            )
        )
        if not findings:
            continue
        context = RunContext({f.advisory_id for f in findings}, {f.deployment_id for f in findings})
        for finding in findings:
            severity, kev, epss, _ = context.advisories[finding.advisory_id]
            _, criticality, exposed = context.deployments[finding.deployment_id]
            score = priority(severity, kev=kev, epss=epss, criticality=criticality, internet_facing=exposed)
            days, frameworks = context.terms(finding.organization_id)
            window = remediation_window(severity, days_by_severity=days, frameworks=frameworks, kev=kev)
            due = window.due(finding.detected_at)
            tighter = due is not None and (finding.due_at is None or due < finding.due_at)
            if score != finding.priority or tighter:
                finding.priority = score
                if tighter:
                    finding.due_at, finding.window_days, finding.window_reason = (
                        due,
                        window.days,
                        window.reason,
                    )
                changed.append(finding)
    Finding.objects.bulk_update(
        changed, ["priority", "due_at", "window_days", "window_reason"], batch_size=1000
    )
    return len(changed)
