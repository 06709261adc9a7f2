"""Builders for the security tests, from real third-party data: osv-scanner's offline advisories and the
lockfiles of its test fixtures (in ../shared/data), uploads through the services, deployments.

The builders of the security pages' estate are in tests/security/web_fixtures.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ossdesk.accounts.actor import Actor
from ossdesk.customers.models import Deployment, Organization
from ossdesk.customers.services import deployment_create
from ossdesk.products.models import Product
from ossdesk.security import services
from tests.accounts.factories import SYSTEM

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ADVISORIES = DATA / "advisories" / "osv-scanner-offline-dbs"
LOCKFILES = DATA / "lockfiles" / "osv-scanner-fixtures"
REQUIREMENTS = LOCKFILES / "cmd/osv-scanner/scan/source/testdata/locks-requirements"
# flask==1.0.0, django==1.11.29, requests==2.20.0: PYSEC-2023-62, PYSEC-2021-98, PYSEC-2023-74.
WEB_LOCKFILE = REQUIREMENTS / "requirements.txt"
# flask==1.0.0, flask-cors==1.0.0, pandas==0.23.4: adds PYSEC-2020-43 and PYSEC-2020-73.
BATCH_LOCKFILE = REQUIREMENTS / "unresolvable-requirements.txt"
# ansi-html 0.0.1: GHSA-whgm-jr23-g3j9 (CVE-2021-23424, CVSS 7.5: high).
NPM_LOCKFILE = LOCKFILES / "cmd/osv-scanner/scan/source/testdata/locks-insecure/my-package-lock.json"

Security = dict[str, Any]


def isolate_files(settings: Any, tmp_path: Path) -> None:
    """Uploads go to the test's own directory, outside any web root."""
    # WhiteNoise warns on every client when STATIC_ROOT (in the fresh data directory) does not exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


def upload(deployment: Deployment, path: Path, actor: Actor = SYSTEM) -> Any:
    sbom, _ = services.sbom_upload(
        actor=actor, deployment=deployment, filename=path.name, data=path.read_bytes()
    )
    return sbom


def make_deployment(organization: Organization, name: str, product: Product) -> Deployment:
    return deployment_create(actor=SYSTEM, organization=organization, name=name, product=product)
