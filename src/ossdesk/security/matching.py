"""Matching advisories against the portfolio, by (ecosystem, normalised package name).

Three entry points, one diff:

* `match_advisories(ids)` — an advisory was imported, changed or published: look up the current components
  with its packages' keys (an index read), evaluate each distinct version once, diff against the findings
  of those advisories.
* `match_deployments(ids)` — a deployment has a new SBOM: look up the advisories of its packages' keys,
  diff against the findings of those deployments.
* `match_all()` — every current component against every advisory (after a large import, or on demand).

The diff creates findings that are new (open, or what a VEX statement says), updates the version of
those that moved, reopens fixed ones that came back, and closes as fixed those no longer matched (as not
affected when their advisory was withdrawn). Nothing is deleted: a finding's history stays.

`evaluate_inventory(id, components)` matches an inventory not stored yet; `preview_deployment` diffs it and
writes nothing, `apply_inventory` applies that same evaluation: what an upload would open, reopen and close
is decided by the very code that applies it.
`evaluate_more` adds a further slice of the same inventory, for an upload read a slice at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ossdesk.customers.models import Deployment, Organization
from ossdesk.domain import osv
from ossdesk.domain.remediation import priority, remediation_window
from ossdesk.plans.selectors import entitlements_for
from ossdesk.security.models import (
    Advisory,
    AffectedPackage,
    Component,
    Finding,
    VexStatement,
    advisory_public_id,
)
from ossdesk.security.payloads import finding_payload
from ossdesk.webhooks.services import emit, listening

Key = tuple[int, int, str, str]  # deployment, advisory, ecosystem, name_key
CHUNK = 500


@dataclass(frozen=True)
class Change:
    """One finding a run opens, reopens or closes: which advisory, how severe, which package, and why."""

    advisory: str
    severity: str
    package: str
    version: str
    reason: str = ""
    finding: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "advisory": self.advisory,
            "severity": self.severity,
            "package": self.package,
            "version": self.version,
            "reason": self.reason,
            "finding": self.finding,
        }


@dataclass
class Match:
    """What one match run changed (or, for a preview, would change); `opened` lists the new open findings
    for notices; `new`, `reopening` and `closing` name each finding behind the counts."""

    created: int = 0
    reopened: int = 0
    moved: int = 0
    closed: int = 0
    suppressed: int = 0
    opened: list[int] = field(default_factory=list)
    new: list[Change] = field(default_factory=list)
    reopening: list[Change] = field(default_factory=list)
    closing: list[Change] = field(default_factory=list)

    def __iadd__(self, other: Match) -> Match:
        self.created += other.created
        self.reopened += other.reopened
        self.moved += other.moved
        self.closed += other.closed
        self.suppressed += other.suppressed
        self.opened += other.opened
        self.new += other.new
        self.reopening += other.reopening
        self.closing += other.closing
        return self


@dataclass(frozen=True)
class _Hit:
    version: str
    purl: str
    name: str
    fixed: tuple[str, ...]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_RECORDS: dict[tuple[int, str], osv.Record] = {}


def _records(advisory_ids: Iterable[int]) -> dict[int, osv.Record]:
    """Parsed records by advisory id, cached by (id, digest) so a re-match parses nothing twice."""
    ids = sorted(set(advisory_ids))
    found: dict[int, osv.Record] = {}
    for chunk in _chunks(ids):
        rows = Advisory.objects.filter(pk__in=chunk).values_list("pk", "digest", "withdrawn")
        wanted = []
        for pk, digest, withdrawn in rows:
            if withdrawn is not None:
                continue
            cached = _RECORDS.get((pk, digest))
            if cached is not None:
                found[pk] = cached
            else:
                wanted.append(pk)
        if wanted:
            for pk, digest, record in Advisory.objects.filter(pk__in=wanted).values_list(
                "pk", "digest", "record"
            ):
                try:
                    parsed = osv.parse_record(record)
                except osv.OsvError:
                    continue  # stored records were parsed on import; a bad one matches nothing
                if len(_RECORDS) > 50_000:
                    _RECORDS.clear()
                _RECORDS[(pk, digest)] = found[pk] = parsed
    return found


class _Evaluator:
    """Each package's affected entries compiled into one :class:`osv.PackageMatcher`, built on first use."""

    def __init__(self, entries: dict[tuple[str, str], list[tuple[int, osv.Affected]]]) -> None:
        self.entries = entries
        self.matchers: dict[tuple[str, str], osv.PackageMatcher[tuple[int, tuple[str, ...]]] | None] = {}

    def advisories(
        self, ecosystem: str, name_key: str, version: str
    ) -> tuple[tuple[int, tuple[str, ...]], ...]:
        key = (ecosystem, name_key)
        matcher = self.matchers.get(key)
        if matcher is None:
            if key in self.matchers or not version:
                return ()
            candidates = self.entries.get(key)
            if not candidates:
                self.matchers[key] = None
                return ()
            fixed: dict[int, list[str]] = defaultdict(list)
            for advisory_id, affected in candidates:
                fixed[advisory_id].extend(affected.fixed_versions())
            items = {a: (a, tuple(dict.fromkeys(f))) for a, f in fixed.items()}
            matcher = self.matchers[key] = osv.PackageMatcher(
                candidates[0][1].ecosystem, [(items[a], affected) for a, affected in candidates]
            )
        return matcher.match(version) if version else ()


def _entries_for(
    rows: Iterable[tuple[int, int, str, str]],
) -> dict[tuple[str, str], list[tuple[int, osv.Affected]]]:
    """(ecosystem, name_key) -> [(advisory id, affected entry)] from AffectedPackage rows."""
    rows = list(rows)
    records = _records(row[0] for row in rows)
    entries: dict[tuple[str, str], list[tuple[int, osv.Affected]]] = defaultdict(list)
    for advisory_id, position, ecosystem, name_key in rows:
        record = records.get(advisory_id)
        if record is None or position >= len(record.affected):
            continue
        entries[(ecosystem, name_key)].append((advisory_id, record.affected[position]))
    return entries


def _component_rows(where: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    table = Component._meta.db_table
    sql = (
        f"SELECT deployment_id, ecosystem, name_key, version, purl, name FROM {table} "  # noqa: S608
        f"WHERE current = %s AND {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *params])
        while rows := cursor.fetchmany(20_000):
            yield from rows


def _components_with_keys(keys: Sequence[tuple[str, str]]) -> Iterator[tuple[Any, ...]]:
    by_ecosystem: dict[str, list[str]] = defaultdict(list)
    for ecosystem, name_key in keys:
        by_ecosystem[ecosystem].append(name_key)
    for ecosystem, names in by_ecosystem.items():
        for chunk in _chunks(sorted(set(names))):
            marks = ", ".join(["%s"] * len(chunk))
            yield from _component_rows(f"ecosystem = %s AND name_key IN ({marks})", [ecosystem, *chunk])


def _desired(components: Iterable[tuple[Any, ...]], evaluator: _Evaluator) -> dict[Key, _Hit]:
    desired: dict[Key, _Hit] = {}
    for deployment_id, ecosystem, name_key, version, purl, name in components:
        for advisory_id, fixed in evaluator.advisories(ecosystem, name_key, version):
            desired[(deployment_id, advisory_id, ecosystem, name_key)] = _Hit(version, purl, name, fixed)
    return desired


def match_advisories(advisory_ids: Iterable[int], *, now: datetime | None = None) -> Match:
    """Findings of these advisories across the whole portfolio, brought up to date."""
    ids = sorted(set(advisory_ids))
    result = Match()
    for chunk in _chunks(ids, 2000):
        rows = list(
            AffectedPackage.objects.filter(advisory_id__in=chunk).values_list(
                "advisory_id", "position", "ecosystem", "name_key"
            )
        )
        entries = _entries_for(rows)
        desired = _desired(_components_with_keys(list(entries)), _Evaluator(entries))
        existing = Finding.objects.filter(advisory_id__in=chunk)
        result += _apply(desired, existing, now=now)
    return result


def _entries_for_components(
    components: Sequence[tuple[Any, ...]],
) -> dict[tuple[str, str], list[tuple[int, osv.Affected]]]:
    """The affected entries of every advisory naming one of these components' packages."""
    by_ecosystem: dict[str, set[str]] = defaultdict(set)
    for row in components:
        if row[1]:
            by_ecosystem[row[1]].add(row[2])
    rows: list[tuple[int, int, str, str]] = []
    for ecosystem, names in by_ecosystem.items():
        for chunk in _chunks(sorted(names)):
            rows += AffectedPackage.objects.filter(ecosystem=ecosystem, name_key__in=chunk).values_list(
                "advisory_id", "position", "ecosystem", "name_key"
            )
    return _entries_for(rows)


def match_deployments(deployment_ids: Iterable[int], *, now: datetime | None = None) -> Match:
    """Findings of these deployments against every advisory, brought up to date."""
    ids = sorted(set(deployment_ids))
    components: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        marks = ", ".join(["%s"] * len(chunk))
        components += _component_rows(f"deployment_id IN ({marks})", list(chunk))
    desired = _desired(components, _Evaluator(_entries_for_components(components)))
    return _apply(desired, Finding.objects.filter(deployment_id__in=ids), now=now)


@dataclass(frozen=True)
class Evaluation:
    """What an inventory matches, computed once: previewed, then applied without evaluating it again."""

    deployment_id: int
    desired: dict[Key, _Hit]


def evaluate_inventory(
    deployment_id: int, components: Sequence[tuple[str, str, str, str, str]]
) -> Evaluation:
    """The advisories these components (ecosystem, name_key, version, purl, name) match; reads only."""
    evaluation = Evaluation(deployment_id, {})
    evaluate_more(evaluation, components)
    return evaluation


def evaluate_more(evaluation: Evaluation, components: Sequence[tuple[str, str, str, str, str]]) -> None:
    """Add what further components of the same inventory match, in their order: an inventory evaluated
    a slice at a time equals one evaluated at once (a later version of a package wins either way)."""
    rows = [(evaluation.deployment_id, *component) for component in components]
    evaluation.desired.update(_desired(rows, _Evaluator(_entries_for_components(rows))))


def preview_deployment(inventory: Evaluation, *, now: datetime | None = None) -> Match:
    """What making this inventory the deployment's would do to its findings; nothing is written."""
    existing = Finding.objects.filter(deployment_id=inventory.deployment_id)
    return _plan(inventory.desired, existing, now=now or timezone.now()).result


def apply_inventory(inventory: Evaluation, *, now: datetime | None = None) -> Match:
    """The deployment's findings brought up to date with an inventory evaluated beforehand (so that the
    write transaction only writes)."""
    return _apply(inventory.desired, Finding.objects.filter(deployment_id=inventory.deployment_id), now=now)


def match_all(*, now: datetime | None = None) -> Match:
    """Every current component against every advisory: the full re-match."""
    rows = list(AffectedPackage.objects.values_list("advisory_id", "position", "ecosystem", "name_key"))
    entries = _entries_for(rows)
    evaluator = _Evaluator(entries)
    wanted = set(entries)
    components = (row for row in _component_rows("1 = 1", []) if (row[1], row[2]) in wanted)
    desired = _desired(components, evaluator)
    return _apply(desired, Finding.objects.all(), now=now)


# --- the diff ---------------------------------------------------------------------------------------------


class _Context:
    """Per-run lookups: advisories' severity and ids, deployments' exposure, customers' terms, VEX."""

    def __init__(self, advisory_ids: set[int], deployment_ids: set[int]) -> None:
        self.advisories: dict[int, tuple[str, bool, float | None, set[str]]] = {}
        self.public_ids: dict[int, str] = {}  # what the diff calls each advisory (OSSDESK-…, not x_…)
        self.withdrawn: set[int] = set()
        for chunk in _chunks(sorted(advisory_ids)):
            for pk, osv_id, source, severity, kev, epss, aliases, withdrawn in Advisory.objects.filter(
                pk__in=chunk
            ).values_list("pk", "osv_id", "source", "severity", "kev", "epss", "aliases", "withdrawn"):
                self.advisories[pk] = (severity, kev, epss, {osv_id, *aliases})
                self.public_ids[pk] = advisory_public_id(osv_id, source)
                if withdrawn is not None:
                    self.withdrawn.add(pk)
        self.deployments: dict[int, tuple[int, str, bool]] = {}
        for chunk in _chunks(sorted(deployment_ids)):
            for pk, org_id, criticality, exposed in Deployment.objects.filter(pk__in=chunk).values_list(
                "pk", "organization_id", "criticality", "internet_facing"
            ):
                self.deployments[pk] = (org_id, criticality, exposed)
        self._terms: dict[int, tuple[dict[str, int], list[str]]] = {}
        self.vex = _VexIndex()

    def terms(self, organization_id: int) -> tuple[dict[str, int], list[str]]:
        found = self._terms.get(organization_id)
        if found is None:
            organization = Organization.objects.get(pk=organization_id)
            days = dict(entitlements_for(organization=organization).terms.remediation_days)
            found = self._terms[organization_id] = (days, list(organization.compliance_frameworks or []))
        return found


class _VexIndex:
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


@dataclass
class _Plan:
    result: Match
    to_create: list[Finding]
    updates: list[Finding]


def _plan(desired: dict[Key, _Hit], existing_qs: Any, *, now: datetime) -> _Plan:
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
    context = _Context(
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
    return _Plan(result, to_create, updates)


def _change(context: _Context, finding: Finding, reason: str) -> Change:
    return Change(
        advisory=context.public_ids.get(finding.advisory_id, str(finding.advisory_id)),
        severity=finding.severity,
        package=finding.name,
        version=finding.version,
        reason=reason,
        finding=finding.pk,
    )


@transaction.atomic
def _apply(desired: dict[Key, _Hit], existing_qs: Any, *, now: datetime | None) -> Match:
    plan = _plan(desired, existing_qs, now=now or timezone.now())
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
    _webhooks(result.opened, [f.pk for f in updates if f.status != Finding.Status.OPEN])
    return result


def _webhooks(opened: list[int], closed: list[int]) -> None:
    """finding.created and finding.closed for the endpoints that listen (checked once per run)."""
    for event_type, ids in (("finding.created", opened), ("finding.closed", closed)):
        if not ids or not listening(event_type):
            continue
        for start in range(0, len(ids), CHUNK):
            for finding in Finding.objects.filter(pk__in=ids[start : start + CHUNK]).select_related(
                "advisory"
            ):
                emit(event_type, finding_payload(finding), organization_id=finding.organization_id)


def rerank(advisory_ids: Iterable[int]) -> int:
    """Re-score open findings of advisories whose EPSS or KEV changed; a KEV listing can only tighten
    a deadline, never extend one already given."""
    ids = sorted(set(advisory_ids))
    changed: list[Finding] = []
    for chunk in _chunks(ids):
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
        context = _Context({f.advisory_id for f in findings}, {f.deployment_id for f in findings})
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
