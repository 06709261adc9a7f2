"""The join: advisories' parsed records (cached), their affected entries compiled per package, the components
that name those packages, and the hits they make — reads only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection

from ossdesk.domain import osv
from ossdesk.security.matching.results import CHUNK, Hit, Key
from ossdesk.security.models import Advisory, AffectedPackage, Component


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """The items in slices of `size`, for `IN (...)` lists the database accepts."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


_RECORDS: dict[tuple[int, str], osv.Record] = {}


def advisory_records(advisory_ids: Iterable[int]) -> dict[int, osv.Record]:
    """Parsed records by advisory id, cached by (id, digest) so a re-match parses nothing twice."""
    ids = sorted(set(advisory_ids))
    found: dict[int, osv.Record] = {}
    for chunk in chunks(ids):
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


class Evaluator:
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


def entries_for(
    rows: Iterable[tuple[int, int, str, str]],
) -> dict[tuple[str, str], list[tuple[int, osv.Affected]]]:
    """(ecosystem, name_key) -> [(advisory id, affected entry)] from AffectedPackage rows."""
    rows = list(rows)
    records = advisory_records(row[0] for row in rows)
    entries: dict[tuple[str, str], list[tuple[int, osv.Affected]]] = defaultdict(list)
    for advisory_id, position, ecosystem, name_key in rows:
        record = records.get(advisory_id)
        if record is None or position >= len(record.affected):
            continue
        entries[(ecosystem, name_key)].append((advisory_id, record.affected[position]))
    return entries


def component_rows(where: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    table = Component._meta.db_table
    sql = (
        f"SELECT deployment_id, ecosystem, name_key, version, purl, name FROM {table} "  # noqa: S608
        f"WHERE current = %s AND {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *params])
        while rows := cursor.fetchmany(20_000):
            yield from rows


def components_with_keys(keys: Sequence[tuple[str, str]]) -> Iterator[tuple[Any, ...]]:
    by_ecosystem: dict[str, list[str]] = defaultdict(list)
    for ecosystem, name_key in keys:
        by_ecosystem[ecosystem].append(name_key)
    for ecosystem, names in by_ecosystem.items():
        for chunk in chunks(sorted(set(names))):
            marks = ", ".join(["%s"] * len(chunk))
            yield from component_rows(f"ecosystem = %s AND name_key IN ({marks})", [ecosystem, *chunk])


def desired_hits(components: Iterable[tuple[Any, ...]], evaluator: Evaluator) -> dict[Key, Hit]:
    desired: dict[Key, Hit] = {}
    for deployment_id, ecosystem, name_key, version, purl, name in components:
        for advisory_id, fixed in evaluator.advisories(ecosystem, name_key, version):
            desired[(deployment_id, advisory_id, ecosystem, name_key)] = Hit(version, purl, name, fixed)
    return desired


def entries_for_components(
    components: Sequence[tuple[Any, ...]],
) -> dict[tuple[str, str], list[tuple[int, osv.Affected]]]:
    """The affected entries of every advisory naming one of these components' packages."""
    by_ecosystem: dict[str, set[str]] = defaultdict(set)
    for row in components:
        if row[1]:
            by_ecosystem[row[1]].add(row[2])
    rows: list[tuple[int, int, str, str]] = []
    for ecosystem, names in by_ecosystem.items():
        for chunk in chunks(sorted(names)):
            rows += AffectedPackage.objects.filter(ecosystem=ecosystem, name_key__in=chunk).values_list(
                "advisory_id", "position", "ecosystem", "name_key"
            )
    return entries_for(rows)
