"""One very large inventory upload (issue 10, section 2): time, and peak memory of the process doing it.

A CycloneDX JSON of 428,801 components (about 49 MiB, the size a customer sent) is generated in a
temporary directory, never committed; osv-scanner's offline PyPI advisories are imported so that the
upload also matches. Figures, never pass/fail. Peak memory is the process's maximum resident set
(`ru_maxrss`), printed before and after the upload.

`python benchmarks/bench_upload.py [COMPONENTS]` (default 428801).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
OFFLINE = SHARED / "advisories" / "osv-scanner-offline-dbs"
_NUMBERS = [int(a) for a in sys.argv[1:] if a.isdigit()]
COMPONENTS = _NUMBERS[0] if _NUMBERS else 428_801
ECOSYSTEMS = ("pypi", "npm", "cargo", "gem")


def generate(path: Path, count: int) -> int:
    """Write a compact CycloneDX 1.5 JSON with `count` distinct components, one at a time; its size."""
    with path.open("w") as out:
        out.write('{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[')
        for n in range(count):
            kind = ECOSYSTEMS[n % len(ECOSYSTEMS)]
            name = "django" if n == 0 else f"package-{n:07d}"
            version = "3.1.0" if n == 0 else f"{n % 7}.{n % 13}.{n % 5}"
            purl = f"pkg:{kind}/{name}@{version}" if n else "pkg:pypi/django@3.1.0"
            component = {
                "type": "library",
                "bom-ref": f"c{n}",
                "name": name,
                "version": version,
                "purl": purl,
            }
            out.write(("," if n else "") + json.dumps(component, separators=(",", ":")))
        out.write("]}")
    return path.stat().st_size


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    _django.setup()
    from django.utils import timezone

    from ossdesk.accounts.actor import Actor
    from ossdesk.customers.models import Deployment, Organization
    from ossdesk.plans.models import Plan
    from ossdesk.plans.services import plans_seed_defaults, subscription_create
    from ossdesk.products.services import product_create
    from ossdesk.security import services
    from ossdesk.security.models import Component, Sbom

    actor = Actor.system("bench")
    plans_seed_defaults(actor=actor)
    product = product_create(actor=actor, name="Platform")
    organization = Organization.objects.create(name="Big customer", slug="big", country="DE")
    today = timezone.localdate()
    subscription_create(
        actor=actor,
        organization=organization,
        plan=Plan.objects.get(code="enterprise"),
        starts_on=today,
        ends_on=today.replace(year=today.year + 1),
        products=[product],
        deployments=5,
    )
    deployment = Deployment.objects.create(organization=organization, name="monolith", product=product)
    if OFFLINE.is_dir():
        services.advisories_import(actor=actor, path=OFFLINE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bom.json"
        size = generate(path, COMPONENTS)
        print(f"generated {COMPONENTS:,} components, {size / 2**20:.1f} MiB")
        before = peak_mb()
        started = time.perf_counter()
        receive = getattr(services, "sbom_receive", None)
        if receive is not None:  # stored raw by the web request, processed by the worker
            from huey.contrib.djhuey import HUEY

            HUEY.immediate = False  # the worker's step is run and timed below
            sbom = receive(
                actor=actor, deployment=deployment, filename="bom.json", data=path.read_bytes(), confirm=True
            )
            print(f"received and stored in {time.perf_counter() - started:.1f}s; peak {peak_mb():.0f} MB")
            commits = [time.perf_counter()]
            services.batch_committed.connect(lambda **_: commits.append(time.perf_counter()), weak=False)
            services.sbom_process(sbom_id=sbom.pk)
            commits.append(time.perf_counter())
            gaps = [b - a for a, b in pairwise(commits[1:-1])]
            print(
                f"worker: {len(commits) - 2} component slices, each read, inserted and evaluated in turn; "
                f"the longest gap between two slice commits {max(gaps or [0]):.2f}s; first slice after "
                f"{commits[1] - commits[0]:.1f}s; diff + switch + match {commits[-1] - commits[-2]:.1f}s"
            )
        else:
            sbom, _ = services.sbom_upload(
                actor=actor, deployment=deployment, filename="bom.json", data=path.read_bytes(), confirm=True
            )
        elapsed = time.perf_counter() - started
    sbom = Sbom.objects.get(pk=sbom.pk)
    stored = Component.objects.filter(sbom=sbom).count()
    print(
        f"upload: {elapsed:.1f}s, state {sbom.state}, {stored:,} components stored, changes "
        f"{ {k: v for k, v in sbom.changes.items() if isinstance(v, int)} }"
    )
    print(f"peak memory: {before:.0f} MB before the upload, {peak_mb():.0f} MB after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
