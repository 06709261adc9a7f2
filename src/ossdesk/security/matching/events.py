"""The webhook events of a match run: finding.created and finding.closed."""

from __future__ import annotations

from ossdesk.security.matching.results import CHUNK
from ossdesk.security.models import Finding
from ossdesk.security.payloads import finding_payload
from ossdesk.webhooks.services import emit, listening


def emit_finding_events(opened: list[int], closed: list[int]) -> None:
    """finding.created and finding.closed for the endpoints that listen (checked once per run)."""
    for event_type, ids in (("finding.created", opened), ("finding.closed", closed)):
        if not ids or not listening(event_type):
            continue
        for start in range(0, len(ids), CHUNK):
            for finding in Finding.objects.filter(pk__in=ids[start : start + CHUNK]).select_related(
                "advisory"
            ):
                emit(event_type, finding_payload(finding), organization_id=finding.organization_id)
