"""Every write of security assurance: advisory, EPSS and KEV imports, inventory uploads, finding status,
VEX statements, vendor advisories and notices. Each write audits; matching runs in the same transaction."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.domain import csaf, osv
from ossdesk.domain import vex as vexdoc
from ossdesk.domain.entitlements import EntitlementDenied, check_feature
from ossdesk.domain.inventory import (
    MAX_BYTES,
    Inventory,
    InventoryError,
    distinct_key,
    parse,
    refusal_reasons,
    stream,
)
from ossdesk.domain.inventory import Component as InventoryComponent
from ossdesk.notify import Event, NotificationKind, notify
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.security import matching
from ossdesk.security.models import (
    SEVERITY_ORDER,
    Advisory,
    AdvisoryAlias,
    AffectedPackage,
    Component,
    EpssScore,
    Finding,
    KevEntry,
    Notice,
    Sbom,
    VendorAdvisory,
    VexStatement,
)
from ossdesk.security.payloads import advisory_payload
from ossdesk.webhooks.services import emit, listening

ANALYSTS = frozenset({Role.ADMIN, Role.SECURITY_ANALYST, "system"})
BATCH = 500


def _require_analyst(actor: Actor, what: str) -> None:
    if actor.role not in ANALYSTS:
        raise PermissionDenied(f"Only security analysts may {what}.")


def _require_deployment_access(actor: Actor, deployment: Deployment) -> None:
    if actor.is_staff:
        return
    if actor.organization_id != deployment.organization_id:
        raise Deployment.DoesNotExist("No such deployment.")


# --- advisories -------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an advisory import did, and each record it refused with the reason."""

    seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    findings: int = 0
    notices: int = 0
    seconds: float = 0.0


def _canonical_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _advisory_fields(record: osv.Record, digest: str, source: str) -> dict[str, Any]:
    scored = osv.score(record)
    ecosystems = sorted({osv.ecosystem_base(a.ecosystem) for a in record.affected if a.ecosystem})
    return {
        "source": source,
        "summary": (record.summary or record.details.split("\n", 1)[0])[:500],
        "details": record.details,
        "aliases": list(dict.fromkeys([*record.aliases, *record.upstream])),
        "modified": record.modified,
        "published": record.published,
        "withdrawn": record.withdrawn,
        "severity": scored.label if scored else "unknown",
        "cvss_version": scored.version if scored else "",
        "cvss_vector": scored.vector[:300] if scored else "",
        "cvss_score": scored.base if scored else None,
        "ecosystems": ecosystems,
        "record": dict(record.raw),
        "digest": digest,
    }


def _index_rows(advisory: Advisory, record: osv.Record) -> tuple[list[AffectedPackage], list[AdvisoryAlias]]:
    packages = [
        AffectedPackage(
            advisory=advisory,
            position=position,
            ecosystem=osv.ecosystem_base(affected.ecosystem),
            name=affected.name[:300],
            name_key=osv.normalise_name(affected.ecosystem, affected.name)[:300],
            fixed=list(affected.fixed_versions()),
        )
        for position, affected in enumerate(record.affected)
        if affected.ecosystem and affected.name
    ]
    aliases = [
        AdvisoryAlias(advisory=advisory, alias=alias[:100].upper())
        for alias in dict.fromkeys(
            [record.id, record.id.removeprefix("x_"), *record.aliases, *record.upstream]
        )
    ]
    return packages, aliases


def _store_batch(batch: list[tuple[osv.Record, str]], source: str, report: ImportReport) -> list[int]:
    """Upsert a batch of parsed records; return the ids of advisories that changed."""
    ids = [record.id for record, _ in batch]
    stored = {
        a.osv_id: a
        for a in Advisory.objects.filter(osv_id__in=ids).only("id", "osv_id", "modified", "digest")
    }
    # Keyed by id: a dump may hold the same record twice (PyPA's GIT/ and PyPI/ folders); the newer wins.
    changed: dict[str, Advisory] = {}
    fresh: dict[str, tuple[Advisory, osv.Record]] = {}
    for record, digest in batch:
        known = stored.get(record.id)
        if known is not None and known.modified >= record.modified:
            report.unchanged += 1
            continue
        fields = _advisory_fields(record, digest, source)
        if known is None:
            advisory = Advisory(osv_id=record.id, **fields)
            report.added += 1
            stored[record.id] = advisory
        else:
            advisory = known
            for name, value in fields.items():
                setattr(advisory, name, value)
            if advisory.pk is not None:
                report.updated += 1
                changed[record.id] = advisory
        fresh[record.id] = (advisory, record)
    Advisory.objects.bulk_create([a for a, _ in fresh.values() if a.pk is None], batch_size=BATCH)
    if changed:
        Advisory.objects.bulk_update(list(changed.values()), ADVISORY_FIELDS, batch_size=BATCH)
        AffectedPackage.objects.filter(advisory__in=changed.values()).delete()
        AdvisoryAlias.objects.filter(advisory__in=changed.values()).delete()
    packages: list[AffectedPackage] = []
    aliases: list[AdvisoryAlias] = []
    for advisory, record in fresh.values():
        p, a = _index_rows(advisory, record)
        packages += p
        aliases += a
    AffectedPackage.objects.bulk_create(packages, batch_size=2000)
    AdvisoryAlias.objects.bulk_create(aliases, batch_size=2000)
    return [a.pk for a, _ in fresh.values()]


ADVISORY_FIELDS = [
    "source",
    "summary",
    "details",
    "aliases",
    "modified",
    "published",
    "withdrawn",
    "severity",
    "cvss_version",
    "cvss_vector",
    "cvss_score",
    "ecosystems",
    "record",
    "digest",
]


def advisories_import(
    *,
    actor: Actor,
    path: Path,
    progress: Callable[[int], None] | None = None,
    notify: bool = True,
) -> ImportReport:
    """Import OSV records from a folder, .zip or tarball: incremental by `modified`, idempotent.

    A record whose file is byte-for-byte what was imported before is skipped without parsing; a changed
    file whose `modified` is not newer than the stored record's keeps the stored one. Each bad record is
    reported with its reason and skipped; the rest import. Changed advisories are matched against the
    portfolio and the affected customers get notices.
    """
    _require_analyst(actor, "import advisories")
    started = time.perf_counter()
    report = ImportReport()
    known_digests = set(Advisory.objects.values_list("digest", flat=True))
    changed: list[int] = []
    batch: list[tuple[osv.Record, str]] = []

    def flush() -> None:
        if batch:
            with transaction.atomic():
                changed.extend(_store_batch(batch, Advisory.Source.IMPORT, report))
            batch.clear()

    for name, data in osv.iter_members(path):
        report.seen += 1
        if progress is not None:
            progress(1)
        if isinstance(data, osv.OsvError):  # too large to be a record: never read whole
            report.rejected.append((name, str(data)))
            continue
        digest = _canonical_digest(data)
        if digest in known_digests:
            report.unchanged += 1
            continue
        try:
            record = osv.load_record(data, name)
        except osv.OsvError as error:
            report.rejected.append((name, str(error)))
            continue
        batch.append((record, digest))
        if len(batch) >= BATCH:
            flush()
    flush()
    with transaction.atomic():
        if changed:
            priorities_refresh(advisory_ids=changed)
            result = matching.match_advisories(changed)
            report.findings = result.created
            if notify:
                report.notices = notices_send(result.opened)
        audit_record(
            actor=actor,
            action="action",
            object_type="security.advisory",
            object_id=path.name,
            object_repr=f"advisories from {path.name}",
            after={
                "did": "import",
                "seen": report.seen,
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": len(report.rejected),
                "findings": report.findings,
            },
        )
    report.seconds = time.perf_counter() - started
    return report


def _open_text(data: bytes, name: str) -> io.StringIO:
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        return io.StringIO(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise ValidationError({"file": f"{name}: not UTF-8 text or gzip ({error})"}) from None


@dataclass
class FeedReport:
    rows: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    advisories: int = 0


@transaction.atomic
def _store_feed(
    actor: Actor,
    name: str,
    report: FeedReport,
    model: type[EpssScore] | type[KevEntry],
    rows: dict[str, Any],
    fields: list[str],
) -> FeedReport:
    """Upsert a feed's rows by CVE, copy them onto the advisories, audit the import."""
    model.objects.bulk_create(
        rows.values(), batch_size=2000, update_conflicts=True, unique_fields=["cve"], update_fields=fields
    )
    report.rows = len(rows)
    report.advisories = priorities_refresh(cves=set(rows))
    audit_record(
        actor=actor,
        action="action",
        object_type=model._meta.label_lower,
        object_id=name,
        after={"did": "import", "rows": report.rows, "rejected": len(report.rejected)},
    )
    return report


def epss_import(*, actor: Actor, data: bytes, name: str) -> FeedReport:
    """FIRST's EPSS CSV (`cve,epss,percentile`, optionally gzipped, with its `#model_version` line)."""
    _require_analyst(actor, "import EPSS scores")
    report = FeedReport()
    scored_on: date | None = None
    rows: dict[str, EpssScore] = {}
    header_seen = False
    for number, line in enumerate(_open_text(data, name), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            for part in line.lstrip("#").split(","):
                key, _, value = part.partition(":")
                if key.strip() == "score_date":
                    try:
                        scored_on = datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
                    except ValueError:
                        scored_on = None
            continue
        cells = next(csv.reader([line]))
        if not header_seen:
            header_seen = True
            if [c.strip().lower() for c in cells[:3]] != ["cve", "epss", "percentile"]:
                raise ValidationError(
                    {"file": f"{name}: line {number}: expected the header cve,epss,percentile"}
                )
            continue
        try:
            cve, score, percentile = cells[0].strip().upper(), float(cells[1]), float(cells[2])
            if not cve.startswith("CVE-") or not (0 <= score <= 1 and 0 <= percentile <= 1):
                raise ValueError("not a CVE id with a probability and percentile between 0 and 1")
        except (ValueError, IndexError) as error:
            report.rejected.append((number, str(error)))
            continue
        rows[cve] = EpssScore(cve=cve, score=score, percentile=percentile, scored_on=scored_on)
    if not header_seen:
        raise ValidationError({"file": f"{name}: no EPSS rows (expected the header cve,epss,percentile)"})
    return _store_feed(actor, name, report, EpssScore, rows, ["score", "percentile", "scored_on"])


def kev_import(*, actor: Actor, data: bytes, name: str) -> FeedReport:
    """CISA's KEV catalogue, as its JSON feed or its CSV."""
    _require_analyst(actor, "import the KEV catalogue")
    report = FeedReport()
    text = _open_text(data, name).read()
    entries: list[dict[str, str]]
    if text.lstrip().startswith("{"):
        try:
            entries = json.loads(text)["vulnerabilities"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValidationError({"file": f"{name}: not CISA's KEV JSON feed ({error})"}) from None
    else:
        entries = list(csv.DictReader(io.StringIO(text)))
        if entries and "cveID" not in entries[0]:
            raise ValidationError({"file": f"{name}: not CISA's KEV CSV (no cveID column)"})
    rows: dict[str, KevEntry] = {}
    for number, entry in enumerate(entries, start=1):
        try:
            cve = str(entry["cveID"]).strip().upper()
            added = date.fromisoformat(str(entry["dateAdded"]).strip())
            due_text = str(entry.get("dueDate") or "").strip()
            rows[cve] = KevEntry(
                cve=cve,
                vendor=str(entry.get("vendorProject", ""))[:200],
                product=str(entry.get("product", ""))[:200],
                name=str(entry.get("vulnerabilityName", ""))[:500],
                date_added=added,
                due_date=date.fromisoformat(due_text) if due_text else None,
                ransomware=str(entry.get("knownRansomwareCampaignUse", ""))[:20],
            )
        except (KeyError, ValueError, TypeError) as error:
            report.rejected.append((number, f"{type(error).__name__}: {error}"))
    return _store_feed(
        actor,
        name,
        report,
        KevEntry,
        rows,
        ["vendor", "product", "name", "date_added", "due_date", "ransomware"],
    )


def priorities_refresh(*, advisory_ids: Iterable[int] | None = None, cves: set[str] | None = None) -> int:
    """Copy EPSS and KEV onto advisories (by their CVE aliases) and re-rank their open findings."""
    aliases = AdvisoryAlias.objects.filter(alias__startswith="CVE-")
    if advisory_ids is not None:
        aliases = aliases.filter(advisory_id__in=list(advisory_ids))
    if cves is not None:
        aliases = aliases.filter(alias__in=sorted(cves))
    by_advisory: dict[int, set[str]] = defaultdict(set)
    for advisory_id, alias in aliases.values_list("advisory_id", "alias"):
        by_advisory[advisory_id].add(alias)
    if not by_advisory:
        return 0
    all_cves = sorted(set().union(*by_advisory.values()))
    epss: dict[str, tuple[float, float]] = {}
    kev: dict[str, date] = {}
    for start in range(0, len(all_cves), BATCH):
        chunk = all_cves[start : start + BATCH]
        epss.update(
            {
                c: (s, p)
                for c, s, p in EpssScore.objects.filter(cve__in=chunk).values_list(
                    "cve", "score", "percentile"
                )
            }
        )
        kev.update(dict(KevEntry.objects.filter(cve__in=chunk).values_list("cve", "date_added")))
    advisories = list(
        Advisory.objects.filter(pk__in=list(by_advisory)).only(
            "id", "epss", "epss_percentile", "kev", "kev_added"
        )
    )
    for advisory in advisories:
        ids = by_advisory[advisory.pk]
        scores = [epss[c] for c in ids if c in epss]
        advisory.epss = max((s for s, _ in scores), default=None)
        advisory.epss_percentile = max((p for _, p in scores), default=None)
        added = [kev[c] for c in ids if c in kev]
        advisory.kev, advisory.kev_added = bool(added), min(added) if added else None
    Advisory.objects.bulk_update(
        advisories, ["epss", "epss_percentile", "kev", "kev_added"], batch_size=BATCH
    )
    matching.rerank(advisory.pk for advisory in advisories)
    return len(advisories)


# --- inventory --------------------------------------------------------------------------------------------


CRITICAL = "critical"
LISTED_CHANGES = 200  # findings named per kind in an upload's record and audit entry; the counts are exact


@dataclass(frozen=True)
class UploadPreview:
    """What an inventory would do to a deployment's findings, read before anything is written, and why
    applying it needs someone's confirmation (empty when it may apply unasked)."""

    filename: str
    format: str
    component_count: int
    warnings: tuple[str, ...]
    match: matching.Match
    needs_confirmation: tuple[str, ...]
    evaluated: matching.Evaluation

    @property
    def changes(self) -> dict[str, Any]:
        return _changes_record(self.match)


def _confirmation_reasons(match: matching.Match, closing_limit: int | None) -> tuple[str, ...]:
    """Closing more than `closing_limit` findings (the setting by default), or any critical one."""
    limit = settings.OSSDESK_UPLOAD_CONFIRM_CLOSING if closing_limit is None else closing_limit
    reasons = []
    if match.closed > limit:
        closing = f"{match.closed} finding{'' if match.closed == 1 else 's'}"
        rule = "closing any" if limit == 0 else f"closing more than {limit}"  # the portal asks for any
        reasons.append(f"it would close {closing}; {rule} needs confirmation")
    critical = sorted({c.advisory for c in match.closing if c.severity == CRITICAL})
    if critical:
        reasons.append(f"it would close critical findings: {', '.join(critical[:10])}")
    return tuple(reasons)


def _check_upload(actor: Actor, deployment: Deployment) -> None:
    _require_deployment_access(actor, deployment)
    if not actor.is_staff:
        terms = entitlements_for(organization=deployment.organization)
        check_feature(terms, feature="sbom_scanning", plans=plan_refs())


def _check_size(name: str, data: bytes) -> bytes:
    if not data:
        raise ValidationError({"file": f"{name} is empty."})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"{name} is {len(data):,} bytes; the limit is {MAX_BYTES:,}."})
    return data


def _read_inventory(name: str, data: bytes) -> Inventory:
    """The file as an inventory, or a field error on `file` with one message per problem."""
    _check_size(name, data)
    try:
        inventory = parse(name, data)
    except InventoryError as error:
        raise ValidationError({"file": str(error)}) from None
    _check_inventory(name, inventory)
    return inventory


def _check_inventory(name: str, inventory: Inventory) -> None:
    """Refuse an inventory that yields nothing, skips more than it reads, or is over the cap."""
    problems = refusal_reasons(name, inventory)
    if problems:
        raise ValidationError({"file": list(problems)})
    limit = settings.OSSDESK_UPLOAD_MAX_COMPONENTS
    if inventory.count > limit:
        raise ValidationError(
            {"file": f"{name}: {inventory.count:,} components; the limit is {limit:,} per inventory."}
        )


ComponentRow = tuple[str, str, str, str, str]  # ecosystem, name_key, version, purl, name


def _component_row(component: InventoryComponent) -> tuple[tuple[str, str, str], ComponentRow]:
    """A component's key as matching and the Component table know it (ecosystem, package, version), and
    its row, cut to the columns' sizes."""
    ecosystem = osv.ecosystem_base(component.ecosystem) if component.ecosystem else ""
    name_key = (
        osv.normalise_name(component.ecosystem, component.name) if component.ecosystem else component.name
    )
    version = component.version or ""
    row = (ecosystem[:40], name_key[:300], version[:200], (component.purl or "")[:1000], component.name[:300])
    return (ecosystem, name_key, version), row


def _component_rows(inventory: Inventory) -> list[ComponentRow]:
    """One row per (ecosystem, package, version), the first one seen."""
    seen: set[tuple[str, str, str]] = set()
    rows = []
    for component in inventory.components:
        key, row = _component_row(component)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def _changes_record(match: matching.Match) -> dict[str, Any]:
    """An upload's effect on the findings, for its record and its audit entry: exact counts, and each
    finding named (advisory, severity, package, version, why) up to LISTED_CHANGES per kind."""
    return {
        "new": match.created - match.suppressed,
        "reopened": match.reopened,
        "closed": match.closed,
        "moved": match.moved,
        "suppressed": match.suppressed,
        "new_findings": [c.as_dict() for c in match.new[:LISTED_CHANGES]],
        "reopened_findings": [c.as_dict() for c in match.reopening[:LISTED_CHANGES]],
        "closed_findings": [c.as_dict() for c in match.closing[:LISTED_CHANGES]],
    }


def _preview(
    actor: Actor, deployment: Deployment, filename: str, data: bytes, closing_limit: int | None
) -> tuple[UploadPreview, list[ComponentRow]]:
    _check_upload(actor, deployment)
    name = PurePath(filename or "").name.strip() or "upload"
    inventory = _read_inventory(name, data)
    rows = _component_rows(inventory)
    evaluated = matching.evaluate_inventory(deployment.pk, rows)
    match = matching.preview_deployment(evaluated)
    preview = UploadPreview(
        filename=name,
        format=inventory.format,
        component_count=len(rows),
        warnings=inventory.warnings,
        match=match,
        needs_confirmation=_confirmation_reasons(match, closing_limit),
        evaluated=evaluated,
    )
    return preview, rows


def sbom_preview(
    *, actor: Actor, deployment: Deployment, filename: str, data: bytes, closing_limit: int | None = None
) -> UploadPreview:
    """What uploading this file would do (the dry run): refused as an upload would be, nothing written."""
    return _preview(actor, deployment, filename, data, closing_limit)[0]


def sbom_for_the_worker(size: int) -> bool:
    """Whether an upload of `size` bytes is stored and applied by the worker in short transactions
    (:func:`sbom_receive`) rather than read and matched in the request (:func:`sbom_upload`)."""
    return size > settings.OSSDESK_UPLOAD_INLINE_BYTES


@transaction.atomic
def sbom_upload(
    *,
    actor: Actor,
    deployment: Deployment,
    filename: str,
    data: bytes,
    via: str = "portal",
    confirm: bool = False,
    closing_limit: int | None = None,
) -> tuple[Sbom, matching.Match]:
    """Store an SBOM or lockfile for a deployment, make it current, and match it.

    A file that does not parse, yields no component or skips more entries than it reads is refused with
    the reasons and nothing is stored. One that would close more than `closing_limit` findings
    (``OSSDESK_UPLOAD_CONFIRM_CLOSING`` by default) or any critical one is stored but held, unapplied,
    until confirmed (`confirm=True` here, or :func:`sbom_confirm`): the Match returned is then what it
    would do.
    """
    preview, rows = _preview(actor, deployment, filename, data, closing_limit)
    reasons = list(preview.needs_confirmation)
    sbom = Sbom(
        deployment=deployment,
        filename=preview.filename[:255],
        format=preview.format[:60],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        component_count=preview.component_count,
        warnings=list(preview.warnings)[:200],
        uploaded_by=actor.user,
        uploaded_via=via,
        uploaded_at=timezone.now(),
        confirmed=confirm,
    )
    sbom.file.save(f"{sbom.sha256[:16]}-{preview.filename}", ContentFile(data), save=False)
    if reasons and not confirm:
        sbom.state, sbom.current, sbom.problems = Sbom.State.HELD, False, reasons
        sbom.changes = _changes_record(preview.match)
        sbom.save()
        audit_record(
            actor=actor,
            action="action",
            instance=sbom,
            after={"did": "upload held for confirmation", "filename": sbom.filename, "why": reasons},
            organization_id=deployment.organization_id,
        )
        return sbom, preview.match
    sbom.save()
    return sbom, _apply_inventory(actor, sbom, rows, evaluated=preview.evaluated)


@transaction.atomic
def sbom_confirm(*, actor: Actor, sbom: Sbom) -> tuple[Sbom, matching.Match]:
    """Apply a held upload, as it matches now (an advisory imported since may change the diff)."""
    sbom = Sbom.objects.select_for_update().select_related("deployment__organization").get(pk=sbom.pk)
    _check_upload(actor, sbom.deployment)
    if sbom.state != Sbom.State.HELD:
        raise ValidationError({"state": f"This upload is {sbom.get_state_display().lower()}, not held."})
    sbom.confirmed = True
    if sbom_for_the_worker(sbom.size):  # the worker applies it, in short transactions
        sbom.state = Sbom.State.RECEIVED
        sbom.save(update_fields=["state", "confirmed"])
        transaction.on_commit(lambda: _process_later(sbom.pk))
        return sbom, matching.Match()
    with sbom.file.open("rb") as handle:
        data = handle.read()
    return sbom, _apply_inventory(actor, sbom, _component_rows(_read_inventory(sbom.filename, data)))


@transaction.atomic
def sbom_discard(*, actor: Actor, sbom: Sbom) -> Sbom:
    """Drop a held upload: it stays in the history, never applied."""
    sbom = Sbom.objects.select_for_update().select_related("deployment").get(pk=sbom.pk)
    _require_deployment_access(actor, sbom.deployment)
    if sbom.state != Sbom.State.HELD:
        raise ValidationError({"state": f"This upload is {sbom.get_state_display().lower()}, not held."})
    sbom.state = Sbom.State.DISCARDED
    sbom.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="action",
        instance=sbom,
        after={"did": "held upload discarded", "filename": sbom.filename},
        organization_id=sbom.deployment.organization_id,
    )
    return sbom


def _switch_inventory(sbom: Sbom, rows: list[ComponentRow] | None) -> None:
    """Make `sbom` the deployment's current inventory. `rows` are inserted here, or (None) were
    inserted beforehand, not current, by :class:`_Slices`."""
    deployment = sbom.deployment
    Sbom.objects.filter(deployment=deployment, current=True).update(current=False)
    Component.objects.filter(deployment=deployment, current=True).update(current=False)
    # A newer inventory supersedes any upload still waiting for confirmation.
    Sbom.objects.filter(deployment=deployment, state=Sbom.State.HELD).exclude(pk=sbom.pk).update(
        state=Sbom.State.DISCARDED
    )
    sbom.state, sbom.current, sbom.problems = Sbom.State.APPLIED, True, []
    sbom.save()
    if rows is None:
        Component.objects.filter(sbom=sbom).update(current=True)
    else:
        _bulk_components(sbom, rows, current=True)


def _bulk_components(sbom: Sbom, rows: Sequence[ComponentRow], *, current: bool) -> None:
    # In slices: bulk_create holds every model instance of what it is given at once.
    for start in range(0, len(rows), UPLOAD_BATCH):
        Component.objects.bulk_create(
            [
                Component(
                    sbom=sbom,
                    deployment_id=sbom.deployment_id,
                    ecosystem=ecosystem,
                    name_key=name_key,
                    version=version,
                    purl=purl,
                    name=name,
                    current=current,
                )
                for ecosystem, name_key, version, purl, name in rows[start : start + UPLOAD_BATCH]
            ]
        )


class _Slices:
    """A large upload's components as the file is read: each distinct one (by its matching key) joins a
    slice; a full slice is inserted, not current, in a short transaction of its own (other customers'
    writes go in between), and evaluated against the advisories, then dropped. Only a 16-byte digest per
    component and the advisories it matches stay in memory, never the component list."""

    __slots__ = ("count", "evaluation", "limit", "rows", "sbom", "seen")

    def __init__(self, sbom: Sbom) -> None:
        self.sbom = sbom
        self.seen: set[bytes] = set()
        self.rows: list[ComponentRow] = []
        self.count = 0
        self.limit = settings.OSSDESK_UPLOAD_MAX_COMPONENTS
        self.evaluation = matching.Evaluation(sbom.deployment_id, {})

    def take(self, component: InventoryComponent) -> None:
        key, row = _component_row(component)
        digest = distinct_key(key)
        if digest in self.seen:
            return
        self.seen.add(digest)
        self.count += 1
        if self.count > self.limit:
            return  # refused once read to the end (its count and warnings are told); nothing more to store
        self.rows.append(row)
        if len(self.rows) >= UPLOAD_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with transaction.atomic():
            _bulk_components(self.sbom, self.rows, current=False)
        batch_committed.send(sender=Sbom, sbom=self.sbom, done=min(self.count, self.limit))
        matching.evaluate_more(self.evaluation, self.rows)
        self.rows = []


def _drop_components(sbom: Sbom) -> None:
    """Delete an upload's components, a slice per transaction (a retry, a refusal or a hold)."""
    while ids := list(Component.objects.filter(sbom=sbom).values_list("pk", flat=True)[:UPLOAD_BATCH]):
        Component.objects.filter(pk__in=ids).delete()


def _stream_upload(actor: Actor, sbom: Sbom) -> tuple[Inventory, _Slices]:
    """Read a received upload into its components (inserted, not current) and its evaluation; refused
    as :func:`_read_inventory` refuses (ValidationError), with nothing left behind."""
    _check_upload(actor, sbom.deployment)
    _drop_components(sbom)  # a retry after a crash starts clean
    slices = _Slices(sbom)

    def read() -> bytes:
        with sbom.file.open("rb") as handle:
            return _check_size(sbom.filename, handle.read())

    try:
        try:
            inventory = stream(sbom.filename, read, slices.take)
        except InventoryError as error:
            raise ValidationError({"file": str(error)}) from None
        slices.flush()
        _check_inventory(sbom.filename, inventory)
    except ValidationError:
        _drop_components(sbom)
        raise
    return inventory, slices


def _apply_inventory(
    actor: Actor,
    sbom: Sbom,
    rows: list[ComponentRow] | None,
    *,
    evaluated: matching.Evaluation | None = None,
) -> matching.Match:
    """Make the upload the deployment's inventory, match it (with the evaluation already made, when
    given), and audit what it opened and closed, and why. `rows` None: its components were inserted
    beforehand (:class:`_Slices`) and `sbom.component_count` counts them."""
    deployment = sbom.deployment
    now = timezone.now()
    if rows is not None:
        sbom.component_count = len(rows)
    _switch_inventory(sbom, rows)
    if evaluated is None:
        result = matching.match_deployments([deployment.pk], now=now)
    else:
        result = matching.apply_inventory(evaluated, now=now)
    sbom.changes = _changes_record(result)
    sbom.save(update_fields=["changes", "confirmed"])
    audit_record(
        actor=actor,
        action="action",
        instance=sbom,
        after={
            "did": "upload",
            "filename": sbom.filename,
            "format": sbom.format,
            "components": sbom.component_count,
            "sha256": sbom.sha256,
            "confirmed": sbom.confirmed,
            "findings_created": result.created,
            "findings_reopened": result.reopened,
            "findings_closed": result.closed,
            "closed": sbom.changes["closed_findings"],
            "reopened": sbom.changes["reopened_findings"],
        },
        organization_id=deployment.organization_id,
    )
    return result


# --- large uploads: stored raw, processed by the worker -------------------------------------------------

UPLOAD_BATCH = 5000
IN_PROGRESS = (Sbom.State.RECEIVED, Sbom.State.PROCESSING)
batch_committed = Signal()  # after each slice of a large upload's components commits (tests observe it)


@transaction.atomic
def sbom_receive(
    *,
    actor: Actor,
    deployment: Deployment,
    filename: str,
    data: bytes,
    via: str = "api",
    confirm: bool = False,
) -> Sbom:
    """Store an upload raw and queue it: the answer comes at once, the worker reads, matches and
    applies it (:func:`sbom_process`) in short transactions; poll the upload's `state`."""
    _check_upload(actor, deployment)
    name = PurePath(filename or "").name.strip() or "upload"
    if not data:
        raise ValidationError({"file": f"{name} is empty."})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"{name} is {len(data):,} bytes; the limit is {MAX_BYTES:,}."})
    limit = settings.OSSDESK_UPLOADS_IN_PROGRESS_PER_ORGANIZATION
    busy = Sbom.objects.filter(deployment__organization_id=deployment.organization_id, state__in=IN_PROGRESS)
    if busy.count() >= limit:
        raise ValidationError(
            {
                "file": f"{limit} uploads of this organisation are still being processed; "
                "send it when they are done."
            }
        )
    sbom = Sbom(
        deployment=deployment,
        filename=name[:255],
        format="",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_by=actor.user,
        uploaded_via=via,
        uploaded_at=timezone.now(),
        state=Sbom.State.RECEIVED,
        current=False,
        confirmed=confirm,
    )
    sbom.file.save(f"{sbom.sha256[:16]}-{name}", ContentFile(data), save=False)
    sbom.save()
    audit_record(
        actor=actor,
        action="action",
        instance=sbom,
        after={"did": "upload received", "filename": sbom.filename, "size": sbom.size, "sha256": sbom.sha256},
        organization_id=deployment.organization_id,
    )
    transaction.on_commit(lambda: _process_later(sbom.pk))
    return sbom


def _process_later(sbom_id: int) -> None:
    from ossdesk.security.tasks import sbom_process_task  # the task calls services, not the reverse

    sbom_process_task(sbom_id)


def _uploader(sbom: Sbom) -> Actor:
    return actor_for(sbom.uploaded_by) if sbom.uploaded_by else Actor.system(sbom.uploaded_via)


def sbom_process(*, sbom_id: int) -> Sbom | None:
    """Read, match and apply a received upload; refused, held or applied, the outcome is on the row.

    Claimed with a conditional update, so a second run (two workers, a retried task) does nothing. The
    file is read and diffed outside any transaction; components go in by slices, each its own short
    transaction; only switching the inventory and matching it take one more.
    """
    claimed = Sbom.objects.filter(pk=sbom_id, state=Sbom.State.RECEIVED).update(
        state=Sbom.State.PROCESSING, processing_since=timezone.now()
    )
    if not claimed:
        return None
    sbom = Sbom.objects.select_related("deployment__organization", "uploaded_by").get(pk=sbom_id)
    actor = _uploader(sbom)
    try:
        inventory, slices = _stream_upload(actor, sbom)
    except (ValidationError, EntitlementDenied, PermissionDenied) as error:
        return _refuse(actor, sbom, error)
    match = matching.preview_deployment(slices.evaluation)
    # The portal shows every closing before it happens, as its confirmation page does for small files.
    needs_confirmation = _confirmation_reasons(match, 0 if sbom.uploaded_via == "portal" else None)
    sbom.format, sbom.component_count = inventory.format[:60], slices.count
    sbom.warnings = list(inventory.warnings)[:200]
    if needs_confirmation and not sbom.confirmed:
        _drop_components(sbom)  # read again when confirmed: an upload held has none stored
        with transaction.atomic():
            sbom.state, sbom.problems = Sbom.State.HELD, list(needs_confirmation)
            sbom.changes = _changes_record(match)
            sbom.save()
            audit_record(
                actor=actor,
                action="action",
                instance=sbom,
                after={
                    "did": "upload held for confirmation",
                    "filename": sbom.filename,
                    "why": sbom.problems,
                },
                organization_id=sbom.deployment.organization_id,
            )
        return sbom
    with transaction.atomic():
        _apply_inventory(actor, sbom, None, evaluated=slices.evaluation)
    return sbom


STALLED_AFTER = timedelta(minutes=30)
FORGOTTEN_AFTER = timedelta(minutes=5)


def sboms_resume(*, now: datetime | None = None) -> int:
    """Queue again the uploads a worker never picked up (a lost task) or left half-done (a worker killed
    mid-way: its slices are deleted and it starts over); the number queued."""
    now = now or timezone.now()
    forgotten = Sbom.objects.filter(state=Sbom.State.RECEIVED, uploaded_at__lt=now - FORGOTTEN_AFTER)
    stalled = Sbom.objects.filter(state=Sbom.State.PROCESSING, processing_since__lt=now - STALLED_AFTER)
    ids = list(forgotten.values_list("pk", flat=True))
    for pk in stalled.values_list("pk", flat=True):
        # Conditional: a worker that finishes meanwhile keeps its outcome.
        if Sbom.objects.filter(pk=pk, state=Sbom.State.PROCESSING).update(state=Sbom.State.RECEIVED):
            ids.append(pk)
    for pk in ids:
        _process_later(pk)
    return len(ids)


def _refuse(actor: Actor, sbom: Sbom, error: Exception) -> Sbom:
    if isinstance(error, ValidationError):
        problems = (
            [m for messages in error.message_dict.values() for m in messages]
            if hasattr(error, "error_dict")
            else list(error.messages)
        )
    else:
        problems = [str(error)]
    with transaction.atomic():
        sbom.state, sbom.problems = Sbom.State.REFUSED, problems[:MAX_PROBLEMS]
        sbom.save(update_fields=["state", "problems"])
        audit_record(
            actor=actor,
            action="action",
            instance=sbom,
            after={"did": "upload refused", "filename": sbom.filename, "why": sbom.problems},
            organization_id=sbom.deployment.organization_id,
        )
    return sbom


MAX_PROBLEMS = 25


# --- findings ---------------------------------------------------------------------------------------------


@transaction.atomic
def finding_set_status(
    *, actor: Actor, finding: Finding, status: str, reason: str = "", until: date | None = None
) -> Finding:
    """Mark a finding fixed, not affected, risk accepted (until a date) or open again."""
    if not actor.is_staff and actor.organization_id != finding.organization_id:
        raise Finding.DoesNotExist("No such finding.")
    if status not in Finding.Status.values:
        raise ValidationError({"status": f"{status!r} is not one of {', '.join(Finding.Status.values)}."})
    errors = {}
    if status in (Finding.Status.NOT_AFFECTED, Finding.Status.RISK_ACCEPTED) and not reason.strip():
        errors["reason"] = "Say why: the next auditor will ask."
    if status == Finding.Status.RISK_ACCEPTED:
        if until is None:
            errors["until"] = "A risk is accepted until a date; after it the finding opens again."
        elif until <= timezone.localdate():
            errors["until"] = "The date must be in the future."
    if errors:
        raise ValidationError(errors)
    return _set_status(
        actor, finding, status, reason.strip(), until if status == Finding.Status.RISK_ACCEPTED else None
    )


def _set_status(actor: Actor, finding: Finding, status: str, reason: str, until: date | None) -> Finding:
    """Change a finding's status (resolved when it leaves the open states) and audit the change."""
    before = snapshot(finding)
    finding.status = status
    finding.status_reason = reason
    finding.risk_accepted_until = until
    finding.resolved_at = (
        None if status in (Finding.Status.OPEN, Finding.Status.RISK_ACCEPTED) else timezone.now()
    )
    finding.save()
    audit_record(
        actor=actor,
        action="update",
        instance=finding,
        before=before,
        after=snapshot(finding),
        organization_id=finding.organization_id,
    )
    return finding


def risk_acceptances_expire(*, today: date | None = None) -> int:
    """Reopen findings whose risk acceptance has run out (a periodic task)."""
    today = today or timezone.localdate()
    expired = list(Finding.objects.filter(status=Finding.Status.RISK_ACCEPTED, risk_accepted_until__lt=today))
    actor = Actor.system("risk acceptance expiry")
    for finding in expired:
        with transaction.atomic():
            reason = f"risk acceptance expired on {finding.risk_accepted_until}"
            _set_status(actor, finding, Finding.Status.OPEN, reason, None)
    return len(expired)


# --- VEX --------------------------------------------------------------------------------------------------


def _apply_statement(statement: VexStatement, actor: Actor) -> int:
    """Apply a new statement to the findings it covers; returns how many changed."""
    advisory_ids = set(
        AdvisoryAlias.objects.filter(alias=statement.vulnerability.upper()).values_list(
            "advisory_id", flat=True
        )
    )
    findings = Finding.objects.filter(advisory_id__in=advisory_ids)
    if statement.organization_id:
        findings = findings.filter(organization_id=statement.organization_id)
    if statement.deployment_id:
        findings = findings.filter(deployment_id=statement.deployment_id)
    target = matching.VEX_TO_STATUS[statement.status]
    changed = 0
    for finding in findings.select_for_update():
        if not matching.purl_covers(statement.product, finding.purl):
            continue
        if finding.status == target and finding.status_reason == matching.vex_reason(statement):
            continue
        if finding.status == Finding.Status.RISK_ACCEPTED and target == Finding.Status.OPEN:
            continue
        before = snapshot(finding)
        finding.status = target
        finding.status_reason = matching.vex_reason(statement)
        finding.resolved_at = None if target == Finding.Status.OPEN else statement.created_at
        finding.save()
        audit_record(
            actor=actor,
            action="update",
            instance=finding,
            before=before,
            after=snapshot(finding),
            organization_id=finding.organization_id,
        )
        changed += 1
    return changed


@transaction.atomic
def vex_record(
    *,
    actor: Actor,
    vulnerability: str,
    product: str,
    status: str,
    justification: str = "",
    impact_statement: str = "",
    action_statement: str = "",
    organization: Organization | None = None,
    deployment: Deployment | None = None,
    source: str = "manual",
) -> tuple[VexStatement, int]:
    """Record a VEX statement (analyst: any scope; customer: own organisation) and apply it to findings."""
    if actor.is_customer:
        if organization is None or organization.pk != actor.organization_id:
            organization = Organization.objects.get(pk=actor.organization_id or 0)
    elif actor.role not in ANALYSTS | {Role.ENGINEER}:
        raise PermissionDenied("Only security analysts, engineers and customers may record VEX statements.")
    if deployment is not None:
        if organization is not None and deployment.organization_id != organization.pk:
            raise ValidationError({"deployment": "That deployment belongs to another organisation."})
        _require_deployment_access(actor, deployment)
        organization = deployment.organization
    errors: dict[str, str] = {}
    vulnerability = vulnerability.strip().upper()
    product = product.strip()
    if not vulnerability:
        errors["vulnerability"] = "Name the vulnerability (CVE, GHSA or advisory id)."
    if not product.startswith("pkg:"):
        errors["product"] = "Give the product as a purl, e.g. pkg:pypi/django or pkg:pypi/django@4.2.1."
    if status not in vexdoc.STATUSES:
        errors["status"] = f"{status!r} is not one of {', '.join(vexdoc.STATUSES)}."
    if (
        status == "not_affected"
        and justification not in vexdoc.JUSTIFICATIONS
        and not impact_statement.strip()
    ):
        errors["justification"] = (
            "A not-affected statement needs a justification ("
            + ", ".join(vexdoc.JUSTIFICATIONS)
            + ") or an impact statement."
        )
    if status == "affected" and not action_statement.strip():
        errors["action_statement"] = "Say what to do about it (upgrade, apply a patch, a workaround)."
    if justification and status != "not_affected":
        errors["justification"] = "A justification only goes with not_affected."
    elif justification and justification not in vexdoc.JUSTIFICATIONS:
        errors["justification"] = f"{justification!r} is not one of {', '.join(vexdoc.JUSTIFICATIONS)}."
    if errors:
        raise ValidationError(errors)
    statement = VexStatement.objects.create(
        organization=organization,
        deployment=deployment,
        vulnerability=vulnerability,
        product=product,
        status=status,
        justification=justification,
        impact_statement=impact_statement.strip(),
        action_statement=action_statement.strip(),
        source=source[:200],
        author=actor.user,
        author_label=actor.label,
        created_at=timezone.now(),
    )
    changed = _apply_statement(statement, actor)
    audit_record(
        actor=actor,
        action="create",
        instance=statement,
        after=snapshot(statement),
        organization_id=organization.pk if organization else None,
    )
    return statement, changed


@transaction.atomic
def vex_import(
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    organization: Organization | None = None,
    deployment: Deployment | None = None,
) -> tuple[list[VexStatement], int]:
    """Import an OpenVEX or CycloneDX VEX document: every statement, or none when one is invalid."""
    try:
        statements = vexdoc.parse_vex(data, filename)
    except vexdoc.VexError as error:
        raise ValidationError({"file": str(error)}) from None
    created: list[VexStatement] = []
    changed = 0
    for number, statement in enumerate(statements, start=1):
        if not statement.products:
            raise ValidationError(
                {"file": f"{filename}: statement {number} ({statement.vulnerability}) names no product"}
            )
        for product in statement.products:
            try:
                row, moved = vex_record(
                    actor=actor,
                    vulnerability=statement.vulnerability,
                    product=product,
                    status=statement.status,
                    justification=statement.justification or "",
                    impact_statement=statement.impact_statement or "",
                    action_statement=statement.action_statement or "",
                    organization=organization,
                    deployment=deployment,
                    source=f"import:{PurePath(filename).name}",
                )
            except ValidationError as error:
                messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
                raise ValidationError({"file": f"{filename}: statement {number}: {messages}"}) from None
            created.append(row)
            changed += moved
    return created, changed


def vex_statements_export(statements: Sequence[VexStatement]) -> list[vexdoc.Statement]:
    return [
        vexdoc.Statement(
            vulnerability=s.vulnerability,
            products=(s.product,),
            status=s.status,
            justification=s.justification or None,
            impact_statement=s.impact_statement or None,
            action_statement=s.action_statement or None,
            timestamp=s.created_at,
        )
        for s in statements
    ]


# --- notices ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NewFinding:
    advisory_id: int
    organization_id: int
    severity: str
    deployment_id: int
    deployment: str
    name: str
    version: str
    fixed_versions: list[str]
    due_at: datetime | None


def _recipients(organization_ids: Iterable[int]) -> dict[int, list[User]]:
    """Each organisation's contacts who sign in, and its account manager."""
    ids = list(organization_ids)
    found: dict[int, list[User]] = defaultdict(list)
    contacts = Contact.objects.filter(organization_id__in=ids, is_active=True, user__isnull=False)
    for contact in contacts.select_related("user"):
        if contact.user is not None:
            found[contact.organization_id].append(contact.user)
    for organization in Organization.objects.filter(pk__in=ids, account_manager__isnull=False).select_related(
        "account_manager"
    ):
        if organization.account_manager is not None:
            found[organization.pk].append(organization.account_manager)
    return {org: [u for u in dict.fromkeys(users) if u.is_active] for org, users in found.items()}


def notices_send(finding_ids: Sequence[int]) -> int:
    """Tell each customer with new open findings, per advisory, once; open a security ticket for an
    Enterprise customer with a critical finding. Returns how many notices were created or updated."""
    if not finding_ids:
        return 0
    groups: dict[tuple[int, int], list[_NewFinding]] = defaultdict(list)
    for start in range(0, len(finding_ids), BATCH):
        rows = Finding.objects.filter(
            pk__in=finding_ids[start : start + BATCH], status=Finding.Status.OPEN
        ).values_list(
            "advisory_id",
            "organization_id",
            "severity",
            "deployment_id",
            "deployment__name",
            "name",
            "version",
            "fixed_versions",
            "due_at",
        )
        for row in rows:
            finding = _NewFinding(*row)
            groups[(finding.advisory_id, finding.organization_id)].append(finding)
    organizations = Organization.objects.in_bulk({org for _, org in groups})
    advisories = Advisory.objects.only("id", "osv_id", "source", "summary").in_bulk({a for a, _ in groups})
    recipients = _recipients(organizations)
    # An advisory reaching a customer is an advisory.published event for that customer's endpoints.
    advisory_listened = listening("advisory.published")
    advisories_full = (
        Advisory.objects.defer("record", "details").in_bulk({a for a, _ in groups})
        if advisory_listened
        else {}
    )
    count = 0
    for (advisory_id, org_id), findings in groups.items():
        organization = organizations[org_id]
        advisory = advisories[advisory_id]
        severity = min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER.get(s, 9))
        deployments = sorted({f.deployment for f in findings})
        notice, created = Notice.objects.get_or_create(
            advisory_id=advisory_id,
            organization=organization,
            defaults={
                "severity": severity,
                "deployments": deployments,
                "findings": len(findings),
                "created_at": timezone.now(),
            },
        )
        if not created:
            notice.deployments = sorted(set(notice.deployments) | set(deployments))
            notice.findings += len(findings)
            if SEVERITY_ORDER.get(severity, 9) < SEVERITY_ORDER.get(notice.severity, 9):
                notice.severity = severity
            notice.acknowledged_at = None
            notice.acknowledged_by = None
        subject = f"{advisory.public_id} ({severity}) affects {', '.join(deployments[:3])}" + (
            f" and {len(deployments) - 3} more" if len(deployments) > 3 else ""
        )
        notify(
            kind=NotificationKind.SECURITY_NOTICE,
            recipients=recipients.get(org_id, ()),
            subject=subject[:200],
            body=advisory.summary,
            url=f"/security/notices/{notice.pk}/",
            event=Event("advisory.published", advisory_payload(advisories_full[advisory_id]), org_id)
            if advisory_listened
            else None,
        )
        if severity == "critical" and notice.ticket_id is None:
            _security_ticket(
                notice, organization, advisory, [f for f in findings if f.severity == "critical"]
            )
        notice.save()
        count += 1
    return count


def _security_ticket(
    notice: Notice, organization: Organization, advisory: Advisory, findings: list[_NewFinding]
) -> None:
    entitlements = entitlements_for(organization=organization)
    if entitlements.plan.code != "enterprise":
        return
    from ossdesk.tickets.models import Channel  # the helpdesk builds on security, not the reverse
    from ossdesk.tickets.services import ticket_create

    deployment = Deployment.objects.select_related("product").get(pk=findings[0].deployment_id)
    contact = (
        Contact.objects.filter(organization=organization, is_active=True, is_named=True)
        .order_by("-reachable_24x7", "-role", "pk")
        .first()
    )
    lines = [
        f"- {f.deployment}: {f.name} {f.version} (fixed in {', '.join(f.fixed_versions) or 'no fix yet'})"
        for f in findings[:50]
    ]
    if len(findings) > 50:
        lines.append(f"- … and {len(findings) - 50} more")
    due = min((f.due_at for f in findings if f.due_at), default=None)
    advisory_id = advisory.public_id
    body = (
        f"{advisory_id}: {advisory.summary}\n\nCritical finding in your portfolio. Affected:\n"
        + "\n".join(lines)
        + (f"\n\nRemediation due {due:%Y-%m-%d %H:%M} UTC." if due else "")
    )
    try:
        ticket = ticket_create(
            actor=Actor.system("security notices", name=Channel.SECURITY.label),
            organization=organization,
            product=deployment.product,
            subject=f"Security: {advisory_id} affects {deployment.name}"[:250],
            body=body,
            severity="S2",
            channel=Channel.SECURITY,
            origin=f"advisory {advisory_id}",
            contact=contact,  # whom the vendor reaches about it; nobody at the customer raised it
            deployment=deployment,
            tags=["security", advisory_id.lower()],
        )
    except (EntitlementDenied, ValidationError) as error:
        notice.ticket_error = str(error)[:500]
        return
    notice.ticket = ticket


@transaction.atomic
def notice_acknowledge(*, actor: Actor, notice: Notice) -> Notice:
    if not actor.is_staff and actor.organization_id != notice.organization_id:
        raise Notice.DoesNotExist("No such notice.")
    if notice.acknowledged_at is None:
        notice.acknowledged_at = timezone.now()
        notice.acknowledged_by = actor.user
        notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(
            actor=actor,
            action="action",
            instance=notice,
            after={"did": "acknowledge", "acknowledged_at": notice.acknowledged_at.isoformat()},
            organization_id=notice.organization_id,
        )
    return notice


# --- vendor advisories ------------------------------------------------------------------------------------

VENDOR_FIELDS = (
    "title",
    "summary",
    "details",
    "product",
    "ecosystem",
    "package",
    "ranges",
    "affected_versions",
    "cves",
    "aliases",
    "cvss_vector",
    "remediation",
    "additional_packages",
    "tlp",
)
# What each package of an advisory says; the first package lives in the advisory's own fields.
PACKAGE_FIELDS = ("ecosystem", "package", "ranges", "affected_versions", "remediation")
MAX_PACKAGES = 50


def _next_tracking_id(year: int) -> str:
    prefix = f"OSSDESK-{year}-"
    taken = VendorAdvisory.objects.filter(tracking_id__startswith=prefix).values_list(
        "tracking_id", flat=True
    )
    numbers = [int(t.removeprefix(prefix)) for t in taken if t.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _check_version(ecosystem: str, version: str, path: str, errors: dict[str, str]) -> None:
    from ossdesk.domain.versions import sort_key

    try:
        sort_key(ecosystem, version)
    except ValueError as error:
        errors[path] = str(error)


def _validate_vendor(fields: dict[str, Any]) -> None:
    from cvss import CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    errors: dict[str, str] = {}
    for name in ("title", "summary"):
        if not str(fields.get(name) or "").strip():
            errors[name] = "This field is required."
    _validate_package(fields, "", errors)
    more = fields.get("additional_packages") or []
    if not isinstance(more, list) or not all(isinstance(p, dict) for p in more):
        errors["additional_packages"] = f"A list of objects with {', '.join(PACKAGE_FIELDS)}."
        more = []
    if len(more) >= MAX_PACKAGES:
        errors["additional_packages"] = f"At most {MAX_PACKAGES} packages per advisory."
    for i, entry in enumerate(more):
        if unknown := sorted(set(entry) - set(PACKAGE_FIELDS)):
            errors[f"additional_packages.{i}"] = f"Not a field of a package: {', '.join(unknown)}."
        _validate_package(entry, f"additional_packages.{i}.", errors)
    named = [
        (fields.get("ecosystem"), fields.get("package")),
        *((p.get("ecosystem"), p.get("package")) for p in more),
    ]
    if len(set(named)) != len(named):
        errors["additional_packages"] = "A package is listed twice; give all its versions in one entry."
    if str(fields.get("tlp") or "CLEAR") not in VendorAdvisory.Tlp.values:
        errors["tlp"] = f"One of {', '.join(VendorAdvisory.Tlp.values)}."
    for i, cve in enumerate(fields.get("cves") or []):
        if not str(cve).upper().startswith("CVE-"):
            errors[f"cves.{i}"] = f"{cve!r} is not a CVE id (CVE-YYYY-NNNN)."
    vector = str(fields.get("cvss_vector") or "").strip()
    if vector:
        try:
            (CVSS4 if vector.startswith("CVSS:4.") else CVSS3)(vector)
        except (CVSSError, ValueError, KeyError) as error:
            errors["cvss_vector"] = f"Not a CVSS 3.x or 4.0 base vector: {error}"
    if errors:
        raise ValidationError(errors)


def _validate_package(fields: dict[str, Any], prefix: str, errors: dict[str, str]) -> None:
    """One package's fields (``prefix`` names where it is: ``""`` or ``"additional_packages.1."``)."""
    from ossdesk.domain.purl import DISTRO_ECOSYSTEMS, PurlError, purl_type_for
    from ossdesk.domain.versions import ECOSYSTEMS

    if not str(fields.get("package") or "").strip():
        errors[prefix + "package"] = "This field is required."
    ecosystem = fields.get("ecosystem") or ""
    # A distribution may name its release as OSV does (Debian:12, Alpine:v3.19): it goes into the purl.
    base, _, release = ecosystem.partition(":")
    if base not in ECOSYSTEMS or (release and (base not in DISTRO_ECOSYSTEMS or not release.strip())):
        errors[prefix + "ecosystem"] = (
            f"{ecosystem!r} is not an OSV ecosystem ossdesk orders: {', '.join(sorted(ECOSYSTEMS))}"
            " (a distribution with its release, e.g. Debian:12, Alpine:v3.19)."
        )
    else:
        try:
            purl_type_for(ecosystem)
        except PurlError:
            errors[prefix + "ecosystem"] = f"{ecosystem} names no package registry; a purl needs one."
    ranges = fields.get("ranges") or []
    if not isinstance(ranges, list) or not all(isinstance(r, dict) for r in ranges):
        errors[prefix + "ranges"] = 'A list of {"introduced": ..., "fixed": ...} objects.'
        ranges = []
    if not ranges and not fields.get("affected_versions"):
        errors[prefix + "ranges"] = "Say which versions are affected: a range or a list of versions."
    if prefix + "ecosystem" in errors:
        return
    for i, entry in enumerate(ranges):
        introduced = str(entry.get("introduced") or "0").strip()
        fixed = str(entry.get("fixed") or "").strip()
        if introduced != "0":
            _check_version(ecosystem, introduced, f"{prefix}ranges.{i}.introduced", errors)
        if fixed:
            _check_version(ecosystem, fixed, f"{prefix}ranges.{i}.fixed", errors)
    for i, version in enumerate(fields.get("affected_versions") or []):
        _check_version(ecosystem, str(version), f"{prefix}affected_versions.{i}", errors)


@transaction.atomic
def vendor_advisory_create(*, actor: Actor, **fields: Any) -> VendorAdvisory:
    """A draft vendor advisory, with the next tracking id of the year."""
    _require_analyst(actor, "write vendor advisories")
    unknown = set(fields) - set(VENDOR_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a field of a vendor advisory."))
    _validate_vendor(fields)
    now = timezone.now()
    advisory = VendorAdvisory.objects.create(
        tracking_id=_next_tracking_id(now.year),
        author=actor.user,
        created_at=now,
        modified_at=now,
        **fields,
    )
    audit_record(actor=actor, action="create", instance=advisory, after=snapshot(advisory))
    return advisory


@transaction.atomic
def vendor_advisory_update(*, actor: Actor, advisory: VendorAdvisory, **changes: Any) -> VendorAdvisory:
    """Change a draft (or a published advisory: that makes a new revision to publish again)."""
    _require_analyst(actor, "edit vendor advisories")
    unknown = set(changes) - set(VENDOR_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a field of a vendor advisory."))
    if advisory.withdrawn_at is not None:
        raise ValidationError({"status": "A withdrawn advisory is final; write a new one."})
    fields = {name: getattr(advisory, name) for name in VENDOR_FIELDS} | changes
    _validate_vendor(fields)
    before = snapshot(advisory)
    for name, value in changes.items():
        setattr(advisory, name, value)
    advisory.status = VendorAdvisory.Status.DRAFT
    advisory.reviewer = None
    advisory.modified_at = timezone.now()
    advisory.save()
    audit_record(actor=actor, action="update", instance=advisory, before=before, after=snapshot(advisory))
    return advisory


@transaction.atomic
def vendor_advisory_submit(*, actor: Actor, advisory: VendorAdvisory) -> VendorAdvisory:
    """Ask for review: another analyst (or an admin) publishes it."""
    _require_analyst(actor, "submit vendor advisories")
    if advisory.status != VendorAdvisory.Status.DRAFT:
        raise ValidationError(
            {"status": f"Only a draft can go to review; this one is {advisory.get_status_display().lower()}."}
        )
    vendor_csaf(advisory, draft=True)
    advisory.status = VendorAdvisory.Status.IN_REVIEW
    advisory.save(update_fields=["status"])
    audit_record(
        actor=actor, action="action", instance=advisory, after={"did": "submit", "status": advisory.status}
    )
    return advisory


@transaction.atomic
def vendor_advisory_publish(*, actor: Actor, advisory: VendorAdvisory) -> tuple[VendorAdvisory, ImportReport]:
    """Publish a reviewed advisory: a new revision, its OSV record in the advisory database, the portfolio
    matched, and notices to exactly the customers it affects."""
    _require_analyst(actor, "publish vendor advisories")
    if advisory.status != VendorAdvisory.Status.IN_REVIEW:
        raise ValidationError({"status": "Submit the advisory for review first."})
    if actor.user_id is not None and actor.user_id == advisory.author_id and actor.role != Role.ADMIN:
        raise PermissionDenied("Another analyst reviews and publishes what you wrote (four eyes).")
    now = timezone.now()
    advisory.revision += 1
    advisory.status = VendorAdvisory.Status.PUBLISHED
    advisory.reviewer = actor.user
    advisory.published_at = advisory.published_at or now
    advisory.modified_at = now
    advisory.history = [
        *advisory.history,
        {"date": now.isoformat(), "summary": "Initial version." if advisory.revision == 1 else "Updated."},
    ]
    report, result = _vendor_release(advisory, now)
    emit("advisory.published", advisory_payload(advisory), organization_id=None)
    audit_record(
        actor=actor,
        action="action",
        instance=advisory,
        after={
            "did": "publish",
            "revision": advisory.revision,
            "findings": result.created,
            "notices": report.notices,
        },
    )
    return advisory, report


def _vendor_release(advisory: VendorAdvisory, now: datetime) -> tuple[ImportReport, matching.Match]:
    """Validate the new revision, put its OSV record into the advisory database and match the portfolio."""
    vendor_csaf(advisory)
    record = osv.parse_record(vendor_osv(advisory))
    data = json.dumps(record.raw, sort_keys=True).encode()
    report = ImportReport(seen=1)
    ids = _store_batch([(record, _canonical_digest(data))], Advisory.Source.VENDOR, report)
    advisory.advisory = Advisory.objects.get(osv_id=record.id)
    advisory.save()
    priorities_refresh(advisory_ids=ids)
    result = matching.match_advisories(ids, now=now)
    report.findings = result.created
    report.notices = notices_send(result.opened)
    return report, result


@transaction.atomic
def vendor_advisory_withdraw(*, actor: Actor, advisory: VendorAdvisory, reason: str) -> VendorAdvisory:
    """Withdraw a published advisory: it stays published, with a final revision saying why; its OSV record
    is marked withdrawn, so the findings it opened close as not affected."""
    _require_analyst(actor, "withdraw vendor advisories")
    if advisory.status != VendorAdvisory.Status.PUBLISHED:
        raise ValidationError({"status": "Only a published advisory can be withdrawn."})
    if advisory.withdrawn_at is not None:
        raise ValidationError({"status": "This advisory is already withdrawn."})
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why it is withdrawn: customers read it."})
    now = timezone.now()
    advisory.revision += 1
    advisory.withdrawn_at = now
    advisory.withdrawn_reason = reason
    advisory.modified_at = now
    advisory.history = [*advisory.history, {"date": now.isoformat(), "summary": f"Withdrawn: {reason}"}]
    _vendor_release(advisory, now)
    audit_record(
        actor=actor,
        action="action",
        instance=advisory,
        after={"did": "withdraw", "revision": advisory.revision, "reason": reason},
    )
    return advisory


def vendor_osv(advisory: VendorAdvisory) -> dict[str, Any]:
    """The advisory as an OSV record (id ``x_<tracking id>``: OSV keeps ``x_`` for unregistered databases)."""
    try:
        return csaf.to_osv(vendor_document(advisory))
    except ValueError as error:
        raise ValidationError({"osv": [str(error)]}) from None


def _affected_item(entry: dict[str, Any]) -> str:
    """A range as the CSAF builder writes it: ``>=3.2|<3.2.4+vendor1``, ``<1.0.1``, ``>=2.0``."""
    introduced = str(entry.get("introduced") or "0")
    fixed = str(entry.get("fixed") or "")
    lower = f">={introduced}" if introduced != "0" else ""
    upper = f"<{fixed}" if fixed else ""
    return "|".join(part for part in (lower, upper) if part) or ">=0"


def vendor_document(advisory: VendorAdvisory, *, draft: bool = False) -> csaf.VendorAdvisory:
    """The pure document the CSAF export is built from; ValueError when it cannot be one."""
    now = timezone.now()
    published = advisory.published_at or now
    history = tuple(
        csaf.Revision(date=datetime.fromisoformat(entry["date"]), summary=entry["summary"])
        for entry in advisory.history
    )
    revision = max(advisory.revision, 1)
    if len(history) != revision:
        history = ()
        revision = 1
    return csaf.VendorAdvisory(
        id=advisory.tracking_id,
        title=advisory.title,
        summary=advisory.summary,
        details=advisory.details or advisory.summary,
        publisher_name=settings.OSSDESK_VENDOR_NAME,
        publisher_namespace=settings.OSSDESK_VENDOR_URL,
        published=published,
        modified=max(advisory.modified_at or now, published),
        revision=revision,
        status="draft" if draft or advisory.status != VendorAdvisory.Status.PUBLISHED else "final",
        cves=tuple(c.upper() for c in advisory.cves),
        aliases=tuple(advisory.aliases),
        cvss_vector=advisory.cvss_vector or None,
        products=tuple(_affected_product(entry) for entry in vendor_packages(advisory)),
        references=(
            (
                "Vendor advisory",
                f"{settings.OSSDESK_VENDOR_URL.rstrip('/')}/advisories/{advisory.tracking_id}",
            ),
        ),
        revision_history=history,
        tlp=advisory.tlp,
        withdrawn=advisory.withdrawn_at,
        withdrawn_reason=advisory.withdrawn_reason,
    )


def vendor_packages(advisory: VendorAdvisory) -> list[dict[str, Any]]:
    """Every package the advisory covers, the first from its own fields, each with PACKAGE_FIELDS."""
    first = {name: getattr(advisory, name) for name in PACKAGE_FIELDS}
    return [
        first,
        *({name: entry.get(name) for name in PACKAGE_FIELDS} for entry in advisory.additional_packages),
    ]


def _affected_product(entry: dict[str, Any]) -> csaf.AffectedProduct:
    ranges = entry.get("ranges") or []
    fixed = tuple(dict.fromkeys(str(r["fixed"]) for r in ranges if r.get("fixed")))
    affected = tuple(
        dict.fromkeys([*(_affected_item(r) for r in ranges), *map(str, entry.get("affected_versions") or [])])
    )
    return csaf.AffectedProduct(
        ecosystem=entry["ecosystem"],
        name=entry["package"],
        affected=affected,
        fixed=fixed,
        remediation=entry.get("remediation")
        or (f"Upgrade to {', '.join(fixed)}." if fixed else "No fix yet."),
    )


def vendor_csaf(advisory: VendorAdvisory, *, draft: bool = False) -> dict[str, Any]:
    """The CSAF 2.0 document; a ValidationError says what is wrong when it cannot be built or is invalid."""
    try:
        document = csaf.to_csaf(vendor_document(advisory, draft=draft))
    except ValueError as error:
        raise ValidationError({"csaf": [str(error)]}) from None
    errors = csaf.validate_csaf(document)
    if errors:
        raise ValidationError({"csaf": errors[:10]})
    return document
