"""Security assurance at portfolio scale (figures, never pass/fail).

1. Scan: the real SBOMs in ../shared/data (juice-shop, keycloak) and a generated 20,000-component SBOM
   against every advisory in ../shared/data — time to parse alone vs parse + match (target: matching adds
   at most 20 % to parsing).
2. Import every advisory in ../shared/data (records/s), then the unchanged dump again (target ≥ 10×
   faster).
3. A portfolio of 2,000 deployments × 500 components (1,000,000 component rows) on SQLite: one new
   advisory creates all its findings (target < 1 s); a full re-match of the portfolio (target < 60 s).

`python benchmarks/bench_security.py [DEPLOYMENTS] [COMPONENTS_EACH]` (defaults 2000 500).
"""

from __future__ import annotations

import json
import random
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ADVISORY_SOURCES = [
    SHARED / "advisories" / "osv-pypi.tar.gz",
    SHARED / "advisories" / "osv-go.tar.gz",
    SHARED / "advisories" / "osv-rustsec.tar.gz",
    SHARED / "advisories" / "osv-scanner-offline-dbs",
]
_NUMBERS = [int(a) for a in sys.argv[1:] if a.isdigit()]
DEPLOYMENTS = _NUMBERS[0] if _NUMBERS else 2000
EACH = _NUMBERS[1] if len(_NUMBERS) > 1 else 500


def best(function, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def large_boms() -> dict[str, bytes]:
    wanted = {"juice-shop": None, "keycloak": None}
    with tarfile.open(SHARED / "sboms" / "cyclonedx" / "large-boms.tar.gz") as archive:
        for member in archive:
            name = member.name.lower()
            for key in wanted:
                if key in name and name.endswith(".json") and wanted[key] is None and member.isfile():
                    stream = archive.extractfile(member)
                    assert stream is not None
                    wanted[key] = (member.name.rsplit("/", 1)[-1], stream.read())
    return {f"{key} ({found[0]})": found[1] for key, found in wanted.items() if found}


def bench_scan() -> None:
    from ossdesk.domain import osv
    from ossdesk.domain.inventory import parse
    from ossdesk.domain.inventory.testing import generate_cyclonedx
    from ossdesk.domain.scan import AdvisoryIndex, scan

    started = time.perf_counter()
    index = AdvisoryIndex()
    for source in ADVISORY_SOURCES:
        for _, item in osv.iter_source(source):
            if not isinstance(item, osv.OsvError):
                index.add(item)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    index.prepare()
    print(
        f"advisory index: {index.records:,} records, {len(index.entries):,} packages; "
        f"loaded in {loaded:.2f}s, matchers compiled in {time.perf_counter() - started:.2f}s "
        "(once, like osv-scanner's offline database)"
    )
    inputs = {**large_boms(), "generated 20,000 components": generate_cyclonedx(20_000, seed=1)}
    print(
        f"\n{'SBOM':<44}{'components':>11}{'parse s':>10}{'parse+match s':>15}"
        f"{'matching adds':>15}{'vulns':>7}"
    )
    for label, data in inputs.items():
        parse_time, inventory = best(lambda data=data: parse("bom.json", data))
        total_time, result = best(
            lambda data=data: scan("bom.json", "CycloneDX", parse("bom.json", data).components, index)
        )
        added = (total_time - parse_time) / parse_time * 100
        print(
            f"{label:<44}{len(inventory.components):>11,}{parse_time:>10.3f}{total_time:>15.3f}"
            f"{added:>14.1f}%{result.vulnerability_count:>7,}"
        )
    print("target: matching adds at most 20 % to parsing")


def bench_import(actor) -> None:
    from ossdesk.security.services import advisories_import

    print("\nimport of every advisory in ../shared/data:")
    first_total = again_total = 0.0
    records = 0
    for source in ADVISORY_SOURCES:
        first = advisories_import(actor=actor, path=source, notify=False)
        again = advisories_import(actor=actor, path=source, notify=False)
        first_total += first.seconds
        again_total += again.seconds
        records += first.seen
        print(
            f"  {source.name:<28} {first.seen:>6,} records: first {first.seconds:6.2f}s "
            f"({first.seen / first.seconds:,.0f}/s, {len(first.rejected)} rejected), "
            f"again {again.seconds:5.2f}s ({again.unchanged:,} unchanged) "
            f"→ {first.seconds / again.seconds:.1f}×"
        )
    print(
        f"  all: {records:,} records in {first_total:.2f}s ({records / first_total:,.0f} records/s); "
        f"re-import {again_total:.2f}s → {first_total / again_total:.1f}× faster (target ≥ 10×)"
    )


CORE = ["django", "requests", "urllib3", "jinja2", "pyyaml", "cryptography", "pillow", "sqlalchemy"]


def make_portfolio(actor) -> tuple[list[tuple[str, str, list[str]]], float]:
    """2,000 deployments × 500 components drawn from real advisory packages (and their versions)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ossdesk.customers.models import Deployment, Organization
    from ossdesk.plans.models import Plan
    from ossdesk.plans.services import plans_seed_defaults, subscription_create
    from ossdesk.products.services import product_create
    from ossdesk.security.models import AffectedPackage, Component, Sbom

    started = time.perf_counter()
    plans_seed_defaults(actor=actor)
    product = product_create(actor=actor, name="Platform")
    today = timezone.localdate()
    organizations = []
    for n in range(20):
        organization = Organization.objects.create(name=f"Customer {n}", slug=f"customer-{n}", country="DE")
        subscription_create(
            actor=actor,
            organization=organization,
            plan=Plan.objects.get(code="enterprise"),
            starts_on=today,
            ends_on=today.replace(year=today.year + 1),
            products=[product],
            deployments=DEPLOYMENTS,
        )
        organizations.append(organization)
    # The package pool: every package the advisories name, at versions the advisories mention (a fixed
    # version, or an old 0.0.1), and as many packages no advisory names: a deployment runs about 10 % of
    # its components from the first kind, as real SBOMs do (keycloak: 903 components, 2 advisory hits).
    pool: dict[tuple[str, str], set[str]] = {}
    for ecosystem, name_key, fixed in AffectedPackage.objects.values_list("ecosystem", "name_key", "fixed"):
        pool.setdefault((ecosystem, name_key), set()).update(fixed or [])
        pool[(ecosystem, name_key)].add("0.0.1")
    advised = sorted(pool)
    quiet = [
        (ecosystem, f"quiet-package-{n}")
        for n in range(20_000)
        for ecosystem in ("PyPI", "Go", "crates.io")[n % 3 : n % 3 + 1]
    ]
    rng = random.Random(5)
    with transaction.atomic():
        deployments = Deployment.objects.bulk_create(
            Deployment(organization=organizations[n % 20], name=f"d{n}", product=product)
            for n in range(DEPLOYMENTS)
        )
        sboms = Sbom.objects.bulk_create(
            Sbom(
                deployment=d,
                filename="bom.json",
                format="CycloneDX 1.5 JSON",
                sha256="0" * 64,
                size=0,
                file="",
                component_count=EACH,
                uploaded_at=timezone.now(),
            )
            for d in deployments
        )
        table = Component._meta.db_table
        rows = []
        for deployment, sbom in zip(deployments, sboms, strict=True):
            # Every deployment runs the same core (as a fleet built from one template would), at varying
            # versions; then its own mix.
            core = [("PyPI", name) for name in CORE if ("PyPI", name) in pool]
            rest = [p for p in advised if p not in core]
            picks = core + rng.sample(rest, EACH // 10 - len(core)) + rng.sample(quiet, EACH - EACH // 10)
            for ecosystem, name_key in picks:
                versions = pool.get((ecosystem, name_key))
                version = (
                    rng.choice(sorted(versions))
                    if versions
                    else f"1.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
                )
                rows.append((sbom.pk, deployment.pk, ecosystem, name_key, name_key, version, "", True))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} "  # noqa: S608
                "(sbom_id, deployment_id, ecosystem, name, name_key, version, purl, current) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return advised, time.perf_counter() - started


def bench_portfolio(actor) -> None:
    from django.db import connection

    from ossdesk.security.matching import match_all
    from ossdesk.security.models import Component, Finding
    from ossdesk.security.services import advisories_import

    _, seconds = make_portfolio(actor)
    print(
        f"\nportfolio: {DEPLOYMENTS:,} deployments × {EACH} components = "
        f"{Component.objects.count():,} component rows ({connection.vendor}), built in {seconds:.0f}s"
    )
    started = time.perf_counter()
    result = match_all()
    took = time.perf_counter() - started
    print(
        f"full re-match (first, creates the findings): {took:.1f}s, {result.created:,} findings "
        "(target < 60 s)"
    )
    started = time.perf_counter()
    result = match_all()
    took = time.perf_counter() - started
    print(
        f"full re-match (again, nothing changed): {took:.1f}s, {result.created} new, {result.closed} closed"
    )
    # One new advisory for a package every deployment runs (django is in the core), every version.
    record = {
        "id": "PYSEC-2099-1",
        "modified": "2099-01-01T00:00:00Z",
        "summary": "Benchmark advisory",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "django"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
            }
        ],
    }
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "PYSEC-2099-1.json").write_text(json.dumps(record))
        before = Finding.objects.count()
        report = advisories_import(actor=actor, path=Path(folder))
    print(
        f"one new advisory (django, every version) → {report.findings:,} findings across "
        f"{Finding.objects.filter(advisory__osv_id='PYSEC-2099-1').values('deployment').distinct().count():,} "  # noqa: E501
        f"deployments, {report.notices} notices, in {report.seconds:.2f}s end to end (target < 1 s); "
        f"findings {before:,} → {Finding.objects.count():,}"
    )


def main() -> None:
    _django.setup()
    from ossdesk.accounts.actor import Actor

    actor = Actor.system("bench")
    if "--portfolio-only" not in sys.argv:
        bench_scan()
    bench_import(actor)
    bench_portfolio(actor)


if __name__ == "__main__":
    main()
