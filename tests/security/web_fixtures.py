"""Fixtures for the security pages, built through the services from real third-party data: the OSV records
of osv-scanner's offline databases and lockfiles from its test fixtures.

Builders, not fixtures: a test module wraps them in its own fixtures (see tests/security/test_web.py), on
top of the shared `customers` and `staff` fixtures of tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.customers.services import deployment_create
from ossdesk.security import services
from ossdesk.security.models import Finding, Notice
from tests.products.factories import ProductFactory

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OFFLINE = SHARED / "advisories" / "osv-scanner-offline-dbs"
FIXTURES = SHARED / "lockfiles" / "osv-scanner-fixtures"
# flask 0.12.2, django 1.11.29, requests 2.20.0, urllib3 1.24.3: four PyPI advisories of the offline db.
REQUIREMENTS = FIXTURES / "cmd/osv-scanner/scan/image/testdata/python-fixture/requirements.txt"
INSECURE = FIXTURES / "cmd/osv-scanner/scan/source/testdata/locks-insecure"
COMPOSER_LOCK = INSECURE / "composer.lock"  # league/flysystem 1.0.8: GHSA-9f46-5r25-5wfm, critical
PACKAGE_LOCK = INSECURE / "my-package-lock.json"  # ansi-html 0.0.1: GHSA-whgm-jr23-g3j9, high
NOT_JSON = FIXTURES / "pkg/lockfile/fixtures/npm/not-json.txt"
SYSTEM = Actor.system("tests")

needs_shared = pytest.mark.skipif(not OFFLINE.is_dir(), reason="../shared/data is not beside the checkout")

Estate = dict[str, Any]


def isolate_files(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to the test's own directory; STATIC_ROOT exists so WhiteNoise stays quiet."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def upload(deployment: Any, path: Path, *, actor: Actor = SYSTEM, filename: str | None = None) -> Any:
    sbom, _ = services.sbom_upload(
        actor=actor, deployment=deployment, filename=filename or path.name, data=path.read_bytes()
    )
    return sbom


def build_estate(customers: dict[str, dict[str, Any]], staff: dict[str, User]) -> Estate:
    """acme runs `web` (the Python requirements) and `shop` (composer.lock, a critical finding); globex runs
    `web` (the same requirements) and `storefront` (package-lock.json). The inventories come first and the
    advisories after, so the import opens the findings and sends the notices, as in production."""
    product = ProductFactory(
        name="Django support", slug="django-support", ecosystem="PyPI", package_name="django"
    )
    acme, globex = customers["acme"]["org"], customers["globex"]["org"]
    result: Estate = {"product": product, "staff": staff, "customers": customers}
    for key, organization, layout in (
        ("acme", acme, {"web": REQUIREMENTS, "shop": COMPOSER_LOCK}),
        ("globex", globex, {"web": REQUIREMENTS, "storefront": PACKAGE_LOCK}),
    ):
        deployments = {}
        for name, path in layout.items():
            deployment = deployment_create(
                actor=SYSTEM, organization=organization, name=name, product=product
            )
            upload(deployment, path, filename="requirements.txt" if path == REQUIREMENTS else None)
            deployments[name] = deployment
        result[key] = {**customers[key], "deployments": deployments}
    result["import"] = services.advisories_import(actor=SYSTEM, path=OFFLINE)
    for key in ("acme", "globex"):
        organization = customers[key]["org"]
        result[key]["findings"] = list(Finding.objects.filter(organization=organization).order_by("pk"))
        result[key]["notices"] = list(Notice.objects.filter(organization=organization).order_by("pk"))
    return result


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
