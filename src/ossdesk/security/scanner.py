"""`ossdesk scan`: SBOMs and lockfiles against an OSV dump or this server's advisory database, offline.

With `--db PATH` nothing of the server is touched (no settings, no database): the dump is read into an
in-memory index. Without it the server's database is read directly (no server process needs to run).
Exit status as osv-scanner: 1 when vulnerabilities are found, 0 when none, 2 on bad input.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ossdesk import __version__
from ossdesk.config.bootstrap import django_setup
from ossdesk.domain import osv
from ossdesk.domain.inventory import Component, InventoryError, parse
from ossdesk.domain.scan import AdvisoryIndex, ScanResult, dumps, scan, to_cyclonedx_vex, to_json, to_sarif


def _database_index(components: Sequence[Component]) -> AdvisoryIndex:
    """An index holding just the advisories of these components' packages, from the server's database."""
    django_setup()
    from ossdesk.security.matching import advisory_records
    from ossdesk.security.models import AffectedPackage

    keys: dict[str, set[str]] = {}
    for c in components:
        if c.ecosystem:
            keys.setdefault(osv.ecosystem_base(c.ecosystem), set()).add(
                osv.normalise_name(c.ecosystem, c.name)
            )
    ids: set[int] = set()
    for ecosystem, names in keys.items():
        ordered = sorted(names)
        for start in range(0, len(ordered), 500):
            ids.update(
                AffectedPackage.objects.filter(
                    ecosystem=ecosystem, name_key__in=ordered[start : start + 500]
                ).values_list("advisory_id", flat=True)
            )
    return AdvisoryIndex.from_records(advisory_records(ids).values())


def _table(results: Sequence[ScanResult]) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(record=True, width=160, file=io.StringIO())
    for result in results:
        vulnerable = result.vulnerable
        title = f"{result.source} ({result.format}): {len(result.packages):,} packages, " + (
            f"{len(vulnerable):,} vulnerable, {result.vulnerability_count:,} advisories"
            if vulnerable
            else "no known vulnerabilities"
        )
        table = Table(title=title, title_justify="left")
        for column in ("advisory", "severity", "ecosystem", "package", "version", "fixed in", "aliases"):
            table.add_column(column)
        for package in vulnerable:
            for v in package.vulnerabilities:
                table.add_row(
                    v.advisory.id,
                    v.advisory.severity,
                    package.component.ecosystem or "",
                    package.component.name,
                    package.component.version or "",
                    ", ".join(v.fixed) or "—",
                    ", ".join(v.advisory.aliases[:3]),
                )
        console.print(table if vulnerable else title)
    return console.export_text()


def run_scan(args: argparse.Namespace, command_error: type[Exception]) -> int:
    if args.db and not Path(args.db).exists():
        raise command_error(f"scan: --db {args.db}: no such folder or archive")
    inventories = []
    for name in args.files:
        # osv-scanner's `format:path` form names the format of a file whose name does not say it.
        as_name, _, rest = name.partition(":")
        path, parse_as = (
            (Path(rest), as_name) if rest and not Path(name).exists() else (Path(name), Path(name).name)
        )
        if not path.is_file():
            raise command_error(f"scan: {path}: no such file")
        try:
            inventories.append((str(path), parse(parse_as, path.read_bytes())))
        except InventoryError as error:
            raise command_error(f"scan: {path}: {error}") from None
    components = [c for _, inventory in inventories for c in inventory.components]
    if args.db:
        source = Path(args.db)
        try:
            index = AdvisoryIndex.from_source(osv.iter_source(source))
        except (osv.OsvError, OSError) as error:
            raise command_error(f"scan: --db {args.db}: {error}") from None
        if not index.records:
            raise command_error(f"scan: --db {args.db}: no OSV records in it")
    else:
        index = _database_index(components)
    results = [scan(name, inventory.format, inventory.components, index) for name, inventory in inventories]
    document: Any
    if args.format == "json":
        text = dumps(to_json(results, only_vulnerable=not args.all_packages))
    elif args.format == "sarif":
        text = dumps(to_sarif(results, tool_version=__version__))
    elif args.format == "cyclonedx-vex":
        document = to_cyclonedx_vex(results)
        text = dumps(document)
    else:
        text = _table(results)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    found = sum(r.vulnerability_count for r in results)
    if args.format != "table" or args.output:
        sys.stderr.write(
            f"scanned {len(components):,} packages in {len(results)} file(s): {found:,} vulnerabilities\n"
        )
    return 1 if found else 0
