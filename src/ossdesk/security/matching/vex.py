"""VEX statements in matching: which statement covers a finding, and the status and reason it gives."""

from __future__ import annotations

from collections import defaultdict

from ossdesk.security.models import Finding, VexStatement


class VexIndex:
    """VEX statements by vulnerability id; the newest statement that covers a finding decides."""

    def __init__(self) -> None:
        self.by_vulnerability: dict[str, list[VexStatement]] = defaultdict(list)
        for statement in VexStatement.objects.order_by("created_at", "id"):
            self.by_vulnerability[statement.vulnerability.upper()].append(statement)

    def decide(
        self, ids: set[str], organization_id: int, deployment_id: int, purl: str
    ) -> VexStatement | None:
        if not self.by_vulnerability:
            return None
        best: VexStatement | None = None
        for vulnerability in ids:
            for statement in self.by_vulnerability.get(vulnerability.upper(), ()):
                if statement.organization_id not in (None, organization_id):
                    continue
                if statement.deployment_id not in (None, deployment_id):
                    continue
                if not purl_covers(statement.product, purl):
                    continue
                if best is None or (statement.created_at, statement.pk) > (best.created_at, best.pk):
                    best = statement
        return best


def purl_covers(product: str, purl: str) -> bool:
    """Whether a statement's product purl covers a component purl (no version: every version)."""
    if not product or not purl:
        return False
    product_base, _, product_version = _purl_split(product)
    purl_base, _, purl_version = _purl_split(purl)
    if product_base.lower() != purl_base.lower():
        return False
    return not product_version or product_version == purl_version


def _purl_split(purl: str) -> tuple[str, str, str]:
    purl = purl.split("#", 1)[0].split("?", 1)[0]
    head, at, version = purl.rpartition("@")
    if not at or "/" in version:
        return purl, "", ""
    return head, "@", version


VEX_TO_STATUS = {
    "not_affected": Finding.Status.NOT_AFFECTED,
    "fixed": Finding.Status.FIXED,
    "affected": Finding.Status.OPEN,
    "under_investigation": Finding.Status.OPEN,
}


def vex_reason(statement: VexStatement) -> str:
    why = (
        statement.justification.replace("_", " ") or statement.impact_statement or statement.action_statement
    )
    return f"VEX {statement.status.replace('_', ' ')} ({statement.source})" + (f": {why}" if why else "")
