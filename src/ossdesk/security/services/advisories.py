"""Advisory imports: OSV records stored in batches, indexed by package and alias, and matched."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from ossdesk.accounts.access import can_analyse_security, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record
from ossdesk.domain import osv
from ossdesk.security import matching
from ossdesk.security.models import Advisory, AdvisoryAlias, AffectedPackage
from ossdesk.security.services.bulk import BATCH
from ossdesk.security.services.feeds import priorities_refresh
from ossdesk.security.services.notices import notices_send


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


def record_digest(data: bytes) -> str:
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


def store_advisories(batch: list[tuple[osv.Record, str]], source: str, report: ImportReport) -> list[int]:
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
    require(can_analyse_security(actor), "Only security analysts may import advisories.")
    started = time.perf_counter()
    report = ImportReport()
    known_digests = set(Advisory.objects.values_list("digest", flat=True))
    changed: list[int] = []
    batch: list[tuple[osv.Record, str]] = []

    def flush() -> None:
        if batch:
            with transaction.atomic():
                changed.extend(store_advisories(batch, Advisory.Source.IMPORT, report))
            batch.clear()

    for name, data in osv.iter_members(path):
        report.seen += 1
        if progress is not None:
            progress(1)
        if isinstance(data, osv.OsvError):  # too large to be a record: never read whole
            report.rejected.append((name, str(data)))
            continue
        digest = record_digest(data)
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
