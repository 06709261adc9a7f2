"""The EPSS and KEV feeds, and the priorities of advisories they rank."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.access import can_analyse_security, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record
from ossdesk.security import matching
from ossdesk.security.models import Advisory, AdvisoryAlias, EpssScore, KevEntry
from ossdesk.security.services.bulk import BATCH


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
    require(can_analyse_security(actor), "Only security analysts may import EPSS scores.")
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
    require(can_analyse_security(actor), "Only security analysts may import the KEV catalogue.")
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
